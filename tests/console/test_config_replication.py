"""``[replication]`` in the station file: defaults, and mistakes named by file and line."""

from __future__ import annotations

import pytest

from console.config import ConfigError, load_station_text

BASE = """\
[station]
name = "东湖派出所"

[gateway]
url = "sim://demo"
"""


def load(extra: str) -> object:
    return load_station_text(BASE + extra, "station.toml")


def error_for(extra: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_station_text(BASE + extra, "station.toml")
    return info.value


def test_absent_means_off() -> None:
    station = load_station_text(BASE, "station.toml")
    assert not station.replication.enabled


def test_defaults_take_the_station_name() -> None:
    station = load_station_text(
        BASE + '\n[replication]\nurl = "postgresql://st_dh@centre/dutydesk"\n', "station.toml"
    )
    rep = station.replication
    assert rep.enabled
    assert rep.url == "postgresql://st_dh@centre/dutydesk"
    assert rep.station_id == "东湖派出所"
    assert (rep.batch, rep.interval_s) == (500, 1.0)


def test_every_key() -> None:
    station = load_station_text(
        BASE + '\n[replication]\nurl = "postgres://c/d"\nstation_id = "dh"\n'
        "batch = 50\ninterval_s = 2\n",
        "station.toml",
    )
    rep = station.replication
    assert (rep.station_id, rep.batch, rep.interval_s) == ("dh", 50, 2.0)


@pytest.mark.parametrize(
    ("extra", "line", "field"),
    [
        ('url = "mysql://x/y"\n', 8, "replication.url"),
        ('url = "postgresql://x/y"\nbatch = 0\n', 9, "replication.batch"),
        ('url = "postgresql://x/y"\ninterval_s = "1"\n', 9, "replication.interval_s"),
        ('url = "postgresql://x/y"\nintervall_s = 1\n', 9, "replication.intervall_s"),
        ("batch = 5\n", 7, "replication"),
    ],
)
def test_mistakes_name_file_line_and_field(extra: str, line: int, field: str) -> None:
    err = error_for("\n[replication]\n" + extra)
    assert (err.path, err.line, err.field) == ("station.toml", line, field)

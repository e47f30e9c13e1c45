"""A command that pages or drills says so when no station file was found (never silently
the demo): 演示 / DEMO on stderr once it really pages; a mistake stays one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from console import cli

STATION = """\
[station]
name = "东湖派出所"

[gateway]
url = "sim://demo"

[[units]]
issi = 2001
alias = "一号车"
kind = "school"
"""


def test_a_page_on_the_demo_says_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "events.db"
    code = cli.main(["page", "--unit", "2001", "--text", "集合", "--wait", "0", "--db", str(db)])
    err = capsys.readouterr().err
    assert code in (0, 1) and "演示 / DEMO" in err and "station.toml" in err


def test_a_mistake_on_the_demo_is_still_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["page", "--unit", "不存在的单位", "--text", "集合"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "不存在的单位" in err


def test_page_with_a_station_file_says_nothing_of_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    station = tmp_path / "station.toml"
    station.write_text(STATION, encoding="utf-8")
    code = cli.main(["--config", str(station), "page", "--unit", "不存在的单位", "--text", "x"])
    err = capsys.readouterr().err
    assert code == 2 and "DEMO" not in err and "不存在的单位" in err


def test_a_broadcast_on_the_demo_says_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The demo's speakers are on 127.0.0.1 with nobody listening: the broadcast still
    # really starts (UDP has no receipt), so the note must come.
    argv = ["broadcast", "--zone", "riverside", "--tone", "alarm", "--seconds", "0.2"]
    code = cli.main([*argv, "--db", str(tmp_path / "events.db")])
    err = capsys.readouterr().err
    assert code in (0, 1) and err.count("演示 / DEMO") == 1 and "station.toml" in err


def test_a_broadcast_mistake_on_the_demo_is_still_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = cli.main(["broadcast", "--zone", "没有这个分区", "--tone", "chime"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "DEMO" not in err

"""Every mistake in a station file names the file, the line and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from console.config import ConfigError, load_station, load_station_text
from console.config.locate import SourceMap, format_path
from console.errors import ConsoleError

BASE = """\
[station]
name = "测试派出所"

[gateway]
url = "sim://demo"
issi = 1000

[[units]]
issi = 2001
alias = "甲单元"
kind = "school"

[[units]]
issi = 2002
alias = "乙单元"
kind = "bank"
"""
# line numbers in BASE: units[0] header 8, issi 9; units[1] header 13, issi 14, alias 15


def error_for(text: str, name: str = "station.toml") -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_station_text(text, name)
    return info.value


def test_base_is_valid() -> None:
    station = load_station_text(BASE, "station.toml")
    assert [u.alias for u in station.units] == ["甲单元", "乙单元"]


def test_bad_issi_type_names_file_line_field() -> None:
    err = error_for(BASE.replace("issi = 2002", 'issi = "abc"'))
    assert (err.path, err.line, err.field) == ("station.toml", 14, "units[1].issi")
    assert str(err).startswith(
        'station.toml:14: units[1].issi: expected an integer 1..16777215, got "abc" (hint: '
    )
    assert isinstance(err, ConsoleError) and err.hint


def test_quoted_number_gets_a_specific_hint() -> None:
    err = error_for(BASE.replace("issi = 2002", 'issi = "2002"'))
    assert err.line == 14
    assert err.hint == "remove the quotes around the number"


@pytest.mark.parametrize("value", ["0", "16777216", "true", "20.5"])
def test_issi_out_of_range_or_wrong_type(value: str) -> None:
    err = error_for(BASE.replace("issi = 2001", f"issi = {value}"))
    assert (err.line, err.field) == (9, "units[0].issi")
    assert "expected an integer 1..16777215" in err.message


def test_duplicate_issi() -> None:
    err = error_for(BASE.replace("issi = 2002", "issi = 2001"))
    assert (err.line, err.field) == (14, "units[1].issi")
    assert "duplicate" in err.message and "units[0].issi" in err.message


def test_issi_clashing_with_gateway() -> None:
    err = error_for(BASE.replace("issi = 2001", "issi = 1000"))
    assert (err.line, err.field) == (9, "units[0].issi")
    assert "gateway.issi" in err.message


def test_duplicate_alias() -> None:
    err = error_for(BASE.replace('alias = "乙单元"', 'alias = "甲单元"'))
    assert (err.line, err.field) == (15, "units[1].alias")
    assert "甲单元" in err.message


def test_unknown_key_with_did_you_mean() -> None:
    err = error_for(BASE.replace("issi = 2002", "isi = 2002"))
    assert (err.line, err.field) == (14, "units[1].isi")
    assert err.hint == "did you mean 'issi'?"
    # ...and the missing issi is reported too, at the table header
    assert [(o.line, o.field) for o in err.others] == [(13, "units[1]")]
    assert str(err).endswith("(and 1 more problem)")


def test_unknown_top_level_key() -> None:
    err = error_for(BASE + "\n[gatway]\nurl = 'x'\n")
    assert (err.line, err.field) == (18, "gatway")
    assert err.hint == "did you mean 'gateway'?"


def test_unknown_kind_suggests() -> None:
    err = error_for(BASE.replace('kind = "school"', 'kind = "shcool"'))
    assert (err.line, err.field) == (11, "units[0].kind")
    assert err.hint == "did you mean 'school'?"


def test_unknown_group_member_in_multiline_array() -> None:
    text = BASE + '\n[[groups]]\nname = "名单"\nmembers = [\n  "甲单元",\n  "丙单元",\n]\n'
    err = error_for(text)
    assert (err.line, err.field) == (22, "groups[0].members[1]")
    assert "丙单元" in err.message


def test_unknown_backup_unit() -> None:
    err = error_for(BASE.replace('kind = "bank"', 'kind = "bank"\nbackup = 2999'))
    assert (err.line, err.field) == (17, "units[1].backup")
    assert "unknown unit 2999" in err.message


def test_unit_cannot_back_itself_up() -> None:
    err = error_for(BASE.replace('kind = "bank"', 'kind = "bank"\nbackup = "乙单元"'))
    assert (err.line, err.field) == (17, "units[1].backup")


def test_unknown_group_named_by_unit() -> None:
    err = error_for(BASE.replace('kind = "bank"', 'kind = "bank"\ngroups = ["银行组"]'))
    assert (err.line, err.field) == (17, "units[1].groups[0]")


def test_inline_tables_are_located() -> None:
    text = (
        "units = [\n"
        '  { issi = 2001, alias = "甲", kind = "school" },\n'
        '  { issi = 2002, alias = "乙", kind = "bnak" },\n'
        "]\n"
        '[station]\nname = "x"\n[gateway]\nurl = "COM3"\n'
    )
    err = error_for(text)
    assert (err.line, err.field) == (3, "units[1].kind")
    assert err.hint == "did you mean 'bank'?"


def test_talkgroup_gssi_range() -> None:
    err = error_for(BASE + '\n[[groups]]\nname = "全体"\ngssi = 99999999\nall_units = true\n')
    assert (err.line, err.field) == (20, "groups[0].gssi")


def test_multicast_speaker_needs_permission() -> None:
    text = BASE + (
        '\n[[zones]]\nid = "river"\nname = "沿江"\n'
        '[[zones.speakers]]\nname = "1号"\nhost = "239.1.2.3"\nport = 5004\n'
    )
    err = error_for(text)
    assert (err.line, err.field) == (23, "zones[0].speakers[0].host")
    assert "multicast_allowed" in err.hint
    load_station_text(text.replace('name = "沿江"', 'name = "沿江"\nmulticast_allowed = true'))


def test_speaker_port_and_codec() -> None:
    text = BASE + (
        '\n[[zones]]\nid = "river"\nname = "沿江"\n'
        '[[zones.speakers]]\nname = "1号"\nhost = "127.0.0.1"\nport = 70000\ncodec = "g722"\n'
    )
    err = error_for(text)
    assert (err.line, err.field) == (24, "zones[0].speakers[0].port")
    assert [(o.line, o.field) for o in err.others] == [(25, "zones[0].speakers[0].codec")]


def test_deadlines_must_not_decrease() -> None:
    err = error_for(BASE + "\n[deadlines]\nacknowledge_s = 300\nen_route_s = 60\n")
    assert (err.line, err.field) == (18, "deadlines")
    assert "acknowledge_s <= en_route_s <= on_scene_s" in (err.hint or "")


def test_old_targets_table_still_loads_with_its_old_keys(tmp_path: Path) -> None:
    """Station files written before the rename keep their meaning, key for key."""
    old = BASE + "\n[targets]\nacknowledge_s = 30\nmutual_aid_s = 90\nreinforcement_s = 240\n"
    path = tmp_path / "station.toml"
    path.write_text(old + "[targets.escalation]\nrepage_limit = 1\n", encoding="utf-8")
    d = load_station(path).deadlines
    assert (d.acknowledge_s, d.en_route_s, d.on_scene_s) == (30, 90, 240)
    assert d.escalation.repage_limit == 1
    err = error_for(BASE + "\n[targets]\nmutual_aid_s = 0\n")
    assert (err.line, err.field) == (19, "targets.mutual_aid_s")  # the key the file uses


def test_deadlines_and_old_targets_together_is_an_error() -> None:
    err = error_for(BASE + "\n[deadlines]\nacknowledge_s = 30\n\n[targets]\nacknowledge_s = 40\n")
    assert err.field == "targets" and "old name of [deadlines]" in err.message


def test_syntax_error_is_rewrapped_with_line() -> None:
    err = error_for(BASE.replace('alias = "乙单元"', "alias = 乙单元"))
    assert (err.path, err.line, err.field) == ("station.toml", 15, None)
    assert err.message.startswith("TOML syntax error: invalid value")
    assert "(at line" not in str(err)
    assert str(err).startswith("station.toml:15: TOML syntax error")


def test_missing_sections() -> None:
    err = error_for('[station]\nname = "x"\n')
    assert "missing the [gateway] table" in err.message
    assert err.path == "station.toml"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_station(tmp_path / "nope.toml")
    assert info.value.path == str(tmp_path / "nope.toml")
    assert info.value.line is None
    assert "cannot read station file" in str(info.value)


def test_gbk_file_is_named_with_line(write_station: Callable[..., Path]) -> None:
    path = write_station(BASE)
    path.write_bytes(BASE.encode("utf-8").replace("乙单元".encode(), "乙单元".encode("gbk")))
    with pytest.raises(ConfigError) as info:
        load_station(path)
    assert info.value.line == 15
    assert "UTF-8" in str(info.value)


def test_utf8_bom_is_accepted(write_station: Callable[..., Path]) -> None:
    path = write_station(BASE)
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))
    assert load_station(path).name == "测试派出所"


def test_source_map_paths() -> None:
    smap = SourceMap(BASE)
    assert smap.exact(("units", 1, "alias")) == 15
    assert smap.line_of(("units", 1, "nothing", "here")) == 13
    assert smap.line_of(("missing",)) is None
    assert format_path(("zones", 0, "speakers", 2, "port")) == "zones[0].speakers[2].port"


def test_source_map_survives_tricky_strings() -> None:
    text = (
        's = "a # not a comment [x]"\n'
        "m = '''\n[[units]]\n'''\n"
        't = "quote \\" inside"\n'
        "[[units]]\n"
        "issi = 1\n"
    )
    smap = SourceMap(text)
    assert smap.exact(("units", 0)) == 6
    assert smap.exact(("units", 0, "issi")) == 7
    assert smap.exact(("t",)) == 5

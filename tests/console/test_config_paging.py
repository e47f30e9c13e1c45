"""``[paging]`` in the station file: the default page mode, and mistakes by file and line."""

from __future__ import annotations

import pytest

from console.config import ConfigError, load_station_text
from console.paging.selection import build_request

BASE = """\
[station]
name = "东湖派出所"

[gateway]
url = "sim://demo"

[[units]]
issi = 2001
alias = "一号车"
kind = "school"

[[groups]]
name = "全体"
gssi = 9001
members = [2001]
"""


def test_absent_means_fast_where_a_talkgroup_is_named() -> None:
    station = load_station_text(BASE, "station.toml")
    assert (station.paging.mode, station.paging.followup_s) == ("fast", 8)
    request = build_request(station, ["全体"], text="集合")
    assert request.group_text == (9001,) and request.followup_s == 8.0
    # a unit named on its own has no talkgroup to ride on: it is paged individually
    alone = build_request(station, ["一号车"], text="集合")
    assert alone.group_text == () and alone.talkgroups == ()


def test_individual_by_station_and_fast_per_page() -> None:
    text = BASE + '\n[paging]\nmode = "individual"\nfollowup_s = 5\n'
    station = load_station_text(text, "s.toml")
    one_by_one = build_request(station, ["全体"], text="集合")
    assert one_by_one.group_text == () and one_by_one.followup_s is None
    fast = build_request(station, ["全体"], text="集合", mode="fast")
    assert fast.group_text == (9001,) and fast.followup_s == 5.0


def test_a_wrong_mode_is_named_with_file_and_line() -> None:
    with pytest.raises(ConfigError) as info:
        load_station_text(BASE + '\n[paging]\nmode = "quick"\n', "station.toml")
    text = str(info.value)
    assert "station.toml" in text and "paging.mode" in text and "fast" in text

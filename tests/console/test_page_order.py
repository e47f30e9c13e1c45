"""What a page needs before it goes out, and when the officer is asked first (no screen)."""

from __future__ import annotations

import pytest

from console.config import demo_station
from console.paging.order import PageOrder, PageOrderError, check, needs_confirmation, radio_request

STATION = demo_station()
GROUP = next(g.name for g in STATION.groups if g.gssi is not None)
UNIT = STATION.units[0].alias


def reason(order: PageOrder) -> str:
    with pytest.raises(PageOrderError) as info:
        check(order, STATION)
    return info.value.reason


def test_each_missing_piece_has_its_reason() -> None:
    assert reason(PageOrder(tokens=())) == "no_targets"
    assert reason(PageOrder(tokens=(UNIT,), text="  ")) == "no_text"
    assert reason(PageOrder(tokens=(UNIT,), text_on=False)) == "no_mode"
    assert reason(PageOrder(tokens=(UNIT,), text_on=False, speakers_on=True)) == "no_mode"
    only_speakers = PageOrder(tokens=(), text_on=False, speakers_on=True, zones=("z1",))
    assert reason(only_speakers) == "no_text"  # nothing to speak on the loudspeakers
    bad = PageOrder(tokens=(UNIT,), text="集合", deadlines=("60", "3分", "300"))
    assert reason(bad) == "deadline"
    with pytest.raises(PageOrderError, match="whole seconds: 3分"):
        check(bad, STATION)


def test_a_complete_order_becomes_the_request_with_its_own_deadlines() -> None:
    order = PageOrder(tokens=(GROUP,), text=" 集合 ", deadlines=("30", "120", "240"))
    request = radio_request(order, STATION)
    assert request is not None and request.text == "集合"
    assert request.deadlines.acknowledge_s == 30.0 and request.deadlines.on_scene_s == 240.0
    assert request.group_text and request.followup_s is not None  # fast, the default
    one_by_one = radio_request(PageOrder(tokens=(GROUP,), text="集合", fast=False), STATION)
    assert one_by_one is not None and one_by_one.group_text == ()
    assert radio_request(PageOrder(tokens=(GROUP,), text_on=False), STATION) is None


def test_many_units_any_talkgroup_or_any_zone_asks_first() -> None:
    one = radio_request(PageOrder(tokens=(UNIT,), text="集合"), STATION)
    group = radio_request(PageOrder(tokens=(GROUP,), text="集合"), STATION)
    assert not needs_confirmation(one, [])
    assert needs_confirmation(group, [])
    assert needs_confirmation(one, ["z1"]) and needs_confirmation(None, ["z1"])

"""What the officer types -> which radios are paged."""

from __future__ import annotations

import pytest

from console.config import Group, Unit, UnknownNameError, demo_station
from console.errors import ConsoleError


def test_alias_resolves_to_unit() -> None:
    [unit] = demo_station().lookup("星海实验小学保安队")
    assert isinstance(unit, Unit) and unit.issi == 2001


def test_english_name_is_case_insensitive() -> None:
    [unit] = demo_station().lookup("patrol 3")
    assert isinstance(unit, Unit) and unit.issi == 3003


def test_group_name_resolves_to_group() -> None:
    [group] = demo_station().lookup("学校组")
    assert isinstance(group, Group) and group.gssi == 9011 and len(group.members) == 10
    [same] = demo_station().lookup("Schools")
    assert same == group


def test_raw_numbers() -> None:
    station = demo_station()
    [unit] = station.lookup("2001")
    assert isinstance(unit, Unit) and unit.configured and unit.alias == "星海实验小学保安队"
    [group] = station.lookup("9020")
    assert isinstance(group, Group) and group.name == "巡逻组"
    [adhoc] = station.lookup(" 1001 ")
    assert isinstance(adhoc, Unit) and adhoc.issi == 1001 and not adhoc.configured
    [adhoc_group] = station.lookup("g:9999")
    assert isinstance(adhoc_group, Group) and adhoc_group.gssi == 9999
    [explicit] = station.lookup("issi:2002")
    assert isinstance(explicit, Unit) and explicit.issi == 2002


def test_technician_can_page_numbers_with_no_config() -> None:
    targets = demo_station().lookup_all(["1001", "1002", "1001"])
    assert [t.issi for t in targets if isinstance(t, Unit)] == [1001, 1002]


def test_unknown_token_lists_close_matches() -> None:
    with pytest.raises(UnknownNameError) as info:
        demo_station().lookup("星海")
    assert info.value.suggestions[0] == "星海实验小学保安队"
    assert "did you mean" in str(info.value)
    with pytest.raises(UnknownNameError) as info:
        demo_station().lookup("Shcools")
    assert "Schools" in info.value.suggestions


def test_nonsense_token_has_hint() -> None:
    with pytest.raises(ConsoleError) as info:
        demo_station().lookup("zzzzqqq")
    assert "(hint:" in str(info.value)


@pytest.mark.parametrize("token", ["0", "16777216", "g:abc", ""])
def test_bad_numbers_are_user_errors(token: str) -> None:
    with pytest.raises(ConsoleError):
        demo_station().lookup(token)


def test_members_of_group_include_adhoc() -> None:
    station = demo_station()
    group = Group(name="x", kind="list", gssi=None, members=(2001, 4242))
    units = station.members_of(group)
    assert [u.configured for u in units] == [True, False]

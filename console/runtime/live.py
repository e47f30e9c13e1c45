"""What the screen shows live: each unit, each talkgroup, the link, and radio activity.

Kept in one place because several parts change the same unit: the wire (heard, talking),
the alarm board (emergency) and the paging engine (unreachable).  Every change goes to
the feed at once; the feed keeps only the latest state of each unit and group.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from console.config import Station
from console.runtime.view import Activity, ActivityKind, Feed, GroupState, LinkStatus, UnitState
from drivers.clock import Clock
from drivers.link import LinkState


def _replace(obj: Any, key: str, value: Any) -> Any:
    return replace(obj, **{key: value})


class LiveState:
    """Units, groups and the link as last heard, pushed to ``feed`` on every change."""

    def __init__(self, station: Station, clock: Clock, feed: Feed, url: str) -> None:
        self.station = station
        self.clock = clock
        self.feed = feed
        self.units: dict[int, UnitState] = {
            u.issi: UnitState(u.issi, u.display_name("zh-CN"), u.kind) for u in station.units
        }
        self.groups: dict[int, GroupState] = {
            g.gssi: GroupState(g.gssi, g.name) for g in station.groups if g.gssi is not None
        }
        self.link_status = LinkStatus(LinkState.CLOSED.value, url)

    def alias(self, ssi: str) -> str:
        """A unit's alias or a group's name for a number on the wire (else the number)."""
        if ssi.isdigit():
            unit = self.station.unit(int(ssi))
            if unit is not None:
                return unit.alias
            group = self.station.group(int(ssi))
            if group is not None:
                return group.name
        return ssi

    def touch(self, issi: int, **changes: Any) -> None:
        """Change a station unit's state (``what=``: heard just now, doing that)."""
        state = self.units.get(issi)
        if state is None:
            return
        what = changes.pop("what", None)
        if what is not None:
            state = state.heard(self.clock.time(), self.clock.monotonic(), what)
        for key, value in changes.items():
            state = _replace(state, key, value)
        self.units[issi] = state
        self.feed.unit(state)

    def touch_ssi(self, ssi: str, **changes: Any) -> None:
        if ssi.isdigit():
            self.touch(int(ssi), **changes)

    def set_group(self, gssi: str, **changes: Any) -> None:
        if not gssi.isdigit() or int(gssi) not in self.groups:
            return
        state = self.groups[int(gssi)]
        for key, value in changes.items():
            state = _replace(state, key, value)
        state = _replace(state, "last_mono", self.clock.monotonic())
        self.groups[state.gssi] = state
        self.feed.group(state)

    def set_link(self, **changes: Any) -> None:
        status = self.link_status
        for key, value in changes.items():
            status = _replace(status, key, value)
        self.link_status = status
        self.feed.push(status)

    def activity(self, kind: ActivityKind, sender: str, **fields: Any) -> None:
        """One line of the radio activity panel (names looked up for the numbers)."""
        called = str(fields.get("called", ""))
        self.feed.activity(
            Activity(
                kind,
                self.clock.time(),
                self.clock.monotonic(),
                sender,
                self.alias(sender) if sender else "",
                called_name=self.alias(called) if called else "",
                **fields,
            )
        )

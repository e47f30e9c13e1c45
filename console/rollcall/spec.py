"""From what the officer typed (a group name, aliases, numbers) to a :class:`RollCallSpec`."""

from __future__ import annotations

from collections.abc import Sequence

from console.config import Group, Station, Unit
from console.errors import ConsoleError
from console.paging.model import Recipient
from console.paging.selection import recipient
from console.rollcall.model import RollCallMode, RollCallSpec

DEFAULT_TEXT = "点名：{group}，请立即回复“收到”"
"""Short on purpose: it must fit one SDS, and every radio's "收到" status answers it."""


def rollcall_spec(
    station: Station,
    names: str | Sequence[str],
    *,
    mode: RollCallMode | str = RollCallMode.STATUS,
    deadline_s: float | None = None,
    late_window_s: float | None = None,
    text: str | None = None,
    operator: str | None = None,
) -> RollCallSpec:
    """Resolve ``names`` with the station (raises ``UnknownNameError`` with suggestions).

    The deadline defaults to the station's acknowledge target (the 1-minute promise); the
    late window defaults to the deadline again.  A voice roll call needs exactly one
    talkgroup, because it is one group call that members key up on.
    """
    tokens = [names] if isinstance(names, str) else list(names)
    mode = RollCallMode(mode)
    members: dict[int, Recipient] = {}
    talkgroups: list[Group] = []
    called: list[str] = []
    for target in station.lookup_all(tokens):
        if isinstance(target, Unit):
            members.setdefault(target.issi, recipient(target, None))
            called.append(target.alias)
            continue
        called.append(target.name)
        if target.gssi is not None:
            talkgroups.append(target)
        for unit in station.members_of(target):
            members.setdefault(unit.issi, recipient(unit, target))
    if not members:
        raise ConsoleError(
            f"nothing to call: {', '.join(tokens)} has no members",
            hint="add members to the group in the station file",
        )
    gssi = talkgroups[0].gssi if len(talkgroups) == 1 else None
    if mode is RollCallMode.VOICE and gssi is None:
        raise ConsoleError(
            f"a voice roll call needs one talkgroup; {', '.join(tokens)} is not one",
            hint="name a talkgroup (a group with a GSSI), or use --mode status / sequential",
        )
    deadline = (
        float(deadline_s) if deadline_s is not None else station.deadlines.acknowledge_s or 60.0
    )
    if deadline <= 0:
        raise ConsoleError(f"the deadline must be positive, got {deadline:g} s")
    group = " ".join(called)
    return RollCallSpec(
        group=group,
        members=tuple(members.values()),
        mode=mode,
        gssi=gssi,
        deadline_s=deadline,
        late_window_s=float(late_window_s if late_window_s is not None else deadline),
        text=text if text is not None else DEFAULT_TEXT.format(group=group),
        operator=operator or station.operator,
    )

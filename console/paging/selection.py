"""From what the officer selected (aliases, group names, raw numbers) to a PageRequest.

A talkgroup is both a way to reach its members (one SDS each, tracked) and a voice call;
a console-side list is only a set of units.  Raw numbers that name no configured unit
become ad-hoc units, so a technician can page 1001 1002 with no station file.
"""

from __future__ import annotations

from collections.abc import Iterable

from console.config import (
    Group,
    Station,
    Unit,
)
from console.config.model import PAGE_MODES
from console.deadlines import Deadlines
from console.paging.model import (
    PageRequest,
    Recipient,
)


def recipient(unit: Unit, via: Group | None = None) -> Recipient:
    return Recipient(
        issi=unit.issi,
        alias=unit.alias,
        kind=unit.kind,
        via=via.name if via is not None else None,
        via_gssi=via.gssi if via is not None else None,
        backup=unit.backup,
    )


def directory(station: Station) -> dict[int, Recipient]:
    """Every configured unit as a recipient (for backup look-ups)."""
    return {u.issi: recipient(u) for u in station.units}


def build_request(
    station: Station,
    tokens: Iterable[str],
    *,
    text: str = "",
    voice: bool = False,
    operator: str = "",
    priority: int = 5,
    group_text: Iterable[int] = (),
    deadlines: Deadlines | None = None,
    mode: str | None = None,
    followup_s: float | None = None,
) -> PageRequest:
    """Resolve ``tokens`` with the station (raises ``UnknownNameError`` with suggestions).

    ``mode="fast"``: every named talkgroup is alerted with one group SDS (one transmission
    for all its members); members who have not acknowledged after ``followup_s`` get an
    individual SDS-TL, and units named on their own get one at once.  ``"individual"``:
    one SDS-TL per unit, each with its delivery report.  ``None``: the station's
    ``[paging]`` settings."""
    mode = mode or station.paging.mode
    followup_s = float(station.paging.followup_s) if followup_s is None else followup_s
    if mode not in PAGE_MODES:
        raise ValueError(f"unknown page mode {mode!r} (one of {', '.join(PAGE_MODES)})")
    recipients: dict[int, Recipient] = {}
    talkgroups: list[int] = []
    for target in station.lookup_all(list(tokens)):
        if isinstance(target, Unit):
            recipients.setdefault(target.issi, recipient(target))
            continue
        if target.gssi is not None and target.gssi not in talkgroups:
            talkgroups.append(target.gssi)
        for unit in station.members_of(target):
            recipients.setdefault(unit.issi, recipient(unit, target))
    if mode == "fast" and text:
        group_text = (*group_text, *(g for g in talkgroups if g not in group_text))
    return PageRequest(
        recipients=tuple(recipients.values()),
        talkgroups=tuple(talkgroups),
        text=text,
        voice=voice,
        group_text=tuple(group_text),
        followup_s=followup_s if mode == "fast" else None,
        deadlines=deadlines or station.deadlines,
        priority=priority,
        operator=operator or station.operator,
    )

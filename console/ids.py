"""Ids people read: pages, broadcasts, roll calls, drills.

All are the console's wall-clock time in its time zone (``tz``; None = the PC's), so they
sort by time and an officer can say one over the radio; kept in one place so every kind
of id follows the same rule (the engines' own defaults, for when no runtime gives them an
:class:`IdMaker`, use :func:`stamp` and :func:`sequential_ids` from here too).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, tzinfo

from drivers.clock import Clock


def stamp(clock: Clock, tz: tzinfo | None = None) -> str:
    """``20260101-080000``: the clock's wall time in ``tz`` (None: the PC's zone)."""
    return datetime.fromtimestamp(clock.time(), tz).strftime("%Y%m%d-%H%M%S")


def sequential_ids(clock: Clock, prefix: str, tz: tzinfo | None = None) -> Callable[[], str]:
    """A maker of ``P20260101-080000-001``-style ids, counting from 1."""
    counter = itertools.count(1)
    return lambda: f"{prefix}{stamp(clock, tz)}-{next(counter):03d}"


class IdMaker:
    """Makes ids from the clock's wall time; sequence numbers count per prefix."""

    def __init__(self, clock: Clock, tz: tzinfo | None = None) -> None:
        self.clock = clock
        self.tz = tz
        self._page_seq = 0
        self._seq: dict[str, int] = {}

    def _stamp(self) -> str:
        return stamp(self.clock, self.tz)

    def page_id(self) -> str:
        """``P20260101-080000-001``: sortable, readable, in the console's time zone."""
        self._page_seq += 1
        return f"P{self._stamp()}-{self._page_seq:03d}"

    def new_id(
        self, prefix: str, *, sequence: bool = False, taken: frozenset[str] | set[str] = frozenset()
    ) -> str:
        """``RC20260101-080000`` (``-2`` ... if taken) or, with ``sequence``,
        ``B20260101-080000-001``: sortable, readable, in the console's time zone."""
        stamp = self._stamp()
        if sequence:
            self._seq[prefix] = self._seq.get(prefix, 0) + 1
            return f"{prefix}{stamp}-{self._seq[prefix]:03d}"
        candidate, n = f"{prefix}{stamp}", 1
        while candidate in taken:
            n += 1
            candidate = f"{prefix}{stamp}-{n}"
        return candidate

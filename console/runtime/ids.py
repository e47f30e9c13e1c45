"""Ids people read: pages, broadcasts, roll calls, drills.

All are the console's wall-clock time in its time zone (``tz``; None = the PC's), so they
sort by time and an officer can say one over the radio; kept in one place so every kind
of id follows the same rule.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from drivers.clock import Clock


class IdMaker:
    """Makes ids from the clock's wall time; sequence numbers count per prefix."""

    def __init__(self, clock: Clock, tz: tzinfo | None = None) -> None:
        self.clock = clock
        self.tz = tz
        self._page_seq = 0
        self._seq: dict[str, int] = {}

    def _stamp(self) -> str:
        return datetime.fromtimestamp(self.clock.time(), self.tz).strftime("%Y%m%d-%H%M%S")

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

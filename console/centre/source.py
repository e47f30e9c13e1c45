"""The centre screen's backend: snapshots of the city and a stream of "station X wrote".

Passed into the Textual app (the app holds no SQL): :meth:`CentreSource.snapshot` runs
the overview and timeline queries on a connection of its own and is meant for a thread
worker; :meth:`CentreSource.changes` is an async iterator over PostgreSQL notifications
(``LISTEN dutydesk_events``, raised by migration 2's trigger on every insert) for an async
worker.  Neither runs on the screen's event loop thread in a way that blocks it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from console.replication.schema import NOTIFY_CHANNEL

from . import queries
from .connect import connect, connect_async
from .overview import DEFAULT_HORIZON_S, StationOverview, TimelineRow, overview


@dataclass(frozen=True)
class TimelineFilter:
    """Which events the city timeline shows (None: no filter on that)."""

    stations: tuple[str, ...] | None = None
    unit_kind: str | None = None
    window_s: float = 3600.0
    limit: int = 500


@dataclass(frozen=True)
class CentreSnapshot:
    taken_wall: float
    stations: tuple[StationOverview, ...]
    timeline: tuple[TimelineRow, ...]
    unit_kinds: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Unit kinds known to the centre (for the filter)."""
        return tuple(sorted(set(self.unit_kinds.values())))


class CentreSource:
    """Read-only access to the centre for one screen."""

    def __init__(
        self,
        url: str,
        *,
        horizon_s: float = DEFAULT_HORIZON_S,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.horizon_s = horizon_s
        self._wall = wall
        self._conn: Any = None
        self._lock = threading.Lock()

    def snapshot(self, filters: TimelineFilter = TimelineFilter()) -> CentreSnapshot:
        """The whole screen's data (blocking: call it from a thread worker)."""
        with self._lock:
            try:
                return self._snapshot(filters)
            except Exception:
                self._drop()  # a broken connection is reopened next time
                raise

    def _snapshot(self, filters: TimelineFilter) -> CentreSnapshot:
        if self._conn is None:
            self._conn = connect(self.url)
        conn = self._conn
        now = self._wall()
        kinds = queries.unit_kinds(conn)
        units = None
        if filters.unit_kind:
            units = [key for key, kind in kinds.items() if kind == filters.unit_kind]
            if filters.stations is not None:
                units = [key for key in units if key[0] in filters.stations]
        stations = overview(
            queries.health(conn),
            queries.open_incidents(conn),
            queries.ladders(conn, now - self.horizon_s),
            queries.unacked_alarms(conn),
        )
        rows = queries.timeline(
            conn,
            now - filters.window_s,
            stations=filters.stations,
            units=units,
            limit=filters.limit,
        )
        return CentreSnapshot(now, tuple(stations), tuple(rows), kinds)

    async def changes(self) -> AsyncIterator[str]:
        """Station names as their inserts commit at the centre (one per transaction).

        The first item is ``""``, as soon as LISTEN is in place: whatever was inserted
        before that (since the last snapshot, or while the connection was down) was not
        notified, so the screen takes a snapshot then."""
        conn = await connect_async(self.url)
        try:
            await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
            yield ""
            async for note in conn.notifies():
                yield note.payload
        finally:
            await conn.close()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def close(self) -> None:
        with self._lock:
            self._drop()

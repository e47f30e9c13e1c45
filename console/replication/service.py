"""The shipper as a runtime :class:`~console.runtime.services.Service`.

Registered by the runtime only when the station file has ``[replication] url``; started
with the other services and closed before the event log is.  The log's commit listener
wakes the shipper so events reach the centre within a round trip, not an interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from console.config import ReplicationConfig, Station
from console.eventlog import EventLog

from .core import ReplicationStatus
from .shipper import Shipper


def station_key(station: Station) -> str:
    """The station's key at the centre: ``station_id``, else the station's name."""
    return station.replication.station_id or station.name


class ReplicationService:
    """Ships ``log`` to the centre for as long as the runtime lives."""

    def __init__(self, config: ReplicationConfig, station_id: str, log: EventLog) -> None:
        if not config.url:
            raise ValueError("replication needs a url")
        self.log = log
        self.shipper = Shipper(
            log.path, config.url, station_id, batch=config.batch, interval_s=config.interval_s
        )
        self._unsubscribe: Callable[[], None] | None = None

    @classmethod
    def for_station(cls, station: Station, log: EventLog) -> ReplicationService:
        return cls(station.replication, station_key(station), log)

    def status(self) -> ReplicationStatus:
        """For the status bar: connected, last shipped seq, backlog, lag, last error."""
        return self.shipper.status()

    async def start_service(self) -> None:
        self._unsubscribe = self.log.add_commit_listener(self.shipper.wake)
        self.shipper.start()

    async def close_service(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await asyncio.to_thread(self.shipper.stop)

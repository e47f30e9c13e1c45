"""How a station's gateway link and loudspeaker engine are built: here and nowhere else.

:class:`~console.runtime.Runtime` builds them for every face of the station; the two bench
tools that need only one part -- ``dutydesk trace record`` (the link, recording every
byte) and ``dutydesk broadcast --to`` (loudspeakers, no radio) -- build it with the same
functions, so a setting of the station reaches them the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from console.broadcast import BroadcastEngine
from drivers.clock import Clock, SystemClock
from drivers.gateway import Gateway
from drivers.link import PeiLink


def gateway_link(
    url: str, *, dialect: Any, baud: int | None, clock: Clock, **options: Any
) -> tuple[PeiLink, Gateway]:
    """The PEI link to ``url`` and the gateway that speaks over it (not started)."""
    link = PeiLink(url, dialect=dialect, baud=baud, clock=clock, **options)
    return link, Gateway(link)


def broadcast_engine(
    station: Any, clock: Clock, log: Any = None, **options: Any
) -> BroadcastEngine:
    """The station's loudspeaker engine (zones, priorities, logging to ``log``)."""
    return BroadcastEngine(station, clock, log, **options)


@contextlib.contextmanager
def loudspeakers_alone(station: Any, db: Path | str | None = None) -> Iterator[BroadcastEngine]:
    """The station's loudspeakers and nothing else, for ``dutydesk broadcast`` when no
    station service runs: the same engine the Runtime builds, logging to ``db`` (closed
    afterwards) if given.  Why not a whole Runtime: a technician's ``--to HOST:PORT``
    plays to an unlisted speaker, which the service refuses by design, and a loudspeaker
    test must not need the radio gateway."""
    log: Any = None
    if db:
        from console.eventlog import EventLog

        log = EventLog.open(db)
    try:
        yield broadcast_engine(station, SystemClock(), log)
    finally:
        if log is not None:
            log.close()

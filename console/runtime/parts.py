"""How a station's gateway link and loudspeaker engine are built: here and nowhere else.

:class:`~console.runtime.Runtime` builds them for every face of the station; the two bench
tools that need only one part -- ``dutydesk trace record`` (the link, recording every
byte) and ``dutydesk broadcast --to`` (loudspeakers, no radio) -- build it with the same
functions, so a setting of the station reaches them the same way.
"""

from __future__ import annotations

from typing import Any

from console.broadcast import BroadcastEngine
from drivers.clock import Clock
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

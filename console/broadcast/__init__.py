"""Loudspeaker broadcasts: zones, priorities, pre-emption, sources and the record.

Import from here.  The UI creates one :class:`BroadcastEngine` and calls ``start`` /
``stop``; it renders the frozen events it receives through ``subscribe``.  See
``docs/broadcast.md``.
"""

from __future__ import annotations

from console.broadcast.destinations import parse_hostport, resolve
from console.broadcast.engine import (
    BROADCAST_FAILED,
    BROADCAST_FINISHED,
    BROADCAST_OUTSIDE_CONFIG,
    BROADCAST_PREEMPTED,
    BROADCAST_STARTED,
    BROADCAST_STOPPED,
    BroadcastEngine,
    Player,
    SenderFactory,
)
from console.broadcast.errors import (
    BadDestination,
    BroadcastError,
    BroadcastRefused,
    DestinationNotAllowed,
    SourceError,
    UnknownBroadcast,
    UnknownZoneError,
)
from console.broadcast.model import (
    Broadcast,
    BroadcastEvent,
    BroadcastFailed,
    BroadcastFinished,
    BroadcastPreempted,
    BroadcastStarted,
    BroadcastStopped,
    Endpoint,
    Priority,
    SourceSpec,
)

__all__ = [
    "BROADCAST_FAILED",
    "BROADCAST_FINISHED",
    "BROADCAST_OUTSIDE_CONFIG",
    "BROADCAST_PREEMPTED",
    "BROADCAST_STARTED",
    "BROADCAST_STOPPED",
    "BadDestination",
    "Broadcast",
    "BroadcastEngine",
    "BroadcastError",
    "BroadcastEvent",
    "BroadcastFailed",
    "BroadcastFinished",
    "BroadcastPreempted",
    "BroadcastRefused",
    "BroadcastStarted",
    "BroadcastStopped",
    "DestinationNotAllowed",
    "Endpoint",
    "Player",
    "Priority",
    "SenderFactory",
    "SourceError",
    "SourceSpec",
    "UnknownBroadcast",
    "UnknownZoneError",
    "parse_hostport",
    "resolve",
]

"""The I/O side of the voice path, in one import.

``Destination`` (where a speaker listens), ``UdpSender`` (the sockets) and
``Broadcaster`` (pacing and fan-out) live in small modules of their own; this module is
the stable place the console imports them from.
"""

from __future__ import annotations

from drivers.audio.broadcaster import Broadcaster, BroadcastStats, DestinationStats, PacketStream
from drivers.audio.destination import Destination
from drivers.audio.udp import PacketSender, UdpSender

__all__ = [
    "BroadcastStats",
    "Broadcaster",
    "Destination",
    "DestinationStats",
    "PacketSender",
    "PacketStream",
    "UdpSender",
]

"""The I/O shell: a serial (or socket) link to a PEI gateway."""

from drivers.link.port import CommandRejected, open_serial
from drivers.link.queue import PRIORITY_EMERGENCY, PRIORITY_HIGH, PRIORITY_LOW, PRIORITY_NORMAL
from drivers.link.serial_link import PeiLink
from drivers.link.state import GatewayIdentity, InitWarning, LinkState, LinkStateChanged
from drivers.link.trace import TraceRecord, WireTrace, load_trace, received_chunks

__all__ = [
    "PRIORITY_EMERGENCY",
    "PRIORITY_HIGH",
    "PRIORITY_LOW",
    "PRIORITY_NORMAL",
    "CommandRejected",
    "GatewayIdentity",
    "InitWarning",
    "LinkState",
    "LinkStateChanged",
    "PeiLink",
    "TraceRecord",
    "WireTrace",
    "load_trace",
    "open_serial",
    "received_chunks",
]

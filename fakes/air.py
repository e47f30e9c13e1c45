"""What travels over the simulated air interface, and who listens at the gateway end.

The network never formats PEI text; it hands the gateway typed air events through the
:class:`AirListener` protocol, and the gateway decides (CTSP registrations, framing,
faults) what the TE sees.  This keeps routing and wire format apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

AI_SDS_TL = 12  # SDS type 4 (SDS-TL and simple PIDs)
AI_STATUS = 13  # pre-coded status, 16 bits

TL_TRANSFER = 0
TL_REPORT = 1
TL_ACK = 2


@dataclass(frozen=True)
class AirSds:
    """One SDS on the air: AI service, calling and called SSI, user data and its bit length."""

    ai: int
    calling: int
    called: int
    data: bytes
    bits: int


@dataclass(frozen=True)
class TlHeader:
    """The few SDS-TL header fields routing needs (PID >= 0x80 only)."""

    pid: int
    msg_type: int
    report_request: int  # 0 none, 1 received, 2 consumed, 3 both (TRANSFER only)
    message_ref: int


def peek_tl(ai: int, data: bytes) -> TlHeader | None:
    """The SDS-TL header of ``data`` if it has one (AI 12, PID >= 0x80, long enough).

    Parsed here rather than with the full codec because routing must work for every
    SDS-TL PID (text, concatenated, vendor) and must never raise on odd user data.
    """
    if ai != AI_SDS_TL or len(data) < 3 or data[0] < 0x80:
        return None
    msg_type = data[1] >> 4
    if msg_type == TL_TRANSFER:
        return TlHeader(data[0], msg_type, (data[1] >> 2) & 0x03, data[2])
    if len(data) < 4:
        return None
    return TlHeader(data[0], msg_type, 0, data[3])


class AirListener(Protocol):
    """The gateway's side of the air: everything the network tells the MT."""

    def on_sds(self, sds: AirSds) -> None: ...

    def on_call_started(
        self, call_id: int, gssi: int, caller: int, priority: int, own: bool
    ) -> None: ...

    def on_floor_granted(self, call_id: int, talker: int) -> None: ...

    def on_floor_ceased(self, call_id: int, talker: int) -> None: ...

    def on_call_released(self, call_id: int, cause: int) -> None: ...

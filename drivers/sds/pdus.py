"""Typed results of :func:`drivers.sds.decode_sds` (frozen, hashable, comparable).

Fields named in the shared API come first and in the agreed order; extra fields have
defaults so positional construction with the agreed fields keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.sds.codes import Pid, ReportRequest
from drivers.sds.text import SdsTimestamp

__all__ = [
    "ConcatPart",
    "LocationReport",
    "SdsAck",
    "SdsPdu",
    "SdsReport",
    "ShortReport",
    "StatusMessage",
    "StoreForward",
    "TextMessage",
    "UnknownPdu",
]


@dataclass(frozen=True)
class StoreForward:
    """Store/forward control of an SDS-TL TRANSFER or REPORT ([AI] 29.4.3.5/6/14).

    ``validity`` is the raw 5-bit validity code (0 = none, 31 = infinite).  ``address_type``:
    0 SNA, 1 SSI, 2 TSI, 3 external subscriber number, 7 none.  ``address`` is an int for
    SNA/SSI/TSI (TSI = 48 bits, MNI<<24 | SSI), the digit string for type 3, else None.
    """

    validity: int
    address_type: int
    address: int | str | None = None


@dataclass(frozen=True)
class TextMessage:
    """A text SDS: SDS-TL text (PID 0x82/0x89), simple text (0x02/0x09) or a reassembled 0x8A.

    ``message_ref`` is None for simple text (no SDS-TL header).  ``text`` is exactly what was
    sent, control characters included; ``raw`` holds the encoded text bytes so a bad coding
    loses nothing.  ``short_form_report`` mirrors flags bit 1 == 0 ("individual service,
    short-form report recommended").
    """

    pid: int
    message_ref: int | None
    report_request: ReportRequest
    coding: int
    text: str
    timestamp: SdsTimestamp | None
    store_forward: bool
    raw: bytes = b""
    forward: StoreForward | None = None
    short_form_report: bool = False

    @property
    def immediate(self) -> bool:
        """Immediate text (PID 0x09/0x89) should pop up on the receiving display."""
        return self.pid in (Pid.SIMPLE_IMMEDIATE_TEXT, Pid.IMMEDIATE_TEXT)


@dataclass(frozen=True)
class ConcatPart:
    """One part of a concatenated text (PID 0x8A, UDH IE 0x00 or 0x08).

    ``concat_ref`` is the UDH reference (the SDS-TL message reference of part 1), ``seq`` is
    1-based.  ``text_bytes`` stay encoded: a UTF-16 character may straddle parts when the
    sender is careless, so only the reassembled whole is decoded.
    """

    pid: int
    message_ref: int
    report_request: ReportRequest
    concat_ref: int
    total: int
    seq: int
    coding: int
    text_bytes: bytes
    timestamp: SdsTimestamp | None = None
    store_forward: bool = False
    forward: StoreForward | None = None
    short_form_report: bool = False


@dataclass(frozen=True)
class SdsReport:
    """SDS-REPORT: end-to-end delivery status for the TRANSFER with ``message_ref``."""

    pid: int
    status: int
    message_ref: int
    ack_required: bool
    store_forward: bool = False
    forward: StoreForward | None = None
    user_data: bytes = b""


@dataclass(frozen=True)
class SdsAck:
    """SDS-ACK: acknowledgement of an SDS-REPORT that had ``ack_required`` set."""

    pid: int
    status: int
    message_ref: int


@dataclass(frozen=True)
class ShortReport:
    """SDS-SHORT-REPORT: 0 not supported, 1 memory full, 2 received, 3 consumed."""

    report_type: int
    message_ref: int


@dataclass(frozen=True)
class StatusMessage:
    """Pre-coded status (AI service 13), 16 bits.  0 = emergency; 0x8000+ user/network."""

    value: int

    @property
    def is_emergency(self) -> bool:
        """Pre-coded status 0 is "Emergency" in TS 100 392-2 (unverified clause, [I])."""
        return self.value == 0


@dataclass(frozen=True)
class LocationReport:
    """LIP short location report (PID 0x0A, PDU type 0).

    Degrees are WGS84, north/east positive.  ``velocity_kmh`` is None for code 127 (unknown);
    ``direction_deg`` is None whenever the velocity is unknown (the 4-bit field has no
    "unknown" code and radios without a fix send 15).  ``reason`` is the full 8-bit field
    (reason for sending when ``additional_data_type`` is 0, user data when it is 1).
    """

    latitude: float
    longitude: float
    time_elapsed: int
    position_error: int
    velocity_kmh: float | None
    direction_deg: float | None
    reason: int
    additional_data_type: int = 0


@dataclass(frozen=True)
class UnknownPdu:
    """Anything valid-looking this codec does not interpret; kept whole for the log.

    For SDS-TL TRANSFERs of other PIDs ``message_ref``/``report_request`` are filled in so
    the caller can still send the requested SDS-REPORT.  ``note`` says why it is unknown.
    """

    pid: int | None
    data: bytes
    message_ref: int | None = None
    report_request: ReportRequest = ReportRequest.NONE
    note: str = ""


SdsPdu = (
    TextMessage
    | ConcatPart
    | SdsReport
    | SdsAck
    | ShortReport
    | StatusMessage
    | LocationReport
    | UnknownPdu
)

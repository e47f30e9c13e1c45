"""SDS-TL header, store/forward control, SDS-REPORT, SDS-ACK and SDS-SHORT-REPORT.

Layout per reference §5.2 (ftl/tetra-pei citing TS 100 392-2 29.4).  Byte 1 of an SDS-TL
PDU: bits 7-4 message type (0 TRANSFER, 1 REPORT, 2 ACK); TRANSFER bits 3-2 report request,
bit 1 service selection / short-form report (0 = "individual, short-form report
recommended"), bit 0 store/forward control present; REPORT bit 3 ack required, bit 0
store/forward control present.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import SdsDecodeError, SdsEncodeError
from drivers.sds.codes import Pid, ReportRequest
from drivers.sds.pdus import SdsAck, SdsReport, ShortReport, StoreForward

__all__ = [
    "MSG_ACK",
    "MSG_REPORT",
    "MSG_TRANSFER",
    "SHORT_REPORT_IDENTIFIER",
    "TransferHeader",
    "check_byte",
    "decode_ack",
    "decode_report",
    "decode_short_report",
    "decode_store_forward",
    "decode_transfer_header",
    "encode_ack",
    "encode_report",
    "encode_short_report",
    "encode_store_forward",
    "encode_transfer_header",
    "is_short_report_byte",
]

MSG_TRANSFER = 0
MSG_REPORT = 1
MSG_ACK = 2

# First byte of an SDS-SHORT-REPORT is 011110tt (0x78-0x7B).  The FTL vector 7ACA
# ("received", MR 0xCA) fixes identifier 011110; FTL's own parser mask (b0 & 0x7A == 0x7A)
# would also swallow user statuses 0xFAxx-0xFFxx, and its encoder's 0x7C disagrees with the
# vector, so neither is copied.
SHORT_REPORT_IDENTIFIER = 0x78

_ADDRESS_BYTES = {0: 1, 1: 3, 2: 6}  # SNA, SSI, TSI (MNI 24 + SSI 24)
_ADDR_NONE = 7
_ADDR_EXTERNAL = 3
_DIGITS = "0123456789ABCDEF"


def check_byte(name: str, value: int) -> int:
    """Validate an 8-bit field for encoders (clear error instead of a bytes() ValueError)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
        raise SdsEncodeError(f"{name} must be 0..255, got {value!r}")
    return value


def is_short_report_byte(b0: int) -> bool:
    """True when ``b0`` carries the SDS-SHORT-REPORT identifier 011110xx."""
    return (b0 & 0xFC) == SHORT_REPORT_IDENTIFIER


def _need(data: bytes, end: int, what: str) -> None:
    if len(data) < end:
        raise SdsDecodeError(f"{what} truncated: need {end} bytes, have {len(data)}")


def decode_store_forward(data: bytes, offset: int) -> tuple[StoreForward, int]:
    """Decode store/forward control at ``offset``; returns it and the offset after it."""
    _need(data, offset + 1, "store/forward control")
    b0 = data[offset]
    validity, addr_type = b0 >> 3, b0 & 0x07
    pos = offset + 1
    address: int | str | None = None
    if addr_type in _ADDRESS_BYTES:
        end = pos + _ADDRESS_BYTES[addr_type]
        _need(data, end, "store/forward address")
        address = int.from_bytes(data[pos:end], "big")
        pos = end
    elif addr_type == _ADDR_EXTERNAL:
        _need(data, pos + 1, "external subscriber number")
        count = data[pos]
        end = pos + 1 + (count + 1) // 2
        _need(data, end, "external subscriber number")
        nibbles = "".join(f"{b:02X}" for b in data[pos + 1 : end])
        address = nibbles[:count]
        pos = end
    elif addr_type != _ADDR_NONE:
        raise SdsDecodeError(f"reserved forward address type {addr_type}")
    return StoreForward(validity, addr_type, address), pos


def encode_store_forward(sf: StoreForward) -> bytes:
    """Encode store/forward control (inverse of :func:`decode_store_forward`)."""
    if not 0 <= sf.validity <= 31:
        raise SdsEncodeError(f"validity period code {sf.validity} out of range 0..31")
    head = bytes(((sf.validity << 3) | (sf.address_type & 0x07),))
    if sf.address_type in _ADDRESS_BYTES:
        size = _ADDRESS_BYTES[sf.address_type]
        if not isinstance(sf.address, int) or not 0 <= sf.address < 1 << (8 * size):
            raise SdsEncodeError(f"forward address {sf.address!r} does not fit {size} bytes")
        return head + sf.address.to_bytes(size, "big")
    if sf.address_type == _ADDR_EXTERNAL:
        digits = sf.address
        if (
            not isinstance(digits, str)
            or len(digits) > 255
            or not all(c in _DIGITS for c in digits.upper())
        ):
            raise SdsEncodeError(f"external subscriber number {digits!r} is not digits")
        padded = digits.upper() + ("0" if len(digits) % 2 else "")
        return head + bytes((len(digits),)) + bytes.fromhex(padded)
    if sf.address_type == _ADDR_NONE:
        return head
    raise SdsEncodeError(f"reserved forward address type {sf.address_type}")


@dataclass(frozen=True)
class TransferHeader:
    """Decoded SDS-TRANSFER header; ``offset`` is where the SDU (user data) starts."""

    pid: int
    report_request: ReportRequest
    short_form_report: bool
    store_forward: bool
    message_ref: int
    forward: StoreForward | None
    offset: int


def decode_transfer_header(data: bytes) -> TransferHeader:
    """Decode PID, flags, message reference and optional store/forward control."""
    _need(data, 3, "SDS-TRANSFER header")
    flags = data[1]
    store_forward = bool(flags & 0x01)
    forward: StoreForward | None = None
    offset = 3
    if store_forward:
        forward, offset = decode_store_forward(data, 3)
    return TransferHeader(
        pid=data[0],
        report_request=ReportRequest((flags >> 2) & 0x03),
        short_form_report=not flags & 0x02,
        store_forward=store_forward,
        message_ref=data[2],
        forward=forward,
        offset=offset,
    )


def encode_transfer_header(
    pid: int,
    message_ref: int,
    report: ReportRequest,
    *,
    short_form_report: bool | None = None,
    forward: StoreForward | None = None,
) -> bytes:
    """Encode PID, flags and message reference (plus store/forward control if given).

    ``short_form_report=None`` picks the convention that reproduces both published vectors:
    with a report requested, bit 1 = 0 (SvxLink ``8204<MR>01...``: individual service,
    short-form report recommended); without one, bit 1 = 1 (ftl ``82029C01...``: "group or
    individual", which is also safe for group-addressed pages).  Pass ``False`` explicitly
    when a report is requested from a group address.
    """
    check_byte("PID", pid)
    check_byte("message reference", message_ref)
    if report not in (0, 1, 2, 3):
        raise SdsEncodeError(f"report request must be 0..3, got {report!r}")
    report = ReportRequest(report)
    if short_form_report is None:
        short_form_report = report != ReportRequest.NONE
    flags = (MSG_TRANSFER << 4) | (report << 2) | (0 if short_form_report else 0x02)
    tail = b""
    if forward is not None:
        flags |= 0x01
        tail = encode_store_forward(forward)
    return bytes((pid, flags, message_ref)) + tail


def decode_report(data: bytes) -> SdsReport:
    """Decode an SDS-REPORT (``PID 1x status MR [store/forward] [user data]``)."""
    _need(data, 4, "SDS-REPORT")
    flags = data[1]
    store_forward = bool(flags & 0x01)
    forward: StoreForward | None = None
    offset = 4
    if store_forward:
        forward, offset = decode_store_forward(data, 4)
    return SdsReport(
        pid=data[0],
        status=data[2],
        message_ref=data[3],
        ack_required=bool(flags & 0x08),
        store_forward=store_forward,
        forward=forward,
        user_data=bytes(data[offset:]),
    )


def decode_ack(data: bytes) -> SdsAck:
    """Decode an SDS-ACK (``PID 2x status MR``)."""
    _need(data, 4, "SDS-ACK")
    return SdsAck(pid=data[0], status=data[2], message_ref=data[3])


def decode_short_report(data: bytes) -> ShortReport:
    """Decode a 2-byte SDS-SHORT-REPORT (``011110tt MR``)."""
    if len(data) != 2 or not is_short_report_byte(data[0]):
        raise SdsDecodeError(f"not an SDS-SHORT-REPORT: {data.hex().upper()}")
    return ShortReport(report_type=data[0] & 0x03, message_ref=data[1])


def encode_report(
    status: int, message_ref: int, *, pid: int = Pid.TEXT, ack_required: bool = False
) -> bytes:
    """SDS-REPORT, e.g. ``encode_report(0, 0xC9) == bytes.fromhex("821000C9")``.

    ``pid`` must be the PID of the TRANSFER being reported on.
    """
    check_byte("PID", pid)
    check_byte("delivery status", status)
    check_byte("message reference", message_ref)
    flags = (MSG_REPORT << 4) | (0x08 if ack_required else 0)
    return bytes((pid, flags, status, message_ref))


def encode_ack(status: int, message_ref: int, *, pid: int = Pid.TEXT) -> bytes:
    """SDS-ACK, e.g. ``encode_ack(1, 0xC9) == bytes.fromhex("822001C9")``."""
    check_byte("PID", pid)
    check_byte("delivery status", status)
    check_byte("message reference", message_ref)
    return bytes((pid, MSG_ACK << 4, status, message_ref))


def encode_short_report(report_type: int, message_ref: int) -> bytes:
    """SDS-SHORT-REPORT, e.g. ``encode_short_report(2, 0xCA) == bytes.fromhex("7ACA")``."""
    if isinstance(report_type, bool) or not 0 <= report_type <= 3:
        raise SdsEncodeError(f"short report type must be 0..3, got {report_type!r}")
    check_byte("message reference", message_ref)
    return bytes((SHORT_REPORT_IDENTIFIER | report_type, message_ref))

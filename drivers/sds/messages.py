"""Text SDUs: SDS-TL text (0x82/0x89), simple text (0x02/0x09) and text with UDH (0x8A).

Text SDU = text coding byte (bit 7 timestamp present, bits 6-0 coding) [+ 3-byte
timestamp] [+ UDH for 0x8A] + text bytes (reference §5.3).
"""

from __future__ import annotations

from drivers.errors import SdsDecodeError, SdsEncodeError
from drivers.sds.codes import Pid, ReportRequest
from drivers.sds.pdus import ConcatPart, StoreForward, TextMessage, UnknownPdu
from drivers.sds.text import (
    SdsTimestamp,
    choose_coding,
    decode_text_bytes,
    decode_timestamp,
    encode_text_bytes,
    encode_timestamp,
)
from drivers.sds.tl import TransferHeader, check_byte, encode_transfer_header

__all__ = [
    "MAX_PDU_BITS",
    "SDS_TL_TEXT_PIDS",
    "SIMPLE_TEXT_PIDS",
    "decode_simple_text",
    "decode_text_transfer",
    "encode_text",
]

MAX_PDU_BITS = 2047  # SDS type 4 carries 0..2047 bits
SIMPLE_TEXT_PIDS = frozenset((Pid.SIMPLE_TEXT, Pid.SIMPLE_IMMEDIATE_TEXT))
SDS_TL_TEXT_PIDS = frozenset((Pid.TEXT, Pid.IMMEDIATE_TEXT))
_IE_CONCAT_SHORT = 0x00
_IE_CONCAT_LONG = 0x08


def _septets(bits: int | None, data: bytes, start: int) -> int | None:
    """Septet count for packed 7-bit text, from the header length when it is plausible."""
    if bits is None or not 0 <= bits <= len(data) * 8:
        return None
    return max(0, (bits - start * 8) // 7)


def _text_header(data: bytes, pos: int) -> tuple[int, SdsTimestamp | None, int]:
    """Return (coding, timestamp, offset after the text header)."""
    if pos >= len(data):
        raise SdsDecodeError(f"text SDU has no coding byte: {data.hex().upper()}")
    b = data[pos]
    if not b & 0x80:
        return b, None, pos + 1
    if pos + 4 > len(data):
        raise SdsDecodeError(f"text SDU timestamp truncated: {data.hex().upper()}")
    return b & 0x7F, decode_timestamp(bytes(data[pos + 1 : pos + 4])), pos + 4


def decode_simple_text(data: bytes, bits: int | None = None) -> TextMessage:
    """Simple (immediate) text: PID, coding byte (bit 7 reserved), text; no SDS-TL header."""
    if len(data) < 2:
        raise SdsDecodeError(f"simple text PDU too short: {data.hex().upper()}")
    coding = data[1] & 0x7F
    raw = bytes(data[2:])
    return TextMessage(
        pid=data[0],
        message_ref=None,
        report_request=ReportRequest.NONE,
        coding=coding,
        text=decode_text_bytes(coding, raw, septets=_septets(bits, data, 2)),
        timestamp=None,
        store_forward=False,
        raw=raw,
    )


def decode_text_transfer(
    data: bytes, header: TransferHeader, bits: int | None = None
) -> TextMessage | ConcatPart | UnknownPdu:
    """Decode the SDU of an SDS-TRANSFER carrying text (PID 0x82, 0x89 or 0x8A)."""
    coding, timestamp, pos = _text_header(data, header.offset)
    if header.pid == Pid.TEXT_UDH:
        if pos >= len(data):
            raise SdsDecodeError(f"user data header missing: {data.hex().upper()}")
        udh_end = pos + 1 + data[pos]
        if udh_end > len(data):
            raise SdsDecodeError(f"user data header truncated: {data.hex().upper()}")
        concat = _find_concat_ie(bytes(data[pos + 1 : udh_end]))
        pos = udh_end
        if concat is not None:
            ref, total, seq = concat
            return ConcatPart(
                pid=header.pid,
                message_ref=header.message_ref,
                report_request=header.report_request,
                concat_ref=ref,
                total=total,
                seq=seq,
                coding=coding,
                text_bytes=bytes(data[pos:]),
                timestamp=timestamp,
                store_forward=header.store_forward,
                forward=header.forward,
                short_form_report=header.short_form_report,
            )
    raw = bytes(data[pos:])
    return TextMessage(
        pid=header.pid,
        message_ref=header.message_ref,
        report_request=header.report_request,
        coding=coding,
        text=decode_text_bytes(coding, raw, septets=_septets(bits, data, pos)),
        timestamp=timestamp,
        store_forward=header.store_forward,
        raw=raw,
        forward=header.forward,
        short_form_report=header.short_form_report,
    )


def _find_concat_ie(udh: bytes) -> tuple[int, int, int] | None:
    """Return (ref, total, seq) from the first concatenation IE; None if there is none.

    IE 0x08 carries a 16-bit reference, read big-endian as in GSM 03.40 (ftl/tetra-pei reads
    it little-endian; either way parts of one message group together) [I].
    """
    pos = 0
    while pos < len(udh):
        if pos + 2 > len(udh):
            raise SdsDecodeError(f"UDH information element truncated: {udh.hex().upper()}")
        iei, length = udh[pos], udh[pos + 1]
        body = udh[pos + 2 : pos + 2 + length]
        if len(body) != length:
            raise SdsDecodeError(f"UDH information element truncated: {udh.hex().upper()}")
        if iei == _IE_CONCAT_SHORT and length == 3:
            return body[0], body[1], body[2]
        if iei == _IE_CONCAT_LONG and length == 4:
            return int.from_bytes(body[0:2], "big"), body[2], body[3]
        pos += 2 + length
    return None


def encode_text(
    text: str,
    message_ref: int,
    *,
    report: ReportRequest = ReportRequest.RECEIVED,
    coding: int | None = None,
    pid: int = Pid.TEXT,
    short_form_report: bool | None = None,
    timestamp: SdsTimestamp | None = None,
    forward: StoreForward | None = None,
    max_pdu_bits: int = MAX_PDU_BITS,
) -> bytes:
    """Encode a text SDS (user data for ``AT+CMGS`` under AI service 12).

    ``coding=None`` picks ISO-8859-1 when the text fits, else UTF-16BE (26).  Flags byte
    (see :func:`drivers.sds.tl.encode_transfer_header`): the report request goes in bits
    3-2 and, unless ``short_form_report`` is given, bit 1 is 0 when a report is requested
    and 1 when not.  This reproduces both published vectors byte for byte::

        encode_text("Hallo", 7) == bytes.fromhex("8204070148616C6C6F")
        encode_text("testmessage", 0x9C, report=ReportRequest.NONE)
            == bytes.fromhex("82029C01746573746D657373616765")

    Simple text PIDs (0x02/0x09) have no SDS-TL header, so they need
    ``report=ReportRequest.NONE`` and no timestamp/forward (a report would never come);
    ``message_ref`` is then only range-checked.  A PDU longer than ``max_pdu_bits`` raises
    SdsEncodeError; use :func:`drivers.sds.split_text` for long texts.
    """
    check_byte("message reference", message_ref)
    chosen = choose_coding(text) if coding is None else coding
    if isinstance(chosen, bool) or not 0 <= chosen <= 0x7F:
        raise SdsEncodeError(f"text coding must be 0..127, got {chosen!r}")
    body = encode_text_bytes(text, chosen)
    if pid in SIMPLE_TEXT_PIDS:
        if report != ReportRequest.NONE or timestamp is not None or forward is not None:
            raise SdsEncodeError(
                "simple text (PID 0x02/0x09) has no SDS-TL header for a report, "
                "timestamp or store/forward control",
                hint="Pass report=ReportRequest.NONE, or use PID 0x82 (text messaging).",
            )
        pdu = bytes((pid, chosen)) + body
    elif pid in SDS_TL_TEXT_PIDS:
        head = encode_transfer_header(
            pid, message_ref, report, short_form_report=short_form_report, forward=forward
        )
        coding_byte = bytes((chosen | (0x80 if timestamp is not None else 0),))
        stamp = encode_timestamp(timestamp) if timestamp is not None else b""
        pdu = head + coding_byte + stamp + body
    else:
        raise SdsEncodeError(
            f"PID 0x{pid:02X} is not a plain text PID",
            hint="Use PID 0x82/0x89 (or 0x02/0x09); long texts go through split_text().",
        )
    if len(pdu) * 8 > max_pdu_bits:
        raise SdsEncodeError(
            f"text SDS is {len(pdu) * 8} bits, the limit is {max_pdu_bits}",
            hint="Shorten the message or send it in parts (split_text).",
        )
    return pdu

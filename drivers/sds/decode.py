"""Entry point: user data of a ``+CTSDSR`` (AI service + hex payload) -> typed PDU.

Contract: for any bytes the result is one of :data:`SdsPdu` or an SdsDecodeError; no other
exception escapes (a last-resort guard converts anything unexpected, naming it "internal"
so a test can tell a real decode error from a codec bug).
"""

from __future__ import annotations

from drivers.errors import SdsDecodeError
from drivers.sds.codes import Pid
from drivers.sds.lip import decode_lip
from drivers.sds.messages import SDS_TL_TEXT_PIDS, decode_simple_text, decode_text_transfer
from drivers.sds.pdus import SdsPdu, UnknownPdu
from drivers.sds.status import decode_status
from drivers.sds.tl import (
    MSG_ACK,
    MSG_REPORT,
    MSG_TRANSFER,
    decode_ack,
    decode_report,
    decode_short_report,
    decode_transfer_header,
    is_short_report_byte,
)

__all__ = ["AI_SDS_TL", "AI_STATUS", "decode_sds", "payload_from_hex", "pdu_bits"]

AI_SDS_TL = 12  # SDS type 4 (0-2047 bits), carries PIDs
AI_STATUS = 13  # pre-coded status (16 bits)
_AI_SDS_123 = (9, 10, 11)  # SDS types 1-3: 16/32/64 bits of unstructured user data


def pdu_bits(data: bytes) -> int:
    """Length for ``AT+CMGS`` in bits (whole bytes; LIP short reports use 84 instead)."""
    return len(data) * 8


def payload_from_hex(hex_text: str) -> bytes:
    """Parse the hex line that follows ``+CTSDSR``; SdsDecodeError if it is not hex.

    An odd number of digits is padded with a trailing ``0``: a Sepura capture in SvxLink
    (``0A0BA7D5B95BC50AFFE16``) sends exactly 84 bits as 21 digits.
    """
    cleaned = "".join(hex_text.split())
    if len(cleaned) % 2:
        cleaned += "0"
    try:
        return bytes.fromhex(cleaned)
    except ValueError as exc:
        raise SdsDecodeError(f"SDS user data is not hex: {hex_text[:80]!r}") from exc


def decode_sds(ai_service: int, data: bytes, bits: int | None = None) -> SdsPdu:
    """Decode SDS user data received with AI service ``ai_service``.

    * 13: :class:`StatusMessage`, or :class:`ShortReport` when the first byte is 0x78-0x7B
      (see :mod:`drivers.sds.status` for why).
    * 12: dispatch on the PID; PIDs >= 0x80 on the SDS-TL message type.
    * 9/10/11: :class:`UnknownPdu` with ``pid=None`` (no PID in SDS types 1-3).

    ``bits`` (the header's length) is only a hint: the hex is trusted.  It is used solely to
    drop fill bits of packed 7-bit text and never to index beyond ``data`` (radios report 84
    bits for an 88-bit LIP payload).
    """
    data = bytes(data)
    try:
        return _decode(ai_service, data, bits)
    except SdsDecodeError:
        raise
    except Exception as exc:  # pragma: no cover - guard against codec bugs
        raise SdsDecodeError(
            f"internal decoder error on AI service {ai_service} data {data.hex().upper()}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def _decode(ai_service: int, data: bytes, bits: int | None) -> SdsPdu:
    if ai_service == AI_STATUS:
        return decode_status(data)
    if ai_service in _AI_SDS_123:
        return UnknownPdu(None, data, note=f"SDS type {ai_service - 8} user data")
    if ai_service != AI_SDS_TL:
        raise SdsDecodeError(f"AI service {ai_service} does not carry SDS user data")
    if not data:
        raise SdsDecodeError("empty SDS type-4 payload")
    pid = data[0]
    if len(data) == 2 and is_short_report_byte(pid):
        return decode_short_report(data)
    if pid in (Pid.SIMPLE_TEXT, Pid.SIMPLE_IMMEDIATE_TEXT):
        return decode_simple_text(data, bits)
    if pid == Pid.LIP:
        return decode_lip(data)
    if pid < 0x80:
        return UnknownPdu(pid, data, note=f"PID 0x{pid:02X} not decoded")
    if len(data) < 2:
        raise SdsDecodeError(f"SDS-TL PDU too short: {data.hex().upper()}")
    msg_type = data[1] >> 4
    if msg_type == MSG_REPORT:
        return decode_report(data)
    if msg_type == MSG_ACK:
        return decode_ack(data)
    if msg_type != MSG_TRANSFER:
        return UnknownPdu(pid, data, note=f"SDS-TL message type {msg_type} not decoded")
    header = decode_transfer_header(data)
    if pid in SDS_TL_TEXT_PIDS or pid == Pid.TEXT_UDH:
        return decode_text_transfer(data, header, bits)
    return UnknownPdu(
        pid,
        data,
        message_ref=header.message_ref,
        report_request=header.report_request,
        note=f"SDS-TL TRANSFER with PID 0x{pid:02X} not decoded",
    )

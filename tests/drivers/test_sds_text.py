"""Text codings, Chinese, invalid input and encoder errors."""

from __future__ import annotations

import pytest

from drivers.errors import SdsDecodeError, SdsEncodeError
from drivers.sds import (
    ReportRequest,
    SdsTimestamp,
    TextCoding,
    TextMessage,
    choose_coding,
    decode_sds,
    encode_text,
)
from drivers.sds.text import decode_text_bytes, decode_timestamp, encode_timestamp


def decode_text(pdu: bytes, bits: int | None = None) -> TextMessage:
    msg = decode_sds(12, pdu, bits)
    assert isinstance(msg, TextMessage)
    return msg


def test_chinese_round_trip_utf16() -> None:
    text = "收到，马上出发"
    pdu = encode_text(text, 0x21)
    assert pdu[:4] == bytes((0x82, 0x04, 0x21, 0x1A))
    assert pdu[4:] == text.encode("utf-16-be")
    msg = decode_text(pdu)
    assert msg.coding == TextCoding.UTF_16BE
    assert msg.text == text


def test_coding_choice() -> None:
    assert choose_coding("Grüße") == TextCoding.ISO_8859_1
    assert choose_coding("请到校门口集合") == TextCoding.UTF_16BE
    assert choose_coding("€") == TextCoding.UTF_16BE


def test_non_bmp_round_trip() -> None:
    text = "集合🚓"
    assert decode_text(encode_text(text, 1)).text == text


@pytest.mark.parametrize(
    "raw",
    [b"\x00A\x00", b"\xd8\x00\x00A", b"\xdc\x00", b"\xd8\x3d"],
)
def test_invalid_utf16_is_replaced_and_raw_kept(raw: bytes) -> None:
    msg = decode_text(bytes((0x82, 0x00, 0x01, 0x1A)) + raw)
    assert "\ufffd" in msg.text
    assert msg.raw == raw


def test_control_characters_are_kept() -> None:
    text = "a\x1b[31mb\r\n\x07"
    assert decode_text(encode_text(text, 3)).text == text


@pytest.mark.parametrize("coding", [c for c in TextCoding if c not in (0, 27)])
def test_every_python_coding_round_trips_ascii(coding: TextCoding) -> None:
    text = "ABC xyz 123" if coding != TextCoding.UTF_16BE else "ABC 中文"
    msg = decode_text(encode_text(text, 9, coding=coding))
    assert (msg.coding, msg.text) == (coding, text)


def test_cyrillic_cp866_and_greek_8859_7() -> None:
    assert decode_text(encode_text("Привет", 1, coding=TextCoding.CP866)).text == "Привет"
    assert decode_text(encode_text("Γειά", 1, coding=TextCoding.ISO_8859_7)).text == "Γειά"


def test_packed_7bit_best_effort() -> None:
    # "hello" in GSM 7-bit packed LSB first = E8 32 9B FD 06
    raw = bytes.fromhex("E8329BFD06")
    assert decode_text_bytes(0, raw) == "hello"
    pdu = bytes((0x82, 0x02, 0x01, 0x00)) + raw
    # 5 septets = 35 bits; the header's bit count drops the fill bits
    assert decode_text(pdu, 32 + 35).text == "hello"


def test_viscii_and_reserved_codings_decode_best_effort() -> None:
    assert decode_text_bytes(27, b"Hi\xe0") == "Hi\ufffd"
    assert decode_text_bytes(99, b"ok\x01") == "ok\ufffd"


def test_encode_errors() -> None:
    with pytest.raises(SdsEncodeError):
        encode_text("中文", 1, coding=TextCoding.ISO_8859_1)
    with pytest.raises(SdsEncodeError):
        encode_text("x", 256)
    with pytest.raises(SdsEncodeError):
        encode_text("x", 1, coding=TextCoding.PACKED_7BIT)
    with pytest.raises(SdsEncodeError):
        encode_text("x", 1, coding=200)
    with pytest.raises(SdsEncodeError):
        encode_text("x", 1, pid=0x8A)
    with pytest.raises(SdsEncodeError):
        encode_text("x", 1, pid=0x02)  # simple text cannot carry a report request
    with pytest.raises(SdsEncodeError):
        encode_text("\ud800", 1)  # lone surrogate in a Python str
    with pytest.raises(SdsEncodeError):
        encode_text("长" * 200, 1)  # 3 + 1 + 400 bytes > 2047 bits
    with pytest.raises(SdsEncodeError):
        encode_text("x", 1, report=7)  # type: ignore[arg-type]


def test_report_request_flags() -> None:
    assert encode_text("a", 1, report=ReportRequest.CONSUMED)[1] == 0x08
    assert encode_text("a", 1, report=ReportRequest.BOTH)[1] == 0x0C
    assert encode_text("a", 1, report=ReportRequest.NONE)[1] == 0x02
    assert encode_text("a", 1, report=ReportRequest.RECEIVED, short_form_report=False)[1] == 0x06


def test_timestamp_round_trip_and_errors() -> None:
    ts = SdsTimestamp(timeframe=1, month=12, day=31, hour=23, minute=59)
    assert decode_timestamp(encode_timestamp(ts)) == ts
    with pytest.raises(SdsEncodeError):
        encode_timestamp(SdsTimestamp(1, 16, 1, 1, 1))
    with pytest.raises(SdsDecodeError):
        decode_timestamp(b"\x00")


@pytest.mark.parametrize(
    "hex_pdu",
    [
        "",
        "82",
        "8200",
        "820001",  # TRANSFER without coding byte
        "82000181045A",  # timestamp truncated
        "820101",  # store/forward announced but missing
        "8201015101",  # SSI forward address truncated
        "8201015401",  # reserved forward address type
        "8A000101",  # UDH missing
        "8A00010106000301",  # UDH longer than the data
        "8A0001010300050102",  # IE longer than the UDH
        "8210",  # short report
        "8220C9",  # short ack
        "02",  # simple text without coding
        "0A00",  # LIP too short
    ],
)
def test_malformed_raise_decode_error(hex_pdu: str) -> None:
    with pytest.raises(SdsDecodeError):
        decode_sds(12, bytes.fromhex(hex_pdu))


def test_status_service_lengths_and_unknown_services() -> None:
    with pytest.raises(SdsDecodeError):
        decode_sds(13, b"\x80")
    with pytest.raises(SdsDecodeError):
        decode_sds(13, b"\x80\x00\x00")
    with pytest.raises(SdsDecodeError):
        decode_sds(0, b"\x80\x00")

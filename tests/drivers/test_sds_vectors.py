"""Published vectors from reference pei-protocol.md §4.3, §4.5 and §5.3 (FTL, SvxLink)."""

from __future__ import annotations

import pytest

from drivers.sds import (
    ConcatPart,
    LocationReport,
    Pid,
    ReportRequest,
    SdsAck,
    SdsReport,
    SdsTimestamp,
    ShortReport,
    StatusMessage,
    StoreForward,
    TextMessage,
    decode_sds,
    encode_ack,
    encode_report,
    encode_short_report,
    encode_status,
    encode_text,
    pdu_bits,
)

TS = SdsTimestamp(timeframe=0, month=4, day=11, hour=10, minute=15)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# --- §4.3 AT+CMGS -----------------------------------------------------------------------


def test_status_800b_encode_and_length() -> None:
    assert encode_status(0x800B) == h("800B")
    assert pdu_bits(encode_status(0x800B)) == 16
    assert decode_sds(13, h("800B"), 16) == StatusMessage(0x800B)


def test_svxlink_hallo_with_report() -> None:
    pdu = h("8204070148616C6C6F")
    assert encode_text("Hallo", 7) == pdu
    assert pdu_bits(pdu) == 72  # AT+CMGS=2269001,072
    msg = decode_sds(12, pdu, 72)
    assert msg == TextMessage(
        pid=Pid.TEXT,
        message_ref=7,
        report_request=ReportRequest.RECEIVED,
        coding=1,
        text="Hallo",
        timestamp=None,
        store_forward=False,
        raw=b"Hallo",
        short_form_report=True,
    )


# --- §4.5 +CTSDSR -----------------------------------------------------------------------


def test_svxlink_incoming_text() -> None:
    msg = decode_sds(12, h("82040801476A61746A616A676A61"), 112)
    assert isinstance(msg, TextMessage)
    assert (msg.message_ref, msg.report_request, msg.text) == (
        8,
        ReportRequest.RECEIVED,
        "Gjatjajgja",
    )
    assert encode_text("Gjatjajgja", 8) == h("82040801476A61746A616A676A61")


def test_ftl_status_8004() -> None:
    assert decode_sds(13, h("8004"), 16) == StatusMessage(0x8004)
    assert encode_status(0x8004) == h("8004")


def test_ftl_short_report_7aca() -> None:
    assert decode_sds(13, h("7ACA"), 16) == ShortReport(report_type=2, message_ref=0xCA)
    assert encode_short_report(2, 0xCA) == h("7ACA")


def test_svxlink_lip_84_bits_in_88() -> None:
    loc = decode_sds(12, h("0A112853A9FF4D4FFFE810"), 84)
    assert isinstance(loc, LocationReport)
    # YO9ION capture (Romania); the reference lists 44.94 N 26.04 E for it.
    assert loc.latitude == pytest.approx(44.94, abs=0.005)
    assert loc.longitude == pytest.approx(26.04, abs=0.005)
    assert loc.reason == 129


# --- §5.3 table -------------------------------------------------------------------------

TESTMSG = "746573746D657373616765"


@pytest.mark.parametrize(
    ("pdu", "bits", "pid"),
    [
        (f"0201{TESTMSG}", 104, Pid.SIMPLE_TEXT),
        (f"0901{TESTMSG}", 104, Pid.SIMPLE_IMMEDIATE_TEXT),
    ],
)
def test_simple_text(pdu: str, bits: int, pid: Pid) -> None:
    msg = decode_sds(12, h(pdu), bits)
    assert msg == TextMessage(
        pid=pid,
        message_ref=None,
        report_request=ReportRequest.NONE,
        coding=1,
        text="testmessage",
        timestamp=None,
        store_forward=False,
        raw=b"testmessage",
    )
    assert encode_text("testmessage", 0, report=ReportRequest.NONE, pid=pid) == h(pdu)
    assert pdu_bits(h(pdu)) == bits


def test_simple_text_without_text() -> None:
    msg = decode_sds(12, h("0201"), 16)
    assert isinstance(msg, TextMessage)
    assert msg.text == ""


@pytest.mark.parametrize("pid", [Pid.TEXT, Pid.IMMEDIATE_TEXT])
def test_sds_tl_text_no_report(pid: Pid) -> None:
    pdu = h(f"{pid:02X}029C01{TESTMSG}")
    msg = decode_sds(12, pdu, 120)
    assert isinstance(msg, TextMessage)
    assert (msg.pid, msg.message_ref, msg.report_request) == (pid, 0x9C, ReportRequest.NONE)
    assert msg.text == "testmessage"
    assert msg.short_form_report is False
    assert msg.immediate is (pid == Pid.IMMEDIATE_TEXT)
    assert encode_text("testmessage", 0x9C, report=ReportRequest.NONE, pid=pid) == pdu
    assert pdu_bits(pdu) == 120


def test_sds_tl_text_store_forward() -> None:
    pdu = h(f"82039C5101020301{TESTMSG}")
    msg = decode_sds(12, pdu, 152)
    assert isinstance(msg, TextMessage)
    assert msg.store_forward is True
    assert msg.forward == StoreForward(validity=10, address_type=1, address=0x010203)
    assert msg.text == "testmessage"
    again = encode_text("testmessage", 0x9C, report=ReportRequest.NONE, forward=msg.forward)
    assert again == pdu
    assert pdu_bits(pdu) == 152


def test_sds_tl_text_timestamp() -> None:
    pdu = h(f"82029C81045A8F{TESTMSG}")
    msg = decode_sds(12, pdu, 144)
    assert isinstance(msg, TextMessage)
    assert msg.timestamp == TS
    assert msg.coding == 1
    assert msg.text == "testmessage"
    assert encode_text("testmessage", 0x9C, report=ReportRequest.NONE, timestamp=TS) == pdu


@pytest.mark.parametrize(("mr", "seq"), [(0xC9, 1), (0xCA, 2)])
def test_udh_parts(mr: int, seq: int) -> None:
    pdu = h(f"8A02{mr:02X}81045A8F050003C902{seq:02X}{TESTMSG}")
    part = decode_sds(12, pdu, 192)
    assert part == ConcatPart(
        pid=Pid.TEXT_UDH,
        message_ref=mr,
        report_request=ReportRequest.NONE,
        concat_ref=0xC9,
        total=2,
        seq=seq,
        coding=1,
        text_bytes=b"testmessage",
        timestamp=TS,
    )


def test_report_received() -> None:
    assert decode_sds(12, h("821000C9"), 32) == SdsReport(Pid.TEXT, 0x00, 0xC9, False)
    assert encode_report(0x00, 0xC9) == h("821000C9")


def test_report_ack_required() -> None:
    assert decode_sds(12, h("821800CA"), 32) == SdsReport(Pid.TEXT, 0x00, 0xCA, True)
    assert encode_report(0x00, 0xCA, ack_required=True) == h("821800CA")


def test_ack() -> None:
    assert decode_sds(12, h("822001C9"), 32) == SdsAck(Pid.TEXT, 0x01, 0xC9)
    assert encode_ack(0x01, 0xC9) == h("822001C9")


def test_tterm_and_divera_headers() -> None:
    # TTERM 8200010D<text>: no report, MR 1, ISO-8859-15, flags bit 1 clear
    msg = decode_sds(12, h("8200010D" + "A4"))
    assert isinstance(msg, TextMessage)
    assert (msg.message_ref, msg.coding, msg.text) == (1, 13, "€")
    assert encode_text("€", 1, report=ReportRequest.NONE, coding=13, short_form_report=True) == h(
        "8200010DA4"
    )

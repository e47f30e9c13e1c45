"""Delivery status helpers, status service, short reports, reports/acks, misc."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.errors import SdsDecodeError, SdsEncodeError
from drivers.sds import (
    DeliveryStatus,
    ShortReport,
    StatusMessage,
    UnknownPdu,
    decode_sds,
    delivery_status_texts,
    describe_delivery_status,
    describe_delivery_status_zh,
    encode_ack,
    encode_report,
    encode_short_report,
    encode_status,
    is_delivered,
    is_failure,
    is_temporary,
    payload_from_hex,
    pdu_bits,
)


def test_delivery_status_classes() -> None:
    assert all(is_delivered(v) for v in range(0x07))
    assert not is_delivered(0x07) and not is_delivered(0x20)
    assert is_failure(DeliveryStatus.NOT_REACHABLE) and is_failure(0x41)
    assert not is_failure(0x22) and not is_failure(0x60)
    assert is_temporary(DeliveryStatus.NOT_REACHABLE_STORED)
    assert (int(DeliveryStatus.TOO_LONG), int(DeliveryStatus.NO_SDS_TL)) == (0x4D, 0x4E)


def test_descriptions_cover_every_byte() -> None:
    for value in range(256):
        en, zh = delivery_status_texts(value)
        assert en and zh
    assert describe_delivery_status(0x5A) == "destination not reachable"
    assert describe_delivery_status_zh(0x5A) == "对方不可达"
    assert "0x55" in describe_delivery_status(0x55)
    for member in DeliveryStatus:
        assert "code" not in describe_delivery_status(member)


def test_status_values() -> None:
    assert decode_sds(13, encode_status(0)) == StatusMessage(0)
    assert StatusMessage(0).is_emergency
    assert decode_sds(13, encode_status(0xFFFF)) == StatusMessage(0xFFFF)
    # 0xFAxx is a user status, not a short report (FTL's mask would misread it)
    assert decode_sds(13, b"\xfa\xca") == StatusMessage(0xFACA)
    for bad in (-1, 65536, 0x7A00):
        with pytest.raises(SdsEncodeError):
            encode_status(bad)


@pytest.mark.parametrize("kind", range(4))
def test_short_report_all_types_both_services(kind: int) -> None:
    pdu = encode_short_report(kind, 0x42)
    assert decode_sds(13, pdu) == ShortReport(kind, 0x42)
    assert decode_sds(12, pdu) == ShortReport(kind, 0x42)


def test_encoder_range_checks() -> None:
    calls: list[Callable[[], bytes]] = [
        lambda: encode_short_report(4, 1),
        lambda: encode_short_report(1, 256),
        lambda: encode_report(256, 1),
        lambda: encode_report(0, -1),
        lambda: encode_ack(0, 1, pid=300),
    ]
    for call in calls:
        with pytest.raises(SdsEncodeError):
            call()


def test_unknown_pdus_keep_data_and_mr() -> None:
    got = decode_sds(12, bytes.fromhex("83047700AABB"))
    assert isinstance(got, UnknownPdu)
    assert (got.pid, got.message_ref, got.report_request) == (0x83, 0x77, 1)
    simple_loc = decode_sds(12, b"\x03$GPGGA")
    assert isinstance(simple_loc, UnknownPdu)
    assert (simple_loc.pid, simple_loc.data, simple_loc.message_ref) == (3, b"\x03$GPGGA", None)
    assert isinstance(decode_sds(12, bytes.fromhex("8250")), UnknownPdu)  # message type 5
    assert decode_sds(9, b"\x12\x34").pid is None  # type: ignore[union-attr]


def test_hex_helper_and_bits() -> None:
    assert payload_from_hex("82 04 07") == b"\x82\x04\x07"
    with pytest.raises(SdsDecodeError):
        payload_from_hex("8G")
    assert pdu_bits(b"\x00" * 11) == 88

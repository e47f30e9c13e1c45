"""Polycom/Spectralink group paging packets per EA 70568 (reference notes §1.2)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from drivers.audio.errors import AudioConfigError, PolycomError
from drivers.audio.g711 import ulaw_encode
from drivers.audio.polycom import (
    ALERT_COUNT,
    END_COUNT,
    OpCode,
    PolycomPacket,
    PolycomStream,
    encode_caller_id,
)

SERIAL = 0xF2111511
CALLER = "Melody Meserv"


def test_alert_golden_bytes() -> None:
    stream = PolycomStream(26, caller_id=CALLER, serial=SERIAL)
    assert stream.alert() == bytes.fromhex("0f1af21115110d") + b"Melody Meserv"
    assert len(stream.alert()) == 20


def test_end_golden_bytes() -> None:
    stream = PolycomStream(26, caller_id=CALLER, serial=SERIAL)
    assert stream.end_packet() == bytes.fromhex("ff1af21115110d") + b"Melody Meserv"
    assert stream.end() == [stream.end_packet()] * END_COUNT == [stream.end_packet()] * 12
    assert stream.lead_in() == [stream.alert()] * ALERT_COUNT and ALERT_COUNT == 31


def test_transmit_golden_bytes_and_redundancy() -> None:
    stream = PolycomStream(26, caller_id=CALLER, serial=SERIAL)
    stream.timestamp = 0x6FCA7BF5
    f1 = (np.arange(160) * 50).astype(np.int16)
    f2 = (-np.arange(160) * 70).astype(np.int16)
    p1 = stream.packet(f1)
    p2 = stream.packet(f2)
    head = bytes.fromhex("101af21115110d") + b"Melody Meserv"
    assert p1 == head + bytes.fromhex("00006fca7bf5") + ulaw_encode(f1).tobytes()
    assert len(p1) == 20 + 6 + 160
    # Second packet: sample count of the NEW frame; previous frame first, then the new one.
    assert p2 == (
        head + bytes.fromhex("00006fca7c95") + ulaw_encode(f1).tobytes() + ulaw_encode(f2).tobytes()
    )
    assert len(p2) == 346
    parsed = PolycomPacket.parse(p2, frame_bytes=160)
    assert parsed.opcode == OpCode.TRANSMIT and parsed.codec == 0 and parsed.flags == 0
    assert parsed.sample_count == 0x6FCA7C95
    assert parsed.redundant == ulaw_encode(f1).tobytes()
    assert parsed.frame == ulaw_encode(f2).tobytes()
    assert parsed.caller_id_text == CALLER and parsed.serial == SERIAL and parsed.channel == 26


def test_skip_advances_sample_count_and_drops_the_non_adjacent_copy() -> None:
    stream = PolycomStream(27, serial=1, rng=random.Random(1))
    frame = np.zeros(160, dtype=np.int16)
    first = PolycomPacket.parse(stream.packet(frame), frame_bytes=160)
    stream.skip(2)
    after = PolycomPacket.parse(stream.packet(frame), frame_bytes=160)
    assert after.sample_count == (first.sample_count + 3 * 160) & 0xFFFFFFFF
    assert after.redundant is None
    again = PolycomPacket.parse(stream.packet(frame), frame_bytes=160)
    assert again.redundant is not None


def test_caller_id_padding_truncation_and_chinese() -> None:
    assert encode_caller_id("abc") == b"abc" + b"\0" * 10
    assert encode_caller_id("x" * 20) == b"x" * 13
    zh = encode_caller_id("城关派出所值班室")  # 3 bytes per character: 4 fit
    assert zh == "城关派出".encode() + b"\0"
    assert PolycomPacket.parse(PolycomStream(caller_id="城关派出所").alert()).caller_id_text == (
        "城关派出"
    )


def test_validation_and_parse_errors() -> None:
    with pytest.raises(AudioConfigError):
        PolycomStream(51)
    with pytest.raises(AudioConfigError):
        PolycomStream(26, codec="pcma")
    with pytest.raises(PolycomError):
        PolycomPacket.parse(b"\x0f\x1a")
    with pytest.raises(PolycomError):
        PolycomPacket.parse(bytes([0x11, 26, 0, 0, 0, 1, 13]) + b"\0" * 13)
    with pytest.raises(PolycomError):
        PolycomPacket.parse(bytes([0x0F, 26, 0, 0, 0, 1, 12]) + b"\0" * 13)
    with pytest.raises(PolycomError):
        PolycomPacket.parse(PolycomStream().packet(np.zeros(160, np.int16)), frame_bytes=100)


def test_random_serial_and_initial_count_are_reproducible() -> None:
    a = PolycomStream(rng=random.Random(4))
    b = PolycomStream(rng=random.Random(4))
    assert (a.serial, a.timestamp) == (b.serial, b.timestamp)

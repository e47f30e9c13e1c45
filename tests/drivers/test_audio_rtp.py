"""RTP packet bytes and the per-broadcast stream rules (RFC 3550/3551)."""

from __future__ import annotations

import random
import struct

import numpy as np
import pytest

from drivers.audio.errors import AudioConfigError, RtpError
from drivers.audio.g711 import alaw_encode, ulaw_encode
from drivers.audio.rtp import PAYLOAD_TYPES, RtpPacket, RtpStream


def test_golden_header_bytes_from_the_reference() -> None:
    first = RtpPacket(0, 0x1234, 0x11223344, 0xDEADBEEF, marker=True)
    assert first.to_bytes() == bytes.fromhex("80801234112233 44deadbeef".replace(" ", ""))
    nxt = RtpPacket(8, 0x1235, 0x112233E4, 0xDEADBEEF, marker=False, payload=b"\x01\x02")
    assert nxt.to_bytes() == bytes.fromhex("800812351122 33e4deadbeef0102".replace(" ", ""))


def test_parse_round_trip_and_csrc_extension_padding() -> None:
    pkt = RtpPacket(0, 65535, 2**32 - 1, 1, marker=True, payload=b"abc", csrcs=(7, 9))
    assert RtpPacket.parse(pkt.to_bytes()) == pkt
    # Extension (1 word) + padding (3 bytes) are skipped/stripped.
    head = struct.pack("!BBHII", 0x80 | 0x20 | 0x10, 8, 5, 6, 7)
    raw = head + struct.pack("!HH", 0xBEDE, 1) + b"\0\0\0\0" + b"pay" + b"\0\0\x03"
    parsed = RtpPacket.parse(raw)
    assert (parsed.payload_type, parsed.sequence, parsed.payload) == (8, 5, b"pay")


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x80\x00\x00",
        bytes.fromhex("400000000000000000000001"),  # version 1
        bytes.fromhex("830000000000000000000001"),  # 3 CSRCs announced, none present
        bytes.fromhex("900000000000000000000001"),  # extension missing
        bytes.fromhex("a00000000000000000000001") + b"ab\x09",  # padding longer than payload
        bytes.fromhex("a00000000000000000000001") + b"ab\x00",  # zero padding length
    ],
)
def test_malformed_raises_rtp_error(raw: bytes) -> None:
    with pytest.raises(RtpError) as info:
        RtpPacket.parse(raw)
    assert info.value.hint


def test_stream_fields_marker_and_codec() -> None:
    stream = RtpStream("pcma", rng=random.Random(7))
    frame = (np.arange(160) * 100 - 8000).astype(np.int16)
    a = RtpPacket.parse(stream.packet(frame))
    b = RtpPacket.parse(stream.packet(frame))
    assert a.payload_type == PAYLOAD_TYPES["pcma"] == 8
    assert a.marker and not b.marker
    assert a.ssrc == b.ssrc == stream.ssrc != 0
    assert b.sequence == (a.sequence + 1) & 0xFFFF
    assert b.timestamp == (a.timestamp + 160) & 0xFFFFFFFF
    assert a.payload == alaw_encode(frame).tobytes()
    assert len(a.to_bytes()) == 172


def test_initial_values_are_random_and_reproducible() -> None:
    s1, s2 = RtpStream(rng=random.Random(1)), RtpStream(rng=random.Random(1))
    s3 = RtpStream(rng=random.Random(2))
    assert (s1.ssrc, s1.sequence, s1.timestamp) == (s2.ssrc, s2.sequence, s2.timestamp)
    assert (s1.ssrc, s1.sequence, s1.timestamp) != (s3.ssrc, s3.sequence, s3.timestamp)


def test_new_ssrc_per_broadcast_from_one_rng() -> None:
    rng = random.Random(3)
    ssrcs = {RtpStream(rng=rng).ssrc for _ in range(100)}
    assert len(ssrcs) == 100 and 0 not in ssrcs


def test_skip_advances_timestamp_not_sequence() -> None:
    stream = RtpStream(rng=random.Random(5))
    frame = np.zeros(160, dtype=np.int16)
    p0 = RtpPacket.parse(stream.packet(frame))
    stream.skip(3)
    p1 = RtpPacket.parse(stream.packet(frame))
    assert p1.sequence == (p0.sequence + 1) & 0xFFFF
    assert p1.timestamp == (p0.timestamp + 4 * 160) & 0xFFFFFFFF
    assert not p1.marker
    assert stream.frames_skipped == 3


def test_sequence_and_timestamp_wrap() -> None:
    stream = RtpStream(rng=random.Random(0))
    stream.sequence = 0xFFFF
    stream.timestamp = 2**32 - 100
    frame = np.zeros(160, dtype=np.int16)
    a = RtpPacket.parse(stream.packet(frame))
    b = RtpPacket.parse(stream.packet(frame))
    assert (a.sequence, b.sequence) == (0xFFFF, 0)
    assert b.timestamp == 60


def test_packet_payload_matches_packet_and_frame_size_checked() -> None:
    frame = (np.sin(np.arange(160)) * 9000).astype(np.int16)
    s1, s2 = RtpStream(rng=random.Random(9)), RtpStream(rng=random.Random(9))
    assert s1.packet(frame) == s2.packet_payload(ulaw_encode(frame).tobytes())
    with pytest.raises(AudioConfigError):
        s1.packet(np.zeros(80, dtype=np.int16))
    with pytest.raises(AudioConfigError):
        RtpStream("g729")  # type: ignore[arg-type]
    assert s1.lead_in() == [] and s1.end() == []


def test_fast_path_bytes_equal_the_packet_model() -> None:
    stream = RtpStream("pcmu", rng=random.Random(11))
    for k in range(3):
        payload = bytes([k]) * 160
        expected = RtpPacket(
            0, stream.sequence, stream.timestamp, stream.ssrc, marker=k == 0, payload=payload
        ).to_bytes()
        assert stream.packet_payload(payload) == expected

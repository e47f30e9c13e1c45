"""Broadcaster -> real UDP loopback -> FakeSpeaker, and the fake's own checks."""

from __future__ import annotations

import contextlib
import random
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from drivers.audio.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from drivers.audio.pcm import ArraySource
from drivers.audio.polycom import PolycomStream
from drivers.audio.rtp import RtpPacket, RtpStream
from drivers.audio.sender import Broadcaster, Destination, UdpSender
from drivers.audio.sources import tone
from drivers.audio.wavio import read_wav
from drivers.clock import SystemClock, VirtualClock
from fakes.speaker import FakeSpeaker, ReceivedBroadcast

SENDER = ("127.0.0.1", 40000)


def assert_frames_exact(bc: ReceivedBroadcast, expected: npt.NDArray[np.int16]) -> None:
    """Every received frame equals the expected audio at its timestamp slot.

    On a busy machine the Broadcaster may skip a frame (timestamps advance), so the check is
    per frame on the RTP timeline rather than one array comparison.
    """
    padded = np.zeros(-(-len(expected) // 160) * 160, dtype=np.int16)
    padded[: len(expected)] = expected
    assert len(bc.frames) >= 0.8 * len(padded) // 160
    for f in bc.frames:
        assert np.array_equal(f.pcm, padded[f.index * 160 : (f.index + 1) * 160]), f.index
    if bc.skipped_frames == 0:
        assert np.array_equal(bc.pcm, padded)


async def test_array_source_is_sample_exact_after_decode() -> None:
    rng = np.random.default_rng(5)
    pcm = rng.integers(-30000, 30000, 8000 // 2, dtype=np.int16)  # 0.5 s of noise
    async with FakeSpeaker() as speaker:
        bc = Broadcaster(
            [Destination("127.0.0.1", speaker.port)], clock=SystemClock(), rng=random.Random(1)
        )
        stats = await bc.play(ArraySource(pcm))
        assert await speaker.wait_packets(stats.frames_sent)
    [got] = speaker.broadcasts
    assert got.kind == "rtp" and got.payload_type == 0 and got.ident == stats.destinations[0].ident
    assert got.violations == [] and speaker.malformed == []
    assert got.skipped_frames == stats.frames_skipped
    assert_frames_exact(got, ulaw_decode(ulaw_encode(pcm)))
    assert got.ended and got.end_reason == "closed"


async def test_tone_frequency_and_level_measured_from_received_audio() -> None:
    async with FakeSpeaker() as speaker:
        dest = Destination("127.0.0.1", speaker.port, codec="pcma")
        bc = Broadcaster([dest], clock=SystemClock(), rng=random.Random(2))
        stats = await bc.play(tone(1000, 0.6, dbfs=-12))
        assert await speaker.wait_packets(stats.frames_sent)
    [got] = speaker.broadcasts
    assert got.payload_type == 8 and got.violations == []
    audio = got.pcm[400:-400].astype(np.float64)  # skip the fades
    spec = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    assert np.argmax(spec) * 8000 / len(audio) == pytest.approx(1000, abs=8)
    rms_dbfs = 20 * np.log10(np.sqrt(np.mean((audio / 32768) ** 2)))
    assert rms_dbfs == pytest.approx(-12 - 3.01, abs=0.3)  # sine RMS = peak - 3 dB
    # Loose real-time pacing check (the precise one is the benchmark).
    gaps = got.inter_arrival()
    assert np.median(gaps) == pytest.approx(0.02, abs=0.003)
    assert abs(got.drift) < 0.02 + 0.02 * got.skipped_frames


async def test_fan_out_to_several_speakers_mixed_codecs_and_protocols() -> None:
    async with contextlib.AsyncExitStack() as stack:
        speakers = [await stack.enter_async_context(FakeSpeaker()) for _ in range(4)]
        dests = [
            Destination("127.0.0.1", speakers[0].port),
            Destination("127.0.0.1", speakers[1].port, codec="pcma"),
            Destination("127.0.0.1", speakers[2].port),
            Destination("127.0.0.1", speakers[3].port, protocol="polycom", channel=50),
        ]
        pcm = (np.sin(np.arange(3200) / 5) * 20000).astype(np.int16)
        bc = Broadcaster(dests, clock=SystemClock(), rng=random.Random(3), caller_id="PS110")
        stats = await bc.play(ArraySource(pcm))
        for sp, ds in zip(speakers, stats.destinations, strict=True):
            assert await sp.wait_packets(ds.packets_sent)
    got = [sp.broadcasts[0] for sp in speakers]
    assert all(sp.violations == [] and len(sp.broadcasts) == 1 for sp in speakers)
    assert len({g.ident for g in got[:3]}) == 3
    assert_frames_exact(got[0], ulaw_decode(ulaw_encode(pcm)))
    assert_frames_exact(got[1], alaw_decode(alaw_encode(pcm)))
    assert_frames_exact(got[2], ulaw_decode(ulaw_encode(pcm)))
    poly = got[3]
    assert poly.kind == "polycom" and poly.channel == 50 and poly.caller_id == "PS110"
    assert poly.alerts == 31 and poly.ends == 12 and poly.end_reason == "end"
    assert_frames_exact(poly, ulaw_decode(ulaw_encode(pcm)))
    assert stats.errors == {}


async def test_one_unreachable_speaker_does_not_stop_the_others() -> None:
    async with FakeSpeaker() as speaker:
        bad = Destination("255.255.255.255", 5004, name="坏的")
        good = Destination("127.0.0.1", speaker.port)
        errors: list[str] = []
        bc = Broadcaster([bad, good], clock=SystemClock(), sender=UdpSender())
        stats = await bc.play(tone(440, 0.2), on_error=lambda d, e: errors.append(str(e)))
        assert await speaker.wait_packets(stats.frames_sent)
    assert stats.errors == {bad: stats.frames_sent}
    assert len(errors) == 1 and errors[0].startswith("坏的") and "hint:" in errors[0]
    assert speaker.broadcasts[0].violations == []


async def test_two_broadcasts_get_two_ssrcs_and_the_idle_timeout_ends_them() -> None:
    clock = VirtualClock()
    ended: list[ReceivedBroadcast] = []
    speaker = FakeSpeaker(clock=clock, on_broadcast_end=ended.append)
    rng = random.Random(4)
    frame = np.zeros(160, dtype=np.int16)
    for _ in range(2):
        stream = RtpStream(rng=rng)
        for _ in range(5):
            speaker.receive(stream.packet(frame), SENDER)
            await clock.advance(0.02)
        assert not ended or len(ended) == 1
        await clock.advance(1.0)
    assert [b.end_reason for b in ended] == ["timeout", "timeout"]
    assert ended[0].ident != ended[1].ident and speaker.violations == []
    assert [len(b.frames) for b in speaker.broadcasts] == [5, 5]


def rtp(seq: int, ts: int, *, pt: int = 0, marker: bool = False, ssrc: int = 0x1234) -> bytes:
    return RtpPacket(pt, seq, ts, ssrc, marker, b"\xff" * 160).to_bytes()


async def test_rtp_violations_are_recorded_not_raised() -> None:
    clock = VirtualClock()
    sp = FakeSpeaker(clock=clock)
    sp.receive(rtp(10, 1000), SENDER)  # no marker on the first packet
    sp.receive(rtp(11, 1160, marker=True), SENDER)  # marker again
    sp.receive(rtp(13, 1320), SENDER)  # sequence gap
    sp.receive(rtp(14, 1400), SENDER)  # timestamp +80
    sp.receive(rtp(15, 1560, pt=8), SENDER)  # payload type change
    sp.receive(rtp(16, 2040), SENDER)  # +480: two skipped frames, legal
    sp.receive(b"\x80\x00", SENDER)  # malformed
    [bc] = sp.broadcasts
    assert len(bc.violations) == 5, bc.violations
    joined = " | ".join(bc.violations)
    for needle in (
        "no marker",
        "marker bit set again",
        "sequence jumped",
        "timestamp",
        "payload type changed",
    ):
        assert needle in joined
    assert bc.skipped_frames == 2
    assert sp.malformed and "shorter than the 12-byte" in sp.malformed[0]
    await clock.advance(1.5)
    sp.receive(rtp(0, 0, marker=True), SENDER)  # same SSRC again after the timeout
    assert "reused" in sp.broadcasts[1].violations[0]
    sp.receive(rtp(0, 0, marker=True, ssrc=99, pt=18), SENDER)
    assert any("not PCMU" in v for v in sp.broadcasts[2].violations)
    assert any("still playing" in v for v in sp.broadcasts[2].violations)


async def test_polycom_violations() -> None:
    sp = FakeSpeaker(clock=VirtualClock())
    stream = PolycomStream(26, serial=7, rng=random.Random(1))
    frame = np.zeros(160, dtype=np.int16)
    sp.receive(stream.packet(frame), SENDER)  # transmit without alert
    good = stream.packet(frame)
    tampered = good[:26] + b"\x00" * 160 + good[186:]  # redundant copy not the previous frame
    sp.receive(tampered, SENDER)
    wrong_codec = bytearray(stream.packet(frame))
    wrong_codec[20] = 0x09
    sp.receive(bytes(wrong_codec), SENDER)
    no_copy = stream.packet(frame)
    sp.receive(no_copy[:26] + no_copy[186:], SENDER)  # contiguous but lacks redundancy
    sp.receive(stream.end_packet(), SENDER)
    [bc] = sp.broadcasts
    text = " | ".join(bc.violations)
    for needle in (
        "without a preceding Alert",
        "not the previous frame",
        "codec byte 0x09",
        "lacks redundancy",
    ):
        assert needle in text, text
    assert bc.ended and bc.end_reason == "end"


async def test_save_wav_and_summary(tmp_path: Path) -> None:
    sp = FakeSpeaker(clock=VirtualClock())
    stream = RtpStream(rng=random.Random(1))
    pcm = (np.arange(480) * 60 - 14000).astype(np.int16)
    for k in range(3):
        sp.receive(stream.packet(pcm[k * 160 : (k + 1) * 160]), SENDER)
    [bc] = sp.broadcasts
    path = bc.save_wav(tmp_path / "b.wav")
    data, rate = read_wav(path)
    assert rate == 8000 and np.array_equal(data[:, 0], ulaw_decode(ulaw_encode(pcm)))
    line = bc.summary()
    assert line.startswith(f"rtp ssrc=0x{stream.ssrc:08x} pt=0/pcmu from 127.0.0.1:40000")
    assert "packets=3" in line and "violations=0" in line and "\n" not in line


def test_summary_escapes_hostile_caller_id() -> None:
    sp = FakeSpeaker(clock=VirtualClock())
    head = struct.pack("!BBIB13s", 0x0F, 26, 1, 13, b"\x1b[2J\x07evil")
    sp.receive(head, SENDER)
    line = sp.broadcasts[0].summary()
    assert "\x1b" not in line and "\x07" not in line and "\\x1b" in line

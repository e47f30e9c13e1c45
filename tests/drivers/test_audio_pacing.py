"""Broadcaster pacing and fan-out on a VirtualClock, with a recording sender (no sockets)."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Iterator

import numpy as np
import pytest

from drivers.audio.errors import AudioConfigError, AudioError, SendError
from drivers.audio.g711 import ulaw_decode, ulaw_encode
from drivers.audio.pcm import ArraySource, Int16Array, concat, silence
from drivers.audio.polycom import OpCode, PolycomPacket
from drivers.audio.rtp import RtpPacket
from drivers.audio.sender import Broadcaster, Destination
from drivers.clock import VirtualClock

F = 0.02


class Recorder:
    """A PacketSender that records (time, destination, bytes); can fail one destination."""

    def __init__(self, clock: VirtualClock, failing: set[Destination] | None = None) -> None:
        self.clock = clock
        self.sent: list[tuple[float, Destination, bytes]] = []
        self.failing = failing or set()
        self.closed = False

    def send(self, dest: Destination, data: bytes) -> None:
        if dest in self.failing:
            raise SendError(f"{dest}: Network is unreachable", hint="check the cable")
        self.sent.append((self.clock.monotonic(), dest, data))

    def close(self) -> None:
        self.closed = True

    def to(self, dest: Destination) -> list[tuple[float, bytes]]:
        return [(t, d) for t, x, d in self.sent if x == dest]


class StallingClock(VirtualClock):
    """A VirtualClock whose n-th sleep oversleeps by ``extra`` (a GC pause, a busy loop)."""

    def __init__(self, stall_at: int, extra: float) -> None:
        super().__init__(start=100.0)
        self.calls = 0
        self.stall_at = stall_at
        self.extra = extra

    async def sleep(self, delay: float) -> None:
        self.calls += 1
        await super().sleep(delay + (self.extra if self.calls == self.stall_at else 0.0))


def ramp(frames: int) -> ArraySource:
    """Each frame holds its own index (easy to tell which frames went out)."""
    return ArraySource(np.repeat(np.arange(frames, dtype=np.int16) * 10, 160))


A = Destination("192.0.2.1", 5004)
B = Destination("192.0.2.2", 5006, codec="pcma")
P = Destination("224.0.1.116", 5001, protocol="polycom", channel=49)


async def run(bc: Broadcaster, clock: VirtualClock, source: ArraySource, **kw: object) -> object:
    task = asyncio.create_task(bc.play(source, **kw))  # type: ignore[arg-type]
    await clock.run_until(task.done, limit=3600)
    return await task


async def test_frames_at_exact_absolute_deadlines_no_drift_over_3000_frames() -> None:
    clock = VirtualClock(start=12.345)
    rec = Recorder(clock)
    bc = Broadcaster([A], clock=clock, sender=rec, rng=random.Random(1))
    stats = await run(bc, clock, ArraySource(np.zeros(3000 * 160, dtype=np.int16)))
    times = np.array([t for t, _ in rec.to(A)])
    assert len(times) == 3000
    ideal = 12.345 + np.arange(3000) * F
    assert np.max(np.abs(times - ideal)) < 1e-9
    assert stats.frames_sent == 3000 and stats.frames_skipped == 0  # type: ignore[attr-defined]
    assert max(abs(e) for e in stats.pacing_errors) < 1e-9  # type: ignore[attr-defined]
    assert not rec.closed  # an injected sender belongs to the caller


async def test_late_wakeup_skips_frames_instead_of_bursting() -> None:
    clock = StallingClock(stall_at=5, extra=0.065)  # the 5th sleep wakes 65 ms late
    rec = Recorder(clock)
    bc = Broadcaster([A], clock=clock, sender=rec, rng=random.Random(2))
    stats = await run(bc, clock, ramp(20))
    sent = [(t, RtpPacket.parse(d)) for t, d in rec.to(A)]
    # Three frames (65 ms // 20 ms) were skipped and taken from the source.
    assert stats.frames_skipped == 3 and stats.frames_sent == 17  # type: ignore[attr-defined]
    ts0 = sent[0][1].timestamp
    seq0 = sent[0][1].sequence
    slots = [((p.timestamp - ts0) & 0xFFFFFFFF) // 160 for _, p in sent]
    assert slots == [0, 1, 2, 3, 4, *range(8, 20)]
    assert [(p.sequence - seq0) & 0xFFFF for _, p in sent] == list(range(17))
    # No burst: each packet leaves inside its own 20 ms slot of the unchanged schedule,
    # the one after the stall 5 ms late, the rest exactly on time again.
    start = sent[0][0]
    lateness = [t - (start + slot * F) for slot, (t, _) in zip(slots, sent, strict=True)]
    assert all(-1e-9 <= x < F for x in lateness)
    assert lateness[5] == pytest.approx(0.005) and max(map(abs, lateness[6:])) < 1e-9
    # The audio stays on the timestamp timeline: frame in slot k carries source frame k.
    for slot, (_, p) in zip(slots, sent, strict=True):
        want = ulaw_decode(ulaw_encode(np.full(160, slot * 10, dtype=np.int16)))
        assert np.array_equal(ulaw_decode(p.payload), want)


async def test_fan_out_one_stream_per_destination_encoded_per_codec() -> None:
    clock = VirtualClock()
    rec = Recorder(clock)
    c = Destination("192.0.2.3", 5004)
    bc = Broadcaster([A, B, c], clock=clock, sender=rec, rng=random.Random(3))
    src = ArraySource((np.sin(np.arange(1600) / 7) * 8000).astype(np.int16))
    stats = await run(bc, clock, src)
    pa = [RtpPacket.parse(d) for _, d in rec.to(A)]
    pb = [RtpPacket.parse(d) for _, d in rec.to(B)]
    pc = [RtpPacket.parse(d) for _, d in rec.to(c)]
    assert len(pa) == len(pb) == len(pc) == 10
    assert len({pa[0].ssrc, pb[0].ssrc, pc[0].ssrc}) == 3
    assert {p.payload_type for p in pa} == {0} and {p.payload_type for p in pb} == {8}
    assert [p.payload for p in pa] == [p.payload for p in pc]  # same codec, same bytes
    assert [p.marker for p in pa] == [True] + [False] * 9
    assert {d.ident for d in stats.destinations} == {pa[0].ssrc, pb[0].ssrc, pc[0].ssrc}  # type: ignore[attr-defined]


async def test_each_play_is_a_new_broadcast_with_new_ssrc() -> None:
    clock = VirtualClock()
    rec = Recorder(clock)
    bc = Broadcaster([A], clock=clock, sender=rec, rng=random.Random(4))
    await run(bc, clock, ramp(2))
    await run(bc, clock, ramp(2))
    ssrcs = [RtpPacket.parse(d).ssrc for _, d in rec.to(A)]
    assert ssrcs[0] == ssrcs[1] != ssrcs[2] == ssrcs[3]
    assert [RtpPacket.parse(d).marker for _, d in rec.to(A)] == [True, False, True, False]


async def test_one_failing_speaker_never_stops_the_others() -> None:
    clock = VirtualClock()
    rec = Recorder(clock, failing={B})
    seen: list[tuple[Destination, str]] = []
    bc = Broadcaster([A, B], clock=clock, sender=rec, rng=random.Random(5))
    stats = await run(bc, clock, ramp(5), on_error=lambda d, e: seen.append((d, str(e))))
    assert len(rec.to(A)) == 5
    assert stats.errors == {B: 5}  # type: ignore[attr-defined]
    assert seen == [(B, "192.0.2.2:5006 rtp/pcma: Network is unreachable (hint: check the cable)")]
    [sb] = [d for d in stats.destinations if d.destination == B]  # type: ignore[attr-defined]
    assert sb.packets_sent == 0 and "unreachable" in (sb.last_error or "")


async def test_stop_event_ends_a_live_source_within_a_frame() -> None:
    clock = VirtualClock()
    rec = Recorder(clock)
    stop = asyncio.Event()

    class Endless:
        def frames(self) -> Iterator[Int16Array]:
            while True:
                yield np.zeros(160, dtype=np.int16)

    bc = Broadcaster([A], clock=clock, sender=rec, rng=random.Random(6))
    task = asyncio.create_task(bc.play(Endless(), stop=stop))
    await clock.advance(0.5)
    assert bc.playing
    stop.set()
    await clock.advance(0.02)
    stats = await task
    assert stats.stopped and 25 <= stats.frames_sent <= 27
    assert not bc.playing


async def test_polycom_alerts_then_audio_then_ends_with_timing() -> None:
    clock = VirtualClock()
    rec = Recorder(clock)
    bc = Broadcaster(
        [P, A], clock=clock, sender=rec, rng=random.Random(7), caller_id="PS-110", polycom_serial=5
    )
    stats = await run(bc, clock, ramp(4))
    poly = [(t, PolycomPacket.parse(d, frame_bytes=160)) for t, d in rec.to(P)]
    ops = [p.opcode for _, p in poly]
    assert ops == [OpCode.ALERT] * 31 + [OpCode.TRANSMIT] * 4 + [OpCode.END] * 12
    times = [t for t, _ in poly]
    assert times[:31] == pytest.approx([i * 0.03 for i in range(31)])
    audio0 = 31 * 0.03
    assert times[31:35] == pytest.approx([audio0 + k * F for k in range(4)])
    last = audio0 + 3 * F
    assert times[35:] == pytest.approx([last + 0.05 + j * 0.03 for j in range(12)])
    # RTP destinations start together with the Polycom audio (zones in step).
    assert [t for t, _ in rec.to(A)] == pytest.approx(times[31:35])
    tx = [p for _, p in poly if p.opcode == OpCode.TRANSMIT]
    assert tx[0].redundant is None and all(
        p.redundant == q.frame for q, p in itertools.pairwise(tx)
    )
    assert {p.channel for _, p in poly} == {49} and {p.serial for _, p in poly} == {5}
    assert poly[0][1].caller_id_text == "PS-110"
    assert stats.audio_started_at - stats.started_at == pytest.approx(audio0)  # type: ignore[attr-defined]


async def test_polycom_gets_ends_even_when_stopped_during_alerts() -> None:
    clock = VirtualClock()
    rec = Recorder(clock)
    stop = asyncio.Event()
    bc = Broadcaster([P], clock=clock, sender=rec, rng=random.Random(8))
    task = asyncio.create_task(bc.play(ramp(10), stop=stop))
    await clock.advance(0.1)
    stop.set()
    await clock.run_until(task.done, limit=5)
    stats = await task
    ops = [PolycomPacket.parse(d).opcode for _, d in rec.to(P)]
    assert OpCode.TRANSMIT not in ops and ops.count(OpCode.END) == 12
    assert stats.stopped and stats.frames_sent == 0


async def test_short_last_frame_padded_on_frame_callback_and_concat() -> None:
    clock = VirtualClock()
    rec = Recorder(clock)
    seen: list[Int16Array] = []
    bc = Broadcaster([A], clock=clock, sender=rec, rng=random.Random(9))
    src = concat(ArraySource(np.full(200, 1000, dtype=np.int16)), silence(0.02))
    stats = await run(bc, clock, src, on_frame=seen.append)  # type: ignore[arg-type]
    assert stats.frames_sent == 3 and len(seen) == 3  # type: ignore[attr-defined]
    assert seen[1][:40].tolist() == [1000] * 40 and seen[1][40:].tolist() == [0] * 120


async def test_misuse_is_refused() -> None:
    clock = VirtualClock()
    with pytest.raises(AudioConfigError):
        Broadcaster([], clock=clock)
    with pytest.raises(AudioConfigError):
        Destination("10.0.0.1", 70000)
    with pytest.raises(AudioConfigError):
        Destination("224.0.1.116", 5001, protocol="polycom", codec="pcma")
    with pytest.raises(AudioConfigError):
        Destination("224.0.1.116", 5001, protocol="polycom", channel=0)
    bc = Broadcaster([A], clock=clock, sender=Recorder(clock), rng=random.Random(1))
    task = asyncio.create_task(bc.play(ramp(5)))
    await clock.advance(0)
    with pytest.raises(AudioError):
        await bc.play(ramp(1))
    await clock.run_until(task.done, limit=1)
    await task

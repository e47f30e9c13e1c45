"""Benchmark: the voice path against its physical limit, the 20 ms audio frame.

1. Encode + send cost per 20 ms frame for 1 / 50 / 200 speakers (unicast to loopback
   ports nobody reads), as a fraction of 20 ms (target <= 10 % for 200).
2. Real-time pacing over ``--seconds`` (default 60 s = 3000 frames) to a FakeSpeaker:
   send-side error vs the absolute deadline (p50/p99/max, target p99 <= 2 ms) and drift
   at the end, send side and receive side (target <= 5 ms).
3. G.711 µ-law encode throughput vs CPython's C ``audioop.lin2ulaw`` in the same run
   (target >= 1x), for 60 s buffers and for single 160-sample frames.
4. Microphone-to-wire latency with an injected fake sound device delivering 10 ms blocks
   at 48 kHz in real time: from the callback receiving a marked block to the packet
   carrying it leaving the socket (target <= 60 ms).

Run: .venv/bin/python benchmarks/bench_audio.py [--seconds 60] [--mic-seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import threading
import time
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from drivers.audio.g711 import ulaw_decode, ulaw_encode
from drivers.audio.mic import MicSource
from drivers.audio.pcm import ArraySource
from drivers.audio.rtp import RtpPacket
from drivers.audio.sender import Broadcaster, Destination, UdpSender
from drivers.clock import SystemClock
from fakes.speaker import FakeSpeaker

FRAME = 0.020


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


# -- 1. per-frame cost ---------------------------------------------------------------------
def bench_fanout(counts: list[int], frames: int) -> None:
    print("== encode + send per 20 ms frame (unicast loopback, nobody reading) ==")
    for n in counts:
        sinks = []
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.bind(("127.0.0.1", 0))
            sinks.append(s)
        dests = [Destination("127.0.0.1", s.getsockname()[1]) for s in sinks]
        sender = UdpSender()
        bc = Broadcaster(dests, clock=SystemClock(), sender=sender, rng=random.Random(1))
        bc.prepare(sender)
        frame = (np.sin(np.arange(160) / 3) * 12000).astype(np.int16)
        for _ in range(20):
            bc.send_frame(frame)  # warm-up
        costs = []
        for _ in range(frames):
            t0 = time.perf_counter()
            bc.send_frame(frame)
            costs.append(time.perf_counter() - t0)
        errors = sum(d.errors for d in bc.destination_stats())
        # Baseline: the same number of bare sendto() calls (the kernel's share).
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        addrs = [s.getsockname() for s in sinks]
        data = bytes(172)
        raw = []
        for _ in range(frames):
            t0 = time.perf_counter()
            for addr in addrs:
                sock.sendto(data, addr)
            raw.append(time.perf_counter() - t0)
        sock.close()
        mean, p99 = statistics.fmean(costs), pct(costs, 99)
        print(
            f"speakers={n:4d} mean={mean * 1e6:8.1f} us p99={p99 * 1e6:8.1f} us "
            f"= {mean / FRAME * 100:5.2f} % of 20 ms (p99 {p99 / FRAME * 100:5.2f} %); "
            f"bare sendto() alone {statistics.fmean(raw) * 1e6:8.1f} us; send errors={errors}"
        )
        sender.close()
        for s in sinks:
            s.close()


# -- 2. pacing -------------------------------------------------------------------------------
async def bench_pacing(seconds: float) -> None:
    frames = round(seconds / FRAME)
    print(f"== real-time pacing: {frames} frames ({seconds:g} s) to a FakeSpeaker ==")
    async with FakeSpeaker() as speaker:
        bc = Broadcaster(
            [Destination("127.0.0.1", speaker.port)], clock=SystemClock(), rng=random.Random(2)
        )
        stats = await bc.play(ArraySource(np.zeros(frames * 160, dtype=np.int16)))
        await speaker.wait_packets(stats.frames_sent, timeout=5)
    errs = [e * 1000 for e in stats.pacing_errors]
    got = speaker.broadcasts[0]
    gaps = got.inter_arrival() * 1000
    print(
        f"send error vs deadline: p50={pct(errs, 50):.3f} ms p99={pct(errs, 99):.3f} ms "
        f"max={max(errs):.3f} ms; frames sent={stats.frames_sent} skipped={stats.frames_skipped}"
    )
    slope = np.polyfit(np.arange(len(errs)), np.asarray(errs), 1)[0]
    print(
        f"drift after {seconds:g} s: trend of send error {slope * len(errs):+.3f} ms "
        f"(linear fit), last frame {errs[-1]:.3f} ms vs its deadline, "
        f"receive side {got.drift * 1000:.3f} ms;\n"
        f"  inter-arrival p50={np.percentile(gaps, 50):.3f}"
        f" p99={np.percentile(gaps, 99):.3f} ms; RFC 3550 jitter={got.jitter * 1000:.3f} ms; "
        f"violations={len(got.violations)}"
    )


# -- 3. G.711 vs audioop -------------------------------------------------------------------------
def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_g711() -> None:
    print("== G.711 µ-law encode vs audioop.lin2ulaw (C) ==")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
    rng = np.random.default_rng(3)
    pcm = rng.integers(-32768, 32767, 8000 * 60, dtype=np.int16)
    raw = pcm.tobytes()
    ours = best_of(lambda: ulaw_encode(pcm), 20)
    theirs = best_of(lambda: audioop.lin2ulaw(raw, 2), 20)
    ours_bytes = best_of(lambda: ulaw_encode(np.frombuffer(raw, dtype=np.int16)).tobytes(), 20)
    n = len(pcm)
    print(
        f"60 s buffer: numpy {n / ours / 1e6:7.1f} Msamples/s, bytes->bytes "
        f"{n / ours_bytes / 1e6:7.1f} Msamples/s; audioop {n / theirs / 1e6:7.1f} Msamples/s; "
        f"speed-up {theirs / ours:.2f}x (bytes->bytes {theirs / ours_bytes:.2f}x)"
    )
    frame = pcm[:160]
    fraw = frame.tobytes()
    loops = 20000
    ours_f = best_of(lambda: [ulaw_encode(frame).tobytes() for _ in range(loops)], 3) / loops
    theirs_f = best_of(lambda: [audioop.lin2ulaw(fraw, 2) for _ in range(loops)], 3) / loops
    print(
        f"one 160-sample frame: numpy {ours_f * 1e6:.2f} us, audioop {theirs_f * 1e6:.2f} us "
        f"(ratio {theirs_f / ours_f:.2f}x; both < {max(ours_f, theirs_f) / FRAME * 100:.3f} % "
        "of 20 ms)"
    )


# -- 4. microphone to wire -------------------------------------------------------------------------
class _Stream:
    def __init__(self, callback: Callable[..., None]) -> None:
        self.callback = callback
        self.running = False
        self.thread: threading.Thread | None = None
        self.marks: list[float] = []

    def start(self) -> None:
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        """PortAudio stand-in: a 10 ms block of 48 kHz every 10 ms on absolute deadlines;
        every 25th block (0.25 s) is a loud 1 kHz burst, the rest silence."""
        rate, block = 48000, 480
        t = np.arange(block) / rate
        burst = (0.7 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32).reshape(-1, 1)
        quiet = np.zeros((block, 1), dtype=np.float32)
        start = time.monotonic() + 0.05
        k = 0
        while self.running:
            delay = start + k * block / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            loud = k % 25 == 10
            if loud:
                self.marks.append(time.monotonic())
            self.callback(burst if loud else quiet, block, None, 0)
            k += 1

    def stop(self) -> None:
        self.running = False
        if self.thread is not None:
            self.thread.join()

    def close(self) -> None:
        self.running = False


class _FakeSD(types.ModuleType):
    PortAudioError = RuntimeError

    def __init__(self) -> None:
        super().__init__("sounddevice")
        self.stream: _Stream | None = None

    def query_devices(self, kind: str | None = None) -> Any:
        info = {"name": "bench mic", "max_input_channels": 1, "default_samplerate": 48000.0}
        return info if kind == "input" else [info]

    def InputStream(self, **kwargs: Any) -> _Stream:
        self.stream = _Stream(kwargs["callback"])
        return self.stream


class _TimingSender(UdpSender):
    """Records when each packet with loud audio leaves the socket."""

    def __init__(self) -> None:
        super().__init__()
        self.loud: list[float] = []

    def sender_for(self, dest: Destination) -> Callable[[bytes], None]:
        # The Broadcaster sends through the bound fast path, so wrap that.
        inner = super().sender_for(dest)

        def send(data: bytes) -> None:
            inner(data)
            if np.max(np.abs(ulaw_decode(RtpPacket.parse(data).payload))) > 8000:
                self.loud.append(time.monotonic())

        return send


async def bench_mic(seconds: float) -> None:
    print(f"== microphone to wire: fake 48 kHz device, 10 ms blocks, {seconds:g} s ==")
    sd = _FakeSD()
    mic = MicSource(sounddevice=sd)
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sender = _TimingSender()
    stop = asyncio.Event()
    bc = Broadcaster(
        [Destination("127.0.0.1", sink.getsockname()[1])],
        clock=SystemClock(),
        sender=sender,
        rng=random.Random(4),
    )
    asyncio.get_running_loop().call_later(seconds, stop.set)
    stats = await bc.play(mic, stop=stop)
    sender.close()
    sink.close()
    assert sd.stream is not None
    latencies = []
    for mark in sd.stream.marks:
        after = [t for t in sender.loud if t >= mark]
        if after and after[0] - mark < 0.2:
            latencies.append((after[0] - mark) * 1000)
    if not latencies:
        print("no marked block reached the wire")
        return
    print(
        f"markers={len(sd.stream.marks)} matched={len(latencies)} latency "
        f"min={min(latencies):.1f} median={statistics.median(latencies):.1f} "
        f"max={max(latencies):.1f} ms; frames sent={stats.frames_sent} "
        f"underruns={mic.underruns} dropped={mic.dropped_samples} samples"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="pacing run length")
    parser.add_argument("--mic-seconds", type=float, default=5.0, help="mic run length")
    parser.add_argument("--frames", type=int, default=500, help="frames per fan-out size")
    args = parser.parse_args()
    bench_fanout([1, 50, 200], args.frames)
    bench_g711()
    asyncio.run(bench_mic(args.mic_seconds))
    asyncio.run(bench_pacing(args.seconds))


if __name__ == "__main__":
    main()

"""Fan one audio source out to N loudspeakers, paced on absolute deadlines.

Why absolute deadlines: sleeping 20 ms after each send drifts (146 ms in 10 s measured,
reference notes §2.6) and receivers' jitter buffers overflow or starve.  Frame *k* is due
at ``audio_start + k * 20 ms`` on the injected :class:`Clock`; if the loop wakes more than
a frame late (a GC pause, a busy console), the overdue frames are *skipped* - taken from
the source and dropped, with the RTP timestamp still advanced - instead of being sent in
a burst that would overrun the speakers' buffers.  Each frame is encoded once per codec
and wrapped per destination, each with its own stream (SSRC, sequence, timestamp).
Polycom destinations add the Alert pre-roll before the audio (everyone waits for it, so
all zones start together) and the End burst after it (also after a stop).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from drivers.audio import g711
from drivers.audio.destination import Destination
from drivers.audio.errors import AudioConfigError, AudioError, SendError
from drivers.audio.pcm import AudioSource, Int16Array, pad_frame
from drivers.audio.polycom import PolycomStream
from drivers.audio.rtp import FRAME_SAMPLES, SAMPLE_RATE, Codec, RtpStream
from drivers.audio.udp import PacketSender, UdpSender
from drivers.clock import Clock, SystemClock

FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE

__all__ = ["BroadcastStats", "Broadcaster", "DestinationStats", "PacketStream"]


class PacketStream(Protocol):
    """What RtpStream and PolycomStream have in common (one per destination per page)."""

    @property
    def codec(self) -> Codec: ...
    @property
    def lead_in_interval(self) -> float: ...
    @property
    def end_delay(self) -> float: ...
    @property
    def end_interval(self) -> float: ...
    @property
    def packets_sent(self) -> int: ...

    def lead_in(self) -> list[bytes]: ...
    def packet(self, frame_pcm: Int16Array) -> bytes: ...
    def packet_payload(self, payload: bytes) -> bytes: ...
    def skip(self, frames: int = 1) -> None: ...
    def end(self) -> list[bytes]: ...


@dataclass(frozen=True)
class DestinationStats:
    """How one speaker fared: ``ident`` is the RTP SSRC or the Polycom host serial."""

    destination: Destination
    ident: int
    packets_sent: int
    errors: int
    last_error: str | None


@dataclass(frozen=True)
class BroadcastStats:
    """The outcome of one ``play``; times are on the Broadcaster's clock (seconds).

    ``pacing_errors`` has one sample per sent frame: actual send time - deadline.
    """

    frames_sent: int
    frames_skipped: int
    started_at: float
    audio_started_at: float
    ended_at: float
    stopped: bool
    pacing_errors: tuple[float, ...]
    destinations: tuple[DestinationStats, ...]

    @property
    def duration(self) -> float:
        return self.ended_at - self.started_at

    @property
    def errors(self) -> dict[Destination, int]:
        """Send errors per destination (only destinations that had any)."""
        return {d.destination: d.errors for d in self.destinations if d.errors}

    def pacing_percentile(self, q: float) -> float:
        """Percentile ``q`` (0-100) of the pacing error in seconds (0.0 if nothing sent)."""
        if not self.pacing_errors:
            return 0.0
        return float(np.percentile(np.asarray(self.pacing_errors), q))


class _Slot:
    """Per-destination mutable state during one play."""

    __slots__ = ("dest", "errors", "ident", "last_error", "send", "sent", "stream")

    def __init__(
        self,
        dest: Destination,
        stream: PacketStream,
        ident: int,
        send: Callable[[bytes], None],
    ) -> None:
        self.dest = dest
        self.stream = stream
        self.ident = ident
        self.send = send
        self.sent = 0
        self.errors = 0
        self.last_error: str | None = None

    def stats(self) -> DestinationStats:
        return DestinationStats(self.dest, self.ident, self.sent, self.errors, self.last_error)


ErrorCallback = Callable[[Destination, SendError], None]
FrameCallback = Callable[[Int16Array], None]


class Broadcaster:
    """Plays sources to a fixed set of destinations; one ``play`` at a time.

    Every ``play`` is a new broadcast: new streams, so new SSRCs and random sequence and
    timestamp origins.  If no ``sender`` is given, a :class:`UdpSender` with defaults is
    opened for each play and closed after it.

    ``spin``: on the real clock (:class:`SystemClock`) the loop sleeps until ``spin``
    seconds before each deadline and then yields (``asyncio.sleep(0)``) until it.  Why:
    asyncio wakes up to 1 ms late (epoll's millisecond timeouts) plus scheduler delay; on
    a busy 2-core PC this cut the send-time p99 from 3-4.5 ms to under 2 ms.  Cost: about
    7 % of one core while a broadcast runs.  ``0`` disables it; virtual clocks never spin.
    """

    def __init__(
        self,
        destinations: Sequence[Destination],
        *,
        clock: Clock,
        sender: PacketSender | None = None,
        rng: random.Random | None = None,
        caller_id: str = "dutydesk",
        polycom_serial: int | None = None,
        spin: float = 0.0015,
    ) -> None:
        if not destinations:
            raise AudioConfigError("no loudspeakers to broadcast to", hint="Select a zone.")
        self.destinations = tuple(destinations)
        self._clock = clock
        self._sender = sender
        self._rng = rng if rng is not None else random.Random()
        self.caller_id = caller_id
        self.spin = spin
        self.polycom_serial = (
            polycom_serial if polycom_serial is not None else self._rng.getrandbits(32)
        )
        self._slots: list[_Slot] = []
        self._playing = False
        self._frames_sent = 0
        self._frames_skipped = 0
        self._pacing: list[float] = []
        self._on_error: ErrorCallback | None = None

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def frames_sent(self) -> int:
        """Frames sent so far in the current (or last) play - for a live progress display."""
        return self._frames_sent

    def _new_stream(self, dest: Destination) -> tuple[PacketStream, int]:
        if dest.protocol == "polycom":
            poly = PolycomStream(
                dest.channel, caller_id=self.caller_id, serial=self.polycom_serial, rng=self._rng
            )
            return poly, poly.serial
        rtp = RtpStream(dest.codec, rng=self._rng)
        return rtp, rtp.ssrc

    # -- sending ----------------------------------------------------------------------
    def _failed(self, slot: _Slot, exc: SendError) -> None:
        slot.errors += 1
        first = slot.last_error is None
        slot.last_error = str(exc)
        if first and self._on_error is not None:
            self._on_error(slot.dest, exc)

    def _send(self, slot: _Slot, data: bytes) -> None:
        try:
            slot.send(data)
        except SendError as exc:
            self._failed(slot, exc)
        else:
            slot.sent += 1

    def send_frame(self, frame: Int16Array) -> None:
        """Encode ``frame`` once per codec and send it to every destination (no pacing).

        Public so the benchmark can time exactly the per-frame work (after ``prepare``).
        """
        payloads: dict[str, bytes] = {}
        for slot in self._slots:  # hot loop: 200 speakers x 50 frames/s, kept flat
            stream = slot.stream
            payload = payloads.get(stream.codec)
            if payload is None:
                payload = payloads[stream.codec] = g711.encode(stream.codec, frame).tobytes()
            try:
                slot.send(stream.packet_payload(payload))
            except SendError as exc:
                self._failed(slot, exc)
            else:
                slot.sent += 1

    def prepare(self, sender: PacketSender) -> None:
        """Create fresh streams for a new broadcast through ``sender`` (done by ``play``)."""
        bind = getattr(sender, "sender_for", None)

        def route(dest: Destination) -> Callable[[bytes], None]:
            if callable(bind):
                bound: Callable[[bytes], None] = bind(dest)
                return bound
            return lambda data: sender.send(dest, data)

        self._slots = [_Slot(d, *self._new_stream(d), route(d)) for d in self.destinations]
        self._frames_sent = 0
        self._frames_skipped = 0
        self._pacing = []

    async def _until(self, deadline: float) -> float:
        clock = self._clock
        now = clock.monotonic()
        if deadline <= now:
            return now
        if self.spin > 0 and isinstance(clock, SystemClock):
            if deadline - self.spin > now:
                await clock.sleep(deadline - self.spin - now)
            while clock.monotonic() < deadline:
                await asyncio.sleep(0)  # yields: other tasks keep running
        else:
            await clock.sleep(deadline - now)
        return clock.monotonic()

    async def _burst(
        self,
        start: float,
        interval: float,
        packets: list[tuple[_Slot, list[bytes]]],
        stop: asyncio.Event | None,
    ) -> float:
        """Send packet i of every slot's list at ``start + i*interval``; returns end time."""
        count = max((len(p) for _, p in packets), default=0)
        for i in range(count):
            if stop is not None and stop.is_set() and i > 0:
                break
            await self._until(start + i * interval)
            for slot, plist in packets:
                if i < len(plist):
                    self._send(slot, plist[i])
        return start + count * interval

    def _skip(self, frames: Iterator[Int16Array], n: int) -> bool:
        """Drop ``n`` overdue frames from the source; False if the source ended."""
        for _ in range(n):
            if next(frames, None) is None:
                return False
            for slot in self._slots:
                slot.stream.skip(1)
            self._frames_skipped += 1
        return True

    async def play(
        self,
        source: AudioSource,
        *,
        stop: asyncio.Event | None = None,
        on_frame: FrameCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> BroadcastStats:
        """Broadcast ``source`` until it ends or ``stop`` is set (checked every frame).

        ``on_frame(frame)`` sees every frame actually sent (for recording or a level
        meter); ``on_error(dest, err)`` is called on a destination's first send error
        (later ones are counted in the stats).  Returns the statistics; never raises for
        a speaker that cannot be reached.
        """
        if self._playing:
            raise AudioError(
                "this Broadcaster is already playing",
                hint="Stop the current broadcast first, or use a second Broadcaster.",
            )
        self._playing = True
        own_sender = self._sender is None
        sender: PacketSender = self._sender if self._sender is not None else UdpSender()
        self._on_error = on_error
        stopped = False
        frames: Iterator[Int16Array] | None = None
        try:
            self.prepare(sender)
            clock = self._clock
            started = clock.monotonic()
            polys = [s for s in self._slots if s.stream.lead_in()]
            audio_start = started
            if stop is not None and stop.is_set():
                polys = []  # nothing was announced, so nothing needs ending
            if polys:
                interval = polys[0].stream.lead_in_interval
                audio_start = await self._burst(
                    started, interval, [(s, s.stream.lead_in()) for s in polys], stop
                )
            last_deadline = audio_start - FRAME_SECONDS
            k = 0
            frames = iter(source.frames())
            while True:
                if stop is not None and stop.is_set():
                    stopped = True
                    break
                deadline = audio_start + k * FRAME_SECONDS
                now = await self._until(deadline)
                if stop is not None and stop.is_set():
                    stopped = True
                    break
                late = int((now - deadline) / FRAME_SECONDS)
                if late >= 1:
                    if not self._skip(frames, late):
                        break
                    k += late
                    deadline = audio_start + k * FRAME_SECONDS
                frame = next(frames, None)
                if frame is None:
                    break
                frame = pad_frame(frame)
                self._pacing.append(clock.monotonic() - deadline)
                self.send_frame(frame)
                self._frames_sent += 1
                last_deadline = deadline
                k += 1
                if on_frame is not None:
                    on_frame(frame)
            if polys:
                ends = [(s, s.stream.end()) for s in polys]
                stream0 = polys[0].stream
                await self._burst(
                    last_deadline + stream0.end_delay, stream0.end_interval, ends, None
                )
            ended = clock.monotonic()
            return BroadcastStats(
                frames_sent=self._frames_sent,
                frames_skipped=self._frames_skipped,
                started_at=started,
                audio_started_at=audio_start,
                ended_at=ended,
                stopped=stopped,
                pacing_errors=tuple(self._pacing),
                destinations=tuple(s.stats() for s in self._slots),
            )
        finally:
            close = getattr(frames, "close", None)
            if callable(close):
                close()
            if own_sender:
                sender.close()
            self._on_error = None
            self._playing = False

    def destination_stats(self) -> tuple[DestinationStats, ...]:
        """Per-destination counters of the current (or last) play, for a live display."""
        return tuple(s.stats() for s in self._slots)

"""A simulated IP loudspeaker: a real UDP receiver that checks what the console sends.

Modelled on baresip's multicast receiver (reference notes §6.3): it listens on a UDP
port (unicast, or joined to a multicast group), tells RTP from Polycom paging packets,
splits the traffic into broadcasts, decodes the G.711 audio, and records every arrival
time so tests and benchmarks can measure pacing.  It is strict where real speakers are
fragile, and records each breach as a *violation* instead of raising, so a test can
assert ``violations == []`` and see all of them at once when it fails:

* RTP: version 2 (else the datagram is *malformed*), payload type 0 or 8 and constant,
  marker on the first packet only, a constant SSRC within a broadcast and a new one per
  broadcast, contiguous sequence numbers, timestamps advancing by 160 per packet (or a
  multiple: skipped frames, counted, not a violation), 160-byte payloads.
* Polycom: Alerts before Transmit, G.711µ codec byte, the first Transmit with one frame,
  later ones repeating exactly the previous frame, sample count advancing by 160 (or a
  multiple), End to finish.

A broadcast ends at a Polycom End packet or after ``timeout`` seconds (default 1 s, like
baresip) without packets, measured on the injected clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from drivers.audio.errors import PolycomError, RtpError
from drivers.audio.g711 import alaw_decode, ulaw_decode
from drivers.audio.polycom import OpCode, PolycomCodec, PolycomPacket, looks_like_polycom
from drivers.audio.rtp import CODEC_BY_PAYLOAD_TYPE, FRAME_SAMPLES, SAMPLE_RATE, RtpPacket
from drivers.audio.wavio import write_wav
from drivers.clock import Clock, SystemClock, TimerHandle

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float64]
Kind = Literal["rtp", "polycom"]

__all__ = ["FakeSpeaker", "ReceivedBroadcast", "ReceivedFrame"]


@dataclass(frozen=True)
class ReceivedFrame:
    """One decoded audio frame; ``index`` is its 20 ms slot counted from the first frame."""

    index: int
    timestamp: int
    sequence: int | None
    arrival: float
    pcm: Int16Array


@dataclass
class ReceivedBroadcast:
    """Everything one speaker heard of one broadcast (mutable: it grows as packets come)."""

    kind: Kind
    ident: int  # RTP SSRC or Polycom host serial
    sender: tuple[str, int]
    started_at: float
    payload_type: int | None = None
    codec: str | None = None
    channel: int | None = None
    caller_id: str = ""
    packets: int = 0
    alerts: int = 0
    ends: int = 0
    skipped_frames: int = 0
    frames: list[ReceivedFrame] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    ended: bool = False
    end_reason: str | None = None
    first_timestamp: int | None = None
    last_timestamp: int | None = None
    last_sequence: int | None = None
    last_arrival: float | None = None
    _jitter: float = 0.0
    _previous_frame: bytes | None = None
    _frame_bytes: int | None = None
    _timer: TimerHandle | None = None

    # -- derived views ----------------------------------------------------------------
    @property
    def pcm(self) -> Int16Array:
        """The decoded audio on its RTP timeline: missing/skipped frames are silence."""
        if not self.frames:
            return np.zeros(0, dtype=np.int16)
        end = max(f.index * FRAME_SAMPLES + len(f.pcm) for f in self.frames)
        out = np.zeros(end, dtype=np.int16)
        for f in self.frames:
            start = f.index * FRAME_SAMPLES
            out[start : start + len(f.pcm)] = f.pcm
        return out

    @property
    def duration(self) -> float:
        """Seconds of audio on the timeline (including skipped frames)."""
        return len(self.pcm) / SAMPLE_RATE

    def inter_arrival(self) -> FloatArray:
        """Seconds between consecutive audio packets."""
        times = np.asarray([f.arrival for f in self.frames], dtype=np.float64)
        return np.diff(times)

    @property
    def jitter(self) -> float:
        """RFC 3550 §6.4.1 interarrival jitter estimate, in seconds."""
        return self._jitter

    @property
    def drift(self) -> float:
        """Last arrival minus where a perfect 20 ms clock from the first frame puts it."""
        if len(self.frames) < 2:
            return 0.0
        first, last = self.frames[0], self.frames[-1]
        ideal = (last.index - first.index) * FRAME_SAMPLES / SAMPLE_RATE
        return (last.arrival - first.arrival) - ideal

    def save_wav(self, path: str | Path) -> Path:
        """Write the decoded audio as 8 kHz mono WAV."""
        return write_wav(path, self.pcm, SAMPLE_RATE)

    def summary(self) -> str:
        """One printable line of statistics (untrusted text escaped)."""
        if self.kind == "rtp":
            head = f"rtp ssrc=0x{self.ident:08x} pt={self.payload_type}/{self.codec}"
        else:
            head = (
                f"polycom serial=0x{self.ident:08x} ch={self.channel} "
                f"caller={_printable(self.caller_id)!r} alerts={self.alerts} ends={self.ends}"
            )
        gaps = self.inter_arrival() * 1000
        pacing = (
            f" interarrival p50={np.percentile(gaps, 50):.1f}ms p99={np.percentile(gaps, 99):.1f}ms"
            if len(gaps)
            else ""
        )
        line = (
            f"{head} from {self.sender[0]}:{self.sender[1]} packets={self.packets} "
            f"frames={len(self.frames)} skipped={self.skipped_frames} "
            f"duration={self.duration:.2f}s{pacing} jitter={self.jitter * 1000:.2f}ms "
            f"violations={len(self.violations)}"
        )
        if self.violations:
            line += f" (first: {_printable(self.violations[0])})"
        return line


def _printable(text: str) -> str:
    """Escape control characters so network text cannot drive the terminal."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, speaker: FakeSpeaker) -> None:
        self.speaker = speaker

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.speaker.receive(data, (str(addr[0]), int(str(addr[1]))))

    def error_received(self, exc: Exception) -> None:
        self.speaker.errors.append(str(exc))


BroadcastCallback = Callable[[ReceivedBroadcast], None]


class FakeSpeaker:
    """An IP loudspeaker on ``host:port`` (``port=0`` picks a free one; see ``.port``).

    With ``multicast_group`` it binds the group and joins it on the interface ``host``
    (``127.0.0.1`` inside a test network namespace).  ``receive`` is public so the
    parsing and checks can also be driven without sockets.
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        multicast_group: str | None = None,
        clock: Clock | None = None,
        *,
        timeout: float = 1.0,
        frame_samples: int = FRAME_SAMPLES,
        on_broadcast_end: BroadcastCallback | None = None,
        rcvbuf: int = 4 << 20,
    ) -> None:
        self.host = host
        self.multicast_group = multicast_group
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.timeout = timeout
        self.frame_samples = frame_samples
        self.on_broadcast_end = on_broadcast_end
        self.rcvbuf = rcvbuf
        self._port = port
        self.broadcasts: list[ReceivedBroadcast] = []
        self.malformed: list[str] = []
        self.errors: list[str] = []
        self.datagrams = 0
        self._rtp_active: dict[int, ReceivedBroadcast] = {}
        self._poly_latest: dict[tuple[int, int], ReceivedBroadcast] = {}
        self._seen_ssrcs: set[int] = set()
        self._transport: asyncio.DatagramTransport | None = None
        self._changed: asyncio.Event | None = None

    # -- lifecycle --------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    def _make_socket(self) -> socket.socket:
        group = self.multicast_group
        family = (
            socket.AF_INET6
            if ipaddress.ip_address(group or self.host).version == 6
            else socket.AF_INET
        )
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
            if group is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((group, self._port))
                if family == socket.AF_INET:
                    mreq = socket.inet_aton(group) + socket.inet_aton(self.host)
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
                else:
                    mreq6 = socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", 0)
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6)
            else:
                sock.bind((self.host, self._port))
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        return sock

    async def start(self) -> FakeSpeaker:
        """Bind (and join) and start receiving."""
        loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        sock = self._make_socket()
        self._port = int(sock.getsockname()[1])
        transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=sock)
        self._transport = transport
        return self

    async def close(self) -> None:
        """Stop receiving; unfinished broadcasts end with reason 'closed'."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        for bc in self.broadcasts:
            if not bc.ended:
                self._end(bc, "closed")

    async def __aenter__(self) -> FakeSpeaker:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- waiting (tests never sleep) --------------------------------------------------
    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait (real time, at most ``timeout``) until ``predicate()`` holds after a packet."""
        if self._changed is None:
            self._changed = asyncio.Event()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True

    async def wait_packets(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` datagrams in total have arrived."""
        return await self.wait_for(lambda: self.datagrams >= count, timeout)

    @property
    def packets(self) -> int:
        return sum(b.packets for b in self.broadcasts)

    @property
    def violations(self) -> list[str]:
        """All broadcasts' violations, prefixed with the broadcast's ident."""
        return [f"0x{b.ident:08x}: {v}" for b in self.broadcasts for v in b.violations]

    # -- receiving --------------------------------------------------------------------
    def receive(self, data: bytes, sender: tuple[str, int]) -> None:
        """Handle one datagram (called by the socket protocol, or directly by tests)."""
        now = self.clock.monotonic()
        self.datagrams += 1
        try:
            if looks_like_polycom(data):
                self._polycom(PolycomPacket.parse(data), data, sender, now)
            else:
                self._rtp(RtpPacket.parse(data), sender, now)
        except (RtpError, PolycomError) as exc:
            self.malformed.append(f"{sender[0]}:{sender[1]}: {exc.message}")
        if self._changed is not None:
            self._changed.set()

    def _new(
        self, kind: Kind, ident: int, sender: tuple[str, int], now: float
    ) -> ReceivedBroadcast:
        bc = ReceivedBroadcast(kind=kind, ident=ident, sender=sender, started_at=now)
        self.broadcasts.append(bc)
        return bc

    def _touch(self, bc: ReceivedBroadcast, now: float) -> None:
        bc.packets += 1
        bc.arrivals.append(now)
        bc.last_arrival = now
        if bc._timer is None and not bc.ended:
            bc._timer = self.clock.call_later(self.timeout, lambda: self._idle(bc))

    def _idle(self, bc: ReceivedBroadcast) -> None:
        bc._timer = None
        if bc.ended or bc.last_arrival is None:
            return
        idle = self.clock.monotonic() - bc.last_arrival
        if idle >= self.timeout - 1e-9:
            self._end(bc, "timeout")
        else:
            bc._timer = self.clock.call_later(self.timeout - idle, lambda: self._idle(bc))

    def _end(self, bc: ReceivedBroadcast, reason: str) -> None:
        if bc.ended:
            return
        bc.ended = True
        bc.end_reason = reason
        if bc._timer is not None:
            bc._timer.cancel()
            bc._timer = None
        if bc.kind == "rtp":
            self._rtp_active.pop(bc.ident, None)
        if self._changed is not None:
            self._changed.set()
        if self.on_broadcast_end is not None:
            self.on_broadcast_end(bc)

    def _audio(
        self,
        bc: ReceivedBroadcast,
        timestamp: int,
        sequence: int | None,
        pcm: Int16Array,
        now: float,
    ) -> None:
        """Place a frame on the timeline; check the timestamp step; update the jitter."""
        fs = self.frame_samples
        if bc.first_timestamp is None or bc.last_timestamp is None:
            bc.first_timestamp = timestamp
            index = 0
        else:
            step = (timestamp - bc.last_timestamp) & 0xFFFFFFFF
            if step == 0 or step >= 1 << 31 or step % fs:
                bc.violations.append(
                    f"timestamp went from {bc.last_timestamp} to {timestamp} "
                    f"(expected +{fs} per frame)"
                )
            elif step > fs:
                bc.skipped_frames += step // fs - 1
            if bc.frames:
                prev = bc.frames[-1]
                transit_d = (now - prev.arrival) - (
                    ((timestamp - prev.timestamp) & 0xFFFFFFFF) / SAMPLE_RATE
                )
                bc._jitter += (abs(transit_d) - bc._jitter) / 16
            index = ((timestamp - bc.first_timestamp) & 0xFFFFFFFF) // fs
        bc.last_timestamp = timestamp
        bc.frames.append(ReceivedFrame(index, timestamp, sequence, now, pcm))

    def _rtp(self, pkt: RtpPacket, sender: tuple[str, int], now: float) -> None:
        bc = self._rtp_active.get(pkt.ssrc)
        if bc is None:
            bc = self._new("rtp", pkt.ssrc, sender, now)
            if pkt.ssrc in self._seen_ssrcs:
                bc.violations.append(f"SSRC 0x{pkt.ssrc:08x} reused from an earlier broadcast")
            if self._rtp_active:
                others = ", ".join(f"0x{s:08x}" for s in self._rtp_active)
                bc.violations.append(
                    f"SSRC changed to 0x{pkt.ssrc:08x} while {others} was still playing"
                )
            self._seen_ssrcs.add(pkt.ssrc)
            self._rtp_active[pkt.ssrc] = bc
            bc.payload_type = pkt.payload_type
            codec = CODEC_BY_PAYLOAD_TYPE.get(pkt.payload_type)
            bc.codec = codec
            if codec is None:
                bc.violations.append(f"payload type {pkt.payload_type} is not PCMU (0) or PCMA (8)")
            if not pkt.marker:
                bc.violations.append("first packet has no marker bit")
        else:
            if pkt.payload_type != bc.payload_type:
                bc.violations.append(
                    f"payload type changed from {bc.payload_type} to {pkt.payload_type}"
                )
            if pkt.marker:
                bc.violations.append(f"marker bit set again at sequence {pkt.sequence}")
            expected = ((bc.last_sequence or 0) + 1) & 0xFFFF
            if pkt.sequence != expected:
                bc.violations.append(
                    f"sequence jumped from {bc.last_sequence} to {pkt.sequence} "
                    f"(expected {expected})"
                )
        self._touch(bc, now)
        bc.last_sequence = pkt.sequence
        if len(pkt.payload) != self.frame_samples:
            bc.violations.append(
                f"payload of {len(pkt.payload)} bytes at sequence {pkt.sequence} "
                f"(expected {self.frame_samples})"
            )
        if pkt.payload_type == 0:
            pcm = ulaw_decode(pkt.payload)
        elif pkt.payload_type == 8:
            pcm = alaw_decode(pkt.payload)
        else:
            pcm = np.zeros(len(pkt.payload), dtype=np.int16)
        self._audio(bc, pkt.timestamp, pkt.sequence, pcm, now)

    def _polycom(
        self, head: PolycomPacket, data: bytes, sender: tuple[str, int], now: float
    ) -> None:
        key = (head.serial, head.channel)
        bc = self._poly_latest.get(key)
        if head.opcode == OpCode.END:
            if bc is None:
                bc = self._new("polycom", head.serial, sender, now)
                bc.channel, bc.caller_id = head.channel, head.caller_id_text
                self._poly_latest[key] = bc
                bc.violations.append("End without a preceding Alert or Transmit")
            bc.ends += 1
            bc.packets += 1
            bc.arrivals.append(now)
            bc.last_arrival = now
            self._end(bc, "end")
            return
        if bc is None or bc.ended:
            bc = self._new("polycom", head.serial, sender, now)
            bc.channel, bc.caller_id = head.channel, head.caller_id_text
            self._poly_latest[key] = bc
            if head.opcode == OpCode.TRANSMIT:
                bc.violations.append("Transmit without a preceding Alert")
        if head.caller_id_text != bc.caller_id:
            bc.violations.append("caller ID changed within the page")
        self._touch(bc, now)
        if head.opcode == OpCode.ALERT:
            if bc.frames:
                bc.violations.append("Alert after the audio had started")
            bc.alerts += 1
            return
        first = bc._frame_bytes is None
        if first:
            bc._frame_bytes = len(data) - 26
        pkt = PolycomPacket.parse(data, frame_bytes=bc._frame_bytes)
        frame = pkt.frame or b""
        if pkt.codec != PolycomCodec.G711U:
            bc.violations.append(f"codec byte 0x{pkt.codec:02x}, expected 0x00 (G.711µ)")
        bc.codec = "pcmu" if pkt.codec == PolycomCodec.G711U else f"0x{pkt.codec:02x}"
        contiguous = (
            bc.last_timestamp is not None
            and ((pkt.sample_count - bc.last_timestamp) & 0xFFFFFFFF) == self.frame_samples
        )
        if pkt.redundant is not None:
            if first:
                bc.violations.append("first Transmit packet carries a redundant frame")
            elif not contiguous or pkt.redundant != bc._previous_frame:
                bc.violations.append(
                    f"redundant frame at sample count {pkt.sample_count} is not the previous frame"
                )
        elif not first and contiguous and len(bc.frames) > 0:
            bc.violations.append(f"Transmit at sample count {pkt.sample_count} lacks redundancy")
        bc._previous_frame = frame
        pcm = (
            ulaw_decode(frame)
            if pkt.codec == PolycomCodec.G711U
            else np.zeros(len(frame), dtype=np.int16)
        )
        self._audio(bc, pkt.sample_count, None, pcm, now)

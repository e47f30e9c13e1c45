"""RTP (RFC 3550/3551) packets and one sender-side stream, sans-I/O.

A :class:`RtpStream` is one broadcast to one loudspeaker: it owns the SSRC, sequence
number and timestamp and turns 20 ms frames into datagrams.  Why a new stream per
broadcast: receivers such as baresip restart playback when the SSRC changes, so a new
SSRC is how a speaker knows a new page began (reference notes §2.2).
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from drivers.audio import g711
from drivers.audio.errors import AudioConfigError, RtpError

Codec = Literal["pcmu", "pcma"]

PAYLOAD_TYPES: Final[dict[str, int]] = {"pcmu": 0, "pcma": 8}
CODEC_BY_PAYLOAD_TYPE: Final[dict[int, Codec]] = {0: "pcmu", 8: "pcma"}
RTP_VERSION: Final = 2
HEADER = struct.Struct("!BBHII")
FRAME_SAMPLES: Final = 160  # 20 ms at 8 kHz
SAMPLE_RATE: Final = 8000

__all__ = [
    "CODEC_BY_PAYLOAD_TYPE",
    "FRAME_SAMPLES",
    "PAYLOAD_TYPES",
    "SAMPLE_RATE",
    "Codec",
    "RtpPacket",
    "RtpStream",
    "random_ssrc",
]


@dataclass(frozen=True)
class RtpPacket:
    """One RTP packet (fixed header, optional CSRCs, payload).

    ``to_bytes`` never writes padding or a header extension (we have no use for them);
    ``parse`` accepts and strips both so a fake speaker can read any sender.
    """

    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    marker: bool = False
    payload: bytes = b""
    csrcs: tuple[int, ...] = field(default=())
    version: int = RTP_VERSION

    def __post_init__(self) -> None:
        if not 0 <= self.payload_type <= 127:
            raise RtpError(f"payload type {self.payload_type} is not 0..127")
        if not 0 <= self.sequence <= 0xFFFF:
            raise RtpError(f"sequence {self.sequence} is not 16-bit")
        if not 0 <= self.timestamp <= 0xFFFFFFFF or not 0 <= self.ssrc <= 0xFFFFFFFF:
            raise RtpError("timestamp and SSRC must be 32-bit unsigned")
        if len(self.csrcs) > 15:
            raise RtpError("at most 15 CSRCs fit in the header")

    def to_bytes(self) -> bytes:
        """Network-order header (RFC 3550 §5.1) followed by the payload."""
        first = (self.version << 6) | len(self.csrcs)
        second = (0x80 if self.marker else 0) | self.payload_type
        head = HEADER.pack(first, second, self.sequence, self.timestamp, self.ssrc)
        if self.csrcs:
            head += struct.pack(f"!{len(self.csrcs)}I", *self.csrcs)
        return head + self.payload

    @staticmethod
    def parse(data: bytes) -> RtpPacket:
        """Parse a datagram; raise :class:`RtpError` if it is not well-formed RTP v2."""
        if len(data) < HEADER.size:
            raise RtpError(f"{len(data)} bytes is shorter than the 12-byte RTP header")
        first, second, seq, ts, ssrc = HEADER.unpack_from(data)
        version = first >> 6
        if version != RTP_VERSION:
            raise RtpError(f"RTP version {version}, expected 2")
        padding = bool(first & 0x20)
        extension = bool(first & 0x10)
        cc = first & 0x0F
        offset = HEADER.size + 4 * cc
        if len(data) < offset:
            raise RtpError(f"header announces {cc} CSRCs but the packet is too short")
        csrcs = struct.unpack_from(f"!{cc}I", data, HEADER.size) if cc else ()
        if extension:
            if len(data) < offset + 4:
                raise RtpError("header extension announced but missing")
            (words,) = struct.unpack_from("!H", data, offset + 2)
            offset += 4 + 4 * words
            if len(data) < offset:
                raise RtpError("header extension runs past the end of the packet")
        end = len(data)
        if padding:
            if end == offset:
                raise RtpError("padding flag set on a packet without payload")
            pad = data[-1]
            if pad == 0 or offset + pad > end:
                raise RtpError(f"invalid padding length {pad}")
            end -= pad
        return RtpPacket(
            payload_type=second & 0x7F,
            sequence=seq,
            timestamp=ts,
            ssrc=ssrc,
            marker=bool(second & 0x80),
            payload=bytes(data[offset:end]),
            csrcs=tuple(csrcs),
        )


def random_ssrc(rng: random.Random) -> int:
    """A random 32-bit SSRC that is never 0 (some receivers treat 0 as 'unset')."""
    while True:
        value = rng.getrandbits(32)
        if value:
            return value


class RtpStream:
    """The sender side of one broadcast to one speaker.

    * SSRC, first sequence number and first timestamp are random (RFC 3550 §5.1), drawn
      from ``rng`` so tests are reproducible.
    * The marker bit is set on the first packet only (RFC 3551 §4.1: start of a talkspurt).
    * The sequence number counts *sent* packets (contiguous, wraps at 2^16); the timestamp
      counts *sampling periods*, so it advances by ``frame_samples`` for every frame
      whether it is sent or skipped (:meth:`skip`), and wraps at 2^32.
    """

    protocol = "rtp"
    lead_in_interval = 0.0
    end_delay = 0.0
    end_interval = 0.0

    def __init__(
        self,
        codec: Codec = "pcmu",
        *,
        rng: random.Random | None = None,
        frame_samples: int = FRAME_SAMPLES,
    ) -> None:
        if codec not in PAYLOAD_TYPES:
            raise AudioConfigError(f"unknown codec {codec!r}", hint="Use 'pcmu' or 'pcma'.")
        if frame_samples <= 0:
            raise AudioConfigError(f"frame_samples must be positive, got {frame_samples}")
        rng = rng if rng is not None else random.Random()
        self.codec: Codec = codec
        self.payload_type = PAYLOAD_TYPES[codec]
        self.frame_samples = frame_samples
        self.ssrc = random_ssrc(rng)
        self.initial_sequence = rng.getrandbits(16)
        self.initial_timestamp = rng.getrandbits(32)
        self.sequence = self.initial_sequence  # of the next packet
        self.timestamp = self.initial_timestamp  # of the next frame
        self.packets_sent = 0
        self.frames_skipped = 0

    def lead_in(self) -> list[bytes]:
        """Packets to send before the audio: none for plain RTP (no signalling)."""
        return []

    def packet(self, frame_pcm: npt.NDArray[np.int16]) -> bytes:
        """Encode one frame of ``frame_samples`` int16 samples into the next datagram."""
        if len(frame_pcm) != self.frame_samples:
            raise AudioConfigError(
                f"frame has {len(frame_pcm)} samples, expected {self.frame_samples}"
            )
        return self.packet_payload(g711.encode(self.codec, frame_pcm).tobytes())

    def packet_payload(self, payload: bytes) -> bytes:
        """Wrap an already encoded frame (lets a fan-out encode once per codec)."""
        # Hot path (200 speakers x 50 packets/s): pack directly; equal to
        # RtpPacket(...).to_bytes(), which the tests check.
        second = self.payload_type | (0x80 if self.packets_sent == 0 else 0)
        data = HEADER.pack(0x80, second, self.sequence, self.timestamp, self.ssrc) + payload
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.timestamp = (self.timestamp + self.frame_samples) & 0xFFFFFFFF
        self.packets_sent += 1
        return data

    def skip(self, frames: int = 1) -> None:
        """Account for frames that were not sent: the timestamp advances, the sequence not."""
        if frames < 0:
            raise AudioConfigError("cannot skip a negative number of frames")
        self.timestamp = (self.timestamp + frames * self.frame_samples) & 0xFFFFFFFF
        self.frames_skipped += frames

    def end(self) -> list[bytes]:
        """Packets to send after the audio: none; RTP receivers time out (~1 s) on silence."""
        return []

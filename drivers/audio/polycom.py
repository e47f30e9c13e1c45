"""Polycom / Spectralink PTT and group paging packets (EA 70568 / CS-12-30), sans-I/O.

Why a second protocol: Poly phones, and Algo/Viking speakers in "Polycom" mode, accept
only this format (reference notes §1.2).  Every packet starts with the same 20-byte
header (op code, channel, host serial, caller-ID length 13, caller ID).  A page is a
burst of Alert packets (31, ~30 ms apart, ~1 s of pre-roll), then Transmit packets carrying
G.711 µ-law with the *previous* frame repeated for loss concealment, then End packets
(12, 50 ms after the last audio, ~30 ms apart).  The phones are sensitive to the sample
count, so it is generated here and advanced by 160 per 20 ms frame, sent or skipped.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import numpy as np
import numpy.typing as npt

from drivers.audio import g711
from drivers.audio.errors import AudioConfigError, PolycomError
from drivers.audio.rtp import FRAME_SAMPLES, Codec

DEFAULT_GROUP: Final = "224.0.1.116"
DEFAULT_PORT: Final = 5001
CALLER_ID_LENGTH: Final = 13
HEADER = struct.Struct("!BBIB13s")  # 20 bytes
AUDIO_HEADER = struct.Struct("!BBI")  # codec, flags, sample count: 6 bytes
PAGING_CHANNELS: Final = range(26, 51)
PTT_CHANNELS: Final = range(1, 26)

ALERT_COUNT: Final = 31
ALERT_INTERVAL: Final = 0.030
END_DELAY: Final = 0.050
END_COUNT: Final = 12
END_INTERVAL: Final = 0.030

__all__ = [
    "ALERT_COUNT",
    "ALERT_INTERVAL",
    "DEFAULT_GROUP",
    "DEFAULT_PORT",
    "END_COUNT",
    "END_DELAY",
    "END_INTERVAL",
    "OpCode",
    "PolycomCodec",
    "PolycomPacket",
    "PolycomStream",
    "encode_caller_id",
    "looks_like_polycom",
]


class OpCode(IntEnum):
    """The first byte of every packet."""

    ALERT = 0x0F
    TRANSMIT = 0x10
    END = 0xFF


class PolycomCodec(IntEnum):
    """The codec byte of Transmit packets (only G.711µ is produced here)."""

    G711U = 0x00
    G722 = 0x09
    G726QI = 0xFD


def encode_caller_id(caller_id: str | bytes) -> bytes:
    """13 bytes: UTF-8 cut on a character boundary, NUL-padded when shorter.

    Phones show ASCII reliably; Chinese names may display as junk on old firmware, so the
    console should prefer a short Latin tag (e.g. the station code).
    """
    raw = caller_id if isinstance(caller_id, bytes) else caller_id.encode("utf-8")
    if not isinstance(caller_id, bytes):
        while len(raw) > CALLER_ID_LENGTH:
            caller_id = caller_id[:-1]
            raw = caller_id.encode("utf-8")
    return raw[:CALLER_ID_LENGTH].ljust(CALLER_ID_LENGTH, b"\0")


def _check_channel(channel: int) -> None:
    if not 1 <= channel <= 50:
        raise AudioConfigError(
            f"Polycom channel {channel} is not 1..50",
            hint="Use 26..50 for group paging (49 = priority, 50 = emergency) or 1..25 for PTT.",
        )


@dataclass(frozen=True)
class PolycomPacket:
    """One packet; ``frame``/``redundant`` are the raw codec bytes of Transmit packets."""

    opcode: OpCode
    channel: int
    serial: int
    caller_id: bytes
    codec: int = PolycomCodec.G711U
    flags: int = 0
    sample_count: int = 0
    redundant: bytes | None = None
    frame: bytes | None = None

    def to_bytes(self) -> bytes:
        """Header (20 bytes) and, for Transmit, the audio header, redundant and new frame."""
        head = HEADER.pack(
            int(self.opcode),
            self.channel,
            self.serial & 0xFFFFFFFF,
            CALLER_ID_LENGTH,
            encode_caller_id(self.caller_id),
        )
        if self.opcode != OpCode.TRANSMIT:
            return head
        audio = AUDIO_HEADER.pack(self.codec, self.flags, self.sample_count & 0xFFFFFFFF)
        return head + audio + (self.redundant or b"") + (self.frame or b"")

    @property
    def caller_id_text(self) -> str:
        """The caller ID as text (up to the first NUL; undecodable bytes replaced)."""
        return self.caller_id.split(b"\0", 1)[0].decode("utf-8", errors="replace")

    @staticmethod
    def parse(data: bytes, *, frame_bytes: int | None = None) -> PolycomPacket:
        """Parse a datagram.

        A Transmit packet holds one frame (the first of a page) or two (redundant + new).
        The frame size is not on the wire; pass ``frame_bytes`` once known (a receiver
        learns it from the first Transmit packet).  Without it the audio is read as one
        frame if its length is not exactly twice a known size.
        """
        if len(data) < HEADER.size:
            raise PolycomError(f"{len(data)} bytes is shorter than the 20-byte header")
        op, channel, serial, cid_len, cid = HEADER.unpack_from(data)
        try:
            opcode = OpCode(op)
        except ValueError:
            raise PolycomError(f"unknown op code 0x{op:02x}") from None
        if cid_len != CALLER_ID_LENGTH:
            raise PolycomError(f"caller-ID length {cid_len}, expected 13")
        if opcode != OpCode.TRANSMIT:
            if len(data) != HEADER.size:
                raise PolycomError(f"{opcode.name} packet of {len(data)} bytes, expected 20")
            return PolycomPacket(opcode, channel, serial, bytes(cid))
        if len(data) < HEADER.size + AUDIO_HEADER.size + 1:
            raise PolycomError("Transmit packet without audio")
        codec, flags, count = AUDIO_HEADER.unpack_from(data, HEADER.size)
        audio = bytes(data[HEADER.size + AUDIO_HEADER.size :])
        redundant: bytes | None = None
        frame = audio
        if frame_bytes is not None and len(audio) == 2 * frame_bytes:
            redundant, frame = audio[:frame_bytes], audio[frame_bytes:]
        elif frame_bytes is not None and len(audio) != frame_bytes:
            raise PolycomError(
                f"Transmit audio of {len(audio)} bytes, expected {frame_bytes} or {2 * frame_bytes}"
            )
        return PolycomPacket(
            opcode, channel, serial, bytes(cid), codec, flags, count, redundant, frame
        )


def looks_like_polycom(data: bytes) -> bool:
    """Cheap test used by receivers to tell Polycom from RTP (RTP byte 0 is 0x80..0xBF)."""
    return len(data) >= HEADER.size and data[0] in (0x0F, 0x10, 0xFF) and data[6] == 13


class PolycomStream:
    """The sender side of one Polycom page on one channel; same shape as ``RtpStream``.

    ``lead_in()`` gives the Alert burst, ``packet()``/``packet_payload()`` the Transmit
    packets, ``skip()`` accounts for late frames, ``end()`` the End burst; the timing
    (``lead_in_interval``, ``end_delay``, ``end_interval``) is applied by the Broadcaster.

    After a skipped frame the next packet carries no redundant frame: the copy would be
    of audio that is not adjacent, and a phone that used it to conceal a loss would play
    it in the wrong place.
    """

    protocol = "polycom"
    lead_in_interval = ALERT_INTERVAL
    end_delay = END_DELAY
    end_interval = END_INTERVAL

    def __init__(
        self,
        channel: int = 26,
        *,
        caller_id: str | bytes = "dutydesk",
        serial: int | None = None,
        codec: Codec = "pcmu",
        rng: random.Random | None = None,
        frame_samples: int = FRAME_SAMPLES,
        alert_count: int = ALERT_COUNT,
        end_count: int = END_COUNT,
    ) -> None:
        _check_channel(channel)
        if codec != "pcmu":
            raise AudioConfigError(
                "Polycom paging carries G.711 µ-law only",
                hint="Set codec = 'pcmu' for Polycom destinations.",
            )
        rng = rng if rng is not None else random.Random()
        self.codec: Codec = codec
        self.channel = channel
        self.caller_id = encode_caller_id(caller_id)
        self.serial = serial if serial is not None else rng.getrandbits(32)
        self.frame_samples = frame_samples
        self.alert_count = alert_count
        self.end_count = end_count
        self.initial_timestamp = rng.getrandbits(32)
        self.timestamp = self.initial_timestamp  # sample count of the next frame
        self.packets_sent = 0
        self.frames_skipped = 0
        self._previous: bytes | None = None

    def _header_packet(self, opcode: OpCode) -> bytes:
        return PolycomPacket(opcode, self.channel, self.serial, self.caller_id).to_bytes()

    def alert(self) -> bytes:
        """One Alert packet (header only)."""
        return self._header_packet(OpCode.ALERT)

    def end_packet(self) -> bytes:
        """One End-of-Transmit packet (header only)."""
        return self._header_packet(OpCode.END)

    def lead_in(self) -> list[bytes]:
        """The Alert burst to send ``lead_in_interval`` apart before the audio."""
        return [self.alert()] * self.alert_count

    def packet(self, frame_pcm: npt.NDArray[np.int16]) -> bytes:
        """Encode one frame (µ-law) into the next Transmit packet."""
        if len(frame_pcm) != self.frame_samples:
            raise AudioConfigError(
                f"frame has {len(frame_pcm)} samples, expected {self.frame_samples}"
            )
        return self.packet_payload(g711.ulaw_encode(frame_pcm).tobytes())

    def packet_payload(self, payload: bytes) -> bytes:
        """A Transmit packet for an encoded frame: previous frame (if adjacent), then new."""
        pkt = PolycomPacket(
            OpCode.TRANSMIT,
            self.channel,
            self.serial,
            self.caller_id,
            PolycomCodec.G711U,
            0,
            self.timestamp,
            self._previous,
            payload,
        )
        self._previous = payload
        self.timestamp = (self.timestamp + self.frame_samples) & 0xFFFFFFFF
        self.packets_sent += 1
        return pkt.to_bytes()

    def skip(self, frames: int = 1) -> None:
        """Frames not sent: the sample count advances; the redundant copy is dropped."""
        if frames < 0:
            raise AudioConfigError("cannot skip a negative number of frames")
        if frames:
            self.timestamp = (self.timestamp + frames * self.frame_samples) & 0xFFFFFFFF
            self.frames_skipped += frames
            self._previous = None

    def end(self) -> list[bytes]:
        """The End burst to send ``end_interval`` apart, ``end_delay`` after the audio."""
        return [self.end_packet()] * self.end_count

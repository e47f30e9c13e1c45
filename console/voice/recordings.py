"""One WAV per received transmission, and the instant-recall list.

A transmission starts when another radio gets the floor (``+CTXG`` grant 3) and ends
when it lets go (``+CDTXC``) or the call is released.  The file is written with the
stdlib ``wave`` module (8 kHz, mono, 16-bit PCM: what the gateway's audio carries and
what every player opens).
"""

from __future__ import annotations

import itertools
import re
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from console.voice.devices import RATE, Frame


@dataclass(frozen=True)
class Recording:
    """A saved transmission."""

    id: str
    path: str
    talker: str
    group: str
    cc: int
    started_wall: float
    started_mono: float
    duration_s: float
    samples: int


@dataclass
class ActiveRecording:
    """A transmission being recorded (internal to the voice path)."""

    id: str
    talker: str
    group: str
    cc: int
    started_wall: float
    started_mono: float
    frames: list[Frame]
    heard: int = 0
    """Frames that really came from the sound card (the rest are filled-in silence)."""

    def add(self, frame: Frame | None) -> None:
        # No frame from the sound card (underrun) is recorded as silence so the file's
        # length stays true to the transmission's length; a transmission that never got
        # one frame (no radio input at all) is not kept (see VoicePath._finish_recording).
        if frame is not None:
            self.heard += 1
        self.frames.append(frame if frame is not None else np.zeros(160, np.int16))


def default_recording_ids(clock_time: Callable[[], float]) -> Callable[[], str]:
    counter = itertools.count(1)

    def make() -> str:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(clock_time()))
        return f"R{stamp}-{next(counter):03d}"

    return make


_SAFE = re.compile(r"[^0-9A-Za-z_-]+")


def file_name(rec: ActiveRecording) -> str:
    group = _SAFE.sub("", rec.group) or "call"
    talker = _SAFE.sub("", rec.talker) or "unknown"
    return f"{rec.id}_{group}_{talker}.wav"


def write_wav(path: Path, samples: Frame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    tmp.replace(path)  # a crash never leaves a half-written file under the final name


def read_wav(path: str | Path) -> Frame:
    """Read one of our recordings back (8 kHz mono 16-bit)."""
    with wave.open(str(path), "rb") as src:
        if src.getsampwidth() != 2 or src.getnchannels() != 1:
            raise ValueError(f"{path}: not a 16-bit mono WAV")
        data = src.readframes(src.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.int16)

"""The audio-source contract and the simple in-memory sources.

**Contract (why synchronous):** an :class:`AudioSource` has ``frames()`` returning an
ordinary iterator of 160-sample int16 frames at 8 kHz (20 ms).  The Broadcaster pulls one
frame per 20 ms deadline on *its* clock; the source never sets the pace.  Finite sources
(arrays, files, tones, speech) simply end.  Live sources (the microphone) must never
block in ``next()``: they return what has been captured, or silence when nothing has
arrived yet, so a stalled sound card cannot stall the packets (reference notes §4: the
capture callback must not drive packet timing).  One contract covers both, which keeps
the pacing loop free of ``await`` on the source.  A last frame shorter than 160 samples is
allowed (the Broadcaster pads it with silence).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from drivers.audio.errors import AudioConfigError
from drivers.audio.rtp import FRAME_SAMPLES, SAMPLE_RATE

Int16Array = npt.NDArray[np.int16]

__all__ = [
    "ArraySource",
    "AudioSource",
    "ConcatSource",
    "Int16Array",
    "concat",
    "pad_frame",
    "silence",
    "to_int16",
]


@runtime_checkable
class AudioSource(Protocol):
    """Something that yields 20 ms int16 frames at 8 kHz (see the module docstring)."""

    def frames(self) -> Iterator[Int16Array]:
        """A fresh iterator over the frames; ``next()`` never blocks."""
        ...


def to_int16(samples: npt.ArrayLike) -> Int16Array:
    """Float (full scale ±1.0) or integer samples -> int16, rounded and clipped."""
    arr = np.asarray(samples)
    if arr.dtype == np.int16:
        same: Int16Array = arr
        return same
    if arr.dtype.kind == "f":
        scaled: Int16Array = np.clip(np.round(arr * 32767.0), -32768, 32767).astype(np.int16)
        return scaled
    clipped: Int16Array = np.clip(arr, -32768, 32767).astype(np.int16)
    return clipped


def pad_frame(frame: npt.ArrayLike, frame_samples: int = FRAME_SAMPLES) -> Int16Array:
    """Check a frame and pad a short (last) one with silence."""
    arr = np.asarray(frame)
    if arr.ndim != 1:
        raise AudioConfigError(f"a frame must be 1-D mono samples, got shape {arr.shape}")
    arr = to_int16(arr)
    if len(arr) == frame_samples:
        return arr
    if len(arr) > frame_samples:
        raise AudioConfigError(
            f"frame of {len(arr)} samples is longer than {frame_samples} (20 ms at 8 kHz)"
        )
    out = np.zeros(frame_samples, dtype=np.int16)
    out[: len(arr)] = arr
    return out


class ArraySource:
    """Frames from a mono 8 kHz array (tests, injection, and every precomputed source).

    Re-iterable: each ``frames()`` starts again at the beginning, so one chime object can
    be played on many broadcasts.
    """

    def __init__(self, pcm: npt.ArrayLike, *, name: str = "array") -> None:
        arr = np.asarray(pcm)
        if arr.ndim != 1:
            raise AudioConfigError(f"ArraySource needs mono 1-D samples, got shape {arr.shape}")
        self.pcm: Int16Array = to_int16(arr)
        self.pcm.flags.writeable = False
        self.name = name

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.pcm) / SAMPLE_RATE

    def __len__(self) -> int:
        """Number of frames (the last one may be padded)."""
        return -(-len(self.pcm) // FRAME_SAMPLES)

    def frames(self) -> Iterator[Int16Array]:
        pcm = self.pcm
        for start in range(0, len(pcm), FRAME_SAMPLES):
            yield pad_frame(pcm[start : start + FRAME_SAMPLES])

    def __repr__(self) -> str:
        return f"ArraySource({self.name!r}, {self.duration:.2f} s)"


class ConcatSource:
    """Several sources one after another (e.g. chime, speech, trailing silence)."""

    def __init__(self, sources: Iterable[AudioSource]) -> None:
        self.sources = tuple(sources)

    def frames(self) -> Iterator[Int16Array]:
        for source in self.sources:
            yield from source.frames()


def concat(*sources: AudioSource) -> ConcatSource:
    """Play ``sources`` back to back; each is padded to whole 20 ms frames."""
    return ConcatSource(sources)


def silence(seconds: float) -> ArraySource:
    """Digital silence, e.g. 0.1-0.2 s after speech so receivers do not clip the last word."""
    if seconds < 0:
        raise AudioConfigError("silence cannot be negative")
    return ArraySource(np.zeros(round(seconds * SAMPLE_RATE), dtype=np.int16), name="silence")

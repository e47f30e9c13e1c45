"""Generated attention sounds: test tones, pre-announcement chimes and an alarm.

Why generate them here: speakers' own pre-announce tones differ per vendor and would
double up; the console's tone travels inside the stream like speech (reference notes §5,
Algo practice).  Levels follow the Bosch PRAESENSA stock files: chimes peak at -6 dBFS
with RMS below -10 dBFS; alarms peak at -3 dBFS (Bosch: -1.3) to leave headroom for
G.711 and receiver AGC.  Every tone starts and ends with a raised-cosine fade so the horn
does not click.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from drivers.audio.errors import AudioConfigError
from drivers.audio.pcm import ArraySource
from drivers.audio.rtp import SAMPLE_RATE

FloatArray = npt.NDArray[np.float64]

A4, CS5, E5, G4, C5 = 440.0, 554.37, 659.26, 392.0, 523.25

ChimeKind = Literal["pre", "post", "three-pre", "three-post", "single"]
CHIMES: dict[str, tuple[tuple[float, ...], float]] = {
    # kind: (notes, total seconds) -- Bosch PRAESENSA stock chimes
    "pre": ((A4, CS5), 2.0),
    "post": ((CS5, A4), 2.0),
    "three-pre": ((G4, C5, E5), 2.0),
    "three-post": ((E5, C5, G4), 2.0),
    "single": ((CS5,), 1.5),
}

__all__ = ["CHIMES", "chime", "tone", "two_tone_alarm"]


def _db(dbfs: float) -> float:
    return float(10 ** (dbfs / 20))


def _fade(n: int, fade_samples: int) -> FloatArray:
    """Raised-cosine fade in and out over ``fade_samples`` (clamped to half the length)."""
    env = np.ones(n)
    k = min(fade_samples, n // 2)
    if k > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(k) + 0.5) / k)
        env[:k] = ramp
        env[n - k :] = ramp[::-1]
    return env


def _to_source(signal: FloatArray, name: str) -> ArraySource:
    return ArraySource(np.round(signal * 32767.0).astype(np.int16), name=name)


def tone(
    frequency: float,
    seconds: float = 1.0,
    *,
    dbfs: float = -6.0,
    fade: float = 0.01,
) -> ArraySource:
    """A steady sine at ``frequency`` Hz, peak ``dbfs``, with ``fade`` s raised-cosine ends."""
    if not 0 < frequency < SAMPLE_RATE / 2 or seconds < 0:
        raise AudioConfigError(f"tone {frequency} Hz / {seconds} s is not playable at 8 kHz")
    n = round(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    sig = _db(dbfs) * np.sin(2 * np.pi * frequency * t) * _fade(n, round(fade * SAMPLE_RATE))
    return _to_source(sig, f"tone {frequency:g} Hz")


def chime(
    kind: ChimeKind = "pre",
    *,
    notes: Sequence[float] | None = None,
    seconds: float | None = None,
    peak_dbfs: float = -6.0,
) -> ArraySource:
    """A bell-like pre-/post-announcement chime (default: two-tone A4 -> C#5, 2 s).

    Each note is a sine with a 10 ms attack and an exponential decay (time constant 0.35 s)
    so successive notes ring like a gong rather than beep; the whole is scaled to
    ``peak_dbfs`` (RMS ends up well below -10 dBFS).
    """
    if notes is None:
        if kind not in CHIMES:
            raise AudioConfigError(f"unknown chime {kind!r}; use one of {sorted(CHIMES)}")
        notes, default_seconds = CHIMES[kind]
    else:
        default_seconds = 1.0 * len(notes)
    total = seconds if seconds is not None else default_seconds
    if not notes or total <= 0:
        raise AudioConfigError("a chime needs at least one note and a positive length")
    per_note = round(total * SAMPLE_RATE / len(notes))
    t = np.arange(per_note) / SAMPLE_RATE
    env = np.exp(-t / 0.35) * _fade(per_note, round(0.01 * SAMPLE_RATE))
    parts = [
        (np.sin(2 * np.pi * f * t) + 0.15 * np.sin(2 * np.pi * 2 * f * t)) * env for f in notes
    ]
    sig = np.concatenate(parts)
    sig *= _db(peak_dbfs) / np.max(np.abs(sig))
    return _to_source(sig, f"chime {kind}")


def two_tone_alarm(
    seconds: float = 5.0,
    *,
    high: float = 560.0,
    low: float = 440.0,
    tone_seconds: float = 0.5,
    peak_dbfs: float = -3.0,
) -> ArraySource:
    """Alternating high/low alarm ("hi-lo", 560/440 Hz as NF S 32-001), phase-continuous.

    This is the evacuation-style attention sound, not Motorola Quick Call two-tone
    sequential paging: rebroadcasting those tones near fire-service radio could set off
    pagers (reference notes §5).
    """
    if seconds <= 0 or tone_seconds <= 0:
        raise AudioConfigError("alarm length and tone length must be positive")
    for f in (high, low):
        if not 0 < f < SAMPLE_RATE / 2:
            raise AudioConfigError(f"alarm tone {f} Hz is not playable at 8 kHz")
    n = round(seconds * SAMPLE_RATE)
    idx = np.arange(n)
    segment = (idx // round(tone_seconds * SAMPLE_RATE)) % 2
    freq = np.where(segment == 0, high, low)
    phase = 2 * np.pi * np.cumsum(freq) / SAMPLE_RATE
    sig = _db(peak_dbfs) * np.sin(phase) * _fade(n, round(0.01 * SAMPLE_RATE))
    return _to_source(sig, "two-tone alarm")

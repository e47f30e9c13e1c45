"""WAV files with the stdlib ``wave`` module, and the WAV file audio source.

Why stdlib: no extra dependency, and integer PCM WAV is what recorders, TTS engines and
speaker vendors (2N, Algo) use.  Float or compressed WAV is refused with a clear error
naming the file (``wave`` cannot read them).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from drivers.audio.errors import AudioFileError
from drivers.audio.pcm import ArraySource, Int16Array, to_int16
from drivers.audio.resample import resample
from drivers.audio.rtp import SAMPLE_RATE

__all__ = ["read_wav", "wav_source", "write_wav"]


def read_wav(path: str | Path) -> tuple[Int16Array, int]:
    """Read integer PCM WAV -> (int16 samples of shape (frames, channels), rate).

    8-bit (unsigned) is widened, 24/32-bit keep their top 16 bits.
    """
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate, count = (
                w.getnchannels(),
                w.getsampwidth(),
                w.getframerate(),
                w.getnframes(),
            )
            raw = w.readframes(count)
    except FileNotFoundError:
        raise AudioFileError(f"{path}: no such file", hint="Check the file name.") from None
    except IsADirectoryError:
        raise AudioFileError(f"{path}: is a directory", hint="Name a .wav file.") from None
    except PermissionError:
        raise AudioFileError(
            f"{path}: permission denied", hint="Check the file's permissions."
        ) from None
    except (wave.Error, EOFError, ValueError) as exc:
        raise AudioFileError(f"{path}: not a readable PCM WAV file ({exc})") from None
    if channels < 1 or rate <= 0:
        raise AudioFileError(f"{path}: bad WAV header ({channels} channels, {rate} Hz)")
    usable = len(raw) // (width * channels) * width * channels
    raw = raw[:usable]
    if width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8
    elif width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.int16)
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        data = (b[:, 1].astype(np.uint16) | (b[:, 2].astype(np.uint16) << 8)).view(np.int16)
    elif width == 4:
        data = (np.frombuffer(raw, dtype="<i4") >> 16).astype(np.int16)
    else:
        raise AudioFileError(f"{path}: {8 * width}-bit samples are not supported")
    return data.reshape(-1, channels), rate


def write_wav(path: str | Path, pcm: npt.ArrayLike, rate: int = SAMPLE_RATE) -> Path:
    """Write int16 samples (1-D mono or (frames, channels)) as 16-bit PCM WAV."""
    path = Path(path)
    data = to_int16(np.asarray(pcm))
    channels = 1 if data.ndim == 1 else data.shape[1]
    try:
        with wave.open(str(path), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(int(rate))
            w.writeframes(data.astype("<i2").tobytes())
    except OSError as exc:
        raise AudioFileError(
            f"{path}: cannot write ({exc.strerror or exc})",
            hint="Check that the folder exists and is writable, and that the disk is not full.",
        ) from None
    return path


def wav_source(path: str | Path) -> ArraySource:
    """A WAV file as a source: mixed to mono, resampled to 8 kHz (see ``resample``)."""
    data, rate = read_wav(path)
    mono = data.astype(np.float64).mean(axis=1)
    return ArraySource(
        np.clip(np.round(resample(mono, rate, SAMPLE_RATE)), -32768, 32767).astype(np.int16),
        name=Path(path).name,
    )

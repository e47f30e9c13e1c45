"""Audio files in: ``soundfile`` (libsndfile, shipped in its wheel) when it loads, else
the stdlib ``wave`` module; out: 16-bit PCM WAV with ``wave``.

Why both: announcements come from recorders, TTS tools and vendors (2N, Algo) as
WAVE_FORMAT_EXTENSIBLE, 32-bit float or FLAC, which ``wave`` cannot read; libsndfile
reads them all.  Without it (a platform with no wheel, a broken install) integer PCM WAV
still plays through ``wave``, and anything else is refused with an error naming the file.
"""

from __future__ import annotations

import wave
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt

from drivers.audio.errors import AudioFileError
from drivers.audio.pcm import ArraySource, Int16Array, to_int16
from drivers.audio.resample import resample
from drivers.audio.rtp import SAMPLE_RATE

__all__ = [
    "pcm_source",
    "read_wav",
    "read_wav_stdlib",
    "soundfile_module",
    "wav_source",
    "write_wav",
]


def soundfile_module() -> ModuleType | None:
    """The ``soundfile`` module if it imports and its libsndfile loads, else None."""
    try:
        import soundfile
    except (ImportError, OSError):
        return None
    module: ModuleType = soundfile
    return module


def read_wav(path: str | Path) -> tuple[Int16Array, int]:
    """Read an audio file -> (int16 samples of shape (frames, channels), rate).

    With ``soundfile``: any WAV (PCM, WAVE_FORMAT_EXTENSIBLE, float), FLAC and the other
    formats libsndfile reads; else :func:`read_wav_stdlib` (integer PCM WAV only)."""
    path = Path(path)
    sf = soundfile_module()
    if sf is None:
        return read_wav_stdlib(path)
    _check_readable(path)
    try:
        # libsndfile hands float files to an int16 read unscaled (0.5 -> 0): read those
        # as float and scale them here (full scale ±1.0).
        floating = sf.info(str(path)).subtype in ("FLOAT", "DOUBLE")
        data, rate = sf.read(str(path), dtype="float64" if floating else "int16", always_2d=True)
    except (RuntimeError, ValueError, TypeError) as exc:  # LibsndfileError is a RuntimeError
        detail = str(getattr(exc, "error_string", "") or exc).strip().rstrip(".")
        raise AudioFileError(
            f"{path}: not a readable WAV or FLAC file ({detail})",
            hint="Use a WAV (PCM or float, any rate, mono or stereo) or FLAC file.",
        ) from None
    if data.shape[1] < 1 or rate <= 0:
        raise AudioFileError(f"{path}: bad header ({data.shape[1]} channels, {rate} Hz)")
    return np.ascontiguousarray(to_int16(data)), int(rate)


def _check_readable(path: Path) -> None:
    """The same clear errors for a missing file, a folder or no permission."""
    if not path.exists():
        raise AudioFileError(f"{path}: no such file", hint="Check the file name.")
    if path.is_dir():
        raise AudioFileError(f"{path}: is a directory", hint="Name a .wav file.")
    try:
        with path.open("rb"):
            pass
    except PermissionError:
        raise AudioFileError(
            f"{path}: permission denied", hint="Check the file's permissions."
        ) from None


def read_wav_stdlib(path: str | Path) -> tuple[Int16Array, int]:
    """Read integer PCM WAV with ``wave`` -> (int16 samples (frames, channels), rate).

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
    """An audio file as a source: mixed to mono, resampled to 8 kHz (see ``resample``)."""
    data, rate = read_wav(path)
    return pcm_source(data, rate, Path(path).name)


def pcm_source(data: npt.ArrayLike, rate: int, name: str) -> ArraySource:
    """Samples at any rate (1-D mono or (frames, channels)) as an 8 kHz mono source."""
    pcm = np.asarray(data, dtype=np.float64)
    mono = pcm.mean(axis=1) if pcm.ndim == 2 else pcm
    return ArraySource(
        np.clip(np.round(resample(mono, rate, SAMPLE_RATE)), -32768, 32767).astype(np.int16),
        name=name,
    )

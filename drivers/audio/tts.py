"""Mandarin text-to-speech through pluggable engines: espeak-ng from its wheel first, then
the system's espeak-ng command.

Why espeak-ng: it works offline and speaks Mandarin (voice ``cmn``).  The quality is
robotic but intelligible; a recorded announcement (``wav_source``) is better for fixed
messages, and a better Mandarin voice is one :func:`register_engine` away.

Engines, tried in order (the first whose :meth:`TtsEngine.available` says yes speaks):

* :class:`EspeakLibrary` -- the espeak-ng library and its voice data from the
  ``espeakng-loader`` wheel, called in-process through ``ctypes``: speech works after
  ``pip install`` with no system package.  The text is handed over as UTF-8 characters
  (no SSML, no markup), so hostile text stays text.
* :class:`EspeakCommand` -- the ``espeak-ng`` program (``apt-get install espeak-ng``),
  the text through stdin, never the command line, so it cannot become an option.

Synthesis blocks (typically well under a second); call :func:`tts_source` via
``asyncio.to_thread`` from the event loop.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from drivers.audio.errors import TtsError, TtsUnavailable
from drivers.audio.pcm import ArraySource, Int16Array
from drivers.audio.wavio import pcm_source, read_wav

VOICES = {"zh": "cmn", "zh-cn": "cmn", "mandarin": "cmn", "cantonese": "yue", "en": "en"}

__all__ = [
    "VOICES",
    "EspeakCommand",
    "EspeakLibrary",
    "TtsEngine",
    "available_engine",
    "engines",
    "espeak_path",
    "register_engine",
    "tts_source",
]


class TtsEngine(Protocol):
    """A speech synthesiser: mono int16 samples at the engine's own rate."""

    name: str

    def available(self) -> bool:
        """Can speak on this machine (cheap; may load a library once)."""
        ...

    def speak(
        self, text: str, *, voice: str, speed: int, amplitude: int, timeout: float
    ) -> tuple[Int16Array, int]:
        """(samples, rate) for ``text``; raises :class:`TtsError` when no audio came."""
        ...


def espeak_path() -> str | None:
    """Where the espeak-ng program is, or None."""
    return shutil.which("espeak-ng")


class EspeakCommand:
    """The system's ``espeak-ng`` program, writing a temporary WAV."""

    name = "espeak-ng"

    def available(self) -> bool:
        return espeak_path() is not None

    def speak(
        self, text: str, *, voice: str, speed: int, amplitude: int, timeout: float
    ) -> tuple[Int16Array, int]:
        exe = espeak_path()
        if exe is None:
            raise TtsUnavailable("espeak-ng is not installed, so text cannot be spoken")
        with tempfile.TemporaryDirectory(prefix="dutydesk-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            cmd = [exe, "-v", voice, "-s", str(speed), "-a", str(amplitude)]
            cmd += ["-w", str(out), "--stdin"]
            try:
                proc = subprocess.run(
                    cmd, input=text.encode("utf-8"), capture_output=True, timeout=timeout
                )
            except subprocess.TimeoutExpired:
                raise TtsError(f"espeak-ng took longer than {timeout:g} s") from None
            except OSError as exc:
                raise TtsUnavailable(f"espeak-ng could not be started ({exc})") from None
            if proc.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
                detail = proc.stderr.decode("utf-8", errors="replace").strip()[-200:]
                raise TtsError(
                    f"espeak-ng voice {voice!r} produced no audio"
                    + (f": {detail}" if detail else "")
                )
            data, rate = read_wav(out)
        return data.mean(axis=1).astype(np.int16), rate


# espeak-ng's C API (speak_lib.h)
_SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS: espeak_Synth returns once all is spoken
_RATE, _VOLUME = 1, 2  # espeakRATE, espeakVOLUME
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class EspeakLibrary:
    """The espeak-ng library and data of the ``espeakng-loader`` wheel, in-process.

    The library keeps one global synthesiser (one voice, one sample callback per
    process), so its state is the class's, shared by every instance, and every call
    holds one lock; it is initialised once, on first use.  ``timeout`` cannot interrupt
    the synchronous call (an announcement is seconds of audio, synthesised in well under
    a second)."""

    name = "espeakng-loader"
    _lock: ClassVar[threading.Lock] = threading.Lock()
    _lib: ClassVar[Any] = None
    _rate: ClassVar[int] = 0
    _failed: ClassVar[str | None] = None
    _chunks: ClassVar[list[Int16Array]] = []

    def available(self) -> bool:
        with self._lock:
            return self._load() is not None

    @classmethod
    def _load(cls) -> Any:
        if cls._lib is not None or cls._failed is not None:
            return cls._lib
        try:
            import espeakng_loader

            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = espeakng_loader.get_data_path()
        except (ImportError, OSError, RuntimeError) as exc:
            cls._failed = str(exc) or type(exc).__name__
            return None
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, str(data).encode(), 0)
        if rate <= 0:
            cls._failed = f"espeak-ng did not start with the data in {data}"
            return None
        lib.espeak_SetSynthCallback(_CALLBACK)
        cls._lib, cls._rate = lib, rate
        return lib

    def speak(
        self, text: str, *, voice: str, speed: int, amplitude: int, timeout: float
    ) -> tuple[Int16Array, int]:
        with self._lock:
            lib = self._load()
            if lib is None:
                raise TtsUnavailable(f"the espeak-ng wheel cannot be used: {EspeakLibrary._failed}")
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise TtsError(f"espeak-ng has no voice {voice!r}")
            lib.espeak_SetParameter(_RATE, speed, 0)
            lib.espeak_SetParameter(_VOLUME, amplitude, 0)
            raw = text.encode("utf-8") + b"\0"
            chunks = EspeakLibrary._chunks = []
            status = lib.espeak_Synth(raw, len(raw), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
            EspeakLibrary._chunks = []
        if status != 0 or not chunks:
            raise TtsError(f"espeak-ng voice {voice!r} produced no audio (status {status})")
        return np.concatenate(chunks), EspeakLibrary._rate


def _on_samples(wav: Any, count: int, _events: Any) -> int:
    """espeak-ng's sample callback: each chunk of speech, kept for the running call."""
    if wav and count > 0:
        chunk = np.ctypeslib.as_array(wav, shape=(count,)).astype(np.int16)
        EspeakLibrary._chunks.append(chunk)
    return 0  # go on


_CALLBACK = _Callback(_on_samples)
"""Kept for the life of the process: the library holds a pointer to it."""

_ENGINES: list[TtsEngine] = [EspeakLibrary(), EspeakCommand()]


def engines() -> Sequence[TtsEngine]:
    """The engines in the order they are tried."""
    return tuple(_ENGINES)


def register_engine(engine: TtsEngine, *, first: bool = True) -> None:
    """Add a synthesiser (a better Mandarin voice): tried before the others by default."""
    if first:
        _ENGINES.insert(0, engine)
    else:
        _ENGINES.append(engine)


def available_engine() -> TtsEngine | None:
    """The engine :func:`tts_source` would use, or None when none can speak here."""
    return next((e for e in _ENGINES if e.available()), None)


def tts_source(
    text: str,
    *,
    voice: str = "zh",
    speed: int = 150,
    amplitude: int = 120,
    timeout: float = 30.0,
    engine: TtsEngine | None = None,
) -> ArraySource:
    """Synthesise ``text`` and return it as an 8 kHz source.

    ``voice`` is an espeak-ng voice or one of the aliases in ``VOICES`` (``'zh'`` maps to
    ``cmn``: the ``zh`` entry in espeak-ng is an MBROLA voice that is usually missing).
    ``speed`` is words per minute (150 is slower than the default 175: horns echo).
    ``engine``: this one, else the first available (:func:`engines`).
    """
    chosen = engine if engine is not None else available_engine()
    if chosen is None:
        raise TtsUnavailable("no speech synthesiser is installed, so text cannot be spoken")
    if not text.strip():
        raise TtsError("nothing to say: the text is empty", hint="Type the announcement text.")
    samples, rate = chosen.speak(
        text,
        voice=VOICES.get(voice.lower(), voice),
        speed=speed,
        amplitude=amplitude,
        timeout=timeout,
    )
    return pcm_source(samples, rate, f"tts: {text[:20]}")

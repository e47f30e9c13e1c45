"""Sound "devices" of the voice path, pulled one 20 ms frame at a time.

The router asks every input for one frame (160 int16 samples at 8 kHz) per tick and
gives every output one frame per tick, so the same code runs with numpy arrays on
virtual time (tests) and with sound cards on real time (production).

Production devices wrap python-sounddevice streams chosen by *name* (as in the station
file).  ``sounddevice`` is imported lazily: without PortAudio, importing it raises
OSError, which becomes :class:`PortAudioMissing` -- the console shows it and carries on.
"""

from __future__ import annotations

import collections
import importlib
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from console.voice.errors import DeviceUnavailable, PortAudioMissing

RATE = 8000
FRAME = 160
Frame = npt.NDArray[np.int16]


class InputDevice(Protocol):
    """Something that yields audio frames: a sound-card input, or an array in tests."""

    name: str

    def open(self) -> None: ...

    def read_frame(self) -> Frame | None:
        """The next 160 samples, or None if none are ready (underrun / not running)."""

    def close(self) -> None: ...


class OutputDevice(Protocol):
    """Something that consumes audio frames: a sound-card output, or a list in tests."""

    name: str

    def open(self) -> None: ...

    def write_frame(self, frame: Frame) -> None: ...

    def close(self) -> None: ...


def silence() -> Frame:
    return np.zeros(FRAME, dtype=np.int16)


# -- test devices ------------------------------------------------------------------------


class ArrayInput:
    """Plays an int16 array frame by frame, then silence (None); remembers what it gave."""

    def __init__(self, samples: npt.ArrayLike, name: str = "array-in") -> None:
        self.name = name
        self._samples = np.asarray(samples, dtype=np.int16).ravel()
        self._pos = 0
        self.opened = False
        self.produced: list[Frame] = []
        """Every frame handed out, in order (tests compare recordings with this)."""

    def open(self) -> None:
        self.opened = True

    def read_frame(self) -> Frame | None:
        if not self.opened or self._pos >= len(self._samples):
            return None
        frame = self._samples[self._pos : self._pos + FRAME]
        self._pos += FRAME
        if len(frame) < FRAME:
            frame = np.concatenate([frame, np.zeros(FRAME - len(frame), np.int16)])
        out = frame.copy()
        self.produced.append(out)
        return out

    def close(self) -> None:
        self.opened = False


class ArraySink:
    """Collects every frame written to it."""

    def __init__(self, name: str = "array-out") -> None:
        self.name = name
        self.frames: list[Frame] = []
        self.opened = False

    def open(self) -> None:
        self.opened = True

    def write_frame(self, frame: Frame) -> None:
        self.frames.append(np.asarray(frame, dtype=np.int16).copy())

    def samples(self) -> Frame:
        return np.concatenate(self.frames) if self.frames else np.zeros(0, np.int16)

    def close(self) -> None:
        self.opened = False


# -- sound cards -------------------------------------------------------------------------

SoundDeviceLoader = Callable[[], ModuleType]


def load_sounddevice() -> ModuleType:
    """Import python-sounddevice, turning "no PortAudio" into :class:`PortAudioMissing`."""
    try:
        return importlib.import_module("sounddevice")
    except OSError as exc:
        raise PortAudioMissing(f"sound cards unavailable: {exc}") from None
    except ImportError as exc:
        raise PortAudioMissing(
            f"sound cards unavailable: python-sounddevice is not installed ({exc})",
            hint="pip install sounddevice (and apt-get install libportaudio2)",
        ) from None


def _device_rate(sd: ModuleType, name: str, kind: str) -> tuple[Any, int]:
    """Find device ``name`` (PortAudio substring match) and a rate that is k x 8 kHz."""
    try:
        info = sd.query_devices(name, kind)
    except (ValueError, OSError) as exc:
        raise DeviceUnavailable(f"sound device {name!r} ({kind}) not found: {exc}") from None
    rate = int(float(info.get("default_samplerate", 48000)))
    if rate % RATE:
        rate = 48000  # plug/default devices resample; hw: devices rarely lack 48 kHz
    return info, rate


class SoundDeviceInput:
    """A sound-card input at k x 8 kHz, decimated to 8 kHz 160-sample frames.

    The PortAudio callback only copies blocks into a deque (no work in the audio
    thread); ``read_frame`` re-blocks and decimates with a k-sample average (a crude but
    adequate low-pass for radio-bandwidth speech).  A deque cap drops the oldest audio if
    the consumer stalls, so latency can never grow without bound.
    """

    def __init__(self, name: str, *, loader: SoundDeviceLoader = load_sounddevice) -> None:
        self.name = name
        self._loader = loader
        self._stream: Any = None
        self._lock = threading.Lock()
        self._blocks: collections.deque[Frame] = collections.deque(maxlen=50)
        self._pending = np.zeros(0, np.int16)
        self._k = 6

    def open(self) -> None:
        sd = self._loader()
        _, rate = _device_rate(sd, self.name, "input")
        self._k = rate // RATE

        def callback(indata: Any, frames: int, time: Any, status: Any) -> None:
            with self._lock:
                self._blocks.append(np.array(indata[:, 0], dtype=np.int16))

        try:
            self._stream = sd.InputStream(
                device=self.name,
                samplerate=rate,
                channels=1,
                dtype="int16",
                latency="low",
                callback=callback,
            )
            self._stream.start()
        except Exception as exc:  # PortAudioError and friends
            raise DeviceUnavailable(f"cannot open sound input {self.name!r}: {exc}") from None

    def read_frame(self) -> Frame | None:
        need = FRAME * self._k
        with self._lock:
            while len(self._pending) < need and self._blocks:
                self._pending = np.concatenate([self._pending, self._blocks.popleft()])
        if len(self._pending) < need:
            return None
        chunk, self._pending = self._pending[:need], self._pending[need:]
        avg = chunk.astype(np.int32).reshape(FRAME, self._k).mean(axis=1)
        out: Frame = np.clip(np.round(avg), -32768, 32767).astype(np.int16)
        return out

    def close(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            try:
                stream.stop()
                stream.close()
            except Exception:
                pass


class SoundDeviceOutput:
    """A sound-card output fed with 8 kHz frames, repeated k x to the device rate."""

    def __init__(self, name: str, *, loader: SoundDeviceLoader = load_sounddevice) -> None:
        self.name = name
        self._loader = loader
        self._stream: Any = None
        self._lock = threading.Lock()
        self._queue: collections.deque[Frame] = collections.deque(maxlen=25)
        self._pending = np.zeros(0, np.int16)
        self._k = 6

    def open(self) -> None:
        sd = self._loader()
        _, rate = _device_rate(sd, self.name, "output")
        self._k = rate // RATE

        def callback(outdata: Any, frames: int, time: Any, status: Any) -> None:
            with self._lock:
                while len(self._pending) < frames and self._queue:
                    self._pending = np.concatenate([self._pending, self._queue.popleft()])
                take = self._pending[:frames]
                self._pending = self._pending[frames:]
            outdata[: len(take), 0] = take
            outdata[len(take) :, 0] = 0

        try:
            self._stream = sd.OutputStream(
                device=self.name,
                samplerate=rate,
                channels=1,
                dtype="int16",
                latency="low",
                callback=callback,
            )
            self._stream.start()
        except Exception as exc:  # PortAudioError and friends
            raise DeviceUnavailable(f"cannot open sound output {self.name!r}: {exc}") from None

    def write_frame(self, frame: Frame) -> None:
        with self._lock:
            self._queue.append(np.repeat(np.asarray(frame, np.int16), self._k))

    def close(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            try:
                stream.stop()
                stream.close()
            except Exception:
                pass

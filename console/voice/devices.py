"""Sound "devices" of the voice path, pulled one 20 ms frame at a time.

The router asks every input for one frame (160 int16 samples at 8 kHz) per tick and
gives every output one frame per tick, so the same code runs with numpy arrays on
virtual time (tests) and with sound cards on real time (production).

Production devices wrap python-sounddevice streams chosen by *name* (as in the station
file).  ``sounddevice`` is imported lazily: without PortAudio, importing it raises
OSError, which becomes :class:`PortAudioMissing` -- the console shows it and carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Protocol

import numpy as np
import numpy.typing as npt

from console.i18n import Phrase
from console.voice.errors import DeviceUnavailable, PortAudioMissing
from drivers.audio import cards
from drivers.audio.errors import AudioBackendMissing, AudioError
from drivers.audio.mic import MicSource

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
# The cards themselves are opened by drivers.audio.cards (one stack for the loudspeaker
# microphone and the radio voice path); these adapters only speak the router's pull API
# and turn the driver's errors into the voice path's.

SoundDeviceLoader = Callable[[], ModuleType]


def load_sounddevice() -> ModuleType:
    """Import python-sounddevice, turning "no PortAudio" into :class:`PortAudioMissing`."""
    try:
        return cards.load_sounddevice()
    except AudioBackendMissing as exc:
        raise PortAudioMissing(
            Phrase("voice.no_portaudio", f"sound cards unavailable: {exc.message}")
        ) from None


class SoundDeviceInput:
    """A sound-card input (headset microphone, radio's audio out) as 8 kHz frames.

    :class:`~drivers.audio.mic.MicSource` opens the card at its own rate and resamples;
    ``read_frame`` is None until a whole frame has been captured."""

    def __init__(self, name: str, *, loader: SoundDeviceLoader = load_sounddevice) -> None:
        self.name = name
        self._loader = loader
        self._mic: MicSource | None = None

    def open(self) -> None:
        mic = MicSource(self.name, prefill=0.0, sounddevice=self._loader())
        try:
            mic.start()
        except AudioError as exc:
            english = f"sound input {self.name!r}: {exc.message}"
            raise DeviceUnavailable(Phrase("voice.input_failed", english, name=self.name)) from None
        self._mic = mic

    def read_frame(self) -> Frame | None:
        return self._mic.read_frame() if self._mic is not None else None

    def close(self) -> None:
        mic, self._mic = self._mic, None
        if mic is not None:
            mic.close()


class SoundDeviceOutput:
    """A sound-card output (headset, radio's audio in) fed with 8 kHz frames."""

    def __init__(self, name: str, *, loader: SoundDeviceLoader = load_sounddevice) -> None:
        self.name = name
        self._loader = loader
        self._card: cards.CardOutput | None = None

    def open(self) -> None:
        card = cards.CardOutput(self.name, sounddevice=self._loader())
        try:
            card.start()
        except AudioError as exc:
            english = f"sound output {self.name!r}: {exc.message}"
            raise DeviceUnavailable(
                Phrase("voice.output_failed", english, name=self.name)
            ) from None
        self._card = card

    def write_frame(self, frame: Frame) -> None:
        if self._card is not None:
            self._card.write_frame(frame)

    def close(self) -> None:
        card, self._card = self._card, None
        if card is not None:
            card.close()

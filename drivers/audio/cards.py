"""Sound cards through python-sounddevice (PortAudio): the one place that opens them.

Both faces that touch a sound card use this module: the loudspeaker path's microphone
(:class:`~drivers.audio.mic.MicSource`) and the radio voice path's headset and radio
interface (``console.voice.devices``).  Why one place (reference notes §4):

* ``sounddevice`` is imported only when a card is opened: on Linux the import raises
  ``OSError`` when PortAudio is missing, and paging, texts, tones and speech must keep
  working on such a PC.  Both that and a missing device become typed errors with hints.
* A device is named by a case-insensitive part of its name (as in the station file), an
  index, or None for the system default, and opened at its *native* rate (``hw:``
  devices refuse 8 kHz; a 44.1 kHz card is common).  :class:`~drivers.audio.resample.
  Resampler` converts to and from the 8 kHz of the radio and RTP paths, so no rate is
  forced and no sample is averaged or repeated.
* The PortAudio callback only copies blocks (no numpy maths, no I/O on the audio thread).
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import threading
from types import ModuleType
from typing import Any

import numpy as np

from drivers.audio.errors import AudioBackendMissing, AudioDeviceError
from drivers.audio.pcm import Int16Array
from drivers.audio.resample import Resampler
from drivers.audio.rtp import SAMPLE_RATE

__all__ = [
    "CardOutput",
    "close_stream",
    "find_device",
    "input_devices",
    "load_sounddevice",
    "open_stream",
    "sd_errors",
]

DeviceSpec = str | int | None
"""Part of a device's name (case-insensitive), its index, or None for the default."""


def load_sounddevice() -> ModuleType:
    """Import ``sounddevice`` now, turning a missing PortAudio into a typed error."""
    try:
        return importlib.import_module("sounddevice")
    except OSError as exc:
        raise AudioBackendMissing(f"PortAudio library not found ({exc})") from None
    except ImportError as exc:
        raise AudioBackendMissing(
            f"the sounddevice package cannot be imported ({exc})",
            hint="Install the sounddevice package (pip install sounddevice) and libportaudio2.",
        ) from None


def sd_errors(sd: ModuleType) -> tuple[type[BaseException], ...]:
    """What a sounddevice call may raise for a device problem (PortAudioError and kin)."""
    err = getattr(sd, "PortAudioError", None)
    extra = (err,) if isinstance(err, type) and issubclass(err, BaseException) else ()
    return (OSError, ValueError, *extra)


def input_devices(sounddevice: ModuleType | None = None) -> list[tuple[int, str]]:
    """(index, name) of every device that can record."""
    sd = sounddevice if sounddevice is not None else load_sounddevice()
    try:
        devices = list(sd.query_devices())
    except sd_errors(sd) as exc:
        raise AudioDeviceError(f"cannot list sound devices ({exc})") from None
    return [(i, str(d["name"])) for i, d in enumerate(devices) if d["max_input_channels"] > 0]


_WORDS = {
    "input": ("microphone", "a microphone", "max_input_channels"),
    "output": ("output device", "an output device", "max_output_channels"),
}


def find_device(sd: ModuleType, wanted: DeviceSpec, kind: str) -> tuple[int | None, dict[str, Any]]:
    """(index, info) of the ``kind`` ("input" / "output") device that ``wanted`` names."""
    word, a_word, channels = _WORDS[kind]
    try:
        if wanted is None:
            return None, dict(sd.query_devices(kind=kind))
        devices = [dict(d) for d in sd.query_devices()]
    except sd_errors(sd) as exc:
        raise AudioDeviceError(
            f"no default {word} ({exc})"
            if wanted is None
            else f"cannot list sound devices ({exc})",
            hint="Plug in the headset or sound card, or name one by part of its name; "
            "`python -m sounddevice` lists devices.",
        ) from None
    fit = [(i, d) for i, d in enumerate(devices) if d.get(channels, 0) > 0]
    names = ", ".join(repr(d["name"]) for _, d in fit) or "none"
    if isinstance(wanted, int):
        for i, d in fit:
            if i == wanted:
                return i, d
        raise AudioDeviceError(f"sound device #{wanted} is not {a_word} ({kind}s: {names})")
    for i, d in fit:
        if wanted.lower() in str(d["name"]).lower():
            return i, d
    raise AudioDeviceError(
        f"no {word} whose name contains {wanted!r} ({kind}s: {names})",
        hint="Plug the device in, or pick one of the listed ones by part of its name.",
    )


def native_rate(info: dict[str, Any], requested: int | None = None) -> int:
    """The rate to open a device at: the one asked for, else the device's own default."""
    return int(requested or float(info.get("default_samplerate") or 48000))


def open_stream(
    sd: ModuleType, device: DeviceSpec, kind: str, samplerate: int | None, **options: Any
) -> tuple[Any, str, int]:
    """Open and start a mono ``kind`` stream on ``device`` at its native (or the asked)
    rate; (stream, device name, rate).  ``options``: dtype, latency, callback, blocksize."""
    index, info = find_device(sd, device, kind)
    rate = native_rate(info, samplerate)
    name = str(info.get("name", "default"))
    factory = sd.InputStream if kind == "input" else sd.OutputStream
    try:
        stream = factory(device=index, samplerate=rate, channels=1, **options)
        stream.start()
    except sd_errors(sd) as exc:
        word = _WORDS[kind][0]
        raise AudioDeviceError(f"cannot open {word} {name!r} at {rate} Hz ({exc})") from None
    return stream, name, rate


def close_stream(stream: Any) -> None:
    """Stop and close ``stream``; closing a dead (unplugged) device must not raise."""
    if stream is None:
        return
    for method in ("stop", "close"):
        with contextlib.suppress(Exception):
            getattr(stream, method)()


class CardOutput:
    """A sound-card output fed with 8 kHz int16 frames, played at the card's own rate.

    ``write_frame`` resamples on the caller's thread and queues the result; the PortAudio
    callback only copies queued samples out (silence when there are none).  The queue is
    capped at ``max_latency`` so a card slower than the system clock cannot build up delay.
    """

    def __init__(
        self,
        device: DeviceSpec = None,
        *,
        samplerate: int | None = None,
        max_latency: float = 0.5,
        sounddevice: ModuleType | None = None,
    ) -> None:
        self.device = device
        self.requested_samplerate = samplerate
        self.max_latency = max_latency
        self._sd = sounddevice
        self._stream: Any = None
        self._lock = threading.Lock()
        self._queue: collections.deque[Int16Array] = collections.deque()
        self._queued = 0
        self._pending: Int16Array = np.zeros(0, np.int16)
        self._resampler: Resampler | None = None
        self.device_name: str | None = None
        self.samplerate: int | None = None
        self.dropped_samples = 0

    @property
    def started(self) -> bool:
        return self._stream is not None

    def start(self) -> None:
        """Open and start the output stream (idempotent)."""
        if self._stream is not None:
            return
        sd = self._sd if self._sd is not None else load_sounddevice()
        stream, self.device_name, rate = open_stream(
            sd, self.device, "output", self.requested_samplerate,
            dtype="int16", latency="low", callback=self._callback,
        )  # fmt: skip
        self.samplerate = rate
        self._resampler = Resampler(SAMPLE_RATE, rate)
        self._stream = stream

    def _callback(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        """PortAudio thread: copy queued samples out, pad with silence."""
        with self._lock:
            while len(self._pending) < frames and self._queue:
                block = self._queue.popleft()
                self._queued -= len(block)
                self._pending = np.concatenate([self._pending, block])
            take = self._pending[:frames]
            self._pending = self._pending[frames:]
        outdata[: len(take), 0] = take
        outdata[len(take) :, 0] = 0

    def write_frame(self, frame: Int16Array) -> None:
        """Queue one 8 kHz frame (resampled to the card's rate here, not in the callback)."""
        if self._resampler is None or self.samplerate is None:
            return
        out = self._resampler.process(np.asarray(frame, np.float64))
        block = np.clip(np.round(out), -32768, 32767).astype(np.int16)
        cap = round(self.max_latency * self.samplerate)
        with self._lock:
            self._queue.append(block)
            self._queued += len(block)
            while self._queued > cap and len(self._queue) > 1:
                old = self._queue.popleft()
                self._queued -= len(old)
                self.dropped_samples += len(old)

    def close(self) -> None:
        """Stop and close the stream; closing an unplugged card does not raise."""
        stream, self._stream = self._stream, None
        close_stream(stream)

"""Live microphone capture with python-sounddevice (PortAudio), imported lazily.

Why this shape (reference notes §4):

* ``sounddevice`` is imported only when a microphone is opened: on Linux the import
  raises ``OSError`` when PortAudio is missing, and files, tones and speech must keep
  working on such a PC.  Both that and a missing device become typed errors with hints.
* The stream is opened at the device's *native* rate (``hw:`` devices refuse 8 kHz) with
  ``blocksize=0`` and low latency; the PortAudio callback only copies the block into a
  queue (no numpy work, no locks, no I/O on the audio thread).
* The consumer (``frames()``, pulled by the Broadcaster on its own 20 ms deadlines)
  resamples to 8 kHz with :class:`Resampler`, re-blocks into 160-sample frames and never
  blocks: before the first ``prefill`` of audio, and whenever the card falls behind, it
  returns silence (counted in ``underruns``); when the card runs ahead of the system clock
  (two clocks never agree) it drops the oldest audio beyond ``max_latency``
  (``dropped_samples``), so latency stays bounded on long pages.
"""

from __future__ import annotations

import contextlib
import importlib
import queue
import time as _time
from collections.abc import Iterator
from types import ModuleType, TracebackType
from typing import Any

import numpy as np

from drivers.audio.errors import AudioBackendMissing, AudioDeviceError
from drivers.audio.pcm import Int16Array
from drivers.audio.resample import Resampler
from drivers.audio.rtp import FRAME_SAMPLES, SAMPLE_RATE

__all__ = ["MicSource", "input_devices", "load_sounddevice"]


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


def _sd_errors(sd: ModuleType) -> tuple[type[BaseException], ...]:
    err = getattr(sd, "PortAudioError", None)
    extra = (err,) if isinstance(err, type) and issubclass(err, BaseException) else ()
    return (OSError, ValueError, *extra)


def input_devices(sounddevice: ModuleType | None = None) -> list[tuple[int, str]]:
    """(index, name) of every device that can record."""
    sd = sounddevice if sounddevice is not None else load_sounddevice()
    try:
        devices = list(sd.query_devices())
    except _sd_errors(sd) as exc:
        raise AudioDeviceError(f"cannot list sound devices ({exc})") from None
    return [(i, str(d["name"])) for i, d in enumerate(devices) if d["max_input_channels"] > 0]


class MicSource:
    """A microphone as an :class:`AudioSource` (live: ``next()`` never blocks).

    ``device`` is a case-insensitive substring of the device name (e.g. ``"USB"``,
    ``"Headset"``), an index, or None for the system default input.  ``sounddevice`` may
    be injected (tests use a fake module with the same ``query_devices``/``InputStream``
    surface).
    """

    def __init__(
        self,
        device: str | int | None = None,
        *,
        samplerate: int | None = None,
        blocksize: int = 0,
        latency: float | str = "low",
        prefill: float = 0.01,
        max_latency: float = 0.06,
        sounddevice: ModuleType | None = None,
    ) -> None:
        self.device = device
        self.requested_samplerate = samplerate
        self.blocksize = blocksize
        self.latency = latency
        self.prefill_samples = round(prefill * SAMPLE_RATE)
        self.max_samples = max(round(max_latency * SAMPLE_RATE), FRAME_SAMPLES + 1)
        self._sd = sounddevice
        self._queue: queue.SimpleQueue[tuple[Any, bool]] = queue.SimpleQueue()
        self._stream: Any = None
        self._resampler: Resampler | None = None
        self._fifo: Int16Array = np.zeros(0, dtype=np.int16)
        self._primed = False
        self._closed = False
        self.device_name: str | None = None
        self.samplerate: int | None = None
        self.blocks = 0
        self.status_flags = 0  # blocks that PortAudio flagged (overflow etc.)
        self.underruns = 0
        self.dropped_samples = 0
        self.last_block_at: float | None = None

    # -- the audio thread -------------------------------------------------------------
    def _callback(self, indata: Any, frames: int, time: Any, status: Any) -> None:
        """PortAudio thread: copy and enqueue, nothing else."""
        self._queue.put_nowait((indata.copy(), bool(status)))

    # -- lifecycle --------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._stream is not None

    def _find_device(self, sd: ModuleType) -> tuple[int | None, dict[str, Any]]:
        errors = _sd_errors(sd)
        try:
            if self.device is None:
                info = dict(sd.query_devices(kind="input"))
                return None, info
            devices = [dict(d) for d in sd.query_devices()]
        except errors as exc:
            raise AudioDeviceError(
                f"no default microphone ({exc})",
                hint="Plug in a headset/microphone or name one with --mic; "
                "`python -m sounddevice` lists devices.",
            ) from None
        inputs = [(i, d) for i, d in enumerate(devices) if d.get("max_input_channels", 0) > 0]
        names = ", ".join(repr(d["name"]) for _, d in inputs) or "none"
        if isinstance(self.device, int):
            for i, d in inputs:
                if i == self.device:
                    return i, d
            raise AudioDeviceError(
                f"sound device #{self.device} is not a microphone (inputs: {names})"
            )
        wanted = self.device.lower()
        for i, d in inputs:
            if wanted in str(d["name"]).lower():
                return i, d
        raise AudioDeviceError(
            f"no microphone whose name contains {self.device!r} (inputs: {names})",
            hint="Plug the headset in, or pick one of the listed inputs by part of its name.",
        )

    def start(self) -> None:
        """Open and start the input stream (idempotent)."""
        if self._stream is not None:
            return
        sd = self._sd if self._sd is not None else load_sounddevice()
        index, info = self._find_device(sd)
        rate = int(self.requested_samplerate or info.get("default_samplerate") or 48000)
        self.device_name = str(info.get("name", "default"))
        try:
            stream = sd.InputStream(
                device=index,
                channels=1,
                samplerate=rate,
                dtype="float32",
                blocksize=self.blocksize,
                latency=self.latency,
                callback=self._callback,
            )
            stream.start()
        except _sd_errors(sd) as exc:
            raise AudioDeviceError(
                f"cannot open microphone {self.device_name!r} at {rate} Hz ({exc})"
            ) from None
        self.samplerate = rate
        self._resampler = Resampler(rate, SAMPLE_RATE)
        self._fifo = np.zeros(0, dtype=np.int16)
        self._primed = False
        self._closed = False
        self._stream = stream

    def close(self) -> None:
        """Stop and close the stream; ``frames()`` iterators end at their next pull."""
        self._closed = True
        stream, self._stream = self._stream, None
        if stream is None:
            return
        for method in ("stop", "close"):
            # Closing a dead (unplugged) device must not raise.
            with contextlib.suppress(Exception):
                getattr(stream, method)()

    def __enter__(self) -> MicSource:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the consumer -----------------------------------------------------------------
    def _drain(self) -> None:
        assert self._resampler is not None
        parts = [self._fifo]
        while True:
            try:
                block, flagged = self._queue.get_nowait()
            except queue.Empty:
                break
            self.blocks += 1
            self.status_flags += flagged
            self.last_block_at = _time.monotonic()
            data = np.asarray(block)
            if data.ndim == 2:
                data = data[:, 0]
            scale = 32767.0 if data.dtype.kind == "f" else 1.0
            out = self._resampler.process(data.astype(np.float64) * scale)
            parts.append(np.clip(np.round(out), -32768, 32767).astype(np.int16))
        if len(parts) > 1:
            self._fifo = np.concatenate(parts)
        if len(self._fifo) > self.max_samples:
            extra = len(self._fifo) - self.max_samples
            self.dropped_samples += extra
            self._fifo = self._fifo[extra:]

    def next_frame(self) -> Int16Array:
        """The next 20 ms frame: captured audio, or silence if not enough has arrived."""
        self._drain()
        if not self._primed and len(self._fifo) >= FRAME_SAMPLES + self.prefill_samples:
            self._primed = True
        if self._primed and len(self._fifo) >= FRAME_SAMPLES:
            frame, self._fifo = self._fifo[:FRAME_SAMPLES], self._fifo[FRAME_SAMPLES:]
            return frame
        if self._primed:
            self.underruns += 1
            self._primed = False
        return np.zeros(FRAME_SAMPLES, dtype=np.int16)

    def frames(self) -> Iterator[Int16Array]:
        """Frames until ``close()``; opens the stream if needed (and then closes it)."""
        owns = self._stream is None
        self.start()
        try:
            while not self._closed:
                yield self.next_frame()
        finally:
            if owns:
                self.close()

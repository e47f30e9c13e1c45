"""Live microphone capture with python-sounddevice (PortAudio), imported lazily.

Why this shape (reference notes §4; opening a card lives in :mod:`drivers.audio.cards`):

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

import queue
import time as _time
from collections.abc import Iterator
from types import ModuleType, TracebackType
from typing import Any

import numpy as np

from drivers.audio.cards import close_stream, input_devices, load_sounddevice, open_stream
from drivers.audio.pcm import Int16Array
from drivers.audio.resample import Resampler
from drivers.audio.rtp import FRAME_SAMPLES, SAMPLE_RATE

__all__ = ["MicSource", "input_devices", "load_sounddevice"]


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

    def start(self) -> None:
        """Open and start the input stream (idempotent)."""
        if self._stream is not None:
            return
        sd = self._sd if self._sd is not None else load_sounddevice()
        stream, self.device_name, rate = open_stream(
            sd, self.device, "input", self.requested_samplerate,
            dtype="float32", blocksize=self.blocksize, latency=self.latency,
            callback=self._callback,
        )  # fmt: skip
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
        close_stream(stream)

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
        frame = self.read_frame()
        return frame if frame is not None else np.zeros(FRAME_SAMPLES, dtype=np.int16)

    def read_frame(self) -> Int16Array | None:
        """The next 20 ms frame, or None while not enough has arrived (the voice path's
        pull: it tells "nothing captured" from captured silence)."""
        self._drain()
        if not self._primed and len(self._fifo) >= FRAME_SAMPLES + self.prefill_samples:
            self._primed = True
        if self._primed and len(self._fifo) >= FRAME_SAMPLES:
            frame, self._fifo = self._fifo[:FRAME_SAMPLES], self._fifo[FRAME_SAMPLES:]
            return frame
        if self._primed:
            self.underruns += 1
            self._primed = False
        return None

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

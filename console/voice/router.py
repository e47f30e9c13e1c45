"""Moves audio between the headset, the radio's sound card and the recorder, 20 ms a tick.

One tick: read the headset microphone and the radio input (always, so stale audio never
piles up in a sound card's buffer), send the microphone to the radio while the officer
holds PTT, hand the radio frame to the recorder tap, and play the radio (plus any replay)
in the headset.  Ticks are paced on the injected clock at absolute deadlines, so virtual
time makes the routing exact and repeatable in tests.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Callable

import numpy as np

from console.voice.devices import FRAME, Frame, InputDevice, OutputDevice, silence
from console.voice.errors import DeviceUnavailable
from drivers.clock import Clock

TICK = FRAME / 8000  # 20 ms
MAX_BEHIND = 3 * TICK  # later than this: skip ahead instead of bursting


class AudioRouter:
    """The four voice-path devices and the tick that connects them.

    Any device may be None (not configured or failed to open); its role is then silent.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        headset_in: InputDevice | None = None,
        headset_out: OutputDevice | None = None,
        radio_in: InputDevice | None = None,
        radio_out: OutputDevice | None = None,
    ) -> None:
        self.clock = clock
        self.headset_in = headset_in
        self.headset_out = headset_out
        self.radio_in = radio_in
        self.radio_out = radio_out
        self.transmitting = False
        """While True the headset microphone goes to the radio (the officer holds PTT)."""
        self.radio_tap: Callable[[Frame | None], None] | None = None
        """Called with every radio-input frame (None when the input had nothing)."""
        self.ticks = 0
        self._replay: collections.deque[tuple[Frame, asyncio.Future[None] | None]] = (
            collections.deque()
        )
        self._task: asyncio.Task[None] | None = None

    def open(self) -> list[DeviceUnavailable]:
        """Open every device; the ones that fail are dropped and their errors returned."""
        problems: list[DeviceUnavailable] = []
        for role in ("headset_in", "headset_out", "radio_in", "radio_out"):
            device = getattr(self, role)
            if device is None:
                continue
            try:
                device.open()
            except DeviceUnavailable as exc:
                problems.append(exc)
                setattr(self, role, None)
        return problems

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._pump())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for _, fut in self._replay:
            if fut is not None and not fut.done():
                fut.cancel()
        self._replay.clear()
        for role in ("headset_in", "headset_out", "radio_in", "radio_out"):
            device = getattr(self, role)
            if device is not None:
                device.close()

    def play_to_headset(self, samples: Frame) -> asyncio.Future[None]:
        """Queue audio for the headset (instant recall); the future resolves when played."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        data = np.asarray(samples, dtype=np.int16).ravel()
        if len(data) % FRAME:
            data = np.concatenate([data, np.zeros(FRAME - len(data) % FRAME, np.int16)])
        frames = [data[i : i + FRAME] for i in range(0, len(data), FRAME)]
        if not frames or self.headset_out is None:
            fut.set_result(None)
            return fut
        for frame in frames[:-1]:
            self._replay.append((frame, None))
        self._replay.append((frames[-1], fut))
        return fut

    def tick(self) -> None:
        """One 20 ms step (public so tests can drive it without a clock)."""
        self.ticks += 1
        mic = self.headset_in.read_frame() if self.headset_in is not None else None
        if self.transmitting and self.radio_out is not None:
            self.radio_out.write_frame(mic if mic is not None else silence())
        rx = self.radio_in.read_frame() if self.radio_in is not None else None
        if self.radio_tap is not None:
            self.radio_tap(rx)
        if self.headset_out is None:
            return
        out = rx if (rx is not None and not self.transmitting) else None
        done: asyncio.Future[None] | None = None
        if self._replay:
            frame, done = self._replay.popleft()
            out = frame if out is None else _mix(out, frame)
        self.headset_out.write_frame(out if out is not None else silence())
        if done is not None and not done.done():
            done.set_result(None)

    async def _pump(self) -> None:
        # Deadlines are origin + n x 20 ms (not a running sum) so they never drift.
        origin, n = self.clock.monotonic(), 0
        while True:
            n += 1
            delay = origin + n * TICK - self.clock.monotonic()
            if delay < -MAX_BEHIND:
                origin, n = self.clock.monotonic(), 0  # the loop stalled: don't burst
                delay = 0.0
            await self.clock.sleep(max(0.0, delay))
            self.tick()


def _mix(a: Frame, b: Frame) -> Frame:
    total = a.astype(np.int32) + b.astype(np.int32)
    return np.clip(total, -32768, 32767).astype(np.int16)

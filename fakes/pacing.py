"""Serial-line timing: output no faster than N baud, input counted at the same rate.

A pty or a socket moves bytes instantly and in arbitrary lumps; a UART at 115200 baud
moves 11 520 bytes per second (10 bits per byte: start, 8 data, stop).  :class:`OutputPump`
sends the gateway's output in chunks, each written when its last byte would have left a
real line.  Deadlines are absolute (``line_free += bytes * 10 / baud``), so a late wake-up
on a real clock never accumulates drift.  Chunking and inter-chunk gaps come from the
fault plan (1-byte writes are allowed).  :class:`InputPacer` delivers TE bytes to the
gateway when they would have finished arriving.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from drivers.clock import Clock, SystemClock
from fakes.faults import Faults

BITS_PER_BYTE = 10
# On real time the loop's timers fire late by up to a millisecond (epoll rounds its timeout
# up to whole ms), which would make the fake slower than the line it models.  The last
# stretch before a deadline is therefore spent yielding to the loop instead of sleeping.
SPIN = 0.0015


async def until(clock: Clock, deadline: float) -> None:
    """Wait until ``deadline`` on ``clock``, precisely on real time, exactly on virtual time."""
    wait = deadline - clock.monotonic()
    if wait <= 0:
        return
    if not isinstance(clock, SystemClock):
        await clock.sleep(wait)
        return
    if wait > SPIN:
        await clock.sleep(wait - SPIN)
    while clock.monotonic() < deadline:
        await asyncio.sleep(0)


UART_FIFO = 16  # default chunk when pacing without a chunking fault


def line_time(nbytes: int, baud: int) -> float:
    """Seconds that ``nbytes`` take on an 8N1 line at ``baud``."""
    return nbytes * BITS_PER_BYTE / baud


class OutputPump:
    """Queue of output bytes drained to ``write`` with pacing and chunking."""

    def __init__(
        self,
        clock: Clock,
        write: Callable[[bytes], None],
        *,
        baud: int | None,
        faults: Faults,
    ) -> None:
        self._clock = clock
        self._write = write
        self.baud = baud
        self._faults = faults
        self._queue = bytearray()
        self._task: asyncio.Task[None] | None = None
        self._line_free = 0.0
        self.bytes_out = 0

    @property
    def idle(self) -> bool:
        return not self._queue and self._task is None

    def _shaped(self) -> bool:
        p = self._faults.plan
        return (
            self.baud is not None
            or p.chunk_min is not None
            or p.chunk_max is not None
            or p.chunk_gap > 0
        )

    def push(self, data: bytes) -> None:
        if not data:
            return
        now = self._clock.monotonic()
        if not self._queue and self._line_free < now:
            self._line_free = now
        self._queue += data
        if self._task is not None:
            return
        if not self._shaped():
            chunk = bytes(self._queue)
            self._queue.clear()
            self.bytes_out += len(chunk)
            self._write(chunk)
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    def clear(self) -> None:
        self._queue.clear()
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        try:
            while self._queue:
                size = self._faults.chunk_size()
                if size is None:
                    size = UART_FIFO if self.baud is not None else len(self._queue)
                chunk = bytes(self._queue[:size])
                del self._queue[:size]
                if self.baud is not None:
                    end = self._line_free + line_time(len(chunk), self.baud)
                    self._line_free = end
                    await until(self._clock, end)
                self.bytes_out += len(chunk)
                self._write(chunk)
                if self._queue:
                    gap = self._faults.plan.chunk_gap
                    if gap > 0:
                        await self._clock.sleep(gap)
                    else:
                        await asyncio.sleep(0)
        finally:
            self._task = None


class InputPacer:
    """Deliver TE bytes to ``deliver`` once they would have arrived over the line."""

    def __init__(self, clock: Clock, deliver: Callable[[bytes], None], *, baud: int | None):
        self._clock = clock
        self._deliver = deliver
        self.baud = baud
        self._free = 0.0
        self.pending = 0
        self.bytes_in = 0
        self._due: deque[tuple[float, bytes]] = deque()
        self._task: asyncio.Task[None] | None = None

    def feed(self, data: bytes) -> None:
        self.bytes_in += len(data)
        if self.baud is None:
            self._deliver(data)
            return
        now = self._clock.monotonic()
        self._free = max(self._free, now) + line_time(len(data), self.baud)
        self.pending += 1
        deadline = self._free
        if isinstance(self._clock, SystemClock):
            # One task delivers in order, each chunk at its own precise deadline.
            self._due.append((deadline, data))
            if self._task is None:
                self._task = asyncio.get_running_loop().create_task(self._run())
            return

        def arrive() -> None:
            self.pending -= 1
            self._deliver(data)

        self._clock.call_later(deadline - now, arrive)

    async def _run(self) -> None:
        try:
            while self._due:
                deadline, data = self._due[0]
                await until(self._clock, deadline)
                self._due.popleft()
                self.pending -= 1
                self._deliver(data)
        finally:
            self._task = None

"""Injected time, so that engines, links and fakes run on virtual time in tests.

Production code never calls ``time.monotonic`` or ``asyncio.sleep`` directly for anything
that matters to behaviour (deadlines, keep-alives, responder delays, pacing); it asks its
``Clock``.  :class:`SystemClock` is the real thing (the running asyncio loop's clock);
:class:`VirtualClock` only moves when a test advances it, so a test of a 5-minute target
runs in milliseconds and never sleeps.

Both clocks are used from the asyncio loop's thread only.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time as _time
from collections.abc import Awaitable, Callable
from typing import Protocol


class TimerHandle(Protocol):
    """What ``call_later`` returns: something that can be cancelled."""

    def cancel(self) -> None: ...


class TimeSource(Protocol):
    """The two times every record carries: what the event log and the incident book need
    (they stamp, they never wait), and what every :class:`Clock` is."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for durations and deadlines)."""

    def time(self) -> float:
        """Wall-clock time, Unix seconds (for timestamps shown to people and in logs)."""


class Clock(TimeSource, Protocol):
    """The time source every engine, link and fake is given."""

    def call_later(self, delay: float, callback: Callable[[], object]) -> TimerHandle:
        """Run ``callback`` once after ``delay`` seconds of this clock."""

    async def sleep(self, delay: float) -> None:
        """Suspend the calling task for ``delay`` seconds of this clock."""


class SystemClock:
    """Real time: the running asyncio loop's monotonic clock and the system wall clock."""

    def monotonic(self) -> float:
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:
            return _time.monotonic()

    def time(self) -> float:
        return _time.time()

    def call_later(self, delay: float, callback: Callable[[], object]) -> TimerHandle:
        return asyncio.get_running_loop().call_later(max(0.0, delay), callback)

    async def sleep(self, delay: float) -> None:
        await asyncio.sleep(max(0.0, delay))


class _VirtualTimer:
    __slots__ = ("_callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[[], object]) -> None:
        self.when = when
        self._callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def fire(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self._callback()


# 2026-01-01T08:00:00+08:00: a fixed, plausible start for reproducible wall-clock stamps.
DEFAULT_VIRTUAL_EPOCH = 1767225600.0


class VirtualClock:
    """A clock that moves only when told to.

    ``advance(dt)`` fires every timer that falls due, in order, with ``monotonic()`` set to
    each timer's due time while it runs; between timers it lets the asyncio loop run the
    tasks those timers woke (and, through ``settle``, lets a test harness wait until bytes
    in flight on a pty or socket have been consumed), so cause and effect keep their order.
    """

    def __init__(self, start: float = 0.0, epoch: float = DEFAULT_VIRTUAL_EPOCH) -> None:
        self._now = start
        self._epoch = epoch - start
        self._heap: list[tuple[float, int, _VirtualTimer]] = []
        self._seq = itertools.count()
        self.settle: Callable[[], Awaitable[None]] | None = None

    def monotonic(self) -> float:
        return self._now

    def time(self) -> float:
        return self._epoch + self._now

    def call_later(self, delay: float, callback: Callable[[], object]) -> TimerHandle:
        timer = _VirtualTimer(self._now + max(0.0, delay), callback)
        heapq.heappush(self._heap, (timer.when, next(self._seq), timer))
        return timer

    async def sleep(self, delay: float) -> None:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not fut.done():
                fut.set_result(None)

        handle = self.call_later(delay, wake)
        try:
            await fut
        finally:
            handle.cancel()

    def next_due(self) -> float | None:
        """When the next live timer is due, or None."""
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    async def _let_run(self) -> None:
        # Several turns of the loop: a woken task may itself wake others.
        for _ in range(5):
            await asyncio.sleep(0)
        if self.settle is not None:
            await self.settle()

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, firing due timers in order."""
        target = self._now + max(0.0, seconds)
        await self._let_run()
        while True:
            due = self.next_due()
            if due is None or due > target:
                break
            _, _, timer = heapq.heappop(self._heap)
            self._now = max(self._now, timer.when)
            timer.fire()
            await self._let_run()
        self._now = target
        await self._let_run()

    async def run_until(
        self, predicate: Callable[[], bool], *, limit: float, step: float | None = None
    ) -> bool:
        """Advance timer by timer (or by ``step``) until ``predicate()`` or ``limit`` passes.

        Returns whether the predicate became true.  This is how a test waits "until every
        responder has answered" without sleeping.
        """
        end = self._now + limit
        await self._let_run()
        while not predicate():
            due = self.next_due()
            if step is not None:
                nxt = self._now + step
                if due is not None:
                    nxt = min(nxt, due)
            else:
                nxt = due if due is not None else end
            if nxt > end:
                await self.advance(end - self._now)
                return predicate()
            await self.advance(nxt - self._now)
        return True

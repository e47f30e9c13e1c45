"""The link's command desk: a queue by priority (then first come, init commands before
all), and the one command on the wire with its deadline."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from drivers.clock import Clock, TimerHandle
from drivers.errors import CommandTimeout, DriverError, LinkDown
from drivers.link.port import CommandRejected, Wire
from drivers.pei import events as ev
from drivers.pei.commands import Command
from drivers.pei.protocol import PeiProtocol

PRIORITY_EMERGENCY = 0
PRIORITY_HIGH = 1
PRIORITY_NORMAL = 5
PRIORITY_LOW = 9
_INTERNAL = -1  # init commands: before anything a user queued


@dataclass(eq=False)
class Queued:
    """One command waiting for (or holding) the wire, and the future its caller awaits."""

    command: Command
    future: asyncio.Future[ev.CommandCompleted]
    timeout: float
    internal: bool


class CommandDesk:
    """Queued commands and the outstanding one; ``wake`` is set whenever the next may go."""

    def __init__(self, protocol: PeiProtocol, clock: Clock, on_timeout: Callable[[], None]):
        self.protocol, self.clock = protocol, clock
        self.active: Queued | None = None
        self.active_until = 0.0
        """When the outstanding command's deadline passes (clock time)."""
        self.wake = asyncio.Event()
        self._heap: list[tuple[int, int, Queued]] = []
        self._seq = itertools.count()
        self._deadline: TimerHandle | None = None
        self._on_timeout = on_timeout

    async def submit(
        self, command: Command, timeout: float, priority: int, internal: bool
    ) -> ev.CommandCompleted:
        """Queue ``command`` and wait for its result (raises on refusal, time-out, loss)."""
        future: asyncio.Future[ev.CommandCompleted] = asyncio.get_running_loop().create_future()
        prio = _INTERNAL if internal else priority
        heapq.heappush(
            self._heap, (prio, next(self._seq), Queued(command, future, timeout, internal))
        )
        self.wake.set()
        return await future

    async def run(
        self, wire: Wire, up: Callable[[], bool], lost: Callable[[str], None], url: str
    ) -> None:
        """Feed the wire, one command at a time, for as long as the link lives."""
        while True:
            await self.wake.wait()
            self.wake.clear()
            while item := self.next(up()):
                if wire.port is None:
                    item.future.set_exception(LinkDown(f"gateway link {url} is not open"))
                elif error := await wire.write(self.begin(item)):
                    lost(error)

    def next(self, up: bool) -> Queued | None:
        """The next item to send: none while one is outstanding, only init ones unless ``up``."""
        while self.active is None and self._heap and (up or self._heap[0][2].internal):
            item = heapq.heappop(self._heap)[2]
            if not item.future.done():
                return item
        return None

    def begin(self, item: Queued) -> bytes:
        """``item`` goes on the wire now: its bytes, and its deadline starts."""
        data = self.protocol.send(item.command)
        self.active = item
        self.active_until = self.clock.monotonic() + item.timeout
        self._deadline = self.clock.call_later(item.timeout, lambda: self._expired(item))
        return data

    def finish(self) -> Queued | None:
        item, self.active = self.active, None
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.wake.set()
        return item

    def complete(self, event: ev.CommandCompleted | ev.CommandFailed) -> bool:
        """A final result arrived: settle the outstanding caller (True if there was one)."""
        item = self.finish()
        if item is None or item.future.done():
            return False
        if isinstance(event, ev.CommandCompleted):
            item.future.set_result(event)
        else:
            item.future.set_exception(CommandRejected(event))
        return True

    def fail_all(self, error: DriverError) -> None:
        item = self.finish()
        self.protocol.abandon("link lost")
        pending = ([item] if item else []) + [q[2] for q in self._heap]
        self._heap.clear()
        for it in pending:
            if not it.future.done():
                it.future.set_exception(error)

    def _expired(self, item: Queued) -> None:
        if self.active is not item:
            return
        self.protocol.abandon("timeout")
        self.finish()
        if not item.future.done():
            why = f"{item.command.name}: no answer from the gateway within {item.timeout:g} s"
            item.future.set_exception(CommandTimeout(why))
        self._on_timeout()

    def __len__(self) -> int:
        return len(self._heap) + (1 if self.active else 0)

    @property
    def idle(self) -> bool:
        return not self._heap and self.active is None

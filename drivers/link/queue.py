"""The link's command queue: by priority, then first come; init commands go before all."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from dataclasses import dataclass, field

from drivers.pei import events as ev
from drivers.pei.commands import Command

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


@dataclass
class CommandQueue:
    """A heap of :class:`Queued`; user commands wait while the link is not UP."""

    _heap: list[tuple[int, int, Queued]] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    def push(self, item: Queued, priority: int) -> None:
        heapq.heappush(
            self._heap, (_INTERNAL if item.internal else priority, next(self._seq), item)
        )

    def pop(self, up: bool) -> Queued | None:
        """The next item to send, or None (empty, or only user commands while not ``up``)."""
        if not self._heap or (not up and not self._heap[0][2].internal):
            return None
        return heapq.heappop(self._heap)[2]

    def drain(self) -> list[Queued]:
        items = [q[2] for q in self._heap]
        self._heap.clear()
        return items

    def __len__(self) -> int:
        return len(self._heap)

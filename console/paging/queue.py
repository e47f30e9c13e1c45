"""The engine's own priority queue of SDS sends.

Why not just call the gateway for every responder at once: the link already serialises
commands, but then 2000 coroutines would sit in the link's queue, an emergency page would
wait behind them in arrival order, and after a reconnect nobody would know which of them
had really reached the gateway.  Here each send is a :class:`SendJob` that stays ours
until the gateway accepted it; the worker feeds the gateway one at a time, emergency
first, and puts a job back (same message reference) when the link drops under it.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from dataclasses import dataclass


@dataclass
class SendJob:
    """One SDS to send (mutable: the worker marks retries on it)."""

    page_id: str
    issi: int
    destination: int
    text: str
    priority: int
    attempt: int
    message_ref: int | None = None
    retry: bool = False
    tries: int = 0
    call: bool = False
    """A voice group call to ``destination`` instead of an SDS."""
    members: tuple[int, ...] = ()
    """For one SDS to a talkgroup: the responders it stands for (no per-radio reports)."""
    recovery: bool = False
    followup: bool = False
    """Fast alert: an individual SDS-TL to a unit the group SDS reached (or not) that has
    not acknowledged yet, with the group message's reference."""
    """A resend after a blind window (``recovery.py``): same reference, already accepted."""


class SendQueue:
    """A priority queue (lower number first, FIFO within a priority) with async ``get``."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, SendJob]] = []
        self._seq = itertools.count()
        self._front = itertools.count(-1, -1)
        self._ready = asyncio.Event()

    def put(self, job: SendJob) -> None:
        heapq.heappush(self._heap, (job.priority, next(self._seq), job))
        self._ready.set()

    def put_front(self, job: SendJob) -> None:
        """Put a job back ahead of everything of its priority (a send the link dropped)."""
        heapq.heappush(self._heap, (job.priority, next(self._front), job))
        self._ready.set()

    async def get(self) -> SendJob:
        while not self._heap:
            self._ready.clear()
            await self._ready.wait()
        return heapq.heappop(self._heap)[2]

    def remove_page(self, page_id: str) -> int:
        """Drop the queued jobs of a page (the officer closed it); return how many."""
        keep = [item for item in self._heap if item[2].page_id != page_id]
        dropped = len(self._heap) - len(keep)
        heapq.heapify(keep)
        self._heap = keep
        return dropped

    def __len__(self) -> int:
        return len(self._heap)

    def jobs(self) -> list[SendJob]:
        return [item[2] for item in sorted(self._heap)]

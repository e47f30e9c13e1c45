"""The UI's one stream: coalesced batches, at a pace the screen can keep up with.

Engines push into a :class:`~console.runtime.view.Feed` at wire speed; this hands the
listeners one :class:`~console.runtime.view.Batch` at most every ``batch_interval`` of
real loop time, stretched (doubling, up to ``max_batch_interval``) while batches come in
full, so a flood of radio traffic can never stall the screen or the officer's keys.  The
event log's tail rides along whenever the log committed something since the last batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from console.eventlog import EventLog, EventLogError
from console.runtime.view import Batch, Feed, LogTail, UiEvent
from drivers.listeners import Listeners

log_ = logging.getLogger(__name__)


def _listener_failed(listener: object, exc: Exception) -> None:
    log_.error("runtime listener %r failed", listener, exc_info=exc)


BatchListener = Callable[[Batch], None]
BUSY_BATCH = 60
"""Events in one batch from which the next flush waits longer (a flood is on: repaint the
screen a few times a second instead of a dozen, so keys are answered at once)."""


class BatchStream:
    """Owns the feed and its listeners; flushes on the running loop once attached."""

    def __init__(
        self,
        log: EventLog,
        *,
        batch_interval: float,
        max_batch_interval: float,
        tail_size: int,
    ) -> None:
        self.log = log
        self.batch_interval = batch_interval
        self.max_batch_interval = max(batch_interval, max_batch_interval)
        self.tail_size = tail_size
        self.feed = Feed(wake=self._schedule_flush)
        self._interval = batch_interval
        """The wait between flushes now: doubled after a busy batch, reset by a quiet one."""
        self.listeners: Listeners[Batch] = Listeners()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._flush_handle: asyncio.Handle | None = None
        self._last_flush = 0.0
        self._log_dirty = True
        self._closed = False
        self._reading: asyncio.Future[list[Any]] | None = None
        """The log's tail being read in a thread (never on the loop: the screen's)."""
        self._tail: LogTail | None = None
        """A tail read since the last batch, to go with the next one."""

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start flushing on ``loop`` (the runtime's start); nothing is scheduled before."""
        self._loop = loop

    def close(self) -> None:
        self._closed = True
        if self._reading is not None:
            self._reading.cancel()
        if self._flush_handle is not None:
            self._flush_handle.cancel()

    def push(self, event: UiEvent) -> None:
        self.feed.push(event)

    def subscribe(self, listener: BatchListener) -> Callable[[], None]:
        """``listener(batch)`` on the loop, at most once per ``batch_interval`` (up to
        ``max_batch_interval`` apart while a flood of events goes on)."""
        return self.listeners.subscribe(listener)

    def _schedule_flush(self) -> None:
        loop = self._loop
        if loop is None or self._flush_handle is not None or self._closed:
            return
        wait = self._last_flush + self._interval - loop.time()
        if wait <= 0:
            self._flush_handle = loop.call_soon(self.flush)
        else:
            self._flush_handle = loop.call_later(wait, self.flush)

    def flush(self) -> Batch:
        """Hand the listeners everything queued now (tests call it to skip the wait)."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._loop is not None:
            self._last_flush = self._loop.time()
        extra: list[UiEvent] = []
        if self._tail is not None:
            extra.append(self._tail)
            self._tail = None
        if self._log_dirty:
            self._read_tail(extra)
        batch = self.feed.take(extra)
        busy = len(batch.events) >= BUSY_BATCH or batch.dropped_activity > 0
        self._interval = (
            min(self.max_batch_interval, self._interval * 2) if busy else self.batch_interval
        )
        if batch.events:
            self.listeners.emit(batch, _listener_failed)  # a broken view must not stop it
        return batch

    def _read_tail(self, extra: list[UiEvent]) -> None:
        """Read the log's tail in a thread once the loop runs; it rides with the batch
        after it is in.  Before :meth:`attach` there is no screen to freeze: read now."""
        loop = self._loop
        if loop is None:
            self._log_dirty = False
            with contextlib.suppress(EventLogError):
                extra.append(LogTail(tuple(self.log.tail(self.tail_size))))
            return
        if self._reading is not None or self._closed:
            return  # one read at a time; the flag stays up for the next
        self._log_dirty = False
        self._reading = loop.run_in_executor(None, self.log.tail, self.tail_size)
        self._reading.add_done_callback(self._tail_read)

    def _tail_read(self, reading: asyncio.Future[list[Any]]) -> None:
        self._reading = None
        if self._closed or reading.cancelled():
            return
        if isinstance(reading.exception(), EventLogError):
            return  # the log says why elsewhere (its health); the pane keeps what it had
        self._tail = LogTail(tuple(reading.result()))
        self.feed.wake()

    def on_commit(self, _committed: int) -> None:
        """The log committed: its tail goes with the next batch."""
        # Writer thread (background log) or the loop (tick): only flip a flag and wake.
        self._log_dirty = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.feed.wake)

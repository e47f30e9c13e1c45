"""Committing the event log when no writer thread does it (virtual time in tests).

With ``background`` the log's own writer thread commits and this does nothing; without
it (tests on a :class:`~drivers.clock.VirtualClock`) every part that appends asks
:meth:`LogPump.after_append`, and the log is ticked soon on the runtime's clock -- so the
screen's log tail and the queries see what was appended, in virtual time.
"""

from __future__ import annotations

import contextlib

from console.eventlog import EventLog, EventLogError
from drivers.clock import Clock, TimerHandle

TICK_DELAY = 0.005
"""How soon after an append the log is committed on our clock (virtual time only)."""


class LogPump:
    """Ticks ``log`` on ``clock`` after appends, unless its writer thread does."""

    def __init__(self, log: EventLog, clock: Clock, *, background: bool) -> None:
        self.log = log
        self.clock = clock
        self.background = background
        self._timer: TimerHandle | None = None
        self._closed = False

    def after_append(self) -> None:
        """On virtual time (no writer thread) commit soon on our clock."""
        if self.background or self._timer is not None or self._closed:
            return
        self._timer = self.clock.call_later(TICK_DELAY, self._tick)

    def _tick(self) -> None:
        self._timer = None
        with contextlib.suppress(EventLogError):
            self.log.tick()
        if self.log.pending_count:
            self.after_append()

    def flush(self) -> None:
        """Commit what is queued, so a query sees everything appended so far."""
        with contextlib.suppress(EventLogError):
            self.log.flush()

    def close(self) -> None:
        """No more ticks (the runtime flushes and closes the log itself, last)."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()

"""What every part of one station's runtime works with, handed over as one object.

The paging desk, the loudspeakers, the voice path, roll calls, drills and the wire
watcher all need the same few things -- the station, the clock, the operator, the event
log (and a way to get it committed), the UI feed and the id maker.  Passing them as one
:class:`Shared` keeps each part's constructor about what is particular to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from console.config import Station
from console.eventlog import EventLog
from console.ids import IdMaker
from console.runtime.logpump import LogPump
from console.runtime.view import Feed, UiEvent
from drivers.clock import Clock

log_ = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shared:
    """The station's common ground (see the module docstring)."""

    station: Station
    clock: Clock
    operator: str
    log: EventLog
    feed: Feed
    pump: LogPump
    ids: IdMaker

    def push(self, event: UiEvent) -> None:
        """Queue ``event`` for the UI and get what was logged with it committed."""
        self.feed.push(event)
        self.pump.after_append()

    def after_append(self) -> None:
        self.pump.after_append()

    def flush_log(self) -> None:
        """Commit what is queued, so a query sees everything appended so far."""
        self.pump.flush()

    def task_done(self, task: asyncio.Task[Any]) -> None:
        """Done-callback of a roll call's or drill's task: say why it failed, if it did,
        and let the screen see the end."""
        if not task.cancelled() and task.exception() is not None:
            log_.error("runtime: %s", task.exception())
        self.pump.after_append()
        self.feed.wake()


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` if it still runs and wait until it has wound down (whatever it
    raises): a roll call or drill ends logged as interrupted when the console closes."""
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(BaseException):
            await task

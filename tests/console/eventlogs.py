"""The event log the console tests open on a virtual clock (the ``open_log`` fixture in
``tests/console/conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from console.eventlog import EventLog
from drivers.clock import Clock

OpenLog = Callable[[Clock], EventLog]
"""``open_log(clock)``: the test's log file on that clock, closed after the test."""


def open_event_log(db: Path, clock: Clock) -> EventLog:
    """Foreground commits (the test flushes), ``normal`` durability: fast and exact."""
    return EventLog.open(db, clock=clock, durability="normal", background=False)

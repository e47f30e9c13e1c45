"""The console's event log: the append-only record of everything worth keeping.

Wire events, every rung of every responder's acknowledgement ladder, escalations, incident
changes, alarms, operator actions, roll calls, drills and broadcasts go into one SQLite
table that nobody can UPDATE or DELETE; the screen and the reports are views of it
(design §4).  Appends are queued and committed in groups (``writer.py``) so the log keeps
up with the wire while "logged before shown as done" stays cheap to honour: await
``EventLog.committed(id)`` before showing something as done.

No Textual here: the UI reads ``health``/``status()`` and subscribes with
``add_commit_listener``.  See ``docs/eventlog.md``.
"""

from __future__ import annotations

from drivers.clock import SystemClock
from drivers.clock import TimeSource as Clock

from . import kinds
from .errors import (
    EventLogError,
    LogBadEvent,
    LogBadQuery,
    LogClosed,
    LogCorrupt,
    LogDiskFull,
    LogIOError,
    LogLocked,
    LogReadOnly,
    LogSchemaError,
)
from .export import export, export_main, write_records
from .query import parse_time
from .records import EventRecord, NewEvent
from .schema import LATEST_VERSION
from .store import Durability, EventLog
from .writer import Health, LogStatus

__all__ = [
    "LATEST_VERSION",
    "Clock",
    "Durability",
    "EventLog",
    "EventLogError",
    "EventRecord",
    "Health",
    "LogBadEvent",
    "LogBadQuery",
    "LogClosed",
    "LogCorrupt",
    "LogDiskFull",
    "LogIOError",
    "LogLocked",
    "LogReadOnly",
    "LogSchemaError",
    "LogStatus",
    "NewEvent",
    "SystemClock",
    "export",
    "export_main",
    "kinds",
    "parse_time",
    "write_records",
]

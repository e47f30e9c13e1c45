"""Incidents and alarms: the closed loop of every call for help, and alarms that nag.

* :class:`IncidentBook` -- open, move along 上报→派发→处置→反馈→办结→评价, note, attach
  pages/broadcasts, record answers; every change is logged first; ``restore`` rebuilds it.
* :class:`AlarmBoard` -- emergencies and detector alerts from the gateway become alarm
  incidents at once; received/acknowledged; reminders until acknowledged.

Import from here; the sub-modules are an implementation detail.  No Textual in this package.
"""

from __future__ import annotations

from console.incidents.alarms import AlarmBoard
from console.incidents.book import IncidentBook
from console.incidents.errors import (
    BadIncidentValueError,
    IncidentError,
    InvalidTransitionError,
    MissingOperatorError,
    UnknownAlarmError,
    UnknownIncidentError,
)
from console.incidents.events import (
    Alarm,
    AlarmAcknowledged,
    AlarmEvent,
    AlarmRaised,
    AlarmReminder,
    AlarmRepeated,
    IncidentChanged,
)
from console.incidents.model import (
    ADHOC_KIND,
    ALARM_KIND,
    PRIORITIES,
    SYSTEM_OPERATOR,
    TRANSITIONS,
    Answer,
    Incident,
    IncidentState,
    Priority,
    TimelineEntry,
)
from console.incidents.rules import DEFAULT_TEXT_RULES, AlarmRules, TextRule

__all__ = [
    "ADHOC_KIND",
    "ALARM_KIND",
    "DEFAULT_TEXT_RULES",
    "PRIORITIES",
    "SYSTEM_OPERATOR",
    "TRANSITIONS",
    "Alarm",
    "AlarmAcknowledged",
    "AlarmBoard",
    "AlarmEvent",
    "AlarmRaised",
    "AlarmReminder",
    "AlarmRepeated",
    "AlarmRules",
    "Answer",
    "BadIncidentValueError",
    "Incident",
    "IncidentBook",
    "IncidentChanged",
    "IncidentError",
    "IncidentState",
    "InvalidTransitionError",
    "MissingOperatorError",
    "Priority",
    "TextRule",
    "TimelineEntry",
    "UnknownAlarmError",
    "UnknownIncidentError",
]

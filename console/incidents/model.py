"""Value types of the incident engine: states, incidents and their timeline entries.

Everything here is a frozen dataclass of plain values so an :class:`Incident` can be handed
to the UI, to the paging engine and to report code without anyone being able to change it
behind the book's back: a change is a *new* instance, published to listeners.  The
timeline is 1:1 with the event-log records of the incident (``TimelineEntry.kind`` is the
log kind), which is what makes a book rebuilt from the log identical to the live one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Literal

from console.i18n import register, t


class IncidentState(StrEnum):
    """The grid-governance closed loop (上报 → 派发 → 处置 → 反馈 → 办结 → 评价)."""

    RAISED = "raised"
    DISPATCHED = "dispatched"
    HANDLING = "handling"
    FEEDBACK = "feedback"
    CLOSED = "closed"
    ASSESSED = "assessed"

    def label(self, lang: str = "zh-CN") -> str:
        """The word the officer reads: Chinese by default, English on request."""
        return t(f"incident.state.{self.value}", lang)

    @property
    def is_open(self) -> bool:
        """Still needs work (not yet 办结 / 评价)."""
        return self not in (IncidentState.CLOSED, IncidentState.ASSESSED)


WORDS = register(
    {
        "incident.state.raised": ("上报", "Raised"),
        "incident.state.dispatched": ("派发", "Dispatched"),
        "incident.state.handling": ("处置", "Handling"),
        "incident.state.feedback": ("反馈", "Feedback"),
        "incident.state.closed": ("办结", "Closed"),
        "incident.state.assessed": ("评价", "Assessed"),
    }
)

_S = IncidentState
TRANSITIONS: Final[dict[IncidentState, frozenset[IncidentState]]] = {
    # A report can be dispatched, taken in hand at once by whoever is on scene, or closed
    # straight away (false alarm, duplicate) -- the note says why.
    _S.RAISED: frozenset({_S.DISPATCHED, _S.HANDLING, _S.CLOSED}),
    # Units were paged; they start handling, report back directly, or it is called off.
    _S.DISPATCHED: frozenset({_S.HANDLING, _S.FEEDBACK, _S.CLOSED}),
    _S.HANDLING: frozenset({_S.FEEDBACK, _S.CLOSED}),
    # Feedback not good enough: back to handling; otherwise close.
    _S.FEEDBACK: frozenset({_S.HANDLING, _S.CLOSED}),
    # Closed work is assessed; going back to work is the explicit ``reopen`` action only.
    _S.CLOSED: frozenset({_S.ASSESSED}),
    _S.ASSESSED: frozenset(),
}
"""Allowed ``transition`` moves.  Reopening (closed/assessed → handling) is not here on
purpose: it must be the explicit :meth:`IncidentBook.reopen`, never a slip of a key."""

REOPEN_FROM: Final[frozenset[IncidentState]] = frozenset({_S.CLOSED, _S.ASSESSED})
REOPEN_TO: Final = _S.HANDLING

Priority = Literal["normal", "urgent", "emergency"]
PRIORITIES: Final[tuple[Priority, ...]] = ("normal", "urgent", "emergency")
PRIORITY_RANK: Final[dict[str, int]] = {"emergency": 0, "urgent": 1, "normal": 2}
PRIORITY_LABELS_ZH: Final[dict[str, str]] = {
    "normal": "一般",
    "urgent": "紧急",
    "emergency": "特急",
}

# Event-log kinds written by the book (the ``incident`` family; see console.eventlog.kinds).
INCIDENT_OPENED: Final = "incident.opened"
INCIDENT_STATE: Final = "incident.state"
INCIDENT_NOTE: Final = "incident.note"
INCIDENT_PAGE: Final = "incident.page_attached"
INCIDENT_BROADCAST: Final = "incident.broadcast_attached"
INCIDENT_ANSWER: Final = "incident.answer"
# Written by the alarm board against the alarm's incident (``alarm`` family).
ALARM_RAISED: Final = "alarm.raised"
ALARM_REPEATED: Final = "alarm.repeated"
ALARM_ACKNOWLEDGED: Final = "alarm.acknowledged"

INCIDENT_LOG_KINDS: Final[tuple[str, ...]] = (
    INCIDENT_OPENED,
    INCIDENT_STATE,
    INCIDENT_NOTE,
    INCIDENT_PAGE,
    INCIDENT_BROADCAST,
    INCIDENT_ANSWER,
)
ALARM_KINDS: Final[tuple[str, ...]] = (ALARM_RAISED, ALARM_REPEATED, ALARM_ACKNOWLEDGED)

HAND_RAISED_KINDS: Final[tuple[str, ...]] = (
    "traffic",
    "fire",
    "security",
    "drowning",
    "safety",
    "medical",
    "other",
)
"""Kinds offered when the officer raises an incident by hand, first the default (the book
accepts any kind; alarms and pages bring their own)."""

ADHOC_KIND: Final = "adhoc"
ALARM_KIND: Final = "alarm"
SYSTEM_OPERATOR: Final = "console"
"""Operator recorded for what the console does by itself (logging an alarm as it arrives);
the incident an alarm opens names the officer on duty instead."""
RADIO_SOURCE: Final = "radio:"
"""``Incident.source`` prefix of an incident opened by a radio's alarm (``radio:2004``)."""


@dataclass(frozen=True)
class TimelineEntry:
    """One timestamped thing that happened to an incident; one event-log record.

    ``kind`` is the log kind (``incident.note``, ``alarm.raised`` ...), ``event_id`` the
    log id (await ``EventLog.committed(event_id)`` before showing it as done).  ``text`` is
    the note, answer summary or title, kept verbatim: render it as data, never as markup.
    """

    event_id: int
    kind: str
    wall: float
    mono: float
    operator: str | None
    text: str = ""
    state: IncidentState | None = None
    previous: IncidentState | None = None
    ref: str | None = None
    """The page, broadcast or alarm id this entry is about."""
    unit: str | None = None


@dataclass(frozen=True)
class Answer:
    """What a unit answered on the incident (the paging engine reports it)."""

    unit: str
    summary: str
    wall: float
    mono: float


@dataclass(frozen=True)
class Incident:
    """One incident with its whole history.  Frozen: every change makes a new instance."""

    id: str
    kind: str
    title: str
    priority: Priority
    state: IncidentState
    opened_by: str
    opened_wall: float
    opened_mono: float
    location: str | None = None
    source: str | None = None
    pages: tuple[str, ...] = ()
    broadcasts: tuple[str, ...] = ()
    timeline: tuple[TimelineEntry, ...] = field(default=(), repr=False)

    @property
    def is_open(self) -> bool:
        return self.state.is_open

    @property
    def updated_wall(self) -> float:
        return self.timeline[-1].wall if self.timeline else self.opened_wall

    @property
    def updated_mono(self) -> float:
        return self.timeline[-1].mono if self.timeline else self.opened_mono

    @property
    def notes(self) -> tuple[TimelineEntry, ...]:
        return tuple(e for e in self.timeline if e.kind == INCIDENT_NOTE)

    @property
    def answers(self) -> tuple[Answer, ...]:
        return tuple(
            Answer(e.unit or "", e.text, e.wall, e.mono)
            for e in self.timeline
            if e.kind == INCIDENT_ANSWER
        )

    def allowed_next(self) -> frozenset[IncidentState]:
        """States ``transition`` accepts from here (reopen is separate)."""
        return TRANSITIONS[self.state]

    def state_label(self, lang: str = "zh-CN") -> str:
        return self.state.label(lang)

"""What the incident engine tells the UI: frozen event dataclasses, and the Alarm value.

The UI subscribes (``IncidentBook.subscribe``, ``AlarmBoard.subscribe``) and renders these;
it holds no business rules.  Text that came from a radio (``Alarm.text``) is carried
verbatim -- the UI must render it as data (no markup, no escapes interpreted).
"""

from __future__ import annotations

from dataclasses import dataclass

from console.incidents.model import Incident, TimelineEntry


@dataclass(frozen=True)
class Alarm:
    """An alarm from the field: a radio's emergency or a detector's alert.

    Two acknowledgements, as professional consoles keep them apart: *received* (the
    console processed it; automatic, ``received_*``) and *acknowledged* (a person saw it
    and took it; ``acknowledged_*``).  Repeats from the same source until it is
    acknowledged are folded in (``repeats``: wall/mono of each); after that, the source's
    next alarm is a new one.
    """

    id: str
    incident_id: str | None
    """None only if the event log refused the alarm (it still demands attention)."""
    source: str
    """``emergency_status``, ``emergency_call`` or ``text_rule``."""
    kind: str
    """What the alarm is about: ``emergency``, ``smoke``, ``fire`` ... (from the rule)."""
    sender: str
    called: str
    alias: str
    text: str | None
    received_wall: float
    received_mono: float
    event_id: int | None
    rule: str | None = None
    repeats: tuple[tuple[float, float], ...] = ()
    acknowledged_by: str | None = None
    acknowledged_wall: float | None = None
    acknowledged_mono: float | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_by is not None

    @property
    def count(self) -> int:
        """How many times the source raised it (1 + repeats)."""
        return 1 + len(self.repeats)

    @property
    def last_wall(self) -> float:
        return self.repeats[-1][0] if self.repeats else self.received_wall

    @property
    def merge_key(self) -> tuple[str, str]:
        return (self.kind, self.sender)


@dataclass(frozen=True)
class IncidentChanged:
    """An incident changed; ``entries`` are the timeline entries this change added."""

    incident: Incident
    entries: tuple[TimelineEntry, ...]


@dataclass(frozen=True)
class AlarmRaised:
    """A new alarm: show it at once, sound the alert."""

    alarm: Alarm


@dataclass(frozen=True)
class AlarmRepeated:
    """The same source raised the same alarm again; it was recorded on the open alarm."""

    alarm: Alarm


@dataclass(frozen=True)
class AlarmReminder:
    """An alarm is still unacknowledged after ``number`` × interval seconds: alert again."""

    alarm: Alarm
    number: int
    wall: float
    mono: float

    @property
    def waiting_s(self) -> float:
        return self.mono - self.alarm.received_mono


@dataclass(frozen=True)
class AlarmAcknowledged:
    """An officer acknowledged the alarm; its reminders stop."""

    alarm: Alarm


AlarmEvent = AlarmRaised | AlarmRepeated | AlarmReminder | AlarmAcknowledged

"""The one reducer that turns event-log records into incidents.

The live :class:`~console.incidents.book.IncidentBook` appends a record and then feeds
*the same record* through :func:`apply`; :meth:`IncidentBook.restore` feeds the records
read back from SQLite.  One code path means a restarted console shows exactly what the
crashed one showed (the tests compare them field by field).  Data read back from JSON has
lists where tuples went in, so nothing here depends on the container type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

from console.eventlog import EventRecord, NewEvent
from console.incidents import model as m
from console.incidents.events import Alarm
from console.incidents.model import Incident, IncidentState, TimelineEntry


@dataclass(frozen=True)
class LoggedEvent:
    """A record as the reducer needs it: from a fresh append or from the database."""

    event_id: int
    kind: str
    wall: float
    mono: float
    incident: str | None
    page: str | None
    unit: str | None
    operator: str | None
    data: Mapping[str, Any]

    @classmethod
    def from_record(cls, record: EventRecord) -> LoggedEvent:
        return cls(
            record.id,
            record.kind,
            record.wall,
            record.mono,
            record.incident,
            record.page,
            record.unit,
            record.operator,
            record.data,
        )

    @classmethod
    def from_new(cls, event_id: int, event: NewEvent) -> LoggedEvent:
        """The appended event exactly as the log will store it (text columns as str)."""
        assert isinstance(event.wall, float) and isinstance(event.mono, float)

        def text(value: str | int | None) -> str | None:
            return None if value is None else str(value)

        return cls(
            event_id,
            event.kind,
            event.wall,
            event.mono,
            text(event.incident),
            text(event.page),
            text(event.unit),
            event.operator,
            dict(event.data or {}),
        )


def _str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _state(data: Mapping[str, Any], key: str) -> IncidentState | None:
    value = data.get(key)
    return None if value is None else IncidentState(value)


def _entry(ev: LoggedEvent, **fields: Any) -> TimelineEntry:
    return TimelineEntry(ev.event_id, ev.kind, ev.wall, ev.mono, ev.operator, **fields)


def apply(incidents: dict[str, Incident], ev: LoggedEvent) -> Incident | None:
    """Fold one record into ``incidents`` (in place); return the changed incident, if any.

    Records of other families, of unknown incidents, or that do not belong to the
    timeline are ignored, so a log written by a newer console still restores.
    """
    if ev.incident is None:
        return None
    data = ev.data
    if ev.kind == m.INCIDENT_OPENED:
        inc = Incident(
            id=ev.incident,
            kind=str(data.get("kind", m.ADHOC_KIND)),
            title=str(data.get("title", "")),
            priority=cast(m.Priority, data.get("priority", "normal")),
            state=IncidentState(data.get("state", IncidentState.RAISED)),
            opened_by=ev.operator or "",
            opened_wall=ev.wall,
            opened_mono=ev.mono,
            location=_str(data, "location"),
            source=_str(data, "source"),
            timeline=(_entry(ev, text=str(data.get("title", "")), state=IncidentState.RAISED),),
        )
        incidents[inc.id] = inc
        return inc
    old = incidents.get(ev.incident)
    if old is None:
        return None
    new: Incident | None
    if ev.kind == m.INCIDENT_STATE:
        state = IncidentState(data["state"])
        if data.get("initial"):
            # Written with incident.opened so the log's incident_summary view shows a state;
            # the opening entry already says it.
            new = replace(old, state=state)
        else:
            entry = _entry(
                ev, text=str(data.get("note") or ""), state=state, previous=_state(data, "from")
            )
            new = replace(old, state=state, timeline=(*old.timeline, entry))
    elif ev.kind == m.INCIDENT_NOTE:
        new = replace(old, timeline=(*old.timeline, _entry(ev, text=str(data.get("text", "")))))
    elif ev.kind == m.INCIDENT_PAGE:
        entry = _entry(ev, ref=ev.page)
        pages = old.pages if ev.page in old.pages or ev.page is None else (*old.pages, ev.page)
        new = replace(old, pages=pages, timeline=(*old.timeline, entry))
    elif ev.kind == m.INCIDENT_BROADCAST:
        ref = _str(data, "broadcast")
        entry = _entry(ev, ref=ref)
        casts = old.broadcasts
        if ref is not None and ref not in casts:
            casts = (*casts, ref)
        new = replace(old, broadcasts=casts, timeline=(*old.timeline, entry))
    elif ev.kind == m.INCIDENT_ANSWER:
        entry = _entry(ev, text=str(data.get("summary", "")), unit=ev.unit)
        new = replace(old, timeline=(*old.timeline, entry))
    elif ev.kind in m.ALARM_KINDS:
        text = data.get("text")
        entry = _entry(
            ev, text="" if text is None else str(text), ref=_str(data, "alarm"), unit=ev.unit
        )
        new = replace(old, timeline=(*old.timeline, entry))
    else:
        new = None
    if new is not None:
        incidents[new.id] = new
    return new


def apply_alarm(alarms: dict[str, Alarm], ev: LoggedEvent) -> Alarm | None:
    """Fold one ``alarm.*`` record into ``alarms`` (in place), as :func:`apply` does for
    incidents; used by ``AlarmBoard.restore``."""
    data = ev.data
    alarm_id = _str(data, "alarm")
    if alarm_id is None:
        return None
    if ev.kind == m.ALARM_RAISED:
        text = data.get("text")
        alarm = Alarm(
            id=alarm_id,
            incident_id=ev.incident,
            source=str(data.get("source", "")),
            kind=str(data.get("kind", "")),
            sender=str(data.get("sender", ev.unit or "")),
            called=str(data.get("called", "")),
            alias=str(data.get("alias", "")),
            text=None if text is None else str(text),
            received_wall=ev.wall,
            received_mono=ev.mono,
            event_id=ev.event_id,
            rule=_str(data, "rule"),
        )
        alarms[alarm_id] = alarm
        return alarm
    old = alarms.get(alarm_id)
    if old is None:
        return None
    if ev.kind == m.ALARM_REPEATED:
        new = replace(old, repeats=(*old.repeats, (ev.wall, ev.mono)))
    elif ev.kind == m.ALARM_ACKNOWLEDGED:
        new = replace(
            old, acknowledged_by=ev.operator, acknowledged_wall=ev.wall, acknowledged_mono=ev.mono
        )
    else:
        return None
    alarms[alarm_id] = new
    return new

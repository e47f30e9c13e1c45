"""``IncidentBook``: the duty officer's open incidents and their closed loop.

Every change is written to the event log first (with the operator's name and the injected
clock's wall and monotonic time) and only then applied -- through the same reducer that
rebuilds the book after a restart (:mod:`console.incidents.replay`).  So the screen never
shows a change the log does not have, and a restarted console shows what the old one did.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from console.config import Station
from console.eventlog import EventLog, NewEvent
from console.eventlog.sink import EventBatcher
from console.incidents import model as m
from console.incidents.errors import (
    BadIncidentValueError,
    InvalidTransitionError,
    MissingOperatorError,
    UnknownIncidentError,
)
from console.incidents.events import IncidentChanged
from console.incidents.model import Incident, IncidentState, Priority, TimelineEntry
from console.incidents.replay import LoggedEvent, apply
from drivers.clock import TimeSource
from drivers.listeners import Listeners

log_ = logging.getLogger(__name__)


def _listener_failed(listener: object, exc: Exception) -> None:
    log_.error("incident listener %r failed", listener, exc_info=exc)


IncidentListener = Callable[[IncidentChanged], None]
_ID_RE = re.compile(r"^INC-(\d+)$")


def _need_operator(operator: str | None, action: str) -> str:
    if not isinstance(operator, str) or not operator.strip():
        raise MissingOperatorError(action)
    return operator


def _need_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadIncidentValueError(f"{what} is empty", hint=f"Type a {what}.")
    return value


class IncidentBook:
    """All incidents of this console, open and closed, rebuilt from the log on restart."""

    def __init__(
        self, clock: TimeSource, log: EventBatcher, station: Station | None = None
    ) -> None:
        self.clock = clock
        self.log = log
        self.station = station
        self._incidents: dict[str, Incident] = {}
        self._next = 1
        self.listeners: Listeners[IncidentChanged] = Listeners()

    # -- restore -----------------------------------------------------------------------

    @classmethod
    def restore(
        cls, log: EventLog, clock: TimeSource, station: Station | None = None
    ) -> IncidentBook:
        """Rebuild the book from every committed ``incident.*`` / ``alarm.*`` record."""
        book = cls(clock, log, station)
        for record in log.query(kinds=["incident.*", "alarm.*"]):
            book._absorb(LoggedEvent.from_record(record))
        return book

    def _absorb(self, ev: LoggedEvent) -> Incident | None:
        changed = apply(self._incidents, ev)
        if changed is not None:
            match = _ID_RE.match(changed.id)
            if match:
                self._next = max(self._next, int(match.group(1)) + 1)
        return changed

    # -- listeners ---------------------------------------------------------------------

    def subscribe(self, callback: IncidentListener) -> Callable[[], None]:
        """Call ``callback(IncidentChanged)`` after every change; returns the remover."""
        return self.listeners.subscribe(callback)

    def _emit(self, event: IncidentChanged) -> None:
        self.listeners.emit(event, _listener_failed)  # a broken view must not stop the record

    # -- the write path ----------------------------------------------------------------

    def _commit(self, incident_id: str, events: list[NewEvent]) -> Incident:
        """Append atomically, then apply the same records; notify once."""
        return self._commit_ids(incident_id, events)[1]

    def _commit_ids(self, incident_id: str, events: list[NewEvent]) -> tuple[list[int], Incident]:
        ids = self.log.append_many(events)
        before = self._incidents.get(incident_id)
        seen = len(before.timeline) if before is not None else 0
        for event_id, event in zip(ids, events, strict=True):
            self._absorb(LoggedEvent.from_new(event_id, event))
        after = self._incidents[incident_id]
        self._emit(IncidentChanged(after, after.timeline[seen:]))
        return ids, after

    def _event(
        self,
        kind: str,
        incident_id: str,
        *,
        data: Mapping[str, Any],
        operator: str | None,
        unit: str | int | None = None,
        page: str | int | None = None,
        stamp: tuple[float, float] | None = None,
    ) -> NewEvent:
        wall, mono = stamp if stamp is not None else (self.clock.time(), self.clock.monotonic())
        return NewEvent(
            kind,
            data=dict(data),
            unit=unit,
            incident=incident_id,
            page=page,
            operator=operator,
            wall=float(wall),
            mono=float(mono),
        )

    # -- reading -----------------------------------------------------------------------

    def get(self, incident_id: str) -> Incident | None:
        """The incident, or None (use :meth:`require` to get an error with a hint)."""
        return self._incidents.get(str(incident_id))

    def require(self, incident_id: str) -> Incident:
        inc = self._incidents.get(str(incident_id))
        if inc is None:
            raise UnknownIncidentError(str(incident_id))
        return inc

    def timeline(self, incident_id: str) -> list[TimelineEntry]:
        return list(self.require(incident_id).timeline)

    def all(self) -> list[Incident]:
        """Every incident this log knows, oldest first."""
        return sorted(self._incidents.values(), key=lambda i: (i.opened_mono, i.id))

    def active(self) -> list[Incident]:
        """Open incidents, most pressing first: emergency, urgent, normal; oldest first
        within a priority (the one that has waited longest is the next to look at)."""
        return sorted(
            (i for i in self._incidents.values() if i.is_open),
            key=lambda i: (m.PRIORITY_RANK.get(i.priority, 9), i.opened_wall, i.id),
        )

    # -- changes -----------------------------------------------------------------------

    def open_incident(
        self,
        kind: str,
        title: str,
        *,
        operator: str,
        location: str | None = None,
        priority: Priority = "normal",
        source: str | None = None,
    ) -> Incident:
        """Raise (上报) a new incident."""
        operator = _need_operator(operator, "open incident")
        title = _need_text(title, "title")
        kind = _need_text(kind, "incident kind")
        if priority not in m.PRIORITIES:
            raise BadIncidentValueError(
                f"unknown priority {priority!r}", hint="Use normal, urgent or emergency."
            )
        incident_id = f"INC-{self._next:04d}"
        stamp = (self.clock.time(), self.clock.monotonic())
        data: dict[str, Any] = {
            "kind": kind,
            "title": title,
            "priority": priority,
            "state": IncidentState.RAISED.value,
            "location": location,
            "source": source,
        }
        events = [
            self._event(m.INCIDENT_OPENED, incident_id, data=data, operator=operator, stamp=stamp),
            self._event(
                m.INCIDENT_STATE,
                incident_id,
                data={"state": IncidentState.RAISED.value, "from": None, "initial": True},
                operator=operator,
                stamp=stamp,
            ),
        ]
        return self._commit(incident_id, events)

    def adhoc_for_page(self, title: str, operator: str) -> Incident:
        """An incident for a page the officer sent without opening one first, so that
        every page belongs to an incident and is counted in the closed loop."""
        return self.open_incident(m.ADHOC_KIND, title, operator=operator)

    def transition(
        self,
        incident_id: str,
        state: IncidentState | str,
        *,
        operator: str,
        note: str | None = None,
    ) -> Incident:
        """Move along the closed loop; raises :class:`InvalidTransitionError` otherwise."""
        operator = _need_operator(operator, "change incident state")
        inc = self.require(incident_id)
        try:
            wanted = IncidentState(state)
        except ValueError:
            raise BadIncidentValueError(
                f"unknown incident state {state!r}",
                hint="States: " + ", ".join(s.value for s in IncidentState) + ".",
            ) from None
        allowed = m.TRANSITIONS[inc.state]
        if wanted not in allowed:
            raise InvalidTransitionError(
                inc.id, inc.state.value, wanted.value, (s.value for s in allowed)
            )
        return self._state_change(inc, wanted, operator, note, reopen=False)

    def reopen(self, incident_id: str, *, operator: str, reason: str) -> Incident:
        """Take a closed (or assessed) incident back into handling -- an explicit act with
        a reason, because a closure is what the station's statistics count."""
        operator = _need_operator(operator, "reopen incident")
        reason = _need_text(reason, "reason for reopening")
        inc = self.require(incident_id)
        if inc.state not in m.REOPEN_FROM:
            raise InvalidTransitionError(
                inc.id,
                inc.state.value,
                f"{m.REOPEN_TO.value} (reopen)",
                (s.value for s in m.TRANSITIONS[inc.state]),
            )
        return self._state_change(inc, m.REOPEN_TO, operator, reason, reopen=True)

    def _state_change(
        self, inc: Incident, state: IncidentState, operator: str, note: str | None, *, reopen: bool
    ) -> Incident:
        data: dict[str, Any] = {"state": state.value, "from": inc.state.value, "note": note}
        if reopen:
            data["reopen"] = True
        event = self._event(m.INCIDENT_STATE, inc.id, data=data, operator=operator)
        return self._commit(inc.id, [event])

    def add_note(self, incident_id: str, text: str, *, operator: str) -> Incident:
        """A free-text note (also allowed on closed incidents: remarks after the fact)."""
        operator = _need_operator(operator, "add note")
        text = _need_text(text, "note")
        inc = self.require(incident_id)
        event = self._event(m.INCIDENT_NOTE, inc.id, data={"text": text}, operator=operator)
        return self._commit(inc.id, [event])

    def attach_page(
        self, incident_id: str, page_id: str | int, *, operator: str | None = None
    ) -> Incident:
        """Record that a page went out for this incident.  A raised incident becomes
        dispatched (派发) with it, because paging the units *is* dispatching them.
        Attaching the same page twice changes nothing.  A page for a closed incident is
        still recorded (it went out; nothing is lost) but does not reopen it -- that stays
        the officer's explicit :meth:`reopen`.  The paging engine calls this after it has
        created the page, so it must not refuse."""
        inc = self.require(incident_id)
        page = str(page_id)
        if page in inc.pages:
            return inc
        stamp = (self.clock.time(), self.clock.monotonic())
        events = [
            self._event(m.INCIDENT_PAGE, inc.id, data={}, operator=operator, page=page, stamp=stamp)
        ]
        if inc.state is IncidentState.RAISED:
            data = {
                "state": IncidentState.DISPATCHED.value,
                "from": inc.state.value,
                "note": None,
                "page": page,
            }
            events.append(
                self._event(m.INCIDENT_STATE, inc.id, data=data, operator=operator, stamp=stamp)
            )
        return self._commit(inc.id, events)

    def attach_broadcast(
        self, incident_id: str, broadcast_id: str | int, *, operator: str | None = None
    ) -> Incident:
        """Record a loudspeaker broadcast made for this incident (idempotent; recorded
        on a closed incident too, like :meth:`attach_page`)."""
        inc = self.require(incident_id)
        ref = str(broadcast_id)
        if ref in inc.broadcasts:
            return inc
        event = self._event(
            m.INCIDENT_BROADCAST, inc.id, data={"broadcast": ref}, operator=operator
        )
        return self._commit(inc.id, [event])

    def record_answer(
        self, incident_id: str, unit: str | int, summary: str, *, page: str | int | None = None
    ) -> Incident:
        """A unit answered (text, status, voice).  Accepted even on a closed incident:
        a late answer is still a fact the station counts, never dropped."""
        inc = self.require(incident_id)
        unit_s = str(unit)
        data: dict[str, Any] = {"summary": summary}
        alias = self._alias(unit_s)
        if alias is not None:
            data["alias"] = alias
        event = self._event(
            m.INCIDENT_ANSWER, inc.id, data=data, operator=None, unit=unit_s, page=page
        )
        return self._commit(inc.id, [event])

    def record(
        self,
        incident_id: str,
        kind: str,
        *,
        data: Mapping[str, Any],
        operator: str | None = None,
        unit: str | int | None = None,
        stamp: tuple[float, float] | None = None,
    ) -> tuple[int, Incident]:
        """Log another engine's event against an incident (the alarm board's
        ``alarm.*`` records) so it shows on the timeline; returns (event id, incident)."""
        inc = self.require(incident_id)
        event = self._event(kind, inc.id, data=data, operator=operator, unit=unit, stamp=stamp)
        ids, after = self._commit_ids(inc.id, [event])
        return ids[0], after

    def _alias(self, unit: str) -> str | None:
        if self.station is None or not unit.isdigit():
            return None
        found = self.station.unit(int(unit))
        return found.alias if found is not None else None

"""``AlarmBoard``: alarms from the field that must not go unnoticed.

A radio's emergency (status value 0, or a call at emergency priority) and a detector's
alert text (see :mod:`console.incidents.rules`) raise an alarm *at once*, each with its
own emergency incident in the :class:`IncidentBook`.  Like professional consoles the board
keeps two acknowledgements apart: *received* -- logged automatically the moment the console
processes the event -- and *acknowledged* -- an officer took it.  Until then the board
reminds every ``reminder_s`` seconds (injected clock) per alarm, oldest first.

A radio repeats its emergency until someone answers; those repeats (while the alarm is
unacknowledged) are recorded on the existing alarm instead of piling up new ones.  Once an
officer has acknowledged it, the next emergency from that radio is news: it raises a new
alarm (a new banner, its own reminders), filed on the same incident while that is open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from console.config import Station
from console.eventlog import EventLog
from console.incidents import model as m
from console.incidents.book import IncidentBook
from console.incidents.errors import MissingOperatorError, UnknownAlarmError
from console.incidents.events import (
    Alarm,
    AlarmAcknowledged,
    AlarmEvent,
    AlarmRaised,
    AlarmReminder,
    AlarmRepeated,
)
from console.incidents.replay import LoggedEvent, apply_alarm
from console.incidents.rules import EMERGENCY_KIND, AlarmRules
from drivers.clock import Clock, TimerHandle
from drivers.pei.events import IncomingCall, PeiEvent
from drivers.radio_events import StatusReceived, TextReceived

log_ = logging.getLogger(__name__)

RadioListener = Callable[[PeiEvent], None]
SubscribeFn = Callable[[RadioListener], Callable[[], None]]
AlarmListener = Callable[[AlarmEvent], None]


class EventSource(Protocol):
    """A ``drivers.gateway.Gateway`` (or anything with its ``subscribe``)."""

    def subscribe(self, listener: RadioListener) -> Callable[[], None]: ...


class AlarmBoard:
    """Turns radio events into alarms, keeps them in arrival order, and nags until acked."""

    def __init__(
        self,
        source: EventSource | SubscribeFn,
        book: IncidentBook,
        clock: Clock,
        log: EventLog | None = None,
        station: Station | None = None,
        *,
        rules: AlarmRules | None = None,
        operator: str | None = None,
    ) -> None:
        """``operator``: the officer on duty, named as who raised the incident an alarm
        opens (default: the station's operator); the alarm records themselves stay the
        console's (:data:`~console.incidents.model.SYSTEM_OPERATOR`): it logged them alone."""
        self.book = book
        self.clock = clock
        self.log = log
        self.station = station
        self.rules = rules or AlarmRules()
        self.operator = (
            operator or (station.operator if station is not None else "") or m.SYSTEM_OPERATOR
        )
        self._emergency_status = (
            station.status_plan.emergency if station is not None else self.rules.emergency_status
        )
        self._alarms: dict[str, Alarm] = {}
        self._next = 1
        self._timers: dict[str, TimerHandle] = {}
        self._remind_base: dict[str, float] = {}
        self._listeners: list[AlarmListener] = []
        method = getattr(source, "subscribe", None)
        subscribe: SubscribeFn = method if callable(method) else source  # type: ignore[assignment]
        self._unsubscribe = subscribe(self._on_radio_event)

    @classmethod
    def restore(
        cls,
        source: EventSource | SubscribeFn,
        book: IncidentBook,
        clock: Clock,
        log: EventLog,
        station: Station | None = None,
        *,
        rules: AlarmRules | None = None,
        operator: str | None = None,
    ) -> AlarmBoard:
        """Rebuild from the log after a restart; alarms still unacknowledged start
        reminding again (counted from now: the old process's monotonic clock is gone)."""
        board = cls(source, book, clock, log, station, rules=rules, operator=operator)
        for record in log.query(kinds=["alarm.*"]):
            alarm = apply_alarm(board._alarms, LoggedEvent.from_record(record))
            if alarm is not None and alarm.id.startswith("ALM-") and alarm.id[4:].isdigit():
                board._next = max(board._next, int(alarm.id[4:]) + 1)
        now = clock.monotonic()
        for alarm in board.unacknowledged():
            board._remind_base[alarm.id] = now
            board._schedule(alarm.id, 1)
        return board

    # -- reading -----------------------------------------------------------------------

    def get(self, alarm_id: str) -> Alarm | None:
        return self._alarms.get(alarm_id)

    def alarms(self) -> list[Alarm]:
        """Every alarm, in arrival order."""
        return list(self._alarms.values())

    def unacknowledged(self) -> list[Alarm]:
        """Alarms nobody has acknowledged yet, oldest first (the queue the officer works)."""
        return [a for a in self._alarms.values() if not a.acknowledged]

    # -- listeners ---------------------------------------------------------------------

    def subscribe(self, callback: AlarmListener) -> Callable[[], None]:
        """``callback(event)`` for AlarmRaised / AlarmRepeated / AlarmReminder /
        AlarmAcknowledged; returns the remover."""
        self._listeners.append(callback)

        def remove() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return remove

    def _emit(self, event: AlarmEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log_.exception("alarm listener failed")

    def close(self) -> None:
        """Stop listening to the gateway and stop every reminder (safe to call twice)."""
        unsubscribe, self._unsubscribe = self._unsubscribe, lambda: None
        unsubscribe()
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()

    # -- the officer -------------------------------------------------------------------

    def acknowledge(self, alarm_id: str, operator: str) -> Alarm:
        """The officer has taken the alarm: log it, stop its reminders.  Acknowledging an
        already acknowledged alarm returns it unchanged (a double key press is no error)."""
        if not isinstance(operator, str) or not operator.strip():
            raise MissingOperatorError("acknowledge alarm")
        alarm = self._alarms.get(alarm_id)
        if alarm is None:
            raise UnknownAlarmError(alarm_id)
        if alarm.acknowledged:
            return alarm
        wall, mono = self.clock.time(), self.clock.monotonic()
        data = {"alarm": alarm.id, "waited_s": round(mono - alarm.received_mono, 3)}
        event_id = 0
        if alarm.incident_id is not None:
            event_id, _ = self.book.record(
                alarm.incident_id,
                m.ALARM_ACKNOWLEDGED,
                data=data,
                operator=operator,
                unit=alarm.sender,
                stamp=(wall, mono),
            )
        ev = LoggedEvent(
            event_id, m.ALARM_ACKNOWLEDGED, wall, mono, alarm.incident_id, None, alarm.sender,
            operator, data,
        )  # fmt: skip
        new = apply_alarm(self._alarms, ev)
        assert new is not None
        timer = self._timers.pop(alarm.id, None)
        if timer is not None:
            timer.cancel()
        self._emit(AlarmAcknowledged(new))
        return new

    # -- the radio side ----------------------------------------------------------------

    def _on_radio_event(self, event: PeiEvent) -> None:
        """Gateway listener: never raises into the gateway (other listeners must run)."""
        try:
            if isinstance(event, StatusReceived):
                if event.value == self._emergency_status:
                    self._raise(
                        EMERGENCY_KIND, "emergency_status", event.sender, event.called,
                        text=None, extra={"value": event.value},
                    )  # fmt: skip
            elif isinstance(event, IncomingCall):
                if event.emergency:
                    self._raise(
                        EMERGENCY_KIND, "emergency_call", event.calling_ssi, event.called_ssi,
                        text=None, extra={"cc": event.cc, "priority": event.priority},
                    )  # fmt: skip
            elif isinstance(event, TextReceived):
                rule = self.rules.match_text(event.sender, event.text)
                if rule is not None:
                    self._raise(
                        rule.kind, "text_rule", event.sender, event.called,
                        text=event.text, extra={"rule": rule.name},
                    )  # fmt: skip
        except Exception:
            log_.exception("alarm handling failed for %r", event)

    def _alias(self, sender: str) -> str:
        if self.station is not None and sender.isdigit():
            unit = self.station.unit(int(sender))
            if unit is not None:
                return unit.alias
        return sender

    def _latest_for(self, kind: str, sender: str) -> Alarm | None:
        """The newest alarm of ``kind`` from ``sender`` whose incident is still open
        (or that has no incident because the log refused it)."""
        for alarm in reversed(self._alarms.values()):
            if alarm.merge_key != (kind, sender):
                continue
            if alarm.incident_id is None:
                return alarm
            incident = self.book.get(alarm.incident_id)
            return alarm if incident is not None and incident.is_open else None
        return None

    def _raise(
        self,
        kind: str,
        source: str,
        sender: str,
        called: str,
        *,
        text: str | None,
        extra: dict[str, Any],
    ) -> None:
        wall, mono = self.clock.time(), self.clock.monotonic()
        latest = self._latest_for(kind, sender)
        if latest is not None and not latest.acknowledged:
            self._repeat(latest, source, text, extra, wall, mono)
            return
        # After an acknowledgement the radio is heard again: a new alarm, on the same
        # incident while that is open (the officer is already handling it).
        open_incident = latest.incident_id if latest is not None else None
        alarm_id = f"ALM-{self._next:04d}"
        self._next += 1
        alias = self._alias(sender)
        data: dict[str, Any] = {
            "alarm": alarm_id,
            "source": source,
            "kind": kind,
            "sender": sender,
            "called": called,
            "alias": alias,
            "text": text,
            "received": True,
            **extra,
        }
        incident_id: str | None = None
        event_id = 0
        try:
            if open_incident is None:
                label = self.rules.label_for(kind)
                # Raised on behalf of the officer on duty; the source says the radio.
                open_incident = self.book.open_incident(
                    m.ALARM_KIND,
                    f"{label} {alias}",
                    operator=self.operator,
                    priority="emergency",
                    source=f"{m.RADIO_SOURCE}{sender}",
                ).id
            incident_id = open_incident
            event_id, _ = self.book.record(
                incident_id, m.ALARM_RAISED, data=data, operator=m.SYSTEM_OPERATOR,
                unit=sender, stamp=(wall, mono),
            )  # fmt: skip
        except Exception:
            # The log refused it (disk full, closed ...): the alarm must still be shown.
            log_.exception("alarm %s could not be logged; showing it anyway", alarm_id)
        ev = LoggedEvent(
            event_id, m.ALARM_RAISED, wall, mono, incident_id, None, sender, m.SYSTEM_OPERATOR,
            data,
        )  # fmt: skip
        alarm = apply_alarm(self._alarms, ev)
        assert alarm is not None
        if event_id == 0:
            alarm = self._alarms[alarm_id] = replace(alarm, event_id=None)
        self._remind_base[alarm_id] = mono
        self._schedule(alarm_id, 1)
        self._emit(AlarmRaised(alarm))

    def _repeat(
        self,
        alarm: Alarm,
        source: str,
        text: str | None,
        extra: dict[str, Any],
        wall: float,
        mono: float,
    ) -> None:
        data: dict[str, Any] = {"alarm": alarm.id, "source": source, "text": text, **extra}
        event_id = 0
        if alarm.incident_id is not None:
            try:
                event_id, _ = self.book.record(
                    alarm.incident_id, m.ALARM_REPEATED, data=data,
                    operator=m.SYSTEM_OPERATOR, unit=alarm.sender, stamp=(wall, mono),
                )  # fmt: skip
            except Exception:
                log_.exception("repeat of alarm %s could not be logged", alarm.id)
        ev = LoggedEvent(
            event_id, m.ALARM_REPEATED, wall, mono, alarm.incident_id, None, alarm.sender,
            m.SYSTEM_OPERATOR, data,
        )  # fmt: skip
        new = apply_alarm(self._alarms, ev)
        assert new is not None
        self._emit(AlarmRepeated(new))

    # -- reminders ---------------------------------------------------------------------

    def _schedule(self, alarm_id: str, number: int) -> None:
        due = self._remind_base[alarm_id] + number * self.rules.reminder_s
        delay = max(0.0, due - self.clock.monotonic())
        self._timers[alarm_id] = self.clock.call_later(
            delay, lambda: self._remind(alarm_id, number)
        )

    def _remind(self, alarm_id: str, number: int) -> None:
        alarm = self._alarms.get(alarm_id)
        if alarm is None or alarm.acknowledged:
            self._timers.pop(alarm_id, None)
            return
        self._schedule(alarm_id, number + 1)
        self._emit(AlarmReminder(alarm, number, self.clock.time(), self.clock.monotonic()))

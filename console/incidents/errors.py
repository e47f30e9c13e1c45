"""Errors of the incident engine: each a :class:`ConsoleError` with a hint to act on."""

from __future__ import annotations

from collections.abc import Iterable

from console.errors import ConsoleError


class IncidentError(ConsoleError):
    """Base of the incident and alarm errors."""


class UnknownIncidentError(IncidentError):
    default_hint = (
        "Pick the incident from the list of active incidents (its id looks like INC-0001)."
    )

    def __init__(self, incident_id: str) -> None:
        super().__init__(f"no incident {incident_id!r}")
        self.incident_id = incident_id


class InvalidTransitionError(IncidentError):
    """The state machine refuses the move; the hint lists what is allowed from here."""

    def __init__(self, incident_id: str, current: str, wanted: str, allowed: Iterable[str]) -> None:
        allowed_list = sorted(allowed)
        if allowed_list:
            hint = "From here the incident can go to: " + ", ".join(allowed_list) + "."
        else:
            hint = "This incident is finished; use reopen if it really needs more work."
        if current in ("closed", "assessed") and wanted not in allowed_list:
            hint += " To work on a closed incident again, reopen it explicitly (with a reason)."
        super().__init__(f"incident {incident_id} cannot go from {current} to {wanted}", hint=hint)
        self.incident_id = incident_id
        self.current = current
        self.wanted = wanted


class MissingOperatorError(IncidentError):
    default_hint = "Every change is recorded with the officer's name; log in or pass operator."

    def __init__(self, action: str) -> None:
        super().__init__(f"{action}: no operator given")


class BadIncidentValueError(IncidentError):
    """A value given to the book is not one it accepts (priority, empty title, ...)."""


class UnknownAlarmError(IncidentError):
    default_hint = "Pick the alarm from the list of unacknowledged alarms (ids look like ALM-0001)."

    def __init__(self, alarm_id: str) -> None:
        super().__init__(f"no alarm {alarm_id!r}")
        self.alarm_id = alarm_id

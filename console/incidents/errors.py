"""Errors of the incident engine: each a :class:`ConsoleError` with a hint to act on,
worded in zh-CN and English (the officer meets them as toasts on the incidents screen)."""

from __future__ import annotations

from collections.abc import Iterable

from console.errors import ConsoleError
from console.i18n import Phrase, register

WORDS = register(
    {
        "incident.err.unknown": ("没有事件 {id!r}", "no incident {id!r}"),
        "incident.hint.unknown": (
            "请从进行中的事件列表里选择（编号形如 INC-0001）。",
            "Pick the incident from the list of active incidents (its id looks like INC-0001).",
        ),
        "incident.err.transition": (
            "事件 {id} 不能从「{current}」转为「{wanted}」",
            "incident {id} cannot go from {current} to {wanted}",
        ),
        "incident.hint.moves": (
            "此时可转为：{allowed}。",
            "From here the incident can go to: {allowed}.",
        ),
        "incident.hint.finished": (
            "该事件已结束；确需继续处理请重开。",
            "This incident is finished; use reopen if it really needs more work.",
        ),
        "incident.hint.reopen": (
            "{hint}要继续处理已办结的事件，请明确重开（写明原因）。",
            "{hint} To work on a closed incident again, reopen it explicitly (with a reason).",
        ),
        "incident.err.no_operator": ("{action}：未指明值班员", "{action}: no operator given"),
        "incident.hint.no_operator": (
            "每项变更都记录值班员姓名；请先上岗登录或指明值班员。",
            "Every change is recorded with the officer's name; log in or pass operator.",
        ),
        "incident.err.unknown_alarm": ("没有告警 {id!r}", "no alarm {id!r}"),
        "incident.hint.unknown_alarm": (
            "请从未确认告警列表里选择（编号形如 ALM-0001）。",
            "Pick the alarm from the list of unacknowledged alarms (ids look like ALM-0001).",
        ),
    }
)


def _state(value: str) -> Phrase:
    """A state by its code in English (as before) and by its name in zh-CN."""
    return Phrase(f"incident.state.{value}", value)


class IncidentError(ConsoleError):
    """Base of the incident and alarm errors."""


class UnknownIncidentError(IncidentError):
    default_hint = Phrase("incident.hint.unknown")

    def __init__(self, incident_id: str) -> None:
        super().__init__(Phrase("incident.err.unknown", id=incident_id))
        self.incident_id = incident_id


class InvalidTransitionError(IncidentError):
    """The state machine refuses the move; the hint lists what is allowed from here."""

    def __init__(self, incident_id: str, current: str, wanted: str, allowed: Iterable[str]) -> None:
        allowed_list = sorted(allowed)
        if allowed_list:
            hint = Phrase("incident.hint.moves", allowed=tuple(_state(a) for a in allowed_list))
        else:
            hint = Phrase("incident.hint.finished")
        if current in ("closed", "assessed") and wanted not in allowed_list:
            hint = Phrase("incident.hint.reopen", hint=hint)
        message = Phrase(
            "incident.err.transition",
            id=incident_id,
            current=_state(current),
            wanted=_state(wanted),
        )
        super().__init__(message, hint=hint)
        self.incident_id = incident_id
        self.current = current
        self.wanted = wanted


class MissingOperatorError(IncidentError):
    default_hint = Phrase("incident.hint.no_operator")

    def __init__(self, action: str) -> None:
        super().__init__(Phrase("incident.err.no_operator", action=action))


class BadIncidentValueError(IncidentError):
    """A value given to the book is not one it accepts (priority, empty title, ...)."""


class UnknownAlarmError(IncidentError):
    default_hint = Phrase("incident.hint.unknown_alarm")

    def __init__(self, alarm_id: str) -> None:
        super().__init__(Phrase("incident.err.unknown_alarm", id=alarm_id))
        self.alarm_id = alarm_id

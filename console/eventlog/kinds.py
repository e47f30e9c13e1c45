"""The vocabulary of event kinds.

A kind is a dotted lower-case name, ``<family>.<what>``.  The families are fixed because
reports and the views in ``schema.py`` select on them (``ladder.%`` is every rung of the
acknowledgement ladder); new names inside a family need no schema change.  The log accepts
any well-formed kind so that a new engine never loses an event for want of a constant here.
"""

from __future__ import annotations

import re
from typing import Final

KIND_RE: Final = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

# Wire (byte-level) events from drivers.
WIRE_SDS_IN: Final = "wire.sds_in"
WIRE_SDS_OUT: Final = "wire.sds_out"
WIRE_AT_CMD: Final = "wire.at_cmd"
WIRE_AT_RESP: Final = "wire.at_resp"
WIRE_UNSOLICITED: Final = "wire.unsolicited"
WIRE_LINK: Final = "wire.link"

# Pages and the acknowledgement ladder, one event per rung per responder.
PAGE_CREATED: Final = "page.created"
LADDER_QUEUED: Final = "ladder.queued"
LADDER_ACCEPTED: Final = "ladder.accepted"
LADDER_SENT: Final = "ladder.sent"
LADDER_DELIVERED: Final = "ladder.delivered"
LADDER_ACKNOWLEDGED: Final = "ladder.acknowledged"
LADDER_EN_ROUTE: Final = "ladder.en_route"
LADDER_ON_SCENE: Final = "ladder.on_scene"
LADDER_RELEASED: Final = "ladder.released"
LADDER_FAILED: Final = "ladder.failed"

ESCALATION_REPAGE: Final = "escalation.repage"
ESCALATION_ALERT: Final = "escalation.alert"
ESCALATION_BACKUP: Final = "escalation.backup"

INCIDENT_STATE: Final = "incident.state"
INCIDENT_NOTE: Final = "incident.note"

ALARM_RAISED: Final = "alarm.raised"
ALARM_ACKNOWLEDGED: Final = "alarm.acknowledged"
ALARM_CLEARED: Final = "alarm.cleared"

OPERATOR_ACTION: Final = "operator.action"
OPERATOR_LOGIN: Final = "operator.login"
OPERATOR_LOGOUT: Final = "operator.logout"
OPERATOR_COMMAND: Final = "operator.command"
"""A command a face sent to the station service: who, from which position, what, result."""
SERVICE_STARTED: Final = "service.started"
SERVICE_STOPPED: Final = "service.stopped"
SERVICE_RESUMED: Final = "service.resumed"
"""Open pages rebuilt from the log after a restart (ids, responders still followed)."""

ROLLCALL_STARTED: Final = "rollcall.started"
ROLLCALL_ANSWER: Final = "rollcall.answer"
ROLLCALL_CLOSED: Final = "rollcall.closed"

DRILL_STARTED: Final = "drill.started"
DRILL_STEP: Final = "drill.step"
DRILL_FINISHED: Final = "drill.finished"

BROADCAST_STARTED: Final = "broadcast.started"
BROADCAST_STOPPED: Final = "broadcast.stopped"

# Written by the log itself: a ``log.opened`` without a ``log.closed`` before the next
# ``log.opened`` marks a crash; ``log.recovered`` marks events restored from a rescue file.
LOG_OPENED: Final = "log.opened"
LOG_CLOSED: Final = "log.closed"
LOG_RECOVERED: Final = "log.recovered"


def is_valid_kind(kind: object) -> bool:
    """True if ``kind`` is a well-formed kind name (at most 64 characters)."""
    return isinstance(kind, str) and len(kind) <= 64 and KIND_RE.match(kind) is not None

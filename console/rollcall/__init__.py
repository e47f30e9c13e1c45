"""Roll call (点名): status poll, voice roll call and sequential call on the paging engine.

Start one with :class:`RollCall` (``await RollCall(engine, spec).run()``), build the spec
from a station with :func:`rollcall_spec`, and reopen any past roll call from the event
log with :func:`load_rollcall`.  See ``docs/drills.md``.
"""

from __future__ import annotations

from console.rollcall.analysis import (
    Change,
    RollCallNotFound,
    RollCallSummary,
    compare,
    list_rollcalls,
    load_rollcall,
    recall_spec,
    spec_from_log,
)
from console.rollcall.model import (
    Attendance,
    MemberResult,
    RollCallMode,
    RollCallResult,
    RollCallSpec,
    RollCallUpdate,
    Talker,
)
from console.rollcall.runner import RollCall
from console.rollcall.spec import rollcall_spec

__all__ = [
    "Attendance",
    "Change",
    "MemberResult",
    "RollCall",
    "RollCallMode",
    "RollCallNotFound",
    "RollCallResult",
    "RollCallSpec",
    "RollCallSummary",
    "RollCallUpdate",
    "Talker",
    "compare",
    "list_rollcalls",
    "load_rollcall",
    "recall_spec",
    "rollcall_spec",
    "spec_from_log",
]

"""The one rule that turns a member's ladder into present / late / absent / unreachable.

Used twice on purpose: live, on the paging engine's committed views (what the screen
shows), and afterwards on the event log's ``ladder.*`` records (what the report files).
Both feed the same neutral :class:`Step` values, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from console.rollcall.model import Attendance

ANSWER_RUNGS = frozenset({"acknowledged", "en_route", "on_scene", "released", "backup_requested"})
"""Rungs only a person can cause: any of them is an answer to the roll call."""
NOT_REACHED = frozenset({"not_reachable", "not_registered", "refused", "gateway_error"})
"""Failure causes that mean the call never reached the person."""


@dataclass(frozen=True)
class Step:
    """One ladder rung, reduced to what the rule needs."""

    rung: str
    mono: float
    source: str = ""
    cause: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    attendance: Attendance
    latency_s: float | None = None
    source: str = ""
    cause: str = ""
    detail: str = ""


def classify(
    steps: Iterable[Step], called_mono: float, deadline_s: float, *, over: bool
) -> Verdict:
    """Attendance of one member called at ``called_mono``.

    ``over``: the roll call has closed (or, live, the deadline has passed); until then a
    silent member is *waiting*, not absent.  An answer always wins over a failure (a
    radio that was off and then answered a re-page is present or late, not unreachable).
    """
    ordered = sorted(steps, key=lambda s: s.mono)
    answer = next((s for s in ordered if s.rung in ANSWER_RUNGS), None)
    if answer is not None:
        latency = round(answer.mono - called_mono, 6)
        late = latency > deadline_s
        return Verdict(
            Attendance.LATE if late else Attendance.PRESENT, latency, answer.source, "", ""
        )
    failure = next((s for s in ordered if s.rung == "failed" and s.cause in NOT_REACHED), None)
    if failure is not None:
        return Verdict(Attendance.UNREACHABLE, None, "", failure.cause, failure.detail)
    return Verdict(Attendance.ABSENT if over else Attendance.WAITING)


def settled(verdict: Verdict) -> bool:
    """Nothing more to wait for: answered, or known not to be reachable."""
    return verdict.attendance in (Attendance.PRESENT, Attendance.LATE, Attendance.UNREACHABLE)

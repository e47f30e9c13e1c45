"""A roll call's report: the logged result (``console.rollcall.analysis``) as a Report."""

from __future__ import annotations

from console.eventlog import EventLog
from console.reports.model import Miss, Report, UnitRow
from console.reports.stats import target_stats
from console.rollcall.analysis import load_rollcall
from console.rollcall.model import Attendance, RollCallResult


def rollcall_report(log: EventLog, rollcall_id: str) -> Report:
    """Reopen a roll call from the log and make its report."""
    return report_of(load_rollcall(log, rollcall_id))


def report_of(result: RollCallResult) -> Report:
    deadline = result.deadline_s
    rows = tuple(
        UnitRow(
            issi=m.issi,
            alias=m.alias,
            kind=m.kind,
            times=(m.latency_s,),
            status=m.attendance.value,
            cause=m.cause,
        )
        for m in result.members
    )
    missed = tuple(
        Miss(
            m.issi,
            m.alias,
            "acknowledged",
            deadline,
            m.latency_s,
            f"late by {m.latency_s - deadline:.1f} s"
            if m.latency_s is not None
            else (f"unreachable ({m.cause})" if m.cause else m.detail or "no answer"),
        )
        for m in result.members
        if m.attendance is not Attendance.PRESENT
    )
    counts = tuple(result.counts.items())
    summary = ", ".join(f"{n} {k}" for k, n in counts)
    outcome = result.close_reason if result.closed else "incomplete"
    notes = [f"mode: {result.mode.value}", f"deadline: {deadline:g} s"]
    if result.recall_of:
        notes.append(f"re-call of {result.recall_of}")
    if result.talkers:
        notes.append(
            "talkers: "
            + ", ".join(
                f"{t.issi}@{t.at_s:g}s" + ("" if t.member else " (not a member)")
                for t in result.talkers
            )
        )
    return Report(
        kind="rollcall",
        id=result.rollcall_id,
        title=f"点名 {result.group}",
        started_wall=result.started_wall,
        ended_wall=result.ended_wall,
        outcome=outcome,
        passed=None,
        reasons=(summary,),
        columns=("acknowledged",),
        units=rows,
        targets=(target_stats("acknowledged", deadline, [m.latency_s for m in result.members]),),
        missed=missed,
        counts=counts,
        notes=tuple(notes),
    )

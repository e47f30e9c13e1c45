"""A roll call's report: the logged result (``console.rollcall.analysis``) as a Report."""

from __future__ import annotations

from console.eventlog import EventLog
from console.i18n import Phrase
from console.reports.model import Miss, Report, UnitRow
from console.reports.stats import deadline_stats
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
            status=Phrase.code("report.attendance", m.attendance.value),
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
            _reason(m.latency_s, deadline, m.cause, m.detail),
        )
        for m in result.members
        if m.attendance is not Attendance.PRESENT
    )
    counts = tuple(result.counts.items())
    summary = Phrase(
        "report.rc.counts",
        items=tuple(
            Phrase("report.rc.count", n=n, what=Phrase.code("report.attendance", k))
            for k, n in counts
        ),
    )
    outcome = result.close_reason if result.closed else "incomplete"
    mode = Phrase.code("report.rc.mode", result.mode.value)
    notes = [Phrase("report.rc.mode", mode=mode), Phrase("report.rc.deadline", s=deadline)]
    if result.recall_of:
        notes.append(Phrase("report.rc.recall_of", id=result.recall_of))
    if result.talkers:
        talkers = tuple(
            Phrase(
                "report.rc.talker" if t.member else "report.rc.talker_outsider",
                issi=t.issi,
                at=t.at_s,
            )
            for t in result.talkers
        )
        notes.append(Phrase("report.rc.talkers", items=talkers))
    return Report(
        kind="rollcall",
        id=result.rollcall_id,
        title=Phrase("report.rc.title", group=result.group),
        started_wall=result.started_wall,
        ended_wall=result.ended_wall,
        outcome=outcome,
        passed=None,
        reasons=(summary,),
        columns=("acknowledged",),
        units=rows,
        deadlines=(
            deadline_stats("acknowledged", deadline, [m.latency_s for m in result.members]),
        ),
        missed=missed,
        counts=counts,
        notes=tuple(notes),
    )


def _reason(latency: float | None, deadline: float, cause: str, detail: str) -> str:
    """Why a member missed the deadline, as a phrase a zh report can word again."""
    if latency is not None:
        return Phrase("report.miss.late", s=latency - deadline)
    if cause:
        return Phrase("report.status.unreachable", cause=Phrase.code("report.cause", cause))
    return Phrase.code("report.rc.detail", detail) if detail else Phrase("report.miss.no_answer")

"""A drill's report, computed from the event log alone.

Reads ``drill.*`` events for what was asked (participants, targets, criteria), and the
page's ``ladder.*`` and ``escalation.*`` events for what happened.  A drill with no
``drill.finished`` (killed, crashed) is reported as interrupted with what the log holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from console.eventlog import EventLog, EventRecord
from console.i18n import Phrase
from console.reports.model import (
    CriterionResult,
    EscalationRow,
    Miss,
    Report,
    UnitRow,
)
from console.reports.stats import deadline_stats

COLUMNS: tuple[str, ...] = ("delivered", "acknowledged", "en_route", "on_scene")
NOT_REACHED = frozenset({"not_reachable", "not_registered", "refused", "gateway_error"})
LADDER_ORDER = (
    "queued",
    "accepted",
    "sent",
    "delivered",
    "read",
    "acknowledged",
    "en_route",
    "on_scene",
    "released",
)


class DrillNotFound(LookupError):
    """No such drill in the log."""


def _events(log: EventLog, kind: str, drill_id: str | None = None) -> Iterator[EventRecord]:
    for rec in log.query(kinds=[kind], text=drill_id):
        if drill_id is None or rec.data.get("drill") == drill_id:
            yield rec


def drill_ids(log: EventLog) -> list[str]:
    """Every drill in the log, oldest first."""
    return [str(r.data.get("drill")) for r in _events(log, "drill.started")]


@dataclass
class _Unit:
    issi: int
    t0: float
    firsts: dict[str, float]
    failures: list[str]
    attempts: int


def drill_report(log: EventLog, drill_id: str | None = None, *, closing: bool = False) -> Report:
    """The report of ``drill_id`` (default: the latest drill in the log)."""
    if drill_id is None:
        ids = drill_ids(log)
        if not ids:
            raise DrillNotFound(f"no drill in {log.path}")
        drill_id = ids[-1]
    started = next(_events(log, "drill.started", drill_id), None)
    if started is None:
        raise DrillNotFound(f"no drill {drill_id!r} in {log.path}")
    d = started.data
    finished = next(_events(log, "drill.finished", drill_id), None)
    limit = finished.id if finished is not None else None
    page = next(
        (r.page for r in _events(log, "drill.step", drill_id) if r.data.get("step") == "page"),
        None,
    )
    units = _units(log, page, limit)
    participants: list[dict[str, Any]] = list(d.get("participants", []))
    names = {
        int(p["issi"]): (str(p.get("alias") or p["issi"]), str(p.get("kind", "")))
        for p in participants
    }
    for issi, alias in (d.get("backups") or {}).items():
        names.setdefault(int(issi), (str(alias), ""))
    start = min((u.t0 for u in units.values()), default=started.mono)
    escalations, backup_for = _escalations(log, page, limit, start, names)
    # "targets" is the key drills logged before December 2026
    asked = d.get("deadlines") or d.get("targets") or {}
    deadlines: dict[str, float] = {k: float(v) for k, v in asked.items() if v}

    rows: list[UnitRow] = []
    for p in participants:
        rows.append(_row(int(p["issi"]), units, names, "participant", None))
    for issi in sorted(set(units) - {int(p["issi"]) for p in participants}):
        rows.append(_row(issi, units, names, "backup", backup_for.get(issi)))
    mine = [r for r in rows if r.role == "participant"]

    stats = tuple(
        deadline_stats(rung, deadlines[rung], [_time(r, rung) for r in mine])
        for rung in COLUMNS
        if rung in deadlines
    )
    missed = tuple(_misses(mine, deadlines))
    criteria = tuple(_criterion(c, mine) for c in d.get("criteria", []))
    reasons: tuple[str, ...] = tuple(
        Phrase(
            "report.reason.criterion",
            text=c.text,
            achieved=c.achieved,
            total=c.total,
            needed=c.needed,
        )
        for c in criteria
        if not c.passed
    )
    logged = str(finished.data.get("outcome")) if finished is not None else None
    if logged == "interrupted" or (finished is None and not closing):
        outcome, passed = "interrupted", None
        end = finished.mono if finished is not None else _last_mono(log, page, started.mono)
        reasons = (Phrase("report.reason.interrupted", s=end - start), *reasons)
    else:
        passed = all(c.passed for c in criteria)
        outcome = "passed" if passed else "failed"
    notes = tuple(
        _step_note(r.data)
        for r in _events(log, "drill.step", drill_id)
        if r.data.get("step") != "page" and (limit is None or r.id < limit)
    )
    return Report(
        kind="drill",
        id=drill_id,
        title=str(d.get("name", drill_id)),
        started_wall=started.wall,
        ended_wall=finished.wall if finished is not None else None,
        outcome=outcome,
        passed=passed,
        reasons=reasons,
        columns=COLUMNS,
        units=tuple(rows),
        deadlines=stats,
        missed=missed,
        escalations=escalations,
        criteria=criteria,
        counts=(("participants", len(mine)), ("backups", len(rows) - len(mine))),
        notes=notes,
        source=str(d.get("file", "")),
    )


def _step_note(data: Any) -> Phrase:
    """A drill step's outcome ("announcement: finished (沿江)") as a phrase."""
    step = Phrase.code("report.drill_step", str(data.get("step")))
    outcome = Phrase.code("report.drill_outcome", str(data.get("outcome")))
    detail = data.get("detail")
    if not detail:
        return Phrase("report.note.step", step=step, outcome=outcome)
    said = Phrase.code("report.drill_detail", str(detail))
    return Phrase("report.note.step_detail", step=step, outcome=outcome, detail=said)


def _units(log: EventLog, page: str | None, limit: int | None) -> dict[int, _Unit]:
    out: dict[int, _Unit] = {}
    if page is None:
        return out
    for rec in log.query(page=page, kinds=["ladder.*"]):
        if rec.unit is None or (limit is not None and rec.id > limit):
            continue
        issi = int(rec.unit)
        rung = rec.kind.removeprefix("ladder.")
        unit = out.setdefault(issi, _Unit(issi, rec.mono, {}, [], 1))
        unit.attempts = max(unit.attempts, int(rec.data.get("attempt", 1)))
        if rung == "failed":
            unit.failures.append(str(rec.data.get("cause", "")))
        else:
            unit.firsts.setdefault(rung, rec.mono)
    return out


def _row(
    issi: int,
    units: dict[int, _Unit],
    names: dict[int, tuple[str, str]],
    role: str,
    backup_for: int | None,
) -> UnitRow:
    alias, kind = names.get(issi, (str(issi), ""))
    unit = units.get(issi)
    if unit is None:
        status = Phrase("report.status.not_paged")
        return UnitRow(issi, alias, kind, (None,) * len(COLUMNS), status, role, backup_for)
    times = tuple(round(unit.firsts[c] - unit.t0, 6) if c in unit.firsts else None for c in COLUMNS)
    top = max((r for r in unit.firsts if r in LADDER_ORDER), key=LADDER_ORDER.index, default="")
    cause = next((c for c in unit.failures if c in NOT_REACHED), "")
    answered = LADDER_ORDER.index(top) >= LADDER_ORDER.index("acknowledged") if top else False
    status = (
        _unreachable(cause)
        if cause and not answered
        else Phrase.code("report.rung", top or "nothing")
    )
    return UnitRow(issi, alias, kind, times, status, role, backup_for, cause, unit.attempts)


def _unreachable(cause: str) -> Phrase:
    return Phrase("report.status.unreachable", cause=Phrase.code("report.cause", cause))


def _time(row: UnitRow, rung: str) -> float | None:
    return row.times[COLUMNS.index(rung)]


def _misses(rows: list[UnitRow], targets: dict[str, float]) -> Iterator[Miss]:
    for row in rows:
        for rung in COLUMNS:
            if rung not in targets:
                continue
            t, target = _time(row, rung), targets[rung]
            if t is not None and t <= target:
                continue
            if t is not None:
                reason = Phrase("report.miss.late", s=t - target)
            elif row.cause:
                reason = _unreachable(row.cause)
            else:
                silent = _time(row, "acknowledged") is None
                reason = Phrase("report.miss.no_answer" if silent else "report.miss.not_reached")
            yield Miss(row.issi, row.alias, rung, target, t, reason)


def _criterion(c: dict[str, Any], rows: list[UnitRow]) -> CriterionResult:
    rung, within, at_least = str(c["rung"]), float(c["within_s"]), str(c["at_least"])
    total = len(rows)
    achieved = sum(1 for r in rows if (t := _time_any(r, rung)) is not None and t <= within)
    if at_least == "all":
        needed = total
    elif at_least.endswith("%"):
        whole = Fraction(at_least[:-1]) / 100 * total
        needed = int(whole) if whole.denominator == 1 else int(whole) + 1
    else:
        needed = int(at_least)
    least = Phrase.code("report.at_least", at_least) if at_least == "all" else at_least
    text = Phrase(
        "report.criterion", at_least=least, rung=Phrase.code("report.rung", rung), within=within
    )
    return CriterionResult(text, rung, within, needed, achieved, total, achieved >= needed)


def _time_any(row: UnitRow, rung: str) -> float | None:
    return _time(row, rung) if rung in COLUMNS else None


def _escalations(
    log: EventLog,
    page: str | None,
    limit: int | None,
    start: float,
    names: dict[int, tuple[str, str]],
) -> tuple[tuple[EscalationRow, ...], dict[int, int]]:
    rows: list[EscalationRow] = []
    backup_for: dict[int, int] = {}
    if page is None:
        return (), backup_for
    for rec in log.query(page=page, kinds=["escalation.*"]):
        if rec.unit is None or (limit is not None and rec.id > limit):
            continue
        issi = int(rec.unit)
        step = rec.kind.removeprefix("escalation.")
        if step == "backup" and rec.data.get("backup") is not None:
            backup_for[int(rec.data["backup"])] = issi
        rows.append(
            EscalationRow(
                round(rec.mono - start, 6),
                issi,
                names.get(issi, (str(issi), ""))[0],
                str(rec.data.get("target", "")),
                step,
                _escalation_detail(rec.data, step, names),
            )
        )
    return tuple(rows), backup_for


def _escalation_detail(data: Any, step: str, names: dict[int, tuple[str, str]]) -> str:
    """The engine's English detail, as a phrase a zh report can word again."""
    detail = str(data.get("detail", ""))
    target = Phrase.code("report.target", str(data.get("target", "")))
    if step == "repage":
        if detail.startswith("attempt"):
            return Phrase("report.esc.attempt", detail, n=data.get("attempt", ""))
        if detail.startswith("not re-paged"):
            return Phrase("report.esc.not_repaged", detail)
    elif step == "alert":
        return Phrase("report.esc.alert", detail, target=target)
    elif step == "backup":
        if detail.startswith("backup already"):
            return Phrase("report.esc.backup_on_page", detail)
        backup = data.get("backup")
        alias = names.get(int(backup), (str(backup), ""))[0] if backup is not None else ""
        return Phrase("report.esc.backup", detail, alias=alias)
    return detail


def _last_mono(log: EventLog, page: str | None, default: float) -> float:
    last = default
    if page is not None:
        for rec in log.query(page=page):
            last = max(last, rec.mono)
    return last

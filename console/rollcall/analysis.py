"""Roll calls read back from the event log: the record a station files.

Everything here reads only committed ``rollcall.*`` and ``ladder.*`` events, so a roll
call can be reopened, exported and compared long after the console that ran it is gone,
and a roll call cut short by Ctrl-C or a crash still has a result (``closed=False``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from console.eventlog import EventLog, EventRecord
from console.paging.model import Recipient
from console.rollcall.classify import Step, classify
from console.rollcall.model import (
    Attendance,
    MemberResult,
    RollCallMode,
    RollCallResult,
    RollCallSpec,
    Talker,
)
from drivers.clock import Clock


class RollCallNotFound(LookupError):
    """No ``rollcall.started`` event with that id in the log."""


def started_data(rollcall_id: str, spec: RollCallSpec) -> dict[str, Any]:
    """The ``rollcall.started`` payload: enough to rebuild the roll call from the log."""
    return {
        "rollcall": rollcall_id,
        "mode": spec.mode.value,
        "group": spec.group,
        "gssi": spec.gssi,
        "deadline_s": spec.deadline_s,
        "late_window_s": spec.late_window_s,
        "text": spec.text,
        "recall_of": spec.recall_of,
        "members": [
            {"issi": m.issi, "alias": m.alias, "kind": m.kind, "via": m.via, "via_gssi": m.via_gssi}
            for m in spec.members
        ],
    }


def _events(log: EventLog, kind: str, rollcall_id: str) -> Iterator[EventRecord]:
    for rec in log.query(kinds=[kind], text=rollcall_id):
        if rec.data.get("rollcall") == rollcall_id:
            yield rec


def load_rollcall(log: EventLog, rollcall_id: str, *, closing: bool = False) -> RollCallResult:
    """Rebuild a roll call from the log.  ``closing``: it is being closed now (silent
    members are absent even though no ``rollcall.closed`` exists yet)."""
    started = next(_events(log, "rollcall.started", rollcall_id), None)
    if started is None:
        raise RollCallNotFound(f"no roll call {rollcall_id!r} in {log.path}")
    data = started.data
    deadline = float(data["deadline_s"])
    closed = next(_events(log, "rollcall.closed", rollcall_id), None)
    limit = closed.id if closed is not None else None
    called: dict[int, EventRecord] = {}
    for rec in _events(log, "rollcall.called", rollcall_id):
        if rec.unit is not None and (limit is None or rec.id < limit):
            called.setdefault(int(rec.unit), rec)
    ladders: dict[str, list[EventRecord]] = {}
    for page in {rec.page for rec in called.values() if rec.page is not None}:
        ladders[page] = [
            r for r in log.query(page=page, kinds=["ladder.*"]) if limit is None or r.id < limit
        ]
    rows: list[MemberResult] = []
    for member in data["members"]:
        issi = int(member["issi"])
        call = called.get(issi)
        if call is None:
            rows.append(_member(member, Attendance.ABSENT, detail="not called (ended first)"))
            continue
        steps = [_step(r) for r in ladders.get(call.page or "", []) if r.unit == str(issi)]
        verdict = classify(steps, call.mono, deadline, over=True)
        rows.append(
            MemberResult(
                issi=issi,
                alias=str(member.get("alias") or issi),
                kind=str(member.get("kind") or "other"),
                attendance=verdict.attendance,
                latency_s=verdict.latency_s,
                source=verdict.source,
                cause=verdict.cause,
                detail=verdict.detail,
                called_at_s=round(call.mono - started.mono, 6),
            )
        )
    talkers = tuple(
        Talker(int(r.unit), round(r.mono - started.mono, 6), bool(r.data.get("member")))
        for r in _events(log, "rollcall.talker", rollcall_id)
        if r.unit is not None and (limit is None or r.id < limit)
    )
    return RollCallResult(
        rollcall_id=rollcall_id,
        group=str(data.get("group", "")),
        mode=RollCallMode(data.get("mode", "status")),
        deadline_s=deadline,
        started_wall=started.wall,
        ended_wall=closed.wall if closed is not None else None,
        members=tuple(rows),
        talkers=talkers,
        recall_of=data.get("recall_of"),
        closed=closed is not None or closing,
        close_reason=str(closed.data.get("reason", "complete")) if closed else "incomplete",
    )


def _step(rec: EventRecord) -> Step:
    d = rec.data
    return Step(
        rec.kind.removeprefix("ladder."),
        rec.mono,
        str(d.get("source", "")),
        str(d.get("cause", "")),
        str(d.get("detail", "")),
    )


def _member(member: dict[str, Any], attendance: Attendance, *, detail: str = "") -> MemberResult:
    issi = int(member["issi"])
    return MemberResult(
        issi=issi,
        alias=str(member.get("alias") or issi),
        kind=str(member.get("kind") or "other"),
        attendance=attendance,
        detail=detail,
    )


def append_outcome(log: EventLog, result: RollCallResult, reason: str, clock: Clock) -> None:
    """One ``rollcall.answer`` per member and the ``rollcall.closed`` summary."""
    for m in result.members:
        log.append(
            "rollcall.answer",
            data={
                "rollcall": result.rollcall_id,
                "status": m.attendance.value,
                "latency_s": m.latency_s,
                "source": m.source,
                "cause": m.cause,
                "detail": m.detail,
            },
            unit=m.issi,
            group=result.group,
        )
    log.append(
        "rollcall.closed",
        data={"rollcall": result.rollcall_id, "reason": reason, "counts": result.counts},
        group=result.group,
        wall=clock.time(),
        mono=clock.monotonic(),
    )


def recall_spec(
    spec: RollCallSpec, result: RollCallResult, *, include_unreachable: bool = False
) -> RollCallSpec:
    """``spec`` narrowed to the members that did not answer (the "re-call absent" action)."""
    wanted = {Attendance.ABSENT} | ({Attendance.UNREACHABLE} if include_unreachable else set())
    missing = {m.issi for m in result.members if m.attendance in wanted}
    members = tuple(m for m in spec.members if m.issi in missing)
    return replace(spec, members=members, recall_of=result.rollcall_id)


def spec_from_log(log: EventLog, rollcall_id: str) -> RollCallSpec:
    """The spec a logged roll call was run with (to re-call its absent members later)."""
    started = next(_events(log, "rollcall.started", rollcall_id), None)
    if started is None:
        raise RollCallNotFound(f"no roll call {rollcall_id!r} in {log.path}")
    d = started.data
    return RollCallSpec(
        group=str(d["group"]),
        members=tuple(
            Recipient(
                int(m["issi"]),
                str(m.get("alias") or ""),
                str(m.get("kind") or "other"),
                m.get("via"),
                m.get("via_gssi"),
            )
            for m in d["members"]
        ),
        mode=RollCallMode(d["mode"]),
        gssi=d.get("gssi"),
        deadline_s=float(d["deadline_s"]),
        late_window_s=float(d.get("late_window_s", d["deadline_s"])),
        text=str(d.get("text", "")),
        operator=started.operator or "",
        recall_of=d.get("recall_of"),
    )


@dataclass(frozen=True)
class RollCallSummary:
    """One line of the roll-call history."""

    rollcall_id: str
    group: str
    mode: str
    started_wall: float
    members: int
    counts: dict[str, int] | None
    recall_of: str | None


def list_rollcalls(log: EventLog, *, group: str | None = None) -> list[RollCallSummary]:
    """Every roll call in the log, oldest first (counts from its ``rollcall.closed``)."""
    closed: dict[str, dict[str, int]] = {}
    for rec in log.query(kinds=["rollcall.closed"]):
        closed[str(rec.data.get("rollcall"))] = dict(rec.data.get("counts") or {})
    out: list[RollCallSummary] = []
    for rec in log.query(kinds=["rollcall.started"]):
        d = rec.data
        if group is not None and d.get("group") != group:
            continue
        rid = str(d.get("rollcall"))
        out.append(
            RollCallSummary(
                rid,
                str(d.get("group", "")),
                str(d.get("mode", "")),
                rec.wall,
                len(d.get("members", [])),
                closed.get(rid),
                d.get("recall_of"),
            )
        )
    return out


@dataclass(frozen=True)
class Change:
    """A member whose attendance differs between two roll calls."""

    issi: int
    alias: str
    before: str
    after: str


def compare(before: RollCallResult, after: RollCallResult) -> list[Change]:
    """Members whose attendance changed (``"-"`` where a member was not in one of them)."""
    old = {m.issi: m for m in before.members}
    new = {m.issi: m for m in after.members}
    out: list[Change] = []
    for issi in sorted(old.keys() | new.keys()):
        a, b = old.get(issi), new.get(issi)
        was = a.attendance.value if a else "-"
        now = b.attendance.value if b else "-"
        if was != now:
            alias = (b or a).alias if (b or a) else str(issi)  # type: ignore[union-attr]
            out.append(Change(issi, alias, was, now))
    return out

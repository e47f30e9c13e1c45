"""console.paging.summary: one line per page and target, whom F3 re-pages, the bell limit."""

from __future__ import annotations

from console.deadlines import DeadlineKind, Deadlines
from console.paging.model import (
    EscalationRecord,
    EscalationStep,
    OfficerAlert,
    PageView,
    ResponderView,
    Rung,
    RungRecord,
    Source,
)
from console.paging.summary import AlertDigest, repage_candidates, summarise

ACK, ROUTE = DeadlineKind.ACKNOWLEDGE, DeadlineKind.EN_ROUTE


def rung(r: Rung, mono: float, attempt: int = 1) -> RungRecord:
    return RungRecord(r, 1000.0 + mono, mono, Source.ENGINE, attempt=attempt, committed=True)


def responder(issi: int, *rungs: RungRecord) -> ResponderView:
    attempts = max((r.attempt for r in rungs), default=1)
    return ResponderView(issi, f"单元{issi}", "school", None, None, rungs, attempts)


def step(issi: int, target: DeadlineKind, what: EscalationStep, mono: float) -> EscalationRecord:
    return EscalationRecord("P1", issi, target, what, 1000.0 + mono, mono, committed=True)


def page(responders: list[ResponderView], escalations: list[EscalationRecord]) -> PageView:
    return PageView(
        "P1", None, "集合", (), "张警官", 1000.0, 0.0, Deadlines(),
        tuple(responders), tuple(escalations),
    )  # fmt: skip


def alert(issi: int, target: DeadlineKind, page_id: str = "P1") -> OfficerAlert:
    return OfficerAlert(page_id, issi, f"单元{issi}", target, 1060.0, 60.0)


def test_one_summary_per_target_with_who_is_still_late() -> None:
    queued = rung(Rung.QUEUED, 0.0)
    units = [
        responder(1, queued, rung(Rung.ACKNOWLEDGED, 10.0), rung(Rung.EN_ROUTE, 30.0)),
        responder(2, queued, rung(Rung.ACKNOWLEDGED, 70.0)),  # late, caught up since
        responder(3, queued),  # never
        responder(4, queued),  # never
    ]
    late = [step(i, ACK, EscalationStep.ALERT, 60.0) for i in (2, 3, 4)]
    late += [step(i, ACK, EscalationStep.REPAGE, 60.0) for i in (3, 4)]
    late += [step(i, ROUTE, EscalationStep.ALERT, 180.0) for i in (4, 2, 3)]
    ack, route = summarise(page(units, late))
    assert (ack.deadline, ack.late, ack.still_late) == (ACK, (2, 3, 4), (3, 4))
    assert (route.deadline, route.late, route.still_late) == (ROUTE, (2, 3, 4), (2, 3, 4))
    assert summarise(page(units, [])) == ()


def test_f3_re_pages_the_silent_but_not_those_just_re_paged() -> None:
    queued = rung(Rung.QUEUED, 0.0)
    units = [
        responder(1, queued, rung(Rung.ACKNOWLEDGED, 10.0)),  # answered: never re-paged
        responder(2, queued),  # only the first page went out: F3 may re-page it
        responder(3, queued, rung(Rung.QUEUED, 61.0, attempt=2)),  # re-paged at 61 s
        responder(4, queued),
    ]
    escalations = [step(4, ACK, EscalationStep.REPAGE, 60.0)]  # a voice re-call
    view = page(units, escalations)
    plan = repage_candidates(view, now=70.0)
    assert (plan.units, plan.just_paged) == ((2,), (3, 4))
    later = repage_candidates(view, now=95.0)  # 30 s on, they may be re-paged again
    assert (later.units, later.just_paged) == ((2, 3, 4), ())
    assert repage_candidates(None, 0.0).units == ()


def test_digest_announces_each_page_and_target_once() -> None:
    digest = AlertDigest()
    first = digest.take([alert(i, ACK) for i in range(9)] + [alert(1, ACK, "P2")])
    assert [(a.page_id, a.deadline, a.count, a.first) for a in first] == [
        ("P1", ACK, 9, True), ("P2", ACK, 1, True),
    ]  # fmt: skip
    again = digest.take([alert(10, ACK), alert(3, ROUTE)])
    assert [(a.deadline, a.count, a.first) for a in again] == [(ACK, 1, False), (ROUTE, 1, True)]
    # Its bell is the one rule every bell asks (tests/console/test_bells.py).

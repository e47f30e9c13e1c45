"""Incident book: the closed-loop state machine, timeline, notes, log records, restore."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from console.errors import ConsoleError
from console.eventlog import EventLog
from console.incidents import (
    BadIncidentValueError,
    Incident,
    IncidentBook,
    IncidentChanged,
    IncidentState,
    InvalidTransitionError,
    MissingOperatorError,
    UnknownIncidentError,
)
from drivers.clock import VirtualClock
from tests.console.eventlogs import OpenLog

S = IncidentState
OFFICER = "张警官"

# The closed loop, pinned here independently of the implementation's table.
ALLOWED: dict[IncidentState, set[IncidentState]] = {
    S.RAISED: {S.DISPATCHED, S.HANDLING, S.CLOSED},
    S.DISPATCHED: {S.HANDLING, S.FEEDBACK, S.CLOSED},
    S.HANDLING: {S.FEEDBACK, S.CLOSED},
    S.FEEDBACK: {S.HANDLING, S.CLOSED},
    S.CLOSED: {S.ASSESSED},
    S.ASSESSED: set(),
}
# How to bring a fresh incident into each state.
PATH: dict[IncidentState, list[IncidentState]] = {
    S.RAISED: [],
    S.DISPATCHED: [S.DISPATCHED],
    S.HANDLING: [S.HANDLING],
    S.FEEDBACK: [S.DISPATCHED, S.HANDLING, S.FEEDBACK],
    S.CLOSED: [S.HANDLING, S.CLOSED],
    S.ASSESSED: [S.HANDLING, S.CLOSED, S.ASSESSED],
}


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=1000.0)


def walk(book: IncidentBook, target: IncidentState) -> Incident:
    inc = book.open_incident("traffic", "XX路交通事故", operator=OFFICER)
    for state in PATH[target]:
        inc = book.transition(inc.id, state, operator=OFFICER)
    assert inc.state is target
    return inc


# -- state machine -------------------------------------------------------------------------


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_transition(book: IncidentBook, log: EventLog, start: S, target: S) -> None:
    inc = walk(book, start)
    if target in ALLOWED[start]:
        after = book.transition(inc.id, target, operator=OFFICER, note="ok")
        assert after.state is target
        assert after.timeline[-1].state is target
        assert after.timeline[-1].previous is start
    else:
        log.flush()
        before = log.last_id
        with pytest.raises(InvalidTransitionError) as err:
            book.transition(inc.id, target, operator=OFFICER)
        assert isinstance(err.value, ConsoleError)
        assert err.value.hint
        assert start.value in str(err.value) and target.value in str(err.value)
        assert book.require(inc.id) == inc  # unchanged
        assert log.last_id == before  # nothing logged


def test_transition_table_matches_allowed_next(book: IncidentBook) -> None:
    for state in S:
        assert walk(book, state).allowed_next() == ALLOWED[state]


def test_invalid_transition_hint_names_allowed_states(book: IncidentBook) -> None:
    inc = book.open_incident("traffic", "t", operator=OFFICER)
    with pytest.raises(InvalidTransitionError) as err:
        book.transition(inc.id, "assessed", operator=OFFICER)
    assert "dispatched" in err.value.hint and "handling" in err.value.hint


def test_closed_incident_hint_mentions_reopen(book: IncidentBook) -> None:
    inc = walk(book, S.CLOSED)
    with pytest.raises(InvalidTransitionError) as err:
        book.transition(inc.id, S.HANDLING, operator=OFFICER)
    assert "reopen" in err.value.hint


@pytest.mark.parametrize("start", [S.CLOSED, S.ASSESSED])
def test_reopen_closed_is_explicit(book: IncidentBook, log: EventLog, start: S) -> None:
    inc = walk(book, start)
    again = book.reopen(inc.id, operator=OFFICER, reason="群众反映仍有问题")
    assert again.state is S.HANDLING and again.is_open
    entry = again.timeline[-1]
    assert (entry.previous, entry.state, entry.text) == (start, S.HANDLING, "群众反映仍有问题")
    log.flush()
    rec = log.get(entry.event_id)
    assert rec is not None and rec.data["reopen"] is True and rec.operator == OFFICER


@pytest.mark.parametrize("start", [S.RAISED, S.DISPATCHED, S.HANDLING, S.FEEDBACK])
def test_reopen_open_incident_refused(book: IncidentBook, start: S) -> None:
    inc = walk(book, start)
    with pytest.raises(InvalidTransitionError):
        book.reopen(inc.id, operator=OFFICER, reason="x")


def test_reopen_needs_reason(book: IncidentBook) -> None:
    inc = walk(book, S.CLOSED)
    with pytest.raises(BadIncidentValueError):
        book.reopen(inc.id, operator=OFFICER, reason="  ")


def test_unknown_state_and_unknown_incident(book: IncidentBook) -> None:
    inc = book.open_incident("traffic", "t", operator=OFFICER)
    with pytest.raises(BadIncidentValueError) as err:
        book.transition(inc.id, "solved", operator=OFFICER)
    assert "raised" in err.value.hint
    with pytest.raises(UnknownIncidentError) as err2:
        book.transition("INC-9999", S.CLOSED, operator=OFFICER)
    assert err2.value.hint
    assert book.get("INC-9999") is None


def test_state_labels_in_both_languages() -> None:
    labels = [s.label() for s in S]
    assert labels == ["上报", "派发", "处置", "反馈", "办结", "评价"]
    assert [s.label("en") for s in S] == [
        "Raised", "Dispatched", "Handling", "Feedback", "Closed", "Assessed",
    ]  # fmt: skip


# -- opening, validation -------------------------------------------------------------------


def test_open_incident_fields(book: IncidentBook, clock: VirtualClock) -> None:
    inc = book.open_incident(
        "safety", "仓库有人未戴安全帽", operator=OFFICER, location="3号仓库",
        priority="urgent", source="phone",
    )  # fmt: skip
    assert inc.id == "INC-0001"
    assert (inc.kind, inc.title, inc.location, inc.priority, inc.source) == (
        "safety", "仓库有人未戴安全帽", "3号仓库", "urgent", "phone",
    )  # fmt: skip
    assert inc.state is S.RAISED and inc.opened_by == OFFICER
    assert (inc.opened_wall, inc.opened_mono) == (clock.time(), clock.monotonic())
    assert [e.kind for e in inc.timeline] == ["incident.opened"]
    assert book.open_incident("x", "y", operator=OFFICER).id == "INC-0002"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"operator": ""}, MissingOperatorError),
        ({"operator": "  "}, MissingOperatorError),
        ({"operator": OFFICER, "priority": "high"}, BadIncidentValueError),
    ],
)
def test_open_incident_validation(
    book: IncidentBook, kwargs: dict[str, str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        book.open_incident("traffic", "t", **kwargs)  # type: ignore[arg-type]


def test_empty_title_refused(book: IncidentBook) -> None:
    with pytest.raises(BadIncidentValueError):
        book.open_incident("traffic", " ", operator=OFFICER)


def test_adhoc_for_page(book: IncidentBook) -> None:
    inc = book.adhoc_for_page("临时呼叫: 全体学校", OFFICER)
    assert inc.kind == "adhoc" and inc.state is S.RAISED and inc.opened_by == OFFICER
    assert book.active() == [inc]


# -- timeline, notes, pages, answers ---------------------------------------------------


async def test_timeline_order_and_timestamps(book: IncidentBook, clock: VirtualClock) -> None:
    inc = book.open_incident("traffic", "XX路交通事故", operator=OFFICER)
    stamps = [(clock.time(), clock.monotonic())]
    steps: list[Callable[[], Incident]] = [
        lambda: book.attach_page(inc.id, "P-1", operator=OFFICER),
        lambda: book.record_answer(inc.id, 2001, "收到，马上到"),
        lambda: book.transition(inc.id, S.HANDLING, operator=OFFICER),
        lambda: book.add_note(inc.id, "两车追尾, 无人受伤", operator="李警官"),
        lambda: book.attach_broadcast(inc.id, "B-7", operator=OFFICER),
        lambda: book.transition(inc.id, S.FEEDBACK, operator=OFFICER, note="已疏导"),
        lambda: book.transition(inc.id, S.CLOSED, operator=OFFICER),
    ]
    for step in steps:
        await clock.advance(7.5)
        step()
        stamps.append((clock.time(), clock.monotonic()))
    tl = book.timeline(inc.id)
    assert [e.kind for e in tl] == [
        "incident.opened",
        "incident.page_attached",
        "incident.state",  # raised -> dispatched with the page
        "incident.answer",
        "incident.state",
        "incident.note",
        "incident.broadcast_attached",
        "incident.state",
        "incident.state",
    ]
    times = [(e.wall, e.mono) for e in tl]
    assert times[0] == stamps[0]
    assert times[1] == times[2] == stamps[1]  # page and its dispatch share one instant
    assert times[3:] == stamps[2:]
    assert [e.mono for e in tl] == sorted(e.mono for e in tl)
    assert [e.event_id for e in tl] == sorted({e.event_id for e in tl})
    final = book.require(inc.id)
    assert final.pages == ("P-1",) and final.broadcasts == ("B-7",)
    assert [n.text for n in final.notes] == ["两车追尾, 无人受伤"]
    assert final.notes[0].operator == "李警官"
    assert [(a.unit, a.summary) for a in final.answers] == [("2001", "收到，马上到")]
    assert tl[2].state is S.DISPATCHED and tl[2].previous is S.RAISED
    assert tl[7].text == "已疏导"
    assert final.updated_mono == stamps[-1][1]


def test_attach_page_is_idempotent_and_dispatches_once(book: IncidentBook) -> None:
    inc = book.open_incident("traffic", "t", operator=OFFICER)
    a = book.attach_page(inc.id, 17)
    assert a.state is S.DISPATCHED and a.pages == ("17",)
    assert book.attach_page(inc.id, "17") is a
    b = book.attach_page(inc.id, "18")
    assert b.pages == ("17", "18") and b.state is S.DISPATCHED
    assert [e.kind for e in b.timeline].count("incident.state") == 1


def test_closed_incident_still_records_pages_answers_and_notes(book: IncidentBook) -> None:
    inc = walk(book, S.CLOSED)
    paged = book.attach_page(inc.id, "P-9")  # the page went out: recorded, not refused
    assert paged.pages == ("P-9",) and paged.state is S.CLOSED
    cast = book.attach_broadcast(inc.id, "B-9")
    assert cast.broadcasts == ("B-9",) and cast.state is S.CLOSED
    late = book.record_answer(inc.id, "2002", "到场 (迟到)")
    assert late.answers[-1].summary == "到场 (迟到)" and late.state is S.CLOSED
    noted = book.add_note(inc.id, "事后补记", operator=OFFICER)
    assert noted.notes[-1].text == "事后补记"
    assert not noted.is_open and noted not in book.active()


def test_note_validation(book: IncidentBook) -> None:
    inc = book.open_incident("traffic", "t", operator=OFFICER)
    with pytest.raises(BadIncidentValueError):
        book.add_note(inc.id, "", operator=OFFICER)
    with pytest.raises(MissingOperatorError):
        book.add_note(inc.id, "x", operator="")
    with pytest.raises(MissingOperatorError):
        book.transition(inc.id, S.CLOSED, operator="")


def test_incidents_are_frozen_and_new_per_change(book: IncidentBook) -> None:
    inc = book.open_incident("traffic", "t", operator=OFFICER)
    after = book.add_note(inc.id, "n", operator=OFFICER)
    assert after is not inc and len(inc.timeline) == 1 and len(after.timeline) == 2
    with pytest.raises(AttributeError):
        after.title = "changed"  # type: ignore[misc]


def test_active_orders_by_priority_then_age(book: IncidentBook, clock: VirtualClock) -> None:
    a = book.open_incident("x", "a", operator=OFFICER)
    b = book.open_incident("x", "b", operator=OFFICER, priority="emergency")
    c = book.open_incident("x", "c", operator=OFFICER, priority="urgent")
    d = book.open_incident("x", "d", operator=OFFICER, priority="emergency")
    book.transition(a.id, S.CLOSED, operator=OFFICER)
    assert [i.id for i in book.active()] == [b.id, d.id, c.id]
    assert [i.id for i in book.all()] == [a.id, b.id, c.id, d.id]


def test_listeners_get_changes(book: IncidentBook) -> None:
    seen: list[IncidentChanged] = []
    remove = book.subscribe(seen.append)
    book.subscribe(lambda _e: (_ for _ in ()).throw(RuntimeError("broken view")))
    inc = book.open_incident("x", "t", operator=OFFICER)
    inc = book.attach_page(inc.id, "P")
    assert len(seen) == 2 and seen[1].incident == inc
    assert seen[0].incident.state is S.RAISED
    assert [e.kind for e in seen[0].entries] == ["incident.opened"]
    assert [e.kind for e in seen[1].entries] == ["incident.page_attached", "incident.state"]
    remove()
    book.add_note(inc.id, "n", operator=OFFICER)
    assert len(seen) == 2


# -- the event log ---------------------------------------------------------------------


def test_log_records_kinds_and_operators(book: IncidentBook, log: EventLog) -> None:
    inc = book.open_incident("traffic", "XX路", operator=OFFICER, location="XX路口")
    book.attach_page(inc.id, "P-1", operator="李警官")
    book.record_answer(inc.id, "2001", "收到")
    book.add_note(inc.id, "备注", operator="李警官")
    book.attach_broadcast(inc.id, "B-1", operator=OFFICER)
    book.transition(inc.id, S.HANDLING, operator=OFFICER)
    log.flush()
    rows = [(r.kind, r.operator, r.page, r.unit) for r in log.query(incident=inc.id)]
    assert rows == [
        ("incident.opened", OFFICER, None, None),
        ("incident.state", OFFICER, None, None),
        ("incident.page_attached", "李警官", "P-1", None),
        ("incident.state", "李警官", None, None),
        ("incident.answer", None, None, "2001"),
        ("incident.note", "李警官", None, None),
        ("incident.broadcast_attached", OFFICER, None, None),
        ("incident.state", OFFICER, None, None),
    ]
    opened = next(log.query(incident=inc.id, kinds=["incident.opened"]))
    assert opened.data["title"] == "XX路" and opened.data["location"] == "XX路口"
    # The log's own summary view sees the state from the very first moment.
    summary = log.incident_summary(inc.id)
    assert summary[0]["state"] == "handling"


def test_summary_view_shows_raised_state(book: IncidentBook, log: EventLog) -> None:
    inc = book.open_incident("traffic", "t", operator=OFFICER)
    log.flush()
    assert log.incident_summary(inc.id)[0]["state"] == "raised"


async def test_restore_rebuilds_identical_book(open_log: OpenLog, clock: VirtualClock) -> None:
    log = open_log(clock)
    book = IncidentBook(clock, log)
    hostile = "\x1b[31m[b]note[/b]\x1b]0;t\x07 \\n %s {0} \ud800"
    a = book.open_incident("traffic", "XX路交通事故", operator=OFFICER, priority="urgent")
    await clock.advance(3.25)
    b = book.open_incident("safety", "未戴安全帽", operator="李警官", location="仓库")
    book.attach_page(a.id, "P-1", operator=OFFICER)
    await clock.advance(1.5)
    book.record_answer(a.id, 2001, "收到")
    book.add_note(a.id, hostile, operator=OFFICER)
    book.transition(b.id, S.HANDLING, operator="李警官")
    book.transition(b.id, S.CLOSED, operator="李警官", note="已整改")
    c = book.open_incident("x", "closed then reopened", operator=OFFICER)
    book.transition(c.id, S.CLOSED, operator=OFFICER)
    book.reopen(c.id, operator=OFFICER, reason="again")
    book.attach_broadcast(c.id, "B-3")
    live_all = book.all()
    live_active = book.active()
    log.close()

    clock2 = VirtualClock(start=50.0)  # a new process: different monotonic base
    log2 = open_log(clock2)
    restored = IncidentBook.restore(log2, clock2)
    assert restored.all() == live_all
    assert restored.active() == live_active
    assert [i.id for i in restored.active()] == [a.id, c.id]
    for inc in live_all:
        assert restored.timeline(inc.id) == book.timeline(inc.id)
    assert restored.require(a.id).notes[0].text == hostile
    # Numbering continues after the restored incidents.
    assert restored.open_incident("x", "new", operator=OFFICER).id == "INC-0004"

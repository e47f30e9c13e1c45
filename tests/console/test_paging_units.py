"""Answer classification, the send queue, the commit gate, voice answers, incidents."""

from __future__ import annotations

import asyncio

from console.config import (
    StatusCode,
    StatusPlan,
)
from console.deadlines import NO_DEADLINES
from console.incidents import IncidentBook
from console.paging.incidents import incident_hooks
from console.paging.matching import classify_status, classify_text, failure_cause
from console.paging.model import (
    FailureCause,
    PageChanged,
    PageRequest,
    Recipient,
    Rung,
)
from console.paging.queue import SendJob, SendQueue
from fakes.behaviour import AnswerMode
from tests.console.test_paging_rig import OpenPagingRig, behaviour, units

PLAN = StatusPlan()


def test_default_status_plan() -> None:
    assert classify_status(PLAN, 0x8002).rung is Rung.ACKNOWLEDGED  # type: ignore[union-attr]
    assert classify_status(PLAN, 0x8003).rung is Rung.EN_ROUTE  # type: ignore[union-attr]
    assert classify_status(PLAN, 0x8004).rung is Rung.ON_SCENE  # type: ignore[union-attr]
    assert classify_status(PLAN, 0x8005).rung is Rung.RELEASED  # type: ignore[union-attr]
    assert classify_status(PLAN, 0x8006).rung is Rung.BACKUP_REQUESTED  # type: ignore[union-attr]
    assert classify_status(PLAN, 0) is None  # emergency: an alarm, never an ack
    assert classify_status(PLAN, 0x8123) is None


def test_station_renumbered_status_plan() -> None:
    plan = StatusPlan(codes=(StatusCode(0x9001, "acknowledged", "收到"),))
    assert classify_status(plan, 0x9001).rung is Rung.ACKNOWLEDGED  # type: ignore[union-attr]
    assert classify_status(plan, 0x8002) is None


def test_text_replies() -> None:
    for text in ("收到", " 收到，马上到", "到", "ok", "OK 5分钟", "1"):
        assert classify_text(PLAN, text).rung is Rung.ACKNOWLEDGED, text  # type: ignore[union-attr]
    assert classify_text(PLAN, "到场").rung is Rung.ON_SCENE  # type: ignore[union-attr]
    assert classify_text(PLAN, "出发了").rung is Rung.EN_ROUTE  # type: ignore[union-attr]
    assert classify_text(PLAN, "请问什么情况") is None
    assert classify_text(PLAN, "") is None


def test_failure_causes() -> None:
    assert failure_cause(0x5A) is FailureCause.NOT_REACHABLE
    assert failure_cause(0x4B) is FailureCause.NOT_REGISTERED
    assert failure_cause(0x53) is FailureCause.REFUSED
    assert failure_cause(0x4A) is FailureCause.GATEWAY_ERROR


async def test_queue_emergency_first_and_put_front() -> None:
    q = SendQueue()
    q.put(SendJob("P1", 1, 1, "a", 5, 1))
    q.put(SendJob("P1", 2, 2, "b", 5, 1))
    q.put(SendJob("P2", 3, 3, "c", 0, 1))
    back = SendJob("P1", 4, 4, "d", 5, 1, message_ref=9, retry=True)
    q.put_front(back)
    order = [(await q.get()).issi for _ in range(4)]
    assert order == [3, 4, 1, 2]
    q.put(SendJob("P1", 1, 1, "a", 5, 1))
    q.put(SendJob("P2", 2, 2, "a", 5, 1))
    assert q.remove_page("P1") == 1 and len(q) == 1


def test_rung_labels() -> None:
    assert Rung.ACKNOWLEDGED.label() == "收到"
    assert Rung.ON_SCENE.label("en") == "on scene"
    assert FailureCause.NOT_REACHABLE.label("en").startswith("not reachable")


async def test_nothing_is_shown_before_it_is_committed(open_paging_rig: OpenPagingRig) -> None:
    prig = await open_paging_rig(
        units([2001]), {2001: behaviour()}, deadlines=NO_DEADLINES, drive_log=False
    )
    engine, log = prig.engine, prig.log
    page_id = engine.page(PageRequest(recipients=(Recipient(2001),), text="测试"))
    await prig.run(30.0)
    live = engine.live_rungs(page_id, 2001)
    assert [r.rung for r in live][:6] == [
        Rung.QUEUED,
        Rung.ACCEPTED,
        Rung.SENT,
        Rung.DELIVERED,
        Rung.READ,
        Rung.ACKNOWLEDGED,
    ]
    assert not any(r.committed for r in live)
    assert engine.view(page_id).responder(2001).rungs == ()  # type: ignore[union-attr]
    assert prig.changes == []
    assert log.pending_count >= 6
    log.flush()  # the commit notification flips what the UI may show
    await asyncio.sleep(0)
    shown = engine.view(page_id).responder(2001)
    assert shown is not None and shown.acknowledged
    assert [r.event_id for r in shown.rungs] == [r.event_id for r in live]
    assert all(r.committed for r in shown.rungs)
    assert len(prig.changes) == 1 and isinstance(prig.changes[0], PageChanged)
    assert prig.changes[0].changed == (2001,)
    assert all(log.is_committed(r.event_id or 0) for r in shown.rungs)


async def test_voice_key_up_acknowledges_and_implies_nothing_unsent(
    open_paging_rig: OpenPagingRig,
) -> None:
    beh = {2001: behaviour(AnswerMode.VOICE), 2002: behaviour()}
    groups = [{"gssi": 9001, "name": "全体", "members": [2001, 2002]}]
    prig = await open_paging_rig(units([2001, 2002]), beh, groups=groups, deadlines=NO_DEADLINES)
    engine = prig.engine
    recips = tuple(Recipient(i, via="全体", via_gssi=9001) for i in (2001, 2002))
    page_id = engine.page(PageRequest(recipients=recips, talkgroups=(9001,), voice=True))
    await prig.run(40.0)
    view = engine.view(page_id)
    voice = view.responder(2001)
    assert voice is not None and voice.acknowledged
    ack = voice.first(Rung.ACKNOWLEDGED)
    assert ack is not None and ack.source.value == "voice"
    # A voice-only page has no SDS rungs: queued -> accepted (the call) -> acknowledged.
    assert [r.rung for r in voice.rungs] == [Rung.QUEUED, Rung.ACCEPTED, Rung.ACKNOWLEDGED]
    assert view.voice_groups == (9001,)
    assert prig.log.count_by_kind()["page.call"] == 1


async def test_status_ack_implies_delivered_with_the_answer_time(
    open_paging_rig: OpenPagingRig,
) -> None:
    # The radio answers although its delivery report is lost (the network never sent it).
    prig = await open_paging_rig(units([2001]), {2001: behaviour()}, deadlines=NO_DEADLINES)
    prig.rig.sim.faults.drop_next("+CTSDSR: 12,2001")
    page_id = prig.engine.page(PageRequest(recipients=(Recipient(2001),), text="测试"))
    await prig.run(5.0)
    radio = prig.rig.sim.radio(2001)
    radio.cancel_pending()
    radio.send_status(0x8003)  # straight to "en route", no 收到 first
    await prig.run(2.0)
    resp = prig.engine.view(page_id).responder(2001)
    assert resp is not None
    ack = resp.first(Rung.ACKNOWLEDGED)
    route = resp.first(Rung.EN_ROUTE)
    assert ack is not None and route is not None
    assert ack.implied and not route.implied and ack.mono == route.mono
    assert not resp.first(Rung.ACCEPTED).implied  # type: ignore[union-attr]


async def test_backup_requested_and_operator_actions(open_paging_rig: OpenPagingRig) -> None:
    prig = await open_paging_rig(
        units([2001]), {2001: behaviour(AnswerMode.NEVER)}, deadlines=NO_DEADLINES
    )
    engine = prig.engine
    page_id = engine.page(PageRequest(recipients=(Recipient(2001),), text="测试"))
    await prig.run(3.0)
    prig.rig.sim.radio(2001).send_status(0x8006)
    prig.rig.sim.radio(2001).send_status(0)  # emergency: not ours, not an ack
    await prig.run(2.0)
    resp = engine.view(page_id).responder(2001)
    assert resp is not None and resp.has(Rung.BACKUP_REQUESTED)
    engine.operator_release(page_id, 2001, "张警官", "电话确认")
    engine.close_page(page_id, "张警官")
    await prig.run(1.0)
    resp = engine.view(page_id).responder(2001)
    assert resp is not None and resp.top is Rung.RELEASED
    assert engine.view(page_id).closed
    actions = list(prig.log.query(kinds=["operator.action"]))
    assert [(r.operator, r.data["action"]) for r in actions] == [
        ("张警官", "release"),
        ("张警官", "close_page"),
    ]


async def test_page_belongs_to_an_adhoc_incident(open_paging_rig: OpenPagingRig) -> None:
    prig = await open_paging_rig(units([2001]), {2001: behaviour()}, deadlines=NO_DEADLINES)
    book = IncidentBook(prig.clock, prig.log)
    factory, attach = incident_hooks(book)
    prig.engine.incident_factory, prig.engine.attach_page = factory, attach
    page_id = prig.engine.page(
        PageRequest(recipients=(Recipient(2001),), text="测试", operator="值班民警")
    )
    view = prig.engine.view(page_id)
    assert view.incident_id is not None
    incident = book.require(view.incident_id)
    assert page_id in incident.pages
    await prig.run(1.0)
    created = list(prig.log.query(kinds=["page.created"]))
    assert created[0].incident == view.incident_id

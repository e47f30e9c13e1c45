"""Voice-only re-pages and pages that open no incident (roll calls, drills)."""

from __future__ import annotations

from console.deadlines import NO_DEADLINES, Deadlines, Escalation
from console.incidents import IncidentBook
from console.paging.incidents import incident_hooks
from console.paging.model import (
    EscalationStep,
    FailureCause,
    PageRequest,
    Recipient,
    Rung,
)
from fakes.behaviour import AnswerMode
from tests.console.test_paging_rig import OpenPagingRig, behaviour, units

GROUP = [{"gssi": 9001, "name": "全体", "members": [2001, 2002, 2003]}]


async def test_voice_only_repage_reestablishes_the_call_once_per_round(
    open_paging_rig: OpenPagingRig,
) -> None:
    beh = {
        2001: behaviour(AnswerMode.VOICE),
        2002: behaviour(AnswerMode.NEVER),
        2003: behaviour(AnswerMode.NEVER),
    }
    deadlines = Deadlines(
        acknowledge_s=60.0,
        en_route_s=None,
        on_scene_s=None,
        escalation=Escalation(repage_limit=1, alert_officer=False, page_backup=False),
    )
    prig = await open_paging_rig(units([2001, 2002, 2003]), beh, groups=GROUP, deadlines=deadlines)
    engine = prig.engine
    recips = tuple(Recipient(i, via="全体", via_gssi=9001) for i in (2001, 2002, 2003))
    page_id = engine.page(PageRequest(recipients=recips, talkgroups=(9001,), voice=True))
    await prig.run(90.0)
    view = engine.view(page_id)
    calls = list(prig.log.query(kinds=["page.call"]))
    # The first call, then ONE re-established call for both silent units.
    assert [c.data.get("repage", False) for c in calls] == [False, True]
    assert all(c.data["gssi"] == 9001 for c in calls)
    for issi in (2002, 2003):
        resp = view.responder(issi)
        assert resp is not None and resp.attempts == 2
        assert [(r.rung, r.attempt) for r in resp.rungs] == [
            (Rung.QUEUED, 1),
            (Rung.ACCEPTED, 1),
            (Rung.FAILED, 1),
            (Rung.QUEUED, 2),
            (Rung.ACCEPTED, 2),
        ]
        assert resp.rungs[2].cause is FailureCause.NO_ANSWER
        assert resp.rungs[4].source.value == "voice"
    answered = view.responder(2001)
    assert answered is not None and answered.acknowledged and answered.attempts == 1
    repages = [e for e in view.escalations if e.step is EscalationStep.REPAGE]
    assert sorted(e.issi for e in repages) == [2002, 2003]
    assert all(e.detail == "attempt 2: group call 9001 re-established" for e in repages)


async def test_no_repage_over_a_call_that_is_still_up(open_paging_rig: OpenPagingRig) -> None:
    # The officer holds the floor: the call is still up when the target passes.
    deadlines = Deadlines(
        acknowledge_s=3.0,
        en_route_s=None,
        on_scene_s=None,
        escalation=Escalation(repage_limit=1, alert_officer=False, page_backup=False),
    )
    prig = await open_paging_rig(
        units([2002]),
        {2002: behaviour(AnswerMode.NEVER)},
        groups=GROUP,
        deadlines=deadlines,
    )
    engine = prig.engine
    request = PageRequest(
        recipients=(Recipient(2002, via="全体", via_gssi=9001),),
        talkgroups=(9001,),
        voice=True,
        hold_floor=True,
    )
    page_id = engine.page(request)
    await prig.run(5.0)
    view = engine.view(page_id)
    [step] = [e for e in view.escalations if e.step is EscalationStep.REPAGE]
    assert step.detail == "not re-paged: the group call 9001 is still up"
    assert prig.log.count_by_kind()["page.call"] == 1
    resp = view.responder(2002)
    assert resp is not None and resp.attempts == 1


async def test_no_incident_pages_open_no_adhoc_incident(open_paging_rig: OpenPagingRig) -> None:
    prig = await open_paging_rig(units([2001]), {2001: behaviour()}, deadlines=NO_DEADLINES)
    book = IncidentBook(prig.clock, prig.log)
    prig.engine.incident_factory, prig.engine.attach_page = incident_hooks(book)
    roll = prig.engine.page(
        PageRequest(recipients=(Recipient(2001),), text="点名", no_incident=True)
    )
    assert prig.engine.view(roll).incident_id is None
    assert book.active() == []
    # An explicit incident is still honoured.
    incident = book.adhoc_for_page("演练", "值班民警")
    drill = prig.engine.page(
        PageRequest(recipients=(Recipient(2001),), text="演练", no_incident=True),
        incident_id=incident.id,
    )
    assert prig.engine.view(drill).incident_id == incident.id
    assert book.require(incident.id).pages == (drill,)
    await prig.run(1.0)
    [created, _] = list(prig.log.query(kinds=["page.created"]))
    assert created.incident is None

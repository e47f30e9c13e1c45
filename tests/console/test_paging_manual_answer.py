"""The officer records a unit heard by phone or in person (issue 14).

A unit whose radio never answers is called on the phone: the officer records 收到 by
phone, later 到场 in person.  Each is the operator's action (with their name and the
method) and counts as the unit's answer: the ladder climbs, the 1-minute target does
not alert for it, and the rung's log row says who and how.
"""

from __future__ import annotations

import pytest

from console.deadlines import Deadlines, Escalation
from console.paging.model import (
    AnswerMethod,
    EscalationStep,
    PageRequest,
    Recipient,
    Rung,
    Source,
    manual_choices,
)
from fakes.behaviour import AnswerMode
from tests.console.test_paging_rig import OpenPagingRig, behaviour, units

TARGETS = Deadlines(
    acknowledge_s=60.0,
    en_route_s=None,
    on_scene_s=None,
    escalation=Escalation(repage=False, page_backup=False),
)


async def test_phone_and_in_person_answers_are_the_officers_and_count(
    open_paging_rig: OpenPagingRig,
) -> None:
    silent = behaviour(AnswerMode.NEVER)
    prig = await open_paging_rig(
        units([2001, 2002]), {2001: silent, 2002: silent}, deadlines=TARGETS
    )
    engine = prig.engine
    page_id = engine.page(
        PageRequest(recipients=(Recipient(2001), Recipient(2002)), text="XX路交通事故")
    )
    await prig.run(5.0)
    before = engine.view(page_id).responder(2001)
    assert before is not None and manual_choices(before) == (
        Rung.ACKNOWLEDGED,
        Rung.EN_ROUTE,
        Rung.ON_SCENE,
    )
    assert engine.operator_answer(page_id, 2001, "张警官", method=AnswerMethod.PHONE)
    await prig.run(1.0)
    resp = engine.view(page_id).responder(2001)
    assert resp is not None and resp.acknowledged and resp.manual is AnswerMethod.PHONE
    ack = resp.first(Rung.ACKNOWLEDGED)
    assert ack is not None and ack.source is Source.OPERATOR and not ack.implied
    assert manual_choices(resp) == (Rung.EN_ROUTE, Rung.ON_SCENE)
    # The same answer again adds nothing; a lower one neither.
    assert not engine.operator_answer(page_id, 2001, "张警官")
    # Past the 1-minute target: only the silent 2002 alerts the officer.
    await prig.run(70.0)
    alerted = {e.issi for e in engine.view(page_id).escalations if e.step is EscalationStep.ALERT}
    assert alerted == {2002}
    # Later the unit is seen on scene: 到场 in person, which implies 出发.
    assert engine.operator_answer(
        page_id, 2001, "李警官", method=AnswerMethod.IN_PERSON, rung=Rung.ON_SCENE
    )
    await prig.run(1.0)
    resp = engine.view(page_id).responder(2001)
    assert resp is not None and resp.top is Rung.ON_SCENE
    assert resp.manual is AnswerMethod.IN_PERSON
    route = resp.first(Rung.EN_ROUTE)
    assert route is not None and route.implied
    assert engine.view(page_id).responder(2002).manual is None  # type: ignore[union-attr]

    actions = list(prig.log.query(kinds=["operator.action"]))
    assert [(r.operator, r.data["action"], r.data["method"], r.data["rung"]) for r in actions] == [
        ("张警官", "answered", "phone", "acknowledged"),
        ("李警官", "answered", "in_person", "on_scene"),
    ]
    rows = {
        r.kind: r
        for r in prig.log.query(kinds=["ladder.acknowledged", "ladder.on_scene"])
        if r.unit == "2001"
    }
    assert rows["ladder.acknowledged"].operator == "张警官"
    assert rows["ladder.acknowledged"].data["source"] == "operator"
    assert rows["ladder.acknowledged"].data["detail"] == "phone"
    assert rows["ladder.on_scene"].operator == "李警官"
    assert rows["ladder.on_scene"].data["detail"] == "in_person"


async def test_only_the_answer_rungs_can_be_recorded(open_paging_rig: OpenPagingRig) -> None:
    prig = await open_paging_rig(
        units([2001]), {2001: behaviour(AnswerMode.NEVER)}, deadlines=TARGETS
    )
    page_id = prig.engine.page(PageRequest(recipients=(Recipient(2001),), text="测试"))
    with pytest.raises(ValueError, match="not delivered"):
        prig.engine.operator_answer(page_id, 2001, "张警官", rung=Rung.DELIVERED)
    assert not list(prig.log.query(kinds=["operator.action"]))

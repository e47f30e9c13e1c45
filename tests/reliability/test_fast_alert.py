"""Fast alert: one group SDS alerts every member at once; the silent are followed up.

46 units in one talkgroup, with the air interface modelled (SDS one after another on the
channel, one outstanding in the MT).  Some radios are switched off, some out of range
until after the group SDS, some people slow.  Counted at the radios: every reachable
radio alerted once, by one transmission; the rest followed up individually; nobody shown
the page twice; every ladder ends on the right rung.
"""

from __future__ import annotations

from pathlib import Path

from console.paging.model import FailureCause, PageRequest, Recipient, Rung
from fakes.behaviour import (
    STATUS_ACKNOWLEDGED,
    STATUS_EN_ROUTE,
    AnswerMode,
    Behaviour,
    StatusStep,
    fixed,
    uniform,
)
from fakes.gateway import tetra_air
from tests.factories import OpenFaultRig
from tests.reliability.reliability_harness import radio_truth

GSSI = 9001
UNITS = tuple(range(4001, 4047))
OFF = (4010, 4020, 4030)
AWAY = (4011, 4021)  # out of range for the group SDS, back before the follow-up
SLOW = (4012, 4022, 4032)  # read it, answer after the follow-up went out
FOLLOWUP_S = 8.0


def _behaviour(issi: int) -> Behaviour:
    answer = uniform(15.0, 20.0) if issi in SLOW else uniform(1.0, 5.0)
    return Behaviour(
        answer=AnswerMode.STATUS,
        delivery=uniform(0.2, 0.6),
        read=uniform(0.5, 2.0),
        answer_delay=answer,
        ladder=(StatusStep(STATUS_ACKNOWLEDGED, fixed(0)), StatusStep(STATUS_EN_ROUTE, fixed(20))),
        powered=issi not in OFF,
        in_range=issi not in AWAY,
    )


async def test_fast_page_to_46_alerts_by_one_transmission_and_follows_up_the_silent(
    tmp_path: Path,
    open_fault_rig: OpenFaultRig,
) -> None:
    units = [{"issi": i, "alias": f"单元{i}", "kind": "school"} for i in UNITS]
    frig = await open_fault_rig(
        tmp_path / "fast.db",
        seed=13,
        issis=UNITS,
        units=units,
        groups=[{"gssi": GSSI, "name": "全体", "members": list(UNITS)}],
        behaviours={i: _behaviour(i) for i in UNITS},
        gateway_config=tetra_air(),
    )
    request = PageRequest(
        recipients=tuple(Recipient(i, via="全体", via_gssi=GSSI) for i in UNITS),
        talkgroups=(GSSI,),
        text="XX路交通事故，收到请回复",
        group_text=(GSSI,),
        followup_s=FOLLOWUP_S,
    )
    page_id = frig.engine.page(request)
    page = frig.engine.pages[page_id]
    net = frig.rig.sim.network
    # one transmission alerts every reachable member within the first seconds
    reachable = [i for i in UNITS if i not in OFF and i not in AWAY]
    assert await frig.clock.run_until(
        lambda: all(net.radio(i).alerted for i in reachable), limit=5, step=0.05
    )
    alerted_by = max(net.radio(i).alerted[0][0] for i in reachable)
    assert alerted_by < 2.0, alerted_by
    for issi in AWAY:
        net.set_in_range(issi, True)
    await frig.clock.run_until(
        lambda: all(
            r.reached(Rung.ACKNOWLEDGED) or r.has(Rung.FAILED) for r in page.responders.values()
        ),
        limit=60,
        step=0.1,
    )
    await frig.run(5.0)
    aired = frig.rec.aired
    assert aired[(GSSI, page.group_refs[GSSI])] == 1, "one group transmission"
    followed = {dest for dest, _ in aired if dest != GSSI}
    # followed up individually: the off and away radios, and the slow answerers
    assert set(OFF) | set(AWAY) | set(SLOW) <= followed
    assert followed <= set(UNITS) - set(reachable) | set(SLOW)
    for issi in UNITS:
        resp = page.responders[issi]
        if issi in OFF:
            assert resp.has(Rung.FAILED), issi
            fail = next(r for r in resp.rungs if r.rung is Rung.FAILED)
            assert fail.cause is FailureCause.NOT_REACHABLE, fail
        else:
            assert resp.reached(Rung.ACKNOWLEDGED), (issi, [r.rung for r in resp.rungs])
        accepted = next(r for r in resp.rungs if r.rung is Rung.ACCEPTED)
        assert f"group SDS {GSSI}" in accepted.detail  # the ladder says how it was reached
    truth = radio_truth(frig, page_id, UNITS)
    assert truth.presented_twice == [], truth.presented_twice
    assert truth.lost == [], truth.lost
    for issi in AWAY:  # alerted once, by the follow-up
        assert sum(net.radio(issi).presented.values()) == 1

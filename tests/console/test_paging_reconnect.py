"""Cable pulled and put back in the middle of a 46-unit page.

The fake holds every ``AT+CMGS`` answer for 0.5 s, so the cable is pulled while a send is
written but unanswered.  Afterwards: every unit was paged, none twice by mistake (the one
in flight is re-sent with the *same* message reference and marked as a retry), and no
answer that arrived meanwhile is lost.
"""

from __future__ import annotations

from collections import Counter

from console.deadlines import NO_DEADLINES
from console.paging.model import (
    PageRequest,
    Recipient,
    Rung,
)
from drivers.link import LinkState
from drivers.radio_events import StatusReceived
from fakes.faults import FaultPlan
from tests.console.test_paging_rig import OpenPagingRig, behaviour, units

ISSIS = list(range(4001, 4047))


async def test_reconnect_mid_page_loses_nothing_and_duplicates_nothing(
    open_paging_rig: OpenPagingRig,
) -> None:
    prig = await open_paging_rig(
        units(ISSIS),
        {i: behaviour() for i in ISSIS},
        deadlines=NO_DEADLINES,
        faults=FaultPlan(latency_by_command={"+CMGS": 0.5}),
    )
    engine, rig = prig.engine, prig.rig
    page_id = engine.page(
        PageRequest(recipients=tuple(Recipient(i) for i in ISSIS), text="集合点名，收到请回复")
    )

    # Until a dozen units are accepted, then pull the cable mid-CMGS.
    def accepted() -> int:
        return sum(
            1 for i in ISSIS if any(r.rung is Rung.ACCEPTED for r in engine.live_rungs(page_id, i))
        )

    assert await prig.clock.run_until(lambda: accepted() >= 12, limit=60, step=0.05)
    await prig.clock.advance(0.2)  # the next CMGS is on the wire, its answer held back
    assert engine._inflight is not None
    in_flight = engine._inflight.issi
    rig.sim.unplug()
    await rig.wait_for(lambda: rig.link.state is not LinkState.UP, virtual=5, step=0.1)
    await prig.run(3.0)  # answers to what went out before keep coming in the meantime
    assert rig.link.state is not LinkState.UP
    rig.sim.replug()
    await rig.wait_for(lambda: rig.link.state is LinkState.UP, virtual=30, step=0.25)
    await prig.run(200.0)

    view = engine.view(page_id)
    # -- everyone paged once, reached on scene; nothing lost ------------------------------
    for resp in view.responders:
        top = resp.top
        assert top is Rung.ON_SCENE, (resp.issi, [r.rung.value for r in resp.rungs])
        assert resp.attempts == 1
    statuses = Counter((e.sender, e.value) for e in rig.events if isinstance(e, StatusReceived))
    assert len(statuses) == 46 * 3
    acked = prig.log.count_by_kind()["ladder.acknowledged"]
    assert acked == 46
    # -- no duplicate paging: one message reference per unit ------------------------------
    refs = Counter(dest for dest, _ref in prig.aired)
    assert all(refs[i] == 1 for i in ISSIS), refs
    retried = [r for r in view.responders if any(x.retry for x in r.rungs)]
    flight = view.responder(in_flight)
    assert flight is not None
    acc = flight.first(Rung.ACCEPTED)
    assert acc is not None
    # The unit in flight is re-sent with the same message reference, marked as a retry.
    assert acc.retry and not acc.implied
    assert [r.issi for r in retried] == [in_flight]
    assert (in_flight, acc.message_ref) in prig.aired
    # On the air: one SDS per unit, except the one in flight, which the fake had taken
    # before the cable came out and got again with the same reference, and those the
    # recovery after the reconnect sent again (same reference: their radios
    # de-duplicate it and repeat their answers, see recovery.py).
    recovered = {
        u for e in prig.log.query(kinds=["page.recovery"], page=page_id) for u in e.data["units"]
    }
    assert recovered and in_flight not in recovered
    assert recovered <= set(ISSIS[:13])  # only units whose page had gone out
    assert prig.aired[(in_flight, acc.message_ref)] == 2
    twice = {key[0] for key, n in prig.aired.items() if n == 2}
    assert twice == recovered | {in_flight}
    assert all(n <= 2 for n in prig.aired.values())
    assert sum(prig.aired.values()) == 47 + len(recovered)
    assert rig.link.reconnects >= 1

"""Answers given while the console was blind come back at once, and nobody is alerted twice.

The truth is counted at the radios (``SimRadio.transmitted`` and ``presented``), never
from the console's own view: every answer a radio sent must be on its ladder as its own
rung (not implied by a later one) and in the log, and no radio may have shown the page to
its person more than once.
"""

from __future__ import annotations

from pathlib import Path

from console.paging.model import PageRequest, Recipient, Rung
from console.runtime.view import board_cells
from drivers.link import LinkState
from fakes.behaviour import (
    STATUS_ACKNOWLEDGED,
    STATUS_EN_ROUTE,
    AnswerMode,
    Behaviour,
    StatusStep,
    fixed,
    uniform,
)
from tests.factories import OpenFaultRig
from tests.reliability.reliability_harness import FaultRig, radio_truth

UNITS = tuple(range(4001, 4007))  # a 6-unit page


def _quick(mode: AnswerMode) -> Behaviour:
    """Answers 1-2.5 s after delivery: inside a 3-s outage that starts after the last send."""
    return Behaviour(
        answer=mode,
        delivery=uniform(0.2, 0.5),
        read=uniform(0.3, 1.0),
        answer_delay=uniform(1.0, 2.5),
        ladder=(
            StatusStep(STATUS_ACKNOWLEDGED, fixed(0.0)),
            StatusStep(STATUS_EN_ROUTE, fixed(30)),
        ),
    )


BEHAVIOURS = {i: _quick(AnswerMode.TEXT if i % 3 == 0 else AnswerMode.STATUS) for i in UNITS}


async def _page_all_sent(frig: FaultRig) -> str:
    page_id = frig.engine.page(
        PageRequest(recipients=tuple(Recipient(i) for i in UNITS), text="XX路交通事故，收到请回复")
    )
    page = frig.engine.pages[page_id]
    assert await frig.clock.run_until(
        lambda: all(r.has(Rung.ACCEPTED) for r in page.responders.values()),
        limit=10,
        step=0.01,
    ), "the page did not go out"
    return page_id


async def _acknowledged_soon_after_up(frig: FaultRig, page_id: str) -> float:
    link = frig.rig.link
    assert await frig.clock.run_until(lambda: link.state is LinkState.UP, limit=30, step=0.05)
    up_at = frig.clock.monotonic()
    page = frig.engine.pages[page_id]
    assert await frig.clock.run_until(
        lambda: all(r.reached(Rung.ACKNOWLEDGED) for r in page.responders.values()),
        limit=10,
        step=0.05,
    ), {i: r.top_level for i, r in page.responders.items()}
    return frig.clock.monotonic() - up_at


def _assert_truth(frig: FaultRig, page_id: str) -> None:
    truth = radio_truth(frig, page_id, UNITS)
    assert truth.lost == [], truth.lost
    assert truth.presented_twice == [], truth.presented_twice
    assert truth.sent >= len(UNITS)
    assert truth.recovered > 0, "the outage swallowed no answer: the test proves nothing"


async def test_cable_pulled_for_3_s_after_the_last_send(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    frig = await open_fault_rig(tmp_path / "pull.db", seed=5, issis=UNITS, behaviours=BEHAVIOURS)
    page_id = await _page_all_sent(frig)
    frig.rig.sim.unplug()
    await frig.run(3.0, step=0.05)
    swallowed = [
        t for i in UNITS for t in frig.rig.sim.network.radio(i).transmitted if t.kind != "report"
    ]
    assert swallowed, "nobody answered during the outage"
    frig.rig.sim.replug()
    took = await _acknowledged_soon_after_up(frig, page_id)
    assert took <= 10.0
    await frig.run(5.0)
    _assert_truth(frig, page_id)
    causes = [e.data["cause"] for e in frig.log.query(kinds=["page.recovery"], page=page_id)]
    assert causes and set(causes) == {"link_outage"}
    # the board says who was reached again after the outage
    cells = board_cells(frig.engine.view(page_id), frig.clock.monotonic())
    assert {c.issi for c in cells if c.recovered} == set(UNITS)


async def test_silent_gateway_reboot_mid_page(tmp_path: Path, open_fault_rig: OpenFaultRig) -> None:
    frig = await open_fault_rig(tmp_path / "boot.db", seed=6, issis=UNITS, behaviours=BEHAVIOURS)
    page_id = await _page_all_sent(frig)
    rebooted = frig.clock.monotonic()
    frig.rig.sim.gateway.reboot()
    link = frig.rig.link
    assert await frig.clock.run_until(
        lambda: link.state is not LinkState.UP, limit=3.0, step=0.05
    ), "a silent reboot went unnoticed for 3 s with a page open"
    noticed = frig.clock.monotonic() - rebooted
    took = await _acknowledged_soon_after_up(frig, page_id)
    assert noticed <= 3.0 and took <= 10.0
    await frig.run(5.0)
    _assert_truth(frig, page_id)

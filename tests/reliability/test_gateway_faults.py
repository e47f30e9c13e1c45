"""A slow, silent, busy or rebooting gateway: no hang, no duplicate page, state visible.

All on virtual time against the simulated MT over a pty.  Each fault is injected on the
fake's side only (test-side wrappers around the simulated gateway), never in the driver.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from console.paging.model import FailureCause, PageRequest, Recipient, Rung
from drivers.link import LinkState, LinkStateChanged
from fakes.faults import FaultPlan
from fakes.lineinput import SdsData
from tests.factories import OpenFaultRig
from tests.reliability.reliability_harness import Emitted, FaultRig, check

UNITS = tuple(range(4001, 4013))  # 12 units: enough to straddle every fault window


def _page(frig: FaultRig, issis: tuple[int, ...] = UNITS) -> str:
    return frig.engine.page(
        PageRequest(recipients=tuple(Recipient(i) for i in issis), text="集合：收到请回复")
    )


def _states(frig: FaultRig) -> list[LinkState]:
    seen: list[LinkState] = []
    frig.rig.link.subscribe(
        lambda e: seen.append(e.state) if isinstance(e, LinkStateChanged) else None
    )
    return seen


def _no_duplicates(
    frig: FaultRig, page_id: str, exclude: Callable[[Emitted], bool] | None = None
) -> None:
    out = check(frig, page_id, (), 0, exclude=exclude)
    assert out.duplicate_pages == [], out.duplicate_pages
    assert out.answers_lost == [], out.answers_lost


def _busy_storm(frig: FaultRig, until: float) -> list[int]:
    """``+CME ERROR: 42`` (busy) for every SDS the MT is given before ``until``."""
    gw, clock = frig.rig.sim.gateway, frig.clock
    original = gw._sds_data
    refused: list[int] = []

    def busy(ev: SdsData) -> None:
        if clock.monotonic() < until and not ev.aborted and gw._cmgs_dest is not None:
            if gw._cmgs_timer is not None:
                gw._cmgs_timer.cancel()
                gw._cmgs_timer = None
            refused.append(gw._cmgs_dest)
            gw._cmgs_dest = None
            gw._finish(gw.reply(error=42), ["+CMGS"])
            return
        original(ev)

    gw._sds_data = busy
    return refused


async def test_cme_busy_storm_fails_visibly_then_recovers(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    frig = await open_fault_rig(tmp_path / "e.db", seed=5, issis=UNITS)
    states = _states(frig)
    refused = _busy_storm(frig, until=frig.clock.monotonic() + 4.0)
    page_id = _page(frig)
    assert await frig.clock.run_until(lambda: frig.engine.queued_sends == 0, limit=120, step=0.1), (
        "the send queue hung"
    )
    await frig.run(60)
    frig.log.flush()
    assert refused, "the storm never hit a send"
    assert LinkState.RECONNECTING not in states  # a busy MT is not a lost link
    page = frig.engine.pages[page_id]
    failed = [
        r.issi for r in page.responders.values() if any(x.rung is Rung.FAILED for x in r.rungs)
    ]
    # the state is visible: who could not be sent, why, committed in the log
    assert failed, "a 4 s busy storm must exhaust the 3 tries of the first unit"
    for issi in failed:
        rung = next(x for x in page.responders[issi].rungs if x.rung is Rung.FAILED)
        assert rung.cause is FailureCause.GATEWAY_ERROR and "42" in rung.detail
    logged = {int(e.unit or 0) for e in frig.log.query(kinds=["ladder.failed"], page=page_id)}
    assert set(failed) <= logged
    # after the storm every other unit went out and answered
    for issi in set(UNITS) - set(failed):
        assert page.responders[issi].has(Rung.ACKNOWLEDGED), issi
    _no_duplicates(frig, page_id)


async def test_air_failure_storm_is_recorded_per_unit(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    """``+CMGS: n,5,mr`` (not sent over the air) for six sends in a row."""
    frig = await open_fault_rig(tmp_path / "f.db", seed=6, issis=UNITS)
    frig.rig.sim.faults.fail_next_sends(6)
    page_id = _page(frig)
    assert await frig.clock.run_until(lambda: frig.engine.queued_sends == 0, limit=120, step=0.1)
    await frig.run(150)
    frig.log.flush()
    page = frig.engine.pages[page_id]
    failed = [i for i in UNITS if not page.responders[i].has(Rung.ACKNOWLEDGED)]
    not_sent = [
        i
        for i in UNITS
        if any(
            x.rung is Rung.FAILED and x.detail == "not sent over the air"
            for x in page.responders[i].rungs
        )
    ]
    assert len(not_sent) == 6 and set(failed) <= set(not_sent)
    _no_duplicates(frig, page_id)


async def test_slow_gateway_past_the_command_deadline(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    """Every CMGS answered after 8 s (beyond the deadline) for 30 s, then normal again."""
    frig = await open_fault_rig(
        tmp_path / "s.db",
        seed=7,
        issis=UNITS,
        faults=FaultPlan(latency_by_command={"+CMGS": 8.0}),
    )
    states = _states(frig)
    page_id = _page(frig)
    await frig.run(30, step=0.25)
    frig.rig.sim.faults.plan = FaultPlan()
    assert await frig.clock.run_until(
        lambda: frig.engine.queued_sends == 0, limit=300, step=0.25
    ), f"the send queue hung; link {frig.rig.link.state}"
    await frig.run(60)
    assert frig.rig.link.state is LinkState.UP
    # the officer saw the trouble: time-outs on the ladder or the link reconnecting
    page = frig.engine.pages[page_id]
    assert frig.engine.resends > 0 or LinkState.RECONNECTING in states
    page = frig.engine.pages[page_id]
    for issi in UNITS:  # everyone reached in the end, or a visible failure
        resp = page.responders[issi]
        assert resp.has(Rung.ACKNOWLEDGED) or any(x.rung is Rung.FAILED for x in resp.rungs), issi
    _no_duplicates(frig, page_id)


def _silence(frig: FaultRig, windows: list[list[float]]) -> Callable[[bool], None]:
    """A hung MT: it neither reads the TE nor says anything (URCs included).  The
    silent periods are appended to ``windows`` as ``[start, end]``."""
    gw = frig.rig.sim.gateway
    receive, write = gw.receive, gw._write
    silent = [False]

    def deaf(data: bytes) -> None:
        if not silent[0]:
            receive(data)

    def mute(data: bytes) -> None:
        if not silent[0]:
            write(data)

    gw.receive = deaf
    gw._write = mute

    def set_silent(value: bool) -> None:
        silent[0] = value
        if value:
            windows.append([frig.clock.monotonic(), float("inf")])
        else:
            windows[-1][1] = frig.clock.monotonic()

    return set_silent


async def test_silent_gateway_is_detected_and_paging_resumes(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    frig = await open_fault_rig(tmp_path / "q.db", seed=8, issis=UNITS)
    states = _states(frig)
    windows: list[list[float]] = []
    set_silent = _silence(frig, windows)
    page_id = _page(frig)
    await frig.run(1.0, step=0.1)
    set_silent(True)
    assert await frig.clock.run_until(
        lambda: frig.rig.link.state is not LinkState.UP, limit=60, step=0.25
    ), "a silent gateway was never noticed"
    await frig.run(40, step=0.5)
    assert frig.rig.link.state is not LinkState.UP
    set_silent(False)
    assert await frig.clock.run_until(lambda: frig.engine.queued_sends == 0, limit=120, step=0.25)
    await frig.run(60)
    assert LinkState.RECONNECTING in states
    page = frig.engine.pages[page_id]
    silent_lost = [
        i
        for i in UNITS
        if not page.responders[i].has(Rung.ACKNOWLEDGED)
        and not any(s == i and up for _t, s, _a, _d, up in frig.rec.radio_sent)
    ]
    # everyone was paged; who did not answer had answered only while the MT was hung
    assert all(page.responders[i].has(Rung.ACCEPTED) for i in UNITS)
    assert silent_lost == [], [page.responders[i].rungs for i in silent_lost]
    _no_duplicates(frig, page_id, lambda e: any(a <= e.mono <= b for a, b in windows))


async def test_gateway_reboot_mid_page_does_not_hang(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    frig = await open_fault_rig(tmp_path / "r.db", seed=9, issis=UNITS)
    page_id = _page(frig)
    page = frig.engine.pages[page_id]
    assert await frig.clock.run_until(
        lambda: sum(r.has(Rung.ACCEPTED) for r in page.responders.values()) >= 4,
        limit=30,
        step=0.05,
    )
    frig.rig.sim.gateway.reboot()
    assert await frig.clock.run_until(
        lambda: frig.engine.queued_sends == 0, limit=120, step=0.25
    ), "the send queue hung after the reboot"
    assert all(page.responders[i].has(Rung.ACCEPTED) for i in UNITS)
    _no_duplicates(frig, page_id)


async def test_gateway_reboot_is_detected_and_answers_still_arrive(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    """Was a strict xfail ("answers in the reboot window are dropped"): the watchful
    keep-alive notices the reboot within 2.5 s and the recovery sends the page again with
    the same reference, so the radios repeat what the rebooted MT dropped."""
    frig = await open_fault_rig(tmp_path / "b.db", seed=10, issis=UNITS)
    page_id = _page(frig)
    page = frig.engine.pages[page_id]
    assert await frig.clock.run_until(
        lambda: sum(r.has(Rung.ACCEPTED) for r in page.responders.values()) >= 4,
        limit=30,
        step=0.05,
    )
    frig.rig.sim.gateway.reboot()
    await frig.clock.run_until(lambda: frig.engine.queued_sends == 0, limit=120, step=0.25)
    await frig.run(120)
    frig.log.flush()
    # every answer a radio sent while the console's link was up reached the ladder
    lost = [
        (sender, ai)
        for _t, sender, ai, _d, up in frig.rec.radio_sent
        if up and sender in UNITS and not page.responders[sender].has(Rung.ACKNOWLEDGED)
    ]
    assert lost == []
    assert frig.rig.sim.gateway.flags.echo is False  # the link re-ran its init


async def test_gateway_reboot_is_detected_and_forwarded_answers_are_kept(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    """Since the driver treats an echo after ATE0 as a restart: the link re-runs its init
    (echo off, CTSP registered again) and every answer the MT forwarded while the link
    was up is on the ladder and in the log."""
    frig = await open_fault_rig(tmp_path / "rb.db", seed=11, issis=UNITS)
    states = _states(frig)
    page_id = _page(frig)
    page = frig.engine.pages[page_id]
    assert await frig.clock.run_until(
        lambda: sum(r.has(Rung.ACCEPTED) for r in page.responders.values()) >= 4,
        limit=30,
        step=0.05,
    )
    frig.rig.sim.gateway.reboot()
    assert await frig.clock.run_until(lambda: frig.engine.queued_sends == 0, limit=120, step=0.25)
    await frig.run(120)
    assert LinkState.RECONNECTING in states and frig.rig.link.state is LinkState.UP
    assert "restarted" in frig.rig.link.last_error
    assert frig.rig.sim.gateway.flags.echo is False
    assert frig.rig.sim.gateway.registered(2) and frig.rig.sim.gateway.registered(3, 0x82)
    assert all(page.responders[i].has(Rung.ACCEPTED) for i in UNITS)
    _no_duplicates(frig, page_id)

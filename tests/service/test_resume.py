"""A restarted service follows the pages that were in flight, from the log alone.

Virtual time; the first runtime stops without closing its page (as a killed service
would leave it), a second one opens the same log later on the clock, against a fresh
simulated network.  What went over the air is counted at the network (every SDS the
gateway transmitted, by destination), not from the console's view.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from console.eventlog import EventLog
from console.paging.model import Rung
from console.paging.selection import build_request
from console.runtime import Runtime
from drivers.clock import DEFAULT_VIRTUAL_EPOCH, VirtualClock
from fakes.air import peek_tl
from fakes.behaviour import Behaviour
from tests.tui.harness import LoopSimulator, make_runtime

SILENT = {2001: Behaviour.never(), 2002: Behaviour.never(), 2003: Behaviour.never()}


def runtime_at(tmp_path: Path, clock: VirtualClock) -> tuple[Runtime, LoopSimulator]:
    runtime, _, sim = make_runtime(tmp_path, units=3, behaviours=SILENT, clock=clock)
    return runtime, sim


def count_air_sds(sim: LoopSimulator) -> Counter[tuple[int, int]]:
    """Every SDS-TL transfer the gateway put on the air, by (destination, message ref)."""
    assert sim.sim is not None
    network: Any = sim.sim.network
    sent: Counter[tuple[int, int]] = Counter()
    original = network.send_from_gateway

    def counting(sds: Any) -> None:
        tl = peek_tl(sds.ai, sds.data)
        if tl is not None and tl.msg_type == 0:
            sent[(int(sds.called), tl.message_ref)] += 1
        original(sds)

    network.send_from_gateway = counting
    return sent


async def up(runtime: Runtime, clock: VirtualClock) -> None:
    assert await clock.run_until(lambda: runtime.link.state.value == "up", limit=30, step=0.5)


async def test_restart_resumes_the_page_rearms_targets_and_pages_nobody_twice(
    tmp_path: Path,
) -> None:
    first_clock = VirtualClock()
    first, sim1 = runtime_at(tmp_path, first_clock)
    await first.start()
    await up(first, first_clock)
    air1 = count_air_sds(sim1)
    request = build_request(first.station, ["2001", "2002"], text="现场集合", operator="张警官")
    page_id = first.page(request)
    await first_clock.run_until(lambda: False, limit=10, step=0.5)
    assert sorted(dest for dest, _ in air1) == [2001, 2002]
    assert set(air1.values()) == {1}
    await first.close()  # the page was never closed: the log holds it in flight

    # The service comes back 20 s later (30 s after the page went out).
    second_clock = VirtualClock(epoch=DEFAULT_VIRTUAL_EPOCH + first_clock.monotonic() + 20.0)
    second, sim2 = runtime_at(tmp_path, second_clock)
    await second.start()
    await up(second, second_clock)
    air2 = count_air_sds(sim2)
    assert second.current_page_id == page_id, "the console shows the page in flight"
    view = second.current_page()
    assert view is not None and not view.closed
    assert {r.issi for r in view.responders} == {2001, 2002}
    assert all(r.top is not None and r.top.level >= Rung.SENT.level for r in view.responders)

    # 2001 answers now: its own rung on the same ladder.
    assert sim2.sim is not None
    sim2.sim.radio(2001).send_status(0x8002)
    await second_clock.run_until(lambda: False, limit=5, step=0.5)
    view = second.current_page()
    assert view is not None
    resp = view.responder(2001)
    assert resp is not None and resp.acknowledged
    assert any(r.rung is Rung.ACKNOWLEDGED and not r.implied for r in resp.rungs)
    # The restart was a blind window: the page went out again to both, with the *same*
    # references (a radio recognises the retry and does not show it again).
    assert set(air2) == set(air1), "nobody was paged again on restart, only retried"

    # The 60 s target (from the logged page time) passes 30 s into the new run: only the
    # silent 2002 is re-paged, once, with a new reference (after the old process's last).
    await second_clock.run_until(lambda: False, limit=40, step=0.5)
    new = set(air2) - set(air1)
    assert len(new) == 1 and next(iter(new))[0] == 2002
    assert next(iter(new))[1] > max(ref for _, ref in air1)
    await second.close()
    with EventLog.open_readonly(tmp_path / "events.db") as log:
        resumed = list(log.query(kinds=["service.resumed"]))
        failed = [
            r for r in log.query(kinds=["ladder.failed"]) if r.data.get("cause") == "no_answer"
        ]
    assert [r.data["pages"] for r in resumed] == [[page_id]]
    assert [(r.unit, r.data["detail"]) for r in failed] == [("2002", "acknowledge")]

"""Roll call in all three modes against the simulated network on virtual time.

Fixed delays (``behaviour()`` of the paging rig: delivered 1 s after the SDS leaves,
which is 0.3 s after the gateway accepted it; answer ``answer_s`` after delivery), so
every latency below is computed by hand: 0.3 + 1 + 10 = 11.3 s.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from console.paging.model import Recipient
from console.rollcall import (
    Attendance,
    RollCall,
    RollCallMode,
    RollCallResult,
    RollCallSpec,
    RollCallUpdate,
    compare,
    list_rollcalls,
    load_rollcall,
    spec_from_log,
)
from fakes.behaviour import AnswerMode, fixed
from fakes.network import NetworkConfig
from tests.console.test_paging_rig import OFF, OpenPagingRig, PagingRig, behaviour, units

GSSI = 9001
BEHAVIOURS = {
    2001: behaviour(),  # status 收到 after 10 s
    2002: behaviour(AnswerMode.TEXT),  # text 收到 after 10 s
    2003: behaviour(answer_s=70.0),  # late
    2004: behaviour(AnswerMode.NEVER),  # delivered, never answers
    2005: OFF,  # switched off: not reachable after 5 s
}


def members(issis: list[int]) -> tuple[Recipient, ...]:
    return tuple(Recipient(i, f"单元{i}", "school", "全体", GSSI) for i in issis)


async def rig(
    open_paging_rig: OpenPagingRig, behaviours: dict[int, Any] | None = None
) -> PagingRig:
    found = behaviours or BEHAVIOURS
    return await open_paging_rig(
        units(list(found)),
        found,
        groups=[{"gssi": GSSI, "name": "全体", "members": list(found)}],
        network_config=NetworkConfig(failure_delay=fixed(5.0)),
    )


async def run(prig: PagingRig, call: RollCall, limit: float = 600.0) -> RollCallResult:
    task = asyncio.ensure_future(call.run())
    await prig.clock.run_until(task.done, limit=limit, step=0.5)
    assert task.done(), "roll call did not finish"
    return task.result()


def spec(mode: RollCallMode, issis: list[int], **kw: Any) -> RollCallSpec:
    return RollCallSpec(
        "全体", members(issis), mode, gssi=GSSI, deadline_s=30.0, late_window_s=60.0, **kw
    )


async def test_status_poll_present_late_absent_unreachable(open_paging_rig: OpenPagingRig) -> None:
    prig = await rig(
        open_paging_rig,
    )
    call = RollCall(prig.engine, spec(RollCallMode.STATUS, list(BEHAVIOURS)), rollcall_id="RC1")
    seen: list[RollCallUpdate] = []
    call.subscribe(seen.append)
    start = prig.clock.monotonic()
    result = await run(prig, call)
    by = {m.issi: m for m in result.members}
    assert by[2001].attendance is Attendance.PRESENT and by[2001].latency_s == 11.3
    assert by[2001].source == "status"
    assert by[2002].attendance is Attendance.PRESENT and by[2002].source == "text"
    assert by[2003].attendance is Attendance.LATE and by[2003].latency_s == 71.3
    assert by[2004].attendance is Attendance.ABSENT and by[2004].latency_s is None
    assert by[2005].attendance is Attendance.UNREACHABLE
    assert by[2005].cause == "not_reachable"
    assert result.counts == {"present": 2, "late": 1, "absent": 1, "unreachable": 1}
    # closes at deadline + late window, since 2004 never settles
    assert prig.clock.monotonic() - start == pytest.approx(90.0, abs=0.1)
    assert seen[-1].finished and seen[-1].result == result
    assert any(not u.finished for u in seen)
    # the log has it: reopen, the rollcall_answers view, the closed summary
    assert load_rollcall(prig.log, "RC1") == result
    answers = {int(r["unit"]): r["status"] for r in prig.log.rollcall_answers("RC1")}
    assert answers == {
        2001: "present",
        2002: "present",
        2003: "late",
        2004: "absent",
        2005: "unreachable",
    }
    [summary] = list_rollcalls(prig.log)
    assert summary.counts == result.counts and summary.members == 5


async def test_recall_only_the_absent_and_compare(open_paging_rig: OpenPagingRig) -> None:
    prig = await rig(
        open_paging_rig,
    )
    first = RollCall(prig.engine, spec(RollCallMode.STATUS, list(BEHAVIOURS)), rollcall_id="A")
    r1 = await run(prig, first)
    again = first.recall_spec()
    assert [m.issi for m in again.members] == [2004]
    assert again.recall_of == "A"
    assert [m.issi for m in first.recall_spec(include_unreachable=True).members] == [2004, 2005]
    # re-call from the log alone (a later session), with the unreachable too
    from console.rollcall import recall_spec

    logged = spec_from_log(prig.log, "A")
    assert logged.members == first.spec.members
    wider = recall_spec(logged, load_rollcall(prig.log, "A"), include_unreachable=True)
    prig.rig.sim.network.switch_on(2005)
    r2 = await run(prig, RollCall(prig.engine, wider, rollcall_id="B"))
    assert r2.recall_of == "A"
    assert {m.issi: m.attendance for m in r2.members} == {
        2004: Attendance.ABSENT,
        2005: Attendance.PRESENT,
    }
    changes = compare(r1, r2)
    assert [(c.issi, c.before, c.after) for c in changes] == [
        (2001, "present", "-"),
        (2002, "present", "-"),
        (2003, "late", "-"),
        (2005, "unreachable", "present"),
    ]
    assert [s.rollcall_id for s in list_rollcalls(prig.log)] == ["A", "B"]


async def test_voice_roll_call_records_every_talker(open_paging_rig: OpenPagingRig) -> None:
    behaviours = {
        2001: behaviour(),
        2002: behaviour(AnswerMode.TEXT),
        2003: behaviour(AnswerMode.VOICE),
        2004: behaviour(AnswerMode.NEVER),
        2005: OFF,
    }
    prig = await rig(open_paging_rig, behaviours)
    call = RollCall(prig.engine, spec(RollCallMode.VOICE, list(behaviours)), rollcall_id="V")
    result = await run(prig, call)
    by = {m.issi: m for m in result.members}
    # group call up at 0.2 s, "delivered" 1 s later, answer 10 s after that
    assert by[2003].attendance is Attendance.PRESENT and by[2003].source == "voice"
    assert by[2003].latency_s == pytest.approx(11.2, abs=1e-6)
    assert by[2001].source == "status" and by[2002].source == "text"
    assert by[2004].attendance is Attendance.ABSENT
    assert by[2005].attendance is Attendance.ABSENT  # no delivery reports on a group call
    assert [t.issi for t in result.talkers] == [2003]
    assert result.talkers[0].member
    assert result.talkers[0].at_s == pytest.approx(11.2, abs=1e-6)


async def test_sequential_calls_each_unit_in_turn(open_paging_rig: OpenPagingRig) -> None:
    prig = await rig(
        open_paging_rig,
    )
    order = [2001, 2004, 2002]
    call = RollCall(prig.engine, spec(RollCallMode.SEQUENTIAL, order), rollcall_id="S")
    start = prig.clock.monotonic()
    result = await run(prig, call)
    by = {m.issi: m for m in result.members}
    assert len(call.pages) == 3 and len(set(call.pages.values())) == 3
    assert by[2001].called_at_s == 0.0 and by[2001].latency_s == 11.3
    # the next unit is called as soon as the answer is committed (one log tick later)
    assert by[2004].called_at_s == pytest.approx(11.3, abs=0.05)
    assert by[2004].attendance is Attendance.ABSENT
    assert by[2002].called_at_s == pytest.approx(by[2004].called_at_s + 30.0, abs=1e-6)
    assert by[2002].attendance is Attendance.PRESENT and by[2002].latency_s == 11.3
    aired = sorted(dest for dest, _ref in prig.aired)
    assert aired == sorted(order)
    end = by[2002].called_at_s + 11.3 + 60.0
    assert prig.clock.monotonic() - start == pytest.approx(end, abs=0.1)


async def test_interrupted_roll_call_leaves_a_complete_log(open_paging_rig: OpenPagingRig) -> None:
    prig = await rig(
        open_paging_rig,
    )
    call = RollCall(prig.engine, spec(RollCallMode.SEQUENTIAL, [2001, 2004, 2002]), rollcall_id="X")
    task = asyncio.ensure_future(call.run())
    await prig.clock.run_until(lambda: False, limit=20.0, step=0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    result = load_rollcall(prig.log, "X")
    assert result.close_reason == "interrupted"
    by = {m.issi: m for m in result.members}
    assert by[2001].attendance is Attendance.PRESENT
    assert by[2004].attendance is Attendance.ABSENT
    assert by[2002].detail.startswith("not called")
    assert prig.engine.view(call.pages[2004]).closed

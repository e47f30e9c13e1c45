"""Two simulated stations' logs for the centre tests (issue 11).

Station 东湖 (``a``) runs a real drill: the paging engine over the real PEI link against
the simulated network, on virtual time, so its ladder events are the engine's own.
Station 西湖 (``b``) is written by the real incident book and a few appended page,
ladder, roll-call and alarm events: a page still in flight and an alarm nobody has
acknowledged, which the centre screen must show.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from console.config import Station, load_station_text
from console.drills import load_drill_text
from console.drills.runner import DrillRun
from console.drills.simulated import scripted_behaviours
from console.eventlog import EventLog, NewEvent
from console.incidents import IncidentState
from console.incidents.book import IncidentBook
from console.paging.engine import PagingEngine
from console.paging.selection import directory
from drivers.clock import DEFAULT_VIRTUAL_EPOCH, VirtualClock
from tests.rig import make_rig

STATION_A = """
[station]
name = "东湖派出所"
[gateway]
url = "sim://test"
issi = 1000
[[groups]]
name = "演练组"
gssi = 9001
members = [2001, 2002, 2003, 2004, 2005]
[[units]]
issi = 2001
alias = "星海小学"
kind = "school"
[[units]]
issi = 2002
alias = "人民医院"
kind = "hospital"
[[units]]
issi = 2003
alias = "滨江银行"
kind = "bank"
[[units]]
issi = 2004
alias = "江景社区"
kind = "community"
[[units]]
issi = 2005
alias = "电子厂"
kind = "enterprise"
"""

DRILL_A = """
[drill]
name = "季度拉动演练"
groups = ["演练组"]
[page]
text = "演练：XX路发生交通事故，附近队员立即前往处置"
[targets]
acknowledged = 60
en_route = 180
on_scene = 300
[[criteria]]
rung = "acknowledged"
within = 60
at_least = "50%"
[simulation]
seed = 3
[[simulation.units]]
units = "all"
behaviour = "status"
delivery = 1
answer_after = 10
en_route_after = 20
on_scene_after = 60
[[simulation.units]]
units = [2002]
behaviour = "status"
delivery = 1
answer_after = 90
en_route_after = 10
on_scene_after = 30
[[simulation.units]]
units = [2003]
behaviour = "text"
delivery = 1
answer_after = 200
[[simulation.units]]
units = [2004]
behaviour = "never"
delivery = 1
[[simulation.units]]
units = [2005]
behaviour = "off"
"""
A_ACK_TIMES = (11.3, 91.3, 201.3)
"""Acknowledgements of 2001, 2002, 2003 (0.3 s to air + 1 s delivery + the answer
delay); 2004 never answers and 2005 is switched off: 3 of 5 within 5 minutes."""


def station_a() -> Station:
    return load_station_text(STATION_A, "donghu.toml")


async def drill_log(path: Path) -> Path:
    """Station a's log: one drill run by the real engines (about 300 s of virtual time)."""
    st = station_a()
    drill = load_drill_text(DRILL_A, st, "drill.toml")
    units = [{"issi": u.issi, "alias": u.alias, "kind": u.kind} for u in st.units]
    groups = [{"gssi": 9001, "name": "演练组", "members": [2001, 2002, 2003, 2004, 2005]}]
    rig = await make_rig(units, groups, behaviours=scripted_behaviours(drill.simulation))
    async with contextlib.AsyncExitStack() as stack:
        log = stack.enter_context(
            EventLog.open(path, clock=rig.clock, background=False, durability="normal")
        )
        stack.push_async_callback(rig.close)  # closed after the engine, before the log
        engine = PagingEngine(
            rig.gateway,
            log,
            clock=rig.clock,
            operator="值班民警",
            directory=directory(st).get,
            page_ids=iter(f"P{i}" for i in range(1, 1000)).__next__,
        )
        stack.push_async_callback(engine.close)
        await engine.start()
        run = DrillRun(engine, drill, drill_id="D1", simulated=True)
        task = asyncio.ensure_future(run.run())
        await rig.clock.run_until(task.done, limit=900.0, step=1.0)
        assert task.done(), "the drill did not finish in 900 s of virtual time"
        task.result()
    return path


def _ladder(page: str, unit: int, rung: str, clock: VirtualClock, **data: Any) -> NewEvent:
    return NewEvent(
        f"ladder.{rung}", data or None, unit=unit, page=page,
        wall=clock.time(), mono=clock.monotonic(),
    )  # fmt: skip


async def incidents_log(path: Path, *, epoch: float = DEFAULT_VIRTUAL_EPOCH) -> Path:
    """Station b's log: three incidents (two closed), a roll call, a page in flight."""
    clock = VirtualClock(epoch=epoch)
    with EventLog.open(path, clock=clock, durability="normal") as log:
        book = IncidentBook(clock, log)
        opened = [
            book.open_incident("fire", f"烟感报警 {i}", operator="值班民警") for i in range(3)
        ]
        await clock.advance(30)
        book.transition(opened[0].id, IncidentState.DISPATCHED, operator="值班民警")
        book.transition(opened[0].id, IncidentState.CLOSED, operator="值班民警", note="处置完毕")
        book.transition(opened[1].id, IncidentState.CLOSED, operator="值班民警", note="误报")
        page = "B-P1"
        log.append(
            "page.created",
            data={"text": "西湖路口交通事故", "responders": [3001, 3002, 3003]},
            incident=opened[2].id,
            page=page,
            operator="值班民警",
        )
        log.append_many(_ladder(page, u, "queued", clock) for u in (3001, 3002, 3003))
        await clock.advance(45)
        log.append_many([_ladder(page, 3001, "acknowledged", clock)])
        await clock.advance(105)
        log.append_many([_ladder(page, 3002, "acknowledged", clock)])
        log.append(
            "rollcall.started",
            data={
                "rollcall": "R1",
                "group": "巡逻组",
                "members": [
                    {"issi": 3001, "alias": "巡逻一组", "kind": "patrol"},
                    {"issi": 3002, "alias": "西湖小学", "kind": "school"},
                ],
            },
        )
        log.append(
            "rollcall.closed",
            data={"rollcall": "R1", "reason": "complete", "counts": {"present": 1, "late": 1}},
        )
        log.flush()
    return path

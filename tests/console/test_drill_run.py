"""Drills on virtual time against the simulated network: pass, fail, interrupted.

The drill file's own ``[simulation]`` script gives every radio fixed delays, so each
number in the report is computed by hand below (an SDS leaves the gateway 0.3 s after
it was accepted; "delivery" counts from there; the answer from delivery).
"""

from __future__ import annotations

import asyncio

import pytest

from console.config import Station, load_station_text
from console.drills import Drill, DrillProgress, DrillRun, load_drill_text
from console.drills.simulated import scripted_behaviours
from console.paging.selection import directory
from console.reports import Report, drill_report, render
from fakes.behaviour import fixed
from fakes.network import NetworkConfig
from tests.console.test_paging_rig import OpenPagingRig, PagingRig

STATION = """
[station]
name = "测试派出所"
[gateway]
url = "sim://test"
issi = 1000
[[groups]]
name = "演练组"
gssi = 9001
members = [2001, 2002, 2003, 2004, 2005, 2006]
[[units]]
issi = 2001
alias = "星海小学"
kind = "school"
[[units]]
issi = 2002
alias = "第一中学"
kind = "school"
[[units]]
issi = 2003
alias = "人民医院"
kind = "hospital"
[[units]]
issi = 2004
alias = "滨江银行"
kind = "bank"
[[units]]
issi = 2005
alias = "江景社区"
kind = "community"
[[units]]
issi = 2006
alias = "电子厂"
kind = "enterprise"
backup = 2007
[[units]]
issi = 2007
alias = "巡逻一组"
kind = "patrol"
"""

DRILL = """
[drill]
name = "季度拉动演练"
groups = ["演练组"]

[page]
text = "演练：XX路发生交通事故，附近队员立即前往处置"

[deadlines]
acknowledge_s = 60
en_route_s = 180
on_scene_s = 300

[[criteria]]
rung = "acknowledged"
within = 60
at_least = "50%"

[[criteria]]
rung = "on_scene"
at_least = "all"

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
units = ["第一中学"]
behaviour = "status"
delivery = 1
answer_after = 30
en_route_after = 40
on_scene_after = 100
[[simulation.units]]
units = [2003]
behaviour = "text"
delivery = 1
answer_after = 20
[[simulation.units]]
units = ["滨江银行"]
behaviour = "late"
delivery = 1
answer_after = 90
en_route_after = 10
on_scene_after = 30
[[simulation.units]]
units = [2005]
behaviour = "never"
delivery = 1
[[simulation.units]]
units = [2006]
behaviour = "off"
[[simulation.units]]
units = [2007]
behaviour = "status"
delivery = 1
answer_after = 5
en_route_after = 5
on_scene_after = 10
"""


def station() -> Station:
    return load_station_text(STATION, "station.toml")


async def drill_rig(open_paging_rig: OpenPagingRig, drill: Drill, st: Station) -> PagingRig:
    units = [{"issi": u.issi, "alias": u.alias, "kind": u.kind} for u in st.units]
    groups = [{"gssi": 9001, "name": "演练组", "members": [2001, 2002, 2003, 2004, 2005, 2006]}]
    found = directory(st)
    return await open_paging_rig(
        units,
        scripted_behaviours(drill.simulation),
        groups=groups,
        directory=found,
        network_config=NetworkConfig(failure_delay=fixed(5.0)),
    )


async def run_drill(
    prig: PagingRig, drill: Drill, drill_id: str, seen: list[DrillProgress] | None = None
) -> Report:
    run = DrillRun(
        prig.engine, drill, drill_id=drill_id, simulated=True, backups={2007: "巡逻一组"}
    )
    if seen is not None:
        run.subscribe(seen.append)
    task = asyncio.ensure_future(run.run())
    await prig.clock.run_until(task.done, limit=900.0, step=1.0)
    assert task.done()
    return task.result()


def times(report: Report, issi: int) -> dict[str, float | None]:
    row = next(u for u in report.units if u.issi == issi)
    return dict(zip(report.columns, row.times, strict=True))


async def test_failed_drill_report_matches_hand_computation(open_paging_rig: OpenPagingRig) -> None:
    st = station()
    drill = load_drill_text(DRILL, st, "drill.toml")
    prig = await drill_rig(open_paging_rig, drill, st)
    seen: list[DrillProgress] = []
    report = await run_drill(prig, drill, "D1", seen)
    print(render(report, "markdown"))
    assert report.outcome == "failed" and report.passed is False
    # every rung time by hand: delivered at 0.3 + 1, answer after delivery, ladder steps
    assert times(report, 2001) == {
        "delivered": 1.3,
        "acknowledged": 11.3,
        "en_route": 31.3,
        "on_scene": 91.3,
    }
    assert times(report, 2002) == {
        "delivered": 1.3,
        "acknowledged": 31.3,
        "en_route": 71.3,
        "on_scene": 171.3,
    }
    assert times(report, 2003) == {
        "delivered": 1.3,
        "acknowledged": 21.3,
        "en_route": None,
        "on_scene": None,
    }
    assert times(report, 2004) == {
        "delivered": 1.3,
        "acknowledged": 91.3,
        "en_route": 101.3,
        "on_scene": 131.3,
    }
    assert times(report, 2005) == {
        "delivered": 1.3,
        "acknowledged": None,
        "en_route": None,
        "on_scene": None,
    }
    assert times(report, 2006) == dict.fromkeys(report.columns)
    # the backup was paged at the 60 s target of 2006: its clock starts then
    backup = next(u for u in report.units if u.issi == 2007)
    assert backup.role == "backup" and backup.backup_for == 2006
    assert backup.times == (1.3, 6.3, 11.3, 21.3)
    # criteria: 3 of 6 acknowledged within 60 (needed 3); 3 of 6 on scene (needed 6)
    crit = {c.rung: (c.achieved, c.needed, c.total, c.passed) for c in report.criteria}
    assert crit == {"acknowledged": (3, 3, 6, True), "on_scene": (3, 6, 6, False)}
    assert report.reasons == ("all on_scene within 300 s: 3 of 6 (needed 6)",)
    # distribution of acknowledgements: 11.3 21.3 31.3 91.3, two never
    ack = report.deadlines[0]
    assert (ack.rung, ack.in_time, ack.late, ack.never) == ("acknowledged", 3, 1, 2)
    assert dict(ack.percentiles) == {50: 21.3, 90: 91.3, 95: 91.3, 100: 91.3}
    assert [b.count for b in ack.histogram] == [1, 1, 1, 0, 1, 2]
    on_scene = report.deadlines[2]
    assert dict(on_scene.percentiles) == {50: 131.3, 90: 171.3, 95: 171.3, 100: 171.3}
    # missed targets, with why
    missed = {(m.issi, m.rung): m.reason for m in report.missed}
    assert missed[(2004, "acknowledged")] == "late by 31.3 s"
    assert missed[(2005, "acknowledged")] == "no answer"
    assert missed[(2006, "acknowledged")] == "unreachable (not_reachable)"
    assert missed[(2003, "en_route")] == "not reached"
    assert len(missed) == 2 + 3 + 3 + 1  # 2003: en route, on scene; 2005/2006: all three
    # escalations, in order, as the engine took them
    steps = [(e.at_s, e.issi, e.deadline, e.step) for e in report.escalations]
    assert (60.0, 2006, "acknowledge", "backup") in steps
    assert [s for s in steps if s[1] == 2005] == [
        (60.0, 2005, "acknowledge", "repage"),
        (60.0, 2005, "acknowledge", "alert"),
        (180.0, 2005, "en_route", "repage"),
        (180.0, 2005, "en_route", "alert"),
        (300.0, 2005, "on_scene", "alert"),
    ]
    # the drill ran to the last target (+1 s grace) and progress was published
    assert seen[-1].finished and dict(seen[-1].reached)["on_scene"] == 3
    assert prig.log.count_by_kind()["drill.finished"] == 1
    # the same numbers from a read-only reopen of the log (a later session)
    assert drill_report(prig.log, "D1") == report


async def test_passing_drill(open_paging_rig: OpenPagingRig) -> None:
    st = station()
    text = DRILL.replace('at_least = "all"', "at_least = 3").replace(
        'at_least = "50%"', 'at_least = "50%"\n'
    )
    drill = load_drill_text(text, st, "drill.toml")
    prig = await drill_rig(open_paging_rig, drill, st)
    report = await run_drill(prig, drill, "D2")
    assert report.outcome == "passed" and report.passed is True
    assert report.reasons == ()


async def test_interrupted_drill_can_still_be_reported(open_paging_rig: OpenPagingRig) -> None:
    st = station()
    drill = load_drill_text(DRILL, st, "drill.toml")
    prig = await drill_rig(open_paging_rig, drill, st)
    run = DrillRun(prig.engine, drill, drill_id="D3", simulated=True)
    task = asyncio.ensure_future(run.run())
    await prig.clock.run_until(lambda: False, limit=100.0, step=1.0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    report = drill_report(prig.log, "D3")
    assert report.outcome == "interrupted" and report.passed is None
    assert report.reasons[0].startswith("interrupted after 100.")
    assert times(report, 2001)["on_scene"] == 91.3
    assert times(report, 2002)["on_scene"] is None  # it would have come at 171.3
    crit = {c.rung: c.achieved for c in report.criteria}
    assert crit == {"acknowledged": 3, "on_scene": 1}
    assert prig.engine.view(run.page_id or "").closed


def test_old_targets_table_of_a_drill_file_still_loads() -> None:
    """Drill files written before the rename (``[targets]`` keyed by rung) mean the same."""
    station = load_station_text(STATION)
    new = load_drill_text(DRILL, station)
    old_text = DRILL.replace(
        "[deadlines]\nacknowledge_s = 60\nen_route_s = 180\non_scene_s = 300",
        "[targets]\nacknowledged = 60\nen_route = 180\non_scene = 240",
    )
    old = load_drill_text(old_text, station)
    assert old.deadlines.acknowledge_s == new.deadlines.acknowledge_s == 60
    assert old.deadlines.en_route_s == 180 and old.deadlines.on_scene_s == 240

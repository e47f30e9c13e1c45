"""``dutydesk page`` against the simulated gateway on a real pty (real time, fast radios).

The fake runs on the test's loop with the system clock and radios that answer within a
fraction of a second; the CLI runs in a worker thread exactly as from a shell.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from console.config import demo_station
from console.eventlog import EventLog
from console.paging import cli
from console.simulator import station_groups, station_units
from drivers.clock import SystemClock
from fakes.behaviour import AnswerMode, Behaviour, StatusStep, fixed
from fakes.sim import Simulation, start_simulation

FAST_LADDER = (StatusStep(0x8002, fixed(0.0)), StatusStep(0x8003, fixed(0.2)))


def fast(answer: AnswerMode = AnswerMode.STATUS) -> Behaviour:
    return Behaviour(
        answer=answer,
        delivery=fixed(0.05),
        read=fixed(0.1),
        answer_delay=fixed(0.15),
        ladder=FAST_LADDER,
    )


async def _sim(
    units: Sequence[Mapping[str, Any]],
    groups: Sequence[Mapping[str, Any]],
    behaviours: Mapping[int, Behaviour],
) -> Simulation:
    return await start_simulation(
        SystemClock(), units, groups, gateway_issi=1000, behaviours=behaviours
    )


@pytest.fixture
async def raw_sim() -> AsyncIterator[Simulation]:
    units = [{"issi": 1001, "alias": "a"}, {"issi": 1002, "alias": "b"}, {"issi": 1003}]
    beh = {1001: fast(), 1002: fast(AnswerMode.TEXT), 1003: fast(AnswerMode.NEVER)}
    sim = await _sim(units, [], beh)
    yield sim
    await sim.close()


@pytest.fixture
async def demo_sim() -> AsyncIterator[Simulation]:
    station = demo_station()
    beh = {u.issi: fast() for u in station.units}
    sim = await _sim(station_units(station), station_groups(station), beh)
    yield sim
    await sim.close()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dutydesk")
    sub = parser.add_subparsers(dest="command")
    cli.add_parser(sub)
    return parser.parse_args(["page", *argv])


async def page(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = await asyncio.to_thread(cli.run, parse(argv))
    out, err = capsys.readouterr()
    return code, out, err


async def test_raw_issis_all_acknowledge_json(
    raw_sim: Simulation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "log.db"
    argv = ["--gateway", raw_sim.url, "--unit", "1001", "--unit", "1002"]
    code, out, err = await page(
        [*argv, "--text", "测试 收到请回复", "--wait", "20", "--json", "--db", str(db)], capsys
    )
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) >= {"page", "text", "gateway", "summary", "responders", "escalations"}
    assert doc["summary"] == {
        "responders": 2,
        "acknowledged": 2,
        "not_acknowledged": 0,
        "all_acknowledged": True,
    }
    by_issi = {r["issi"]: r for r in doc["responders"]}
    assert set(by_issi) == {1001, 1002}
    for resp in by_issi.values():
        rungs = [r["rung"] for r in resp["rungs"]]
        assert rungs[:3] == ["queued", "accepted", "sent"]
        assert "acknowledged" in rungs
        for rung in resp["rungs"]:
            assert set(rung) == {
                "rung",
                "time",
                "seconds",
                "implied",
                "source",
                "attempt",
                "cause",
                "detail",
                "retry",
                "message_ref",
            }
            assert rung["seconds"] >= 0
        seconds = [r["seconds"] for r in resp["rungs"]]
        assert seconds == sorted(seconds)
    assert by_issi[1002]["rungs"][-1]["source"] in ("text", "report")
    with EventLog.open_readonly(db) as log:
        counts = log.count_by_kind()
    assert counts["page.created"] == 1
    assert counts["ladder.acknowledged"] == 2


async def test_some_never_answer_exit_1_human_output(
    raw_sim: Simulation, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--gateway", raw_sim.url, "--unit", "1001", "--unit", "1003", "--text", "集合"]
    code, out, err = await page([*argv, "--wait", "2", "--lang", "en"], capsys)
    assert code == 1, err  # ExitCode.MISSED: ran, not all answered
    assert "1/2 acknowledged" in out
    assert "1001" in out and "acknowledged" in out
    assert "1003" in out.splitlines()[-1]


async def test_demo_station_aliases_and_groups(
    demo_sim: Simulation, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--gateway", demo_sim.url, "--unit", "星海实验小学保安队", "--group", "医院组"]
    code, out, err = await page([*argv, "--text", "演练", "--wait", "20", "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    station = demo_station()
    hospitals = station.group("医院组")
    assert hospitals is not None
    expected = {2001, *hospitals.members}
    assert {r["issi"] for r in doc["responders"]} == expected
    aliases = {r["issi"]: r["alias"] for r in doc["responders"]}
    assert aliases[2001] == "星海实验小学保安队"
    assert all(r["via"] == "医院组" for r in doc["responders"] if r["issi"] != 2001)


async def test_fast_mode_alerts_a_group_with_one_sds(
    demo_sim: Simulation, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--mode fast``: one group SDS to 医院组 (counted on the air), every member answers."""
    aired: list[int] = []
    network: Any = demo_sim.network
    original = network.send_from_gateway

    def tap(sds: Any) -> None:
        aired.append(int(sds.called))
        original(sds)

    network.send_from_gateway = tap
    station = demo_station()
    hospitals = station.group("医院组")
    assert hospitals is not None and hospitals.gssi is not None
    db = tmp_path / "fast.db"
    argv = ["--gateway", demo_sim.url, "--group", "医院组", "--mode", "fast", "--db", str(db)]
    code, out, err = await page([*argv, "--text", "演练", "--wait", "20", "--json"], capsys)
    assert code == 0, err
    assert aired == [hospitals.gssi], "one transmission for the whole talkgroup"
    doc = json.loads(out)
    assert {r["issi"] for r in doc["responders"]} == set(hospitals.members)
    with EventLog.open_readonly(db) as log:
        created = next(iter(log.query(kinds=["page.created"])))
    assert created.data["group_text"] == [hospitals.gssi]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--unit", "不存在的单位", "--text", "x"], "没有名为「不存在的单位」的单元或通话组"),
        (["--lang", "en", "--unit", "不存在的单位", "--text", "x"], "unknown unit or group"),
        (["--text", "x"], "nothing to page"),
        (["--unit", "1001"], "nothing to send"),
        (["--unit", "1001", "--voice"], "--voice needs a talkgroup"),
        (["--unit", "1001", "--text", "x", "--gateway", "/dev/ttyNOPE-dutydesk"], "ttyNOPE"),
        (["--unit", "1001", "--text", "x", "--config", "/nonexistent/station.toml"], "station"),
    ],
)
async def test_errors_exit_2_one_line(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await page(argv, capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("dutydesk page: ") and err.count("\n") == 1, err
    assert needle in err
    assert "Traceback" not in err


async def test_an_emergency_during_a_headless_page_is_logged_and_raised_as_an_alarm(
    raw_sim: Simulation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``dutydesk page`` runs the whole station (one root), so an emergency from a radio
    while it follows its page is an alarm, not dropped (it used to be)."""
    db = tmp_path / "log.db"
    argv = ["--gateway", raw_sim.url, "--unit", "1003", "--text", "集合", "--wait", "3"]
    run = asyncio.ensure_future(page([*argv, "--db", str(db)], capsys))
    for _ in range(1000):  # until the page is on the air (bounded poll of its log)
        if db.exists() and await asyncio.to_thread(_logged, db, "ladder.sent"):
            break
        await asyncio.sleep(0.01)
    raw_sim.radio(1002).send_status(0)  # the emergency button
    code, out, err = await run
    assert code == 1, err  # ExitCode.MISSED: ran, not all answered
    with EventLog.open_readonly(db) as log:
        alarms = list(log.query(kinds=["alarm.raised"]))
    assert [a.unit for a in alarms] == ["1002"]
    assert "紧急报警 1002" in out


def _logged(db: Path, kind: str) -> bool:
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return (
                conn.execute("SELECT 1 FROM events WHERE kind = ?", (kind,)).fetchone() is not None
            )
    except sqlite3.Error:
        return False

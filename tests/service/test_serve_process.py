"""The real ``dutydesk serve`` process, with the real ``dutydesk page`` attaching to it.

Real processes, real time, the built-in simulated station (``sim://demo``) on a pty: the
service owns the gateway and the log; ``dutydesk page`` run while it serves works (no
"port busy", no "log locked"), its page is in the service's state, a client cut off in
the middle of the traffic resumes with exactly the log's records, and SIGTERM ends the
service cleanly.  Waits are bounded polls on what the processes print or serve.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from console.eventlog import EventLog
from console.service.client import StationClient
from console.service.paths import find_service
from tests.factories import StartService

DUTYDESK = [sys.executable, "-m", "console"]


@pytest.fixture
def service(tmp_path: Path, start_service: StartService) -> tuple[subprocess.Popen[str], Path]:
    db = tmp_path / "station.db"
    return start_service(db, "--operator", "张警官"), db


def _wait_link_up(socket: str, limit: float = 20.0) -> None:
    async def poll() -> None:
        async with StationClient(socket=socket) as client:
            end = time.monotonic() + limit
            while time.monotonic() < end:
                if (await client.state())["link"]["state"] == "up":
                    return
                await asyncio.sleep(0.1)
            raise AssertionError("gateway link did not come up")

    asyncio.run(poll())


def test_page_from_the_shell_while_the_service_runs_then_sigterm(
    service: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, db = service
    reg = find_service(log=db)
    assert reg is not None and reg.pid == proc.pid and reg.gateway == "sim://demo"
    _wait_link_up(reg.socket)
    page = subprocess.run(
        [*DUTYDESK, "page", "--db", str(db), "--unit", "2001", "--unit", "2002",
         "--text", "现场集合", "--wait", "3", "--json", "--operator", "李警官"],
        capture_output=True, text=True, timeout=60, env=os.environ.copy(),
    )  # fmt: skip
    assert page.returncode in (0, 1), page.stderr  # ExitCode: 1 = not all answered yet
    doc = json.loads(page.stdout)
    assert doc["db"] == str(db.resolve()) and doc["summary"]["responders"] == 2

    async def state() -> dict[str, object]:
        async with StationClient(socket=reg.socket) as client:
            return await client.state()

    shown = asyncio.run(state())
    assert doc["page"] in [p["page_id"] for p in shown["pages"]]  # type: ignore[union-attr]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    assert find_service(log=db) is None and not Path(reg.socket).exists()
    with EventLog.open_readonly(db) as log:
        (cmd,) = log.query(kinds=["operator.command"])
        kinds = [r.kind for r in log.query()]
    assert cmd.operator == "李警官" and cmd.data["position"] == "cli"
    assert "ladder.sent" in kinds and kinds[-1] in ("operator.logout", "log.closed")


def test_a_client_cut_off_mid_page_resumes_with_exactly_the_logs_records(
    service: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, db = service
    reg = find_service(log=db)
    assert reg is not None
    _wait_link_up(reg.socket)

    async def run() -> list[int]:
        seen: list[int] = []
        async with StationClient(socket=reg.socket, position="测试席") as client:
            await client.page(["学校组", "企业组"], text="全体集合")

            async def take(n: int, after: int) -> None:
                async for rec in client.events(after):
                    seen.append(int(rec["seq"]))
                    if len(seen) >= n:
                        return

            await asyncio.wait_for(take(20, 0), 30)
            await client.close()  # cut off: the page goes on without us
            await asyncio.sleep(5.0)
            await asyncio.wait_for(take(60, seen[-1]), 30)
            return seen

    seen = asyncio.run(run())
    with EventLog.open_readonly(db) as log:
        ids = [r.id for r in log.query()]
    assert seen == sorted(set(seen)), "a record came twice or out of order"
    assert seen == ids[: len(seen)], "the stream skipped a record of the log"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0


def test_sigkill_mid_page_then_restart_resumes_the_page(
    tmp_path: Path, start_service: StartService
) -> None:
    db = tmp_path / "station.db"
    proc = start_service(db)
    reg = find_service(log=db)
    assert reg is not None
    _wait_link_up(reg.socket)

    async def page_until_sent() -> str:
        async with StationClient(socket=reg.socket) as client:
            page_id = await client.page(["2003", "2004"], text="集合")
            end = time.monotonic() + 20
            while time.monotonic() < end:
                doc = await client.get(f"/v1/events?page={page_id}&kind=ladder.sent")
                if len(doc["events"]) == 2:
                    return page_id
                await asyncio.sleep(0.05)
            raise AssertionError("the page did not go out")

    page_id = asyncio.run(page_until_sent())
    proc.kill()  # SIGKILL: no clean-up at all
    proc.wait(10)
    proc = start_service(db)
    reg2 = find_service(log=db)
    assert reg2 is not None and reg2.pid == proc.pid

    async def state() -> dict[str, Any]:
        async with StationClient(socket=reg2.socket) as client:
            return await client.state()

    shown = asyncio.run(state())
    assert shown["current_page"] == page_id
    (page,) = [p for p in shown["pages"] if p["page_id"] == page_id]
    assert {r["issi"] for r in page["responders"]} == {2003, 2004}
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    with EventLog.open_readonly(db) as log:
        resumed = [r.data["pages"] for r in log.query(kinds=["service.resumed"])]
        queued = [r.data.get("attempt") for r in log.query(page=page_id, kinds=["ladder.queued"])]
    assert resumed == [[page_id]]
    assert queued == [1, 1], "nobody was paged again by the restart"


def test_rollcall_from_the_shell_runs_on_the_service_that_owns_the_log(
    service: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, db = service
    reg = find_service(log=db)
    assert reg is not None
    _wait_link_up(reg.socket)
    run = subprocess.run(
        [*DUTYDESK, "rollcall", "--gateway", "sim", "--db", str(db), "--group", "学校组",
         "--deadline", "5", "--json"],
        capture_output=True, text=True, timeout=90, env=os.environ.copy(),
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr  # 1: members absent (ExitCode.MISSED)
    assert "on the station service" in run.stderr and "locked" not in run.stderr
    report = json.loads(run.stdout)
    assert report  # the report, computed from the log the service wrote
    missing = report["counts"]["absent"] + report["counts"]["unreachable"]
    assert run.returncode == (1 if missing else 0)
    with EventLog.open_readonly(db) as log:
        (started,) = log.query(kinds=["rollcall.started"])
        (cmd,) = log.query(kinds=["operator.command"])
    assert cmd.data["command"] == "start_rollcall" and cmd.data["position"] == "cli"
    assert started.data["rollcall"] in run.stderr
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0


SHORT_DRILL = """
[drill]
name = "短演练"
groups = ["学校组"]

[page]
text = "演练：集合"

[targets]
acknowledged = 3
en_route = 4
on_scene = 5

[[criteria]]
rung = "acknowledged"
within = 3
at_least = "10%"
"""


def test_drill_run_from_the_shell_runs_on_the_service_that_owns_the_log(
    service: tuple[subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    proc, db = service
    reg = find_service(log=db)
    assert reg is not None
    _wait_link_up(reg.socket)
    drill_file = tmp_path / "short.toml"
    drill_file.write_text(SHORT_DRILL, encoding="utf-8")
    run = subprocess.run(
        [*DUTYDESK, "drill", "run", str(drill_file), "--gateway", "sim", "--db", str(db),
         "--json"],
        capture_output=True, text=True, timeout=90, env=os.environ.copy(),
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr  # passed / targets missed, never an error
    report = json.loads(run.stdout)
    assert report["title"] == "短演练" and "on the station service" in run.stderr
    with EventLog.open_readonly(db) as log:
        (finished,) = log.query(kinds=["drill.finished"])
        commands = [r.data["command"] for r in log.query(kinds=["operator.command"])]
    assert finished.data["drill"] == report["id"] and commands == ["start_drill"]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0

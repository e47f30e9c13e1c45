"""A full disk, a log that turns read-only, a log locked by a second console.

Under a 46-unit page on virtual time (EventLog + PagingEngine over the simulated
network): the log reports the trouble in ``health``/``status()``, the engine's views
never show a rung the log has not committed, and once the fault clears every rung the
engine recorded is committed — nothing is lost.  At the CLI: a second ``dutydesk page``
or ``dutydesk drill run`` on a locked log exits 2 with one line.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from console.eventlog import EventLog, Health, LogDiskFull
from console.paging.model import PageRequest, Recipient
from tests.factories import OpenFaultRig
from tests.reliability.reliability_harness import ISSIS, FaultRig, check, make_fault_rig
from tests.reliability.test_kill9 import PAGE_CMD, ROOT


def _page(frig: FaultRig) -> str:
    return frig.engine.page(
        PageRequest(recipients=tuple(Recipient(i) for i in ISSIS), text="集合：收到请回复")
    )


def _live_events(frig: FaultRig, page_id: str) -> int:
    page = frig.engine.pages[page_id]
    return sum(len(r.rungs) for r in page.responders.values())


def _shown(frig: FaultRig, page_id: str) -> int:
    return sum(len(r.rungs) for r in frig.engine.view(page_id).responders)


def _logged(log: EventLog, page_id: str) -> int:
    return sum(1 for _ in log.query(kinds=["ladder.*"], page=page_id))


async def _fault_then_recover(frig: FaultRig, page_id: str, expect: Health) -> None:
    await frig.run(20, step=0.25)
    status = frig.log.status()
    assert frig.log.health is expect, status
    assert status.pending > 0 and status.last_error
    # the commit gate: the officer is never shown a rung that is not in the log
    assert _shown(frig, page_id) <= _logged(frig.log, page_id) < _live_events(frig, page_id)


async def test_disk_full_mid_page_keeps_everything_and_recovers(
    tmp_path: Path, open_fault_rig: OpenFaultRig
) -> None:
    frig = await open_fault_rig(tmp_path / "full.db", seed=21)
    page_id = _page(frig)
    await frig.run(1.0, step=0.1)
    frig.log.max_page_count = _pages(frig.log)  # the disk is full from now on
    await _fault_then_recover(frig, page_id, Health.DISK_FULL)
    frig.log.max_page_count = 1_000_000  # the technician freed space
    await frig.run(100, step=0.5)
    frig.log.flush()
    assert frig.log.health is Health.OK and frig.log.pending_count == 0
    assert _logged(frig.log, page_id) == _live_events(frig, page_id)
    assert _shown(frig, page_id) == _live_events(frig, page_id)
    out = check(frig, page_id, ISSIS, 1)
    assert out.answers_lost == [] and out.duplicate_pages == [] and out.unpaged == []


def _pages(log: EventLog) -> int:
    return int(log._execute("PRAGMA page_count")[0][0])


async def test_log_turning_read_only_mid_page(tmp_path: Path, open_fault_rig: OpenFaultRig) -> None:
    """The medium goes read-only (USB stick write-protect, remount ro) and comes back."""
    frig = await open_fault_rig(tmp_path / "ro.db", seed=22)
    page_id = _page(frig)
    await frig.run(1.0, step=0.1)
    writer = frig.log._writer
    assert writer is not None
    commit = writer._commit_fn

    def read_only(rows: Sequence[object]) -> None:
        from console.eventlog.errors import classify

        raise classify(
            sqlite3.OperationalError("attempt to write a readonly database"), frig.log.path
        )

    writer._commit_fn = read_only
    await _fault_then_recover(frig, page_id, Health.READ_ONLY)
    writer._commit_fn = commit
    await frig.run(100, step=0.5)
    frig.log.flush()
    assert frig.log.health is Health.OK
    assert _logged(frig.log, page_id) == _live_events(frig, page_id)
    out = check(frig, page_id, ISSIS, 1)
    assert out.answers_lost == [] and out.duplicate_pages == []


async def test_closing_while_disk_full_rescues_every_rung(tmp_path: Path) -> None:
    db = tmp_path / "rescue.db"
    frig = await make_fault_rig(db, seed=23)
    page_id = _page(frig)
    await frig.run(30, step=0.25)
    frig.log.max_page_count = _pages(frig.log)
    await frig.run(30, step=0.25)
    recorded = _live_events(frig, page_id)
    assert frig.log.pending_count > 0
    await frig.engine.close()
    await frig.rig.close()
    with pytest.raises(LogDiskFull) as info:
        frig.log.close()
    assert "saved to" in str(info.value) and "imported at the next start" in str(info.value)
    with EventLog.open(db, durability="normal", record_sessions=False) as again:
        assert _logged(again, page_id) == recorded
        assert again.count_by_kind().get("log.recovered") == 1


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)


def _assert_one_line_locked(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "已被进程" in proc.stderr and "打开写入" in proc.stderr  # the demo station is zh
    assert proc.stderr.count("hint") <= 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_second_page_on_a_locked_log_exits_2_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "same.db"
    with EventLog.open(db, durability="normal") as first:
        first.append_commit("operator.login", operator="值班民警")
        page = _run(
            [
                *PAGE_CMD,
                "--gateway",
                "/dev/ttyNOPE-dutydesk",
                "--db",
                str(db),
                "--unit",
                "1001",
                "--text",
                "x",
            ]
        )
        _assert_one_line_locked(page)
        assert page.stderr.startswith("dutydesk page: 事件日志 ")
        # the first console's record is intact and it still writes
        first.append_commit("operator.action", data={"action": "still here"})
    with EventLog.open_readonly(db) as ro:
        kinds = ro.count_by_kind()
    assert kinds["operator.login"] == 1 and kinds["operator.action"] == 1


def test_second_drill_on_a_locked_log_exits_2_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "same.db"
    with EventLog.open(db, durability="normal"):
        drill = _run(
            [
                sys.executable,
                "-m",
                "console",
                "drill",
                "run",
                "examples/drills/demo-46.toml",
                "--gateway",
                "/dev/ttyNOPE-dutydesk",
                "--db",
                str(db),
            ]
        )
    _assert_one_line_locked(drill)

"""Event log across processes: kill -9 loses nothing committed; readers and a second
console in other processes see the writer's commits / its lock."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.eventlog import EventLog, LogLocked
from tests.factories import Reaped

ROOT = Path(__file__).resolve().parents[2]

# The child reports each commit (the listener runs after COMMIT returned) on stdout.
CHILD = """
import sys, time
from console.eventlog import EventLog
log = EventLog.open(sys.argv[1], durability=sys.argv[2], max_delay=0.005, batch_size=256)
log.add_commit_listener(lambda cid: print(cid, flush=True))
i = 0
while True:
    log.append("ladder.delivered", unit=str(1000 + i % 46), page="P%d" % (i // 46),
               data={"i": i, "text": "收到"})
    i += 1
    if i % 100 == 0:
        time.sleep(0.001)  # the child paces itself; the test never sleeps
"""


def _start_child(db: Path, durability: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), durability],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _read_until(child: subprocess.Popen[str], at_least: int, deadline_s: float = 60.0) -> int:
    """Bounded poll on the child's reports (a deadline, not a sleep)."""
    assert child.stdout is not None
    deadline = time.monotonic() + deadline_s
    last = 0
    while last < at_least:
        if time.monotonic() > deadline:
            pytest.fail(f"child reported only {last} committed events before the deadline")
        line = child.stdout.readline()
        if not line:
            assert child.stderr is not None
            pytest.fail("child died: " + child.stderr.read())
        last = int(line)
    return last


@pytest.mark.parametrize("durability", ["normal", "full"])
def test_kill_9_loses_nothing_committed(tmp_path: Path, durability: str, reaped: Reaped) -> None:
    db = tmp_path / "events.db"
    child = reaped(_start_child(db, durability))
    last = _read_until(child, 3000)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert raw.execute("SELECT count(*) FROM events WHERE id <= ?", (last,)).fetchone()[0] == last
    raw.close()
    # the OS dropped the dead writer's lock: a new console opens at once and continues
    with EventLog.open(db, durability="normal") as log:
        log.flush()
        assert log.count_by_kind()["log.opened"] == 2
        assert log.last_id > last


def test_reader_and_second_console_in_other_process(tmp_path: Path, reaped: Reaped) -> None:
    db = tmp_path / "events.db"
    child = reaped(_start_child(db, "normal"))  # killed (SIGKILL) after the test
    first = _read_until(child, 200)
    with EventLog.open_readonly(db) as ro:
        seen_first = ro.committed_id
        assert seen_first >= first
        later = _read_until(child, seen_first + 1000)
        assert ro.committed_id >= later > seen_first  # new commits visible live
        records = list(ro.query(kinds=["ladder.delivered"], limit=5))
        assert [r.data["text"] for r in records] == ["收到"] * 5
    with pytest.raises(LogLocked, match=f"pid {child.pid}"):
        EventLog.open(db)

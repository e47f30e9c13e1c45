"""Outages against a real PostgreSQL: the server stopped mid-run, the shipper SIGKILLed
mid-batch.  Each ends with every seq at the centre exactly once and no gap."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from console.eventlog import EventLog
from console.replication import LogReader, Shipper
from tests.factories import Reaped
from tests.replication.conftest import Central, wait_for
from tests.replication.test_shipping import fill

ROOT = Path(__file__).resolve().parents[2]


def timed_append(log: EventLog, i: int) -> float:
    """Seconds from append to committed in the station log (what paging waits for)."""
    start = time.perf_counter()
    event_id = log.append("test.event", data={"i": i})
    assert log.wait_committed(event_id, timeout=10)
    return time.perf_counter() - start


def test_centre_down_then_back_backlog_drains_and_paging_never_waited(
    central: Central, tmp_path: Path
) -> None:
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(EventLog.open(tmp_path / "a.db", durability="normal"))
        shipper = Shipper(log.path, central.url("a"), "a", batch=50, interval_s=0.05)
        log.add_commit_listener(shipper.wake)
        stack.callback(shipper.stop)
        shipper.start()
        baseline = [timed_append(log, i) for i in range(200)]
        wait_for(lambda: shipper.status().backlog == 0, what="the first events shipped")
        central.pg.stop("fast")
        during = [timed_append(log, 200 + i) for i in range(100)]
        i = 300
        while not (not shipper.status().connected and shipper.status().failures >= 3):
            during.append(timed_append(log, i))  # the station keeps working meanwhile
            i += 1
            assert len(during) < 200_000, "the shipper never noticed the centre was down"
        down = shipper.status()
        assert down.backlog >= 100 and down.last_error
        assert down.lag_s > 0
        central.pg.start()
        total = log.committed_id
        wait_for(lambda: central.count("a") >= total, deadline_s=90, what="backlog drained")
        wait_for(lambda: shipper.status().backlog == 0 and shipper.status().connected)
    assert central.seqs("a") == list(range(1, total + 1))
    # Appending never waited on the database: the worst append+commit while it was down
    # is of the order of the worst one before (both are SQLite commits only).
    assert max(during) < max(0.25, 5 * max(baseline)), (max(baseline), max(during))


def ship_process(log_path: Path, url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "console.replication", "ship", "--log", str(log_path),
         "--url", url, "--station", "a", "--batch", "200", "--interval", "0.05"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def shipper_sessions(central: Central) -> list[tuple[object, ...]]:
    with central.admin() as conn:
        return conn.execute(
            "SELECT pid, state, xact_start FROM pg_stat_activity "
            "WHERE application_name = 'dutydesk-shipper'"
        ).fetchall()


def test_shipper_killed_mid_batch_no_gap_no_duplicate(
    central: Central, tmp_path: Path, reaped: Reaped
) -> None:
    log_path = tmp_path / "a.db"
    with EventLog.open(log_path, durability="normal") as log:
        fill(log, 30_000)
    reader = LogReader(log_path)
    total = reader.newest()  # including the log's own session events
    reader.close()
    proc = reaped(ship_process(log_path, central.url("a")))

    def in_a_batch() -> bool:
        """Some batches committed, and one is open in a transaction right now."""
        sessions = shipper_sessions(central)
        return any(s[2] is not None for s in sessions) and central.count("a") >= 400

    wait_for(in_a_batch, deadline_s=60, what="the shipper inside a batch")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    wait_for(lambda: not shipper_sessions(central), what="the killed session gone")
    shipped = central.count("a")
    assert 0 < shipped < total
    assert shipped % 200 == 0, "a batch was half-committed"
    assert central.seqs("a") == list(range(1, shipped + 1))

    again = reaped(ship_process(log_path, central.url("a")))
    wait_for(lambda: central.count("a") >= total, deadline_s=120, what="the rest shipped")
    again.send_signal(signal.SIGTERM)
    assert again.wait(15) == 0
    assert central.seqs("a") == list(range(1, total + 1))

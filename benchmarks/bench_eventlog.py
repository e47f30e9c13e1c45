"""Benchmark the event log's group-commit writer.

Measures, for each durability setting:

* burst: how many events/s the log absorbs and commits when appended as fast as possible;
* sustained: events appended at a paced 10 000 events/s for a few seconds, with the
  latency from ``append()`` to the commit that covers it (p50 / p99 / max).

Target (issue): >= 10 000 events/s sustained with every event committed within 100 ms.
Run: ``.venv/bin/python benchmarks/bench_eventlog.py [--seconds 5] [--rate 10000]``.
Prints plain text lines.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.eventlog import EventLog


def _event(log: EventLog, i: int) -> int:
    return log.append(
        "ladder.delivered",
        unit=str(1000 + i % 46),
        page=f"P{i // 46}",
        incident="INC-20240501-003",
        data={"i": i, "text": "收到,一分钟到达现场", "rssi": -71},
    )


def burst(path: str, durability: str, n: int) -> tuple[float, int]:
    with EventLog.open(path, durability=durability, record_sessions=False) as log:  # type: ignore[arg-type]
        t0 = time.perf_counter()
        last = 0
        for i in range(n):
            last = _event(log, i)
        log.wait_committed(last)
        elapsed = time.perf_counter() - t0
        commits = log.status().commits
    return n / elapsed, commits


def sustained(path: str, durability: str, rate: int, seconds: float) -> dict[str, float]:
    n = int(rate * seconds)
    appended = [0.0] * (n + 2)
    commits: list[tuple[float, int]] = []
    lock = threading.Lock()

    def on_commit(committed_id: int) -> None:
        now = time.perf_counter()
        with lock:
            commits.append((now, committed_id))

    with EventLog.open(path, durability=durability, record_sessions=False) as log:  # type: ignore[arg-type]
        log.add_commit_listener(on_commit)
        chunk = max(1, rate // 1000)  # append in 1 ms slices
        start = time.perf_counter()
        first_id = log.last_id + 1
        i = 0
        while i < n:
            due = start + i / rate
            now = time.perf_counter()
            if now < due:
                time.sleep(due - now)
            for _ in range(min(chunk, n - i)):
                eid = _event(log, i)
                appended[eid - first_id] = time.perf_counter()
                i += 1
        offered_elapsed = time.perf_counter() - start
        log.wait_committed(first_id + n - 1)
        stats = log.status()
    latencies: list[float] = []
    ci = 0
    for k in range(n):
        eid = first_id + k
        while commits[ci][1] < eid:
            ci += 1
        latencies.append(commits[ci][0] - appended[k])
    latencies.sort()
    return {
        "events": n,
        "achieved_rate": n / offered_elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "max_ms": latencies[-1] * 1000,
        "commits": stats.commits,
        "mean_batch": n / max(1, stats.commits),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=200_000)
    parser.add_argument("--dir", default=None, help="folder for the test DB (default: temp)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}  sqlite {__import__('sqlite3').sqlite_version}")
    ok = True
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for durability in ("full", "normal"):
            path = os.path.join(tmp, f"bench-{durability}.db")
            rate, commits = burst(path, durability, args.burst)
            print(
                f"burst      durability={durability:6s} events={args.burst} "
                f"rate={rate:,.0f}/s commits={commits}"
            )
            path = os.path.join(tmp, f"sustained-{durability}.db")
            r = sustained(path, durability, args.rate, args.seconds)
            target = r["achieved_rate"] >= args.rate * 0.98 and r["max_ms"] <= 100.0
            ok = ok and target
            print(
                f"sustained  durability={durability:6s} offered={args.rate}/s "
                f"achieved={r['achieved_rate']:,.0f}/s events={r['events']:.0f} "
                f"latency p50={r['p50_ms']:.1f}ms p99={r['p99_ms']:.1f}ms "
                f"max={r['max_ms']:.1f}ms commits={r['commits']:.0f} "
                f"mean_batch={r['mean_batch']:.0f} target={'met' if target else 'MISSED'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: PostgreSQL stopped for 60 s in the middle of a 46-unit drill (issue 11).

What the issue asks to show: paging at the station is unaffected by the centre going
away (compared with a run without replication), the backlog drains after the restart,
and every event is at the centre exactly once.

Each run is a pair, back to back on the same box, so the ratio compares like with like:

* ``off``: the drill as ``dutydesk drill run FILE --gateway sim`` runs it (the station's
  composition root, the in-process simulated network, real time, the log's background
  writer), on a station without ``[replication]``;
* ``down``: the same drill on the same station with ``[replication] url`` set, so the
  runtime ships its log to a throw-away PostgreSQL (fsync on, ``tests/replication/
  pgcluster.py``) as station ``a``; ``--stop-at`` seconds after the page the server is
  stopped (``pg_ctl stop -m fast``) and ``--outage`` seconds later started again.

The drill is the demo station's 46 emergency units, each radio scripted to acknowledge at
its own time, spread over ``outage + 40`` seconds so that answers arrive before, during
and after the outage (``tests/replication/drill_outage.py``, shared with the test).

Ladder latency is each responder's first ``ladder.acknowledged`` in the station log,
seconds after its ``page.created`` (station monotonic clock).  The scripted answer delay
is the same in both runs of a pair, so per responder ``down - off`` is what replication
and the outage cost paging; reported as its median and max, and as the ratio of the
pair's median latencies.  Most of ``down - off`` is the send burst's jitter (the 46
``AT+CMGS`` take ~0.3 s and vary by tens of ms from run to run, either way), so the
answer's own path, acknowledged minus the responder's ``ladder.sent``, is compared too.
Drain: from the restart until the shipper is connected with a
backlog of 0 and the centre has the log's last committed seq; split into the wait for
the shipper's next retry (its back-off, up to 30 s) and the shipping itself.

Run: .venv/bin/python benchmarks/bench_replication_outage.py [--runs 5] [--outage 60]
     [--stop-at 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from bench_replication import reset

from console.drills import load_drill_text
from console.drills.runner import DrillRun
from console.drills.session import open_session
from console.replication import ReplicationService, add_station
from tests.replication.drill_outage import (
    STATION_ID,
    centre_events,
    compare,
    demo_46,
    drill_text,
    log_events,
    read_ladder,
)
from tests.replication.pgcluster import PgCluster, create_cluster


@dataclass
class Run:
    mode: str
    acks: dict[int, float]
    sent: dict[int, float]
    """Each responder's first ``ladder.sent``, seconds after the page."""
    outcome: str
    wall_s: float
    drain_s: float | None = None
    retry_wait_s: float | None = None
    backlog_at_restart: int | None = None
    failures_at_restart: int | None = None
    once: str = ""
    once_ok: bool = True
    notes: list[str] = field(default_factory=list)


async def _wait(predicate: Any, deadline_s: float) -> bool:
    end = time.monotonic() + deadline_s
    while not predicate():
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.02)
    return True


async def drill_run(
    folder: Path, pg: PgCluster | None, *, spread_s: float, stop_at: float, outage: float
) -> Run:
    """One drill through ``open_session`` (``dutydesk drill run --gateway sim``); with
    ``pg``, shipped to it, and the server stopped for ``outage`` s from ``stop_at``."""
    station = demo_46(pg.dsn(f"st_{STATION_ID}") if pg else None)
    drill = load_drill_text(drill_text(station, spread_s), station, "outage.toml")
    db = folder / ("down.db" if pg else "off.db")
    started = time.monotonic()
    result = Run("down" if pg else "off", {}, {}, "", 0.0)
    async with open_session("sim", db, station, simulation=drill.simulation) as s:
        run = DrillRun(s.engine, drill, drill_id="D1", simulated=True)
        task = asyncio.ensure_future(run.run())
        service = s.runtime.services.get("replication")
        if pg is not None:
            assert isinstance(service, ReplicationService)
            await asyncio.sleep(stop_at)
            if service.status().backlog:
                result.notes.append(f"backlog {service.status().backlog} at the stop")
            await asyncio.to_thread(pg.stop, "fast")
            await asyncio.sleep(outage)
            await asyncio.to_thread(pg.start)
            restarted = time.monotonic()
            status = service.status()
            result.backlog_at_restart, result.failures_at_restart = status.backlog, status.failures
            if task.done():
                result.notes.append("the drill ended before the restart")
            await _wait(lambda: service.status().connected, 120)
            result.retry_wait_s = time.monotonic() - restarted

            def caught_up() -> bool:
                st = service.status()
                return st.connected and not st.backlog

            if not await _wait(caught_up, 180):
                result.notes.append("backlog not drained in 180 s")
            result.drain_s = time.monotonic() - restarted
        report = await task
        result.wall_s = time.monotonic() - started
        result.outcome = report.outcome
        assert run.page_id is not None
        ladder = read_ladder(db, run.page_id)
        result.acks, result.sent = ladder.acknowledged(), ladder.first("sent")
        if pg is not None and isinstance(service, ReplicationService):
            log = s.log

            def drained() -> bool:
                st = service.status()
                return st.connected and not st.backlog and st.last_shipped_seq == log.committed_id

            if not await _wait(drained, 60):
                result.notes.append("the drill's last events not shipped in 60 s")
            with psycopg.connect(pg.dsn(), autocommit=True) as conn:
                rows = centre_events(conn)
            upto = max((seq for seq, _ in rows), default=0)
            check = compare(log_events(db, log.committed_id), rows)
            result.once, result.once_ok = check.line() + f" (up to #{upto})", check.ok
    return result


def fresh_centre(pg: PgCluster) -> None:
    reset(pg, 0)
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        add_station(conn, STATION_ID, f"st_{STATION_ID}")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def mmm(values: list[float], fmt: str = "{:.3f}") -> str:
    return (
        f"{fmt.format(statistics.median(values))} "
        f"[{fmt.format(min(values))} .. {fmt.format(max(values))}]"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="pairs of (off, down) runs")
    ap.add_argument("--outage", type=float, default=60.0, help="seconds the server is down")
    ap.add_argument("--stop-at", type=float, default=20.0, help="seconds after the page")
    args = ap.parse_args()
    spread = args.stop_at + args.outage + 20.0
    pg = create_cluster(fsync=True)
    pairs: list[tuple[Run, Run]] = []
    try:
        for i in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="ddout-") as tmp:
                off = asyncio.run(drill_run(Path(tmp), None, spread_s=spread, stop_at=0, outage=0))
                fresh_centre(pg)
                down = asyncio.run(
                    drill_run(
                        Path(tmp), pg, spread_s=spread, stop_at=args.stop_at, outage=args.outage
                    )
                )
            pairs.append((off, down))
            report_pair(i + 1, off, down)
    finally:
        pg.destroy()
    summary(pairs, args)


def diffs(off: Run, down: Run) -> list[float]:
    return [down.acks[u] - off.acks[u] for u in off.acks if u in down.acks]


def answer_diffs(off: Run, down: Run) -> list[float]:
    """Per responder, ``down - off`` of (acknowledged - its own sent): the answer's path
    from the radio to the log, without the send burst's run-to-run jitter."""
    return [
        (down.acks[u] - down.sent[u]) - (off.acks[u] - off.sent[u])
        for u in off.acks
        if u in down.acks and u in off.sent and u in down.sent
    ]


def report_pair(n: int, off: Run, down: Run) -> None:
    d = diffs(off, down)
    p50_off, p50_down = statistics.median(off.acks.values()), statistics.median(down.acks.values())
    print(
        f"run {n}: acks off {len(off.acks)}/46 {off.outcome}, down {len(down.acks)}/46 "
        f"{down.outcome}; p50 ack latency off {p50_off:.3f} s, down {p50_down:.3f} s "
        f"(x{p50_down / p50_off:.4f}); down-off per responder median "
        f"{statistics.median(d) * 1e3:.1f} "
        f"ms, max {max(d) * 1e3:.1f} ms; restart: backlog {down.backlog_at_restart}, "
        f"{down.failures_at_restart} failed tries; reconnect {down.retry_wait_s:.1f} s, drained "
        f"{down.drain_s:.1f} s; {down.once}; {'; '.join(down.notes)}",
        flush=True,
    )


def summary(pairs: list[tuple[Run, Run]], args: argparse.Namespace) -> None:
    def col(f: Any) -> list[float]:
        return [float(f(off, down)) for off, down in pairs]

    med = statistics.median
    print(f"\n{len(pairs)} pairs, outage {args.outage:g} s from {args.stop_at:g} s after the page")
    print("ack latency p50, off (s)          ", mmm(col(lambda o, d: med(o.acks.values()))))
    print("ack latency p50, down (s)         ", mmm(col(lambda o, d: med(d.acks.values()))))
    print(
        "ratio p50 down/off                ",
        mmm(col(lambda o, d: med(d.acks.values()) / med(o.acks.values())), "{:.4f}"),
    )
    print(
        "ratio p90 down/off                ",
        mmm(
            col(lambda o, d: pct(list(d.acks.values()), 0.9) / pct(list(o.acks.values()), 0.9)),
            "{:.4f}",
        ),
    )
    print(
        "down-off per responder, median ms ",
        mmm(col(lambda o, d: med(diffs(o, d)) * 1e3), "{:.1f}"),
    )
    print(
        "down-off per responder, max ms    ",
        mmm(col(lambda o, d: max(diffs(o, d)) * 1e3), "{:.1f}"),
    )
    print(
        "answer path down-off, median ms   ",
        mmm(col(lambda o, d: med(answer_diffs(o, d)) * 1e3), "{:.1f}"),
    )
    print(
        "answer path down-off, max |ms|    ",
        mmm(col(lambda o, d: max(abs(x) for x in answer_diffs(o, d)) * 1e3), "{:.1f}"),
    )
    print("last ladder.sent off (s)          ", mmm(col(lambda o, d: max(o.sent.values()))))
    print("last ladder.sent down (s)         ", mmm(col(lambda o, d: max(d.sent.values()))))
    print("acknowledged (of 46), off / down  ", col(lambda o, d: len(o.acks)), "/",
          col(lambda o, d: len(d.acks)))  # fmt: skip
    print("verdicts off / down               ", [o.outcome for o, _ in pairs], "/",
          [d.outcome for _, d in pairs])  # fmt: skip
    print(
        "backlog at the restart (events)   ", mmm(col(lambda o, d: d.backlog_at_restart), "{:.0f}")
    )
    print("restart -> shipper reconnected (s)", mmm(col(lambda o, d: d.retry_wait_s), "{:.1f}"))
    print("restart -> backlog drained (s)    ", mmm(col(lambda o, d: d.drain_s), "{:.1f}"))
    print("exactly once                      ", all(d.once_ok for _, d in pairs))
    for _, d in pairs:
        print("   ", d.once)


if __name__ == "__main__":
    main()

"""Benchmark: N stations shipping their logs to one PostgreSQL on this machine (issue 11).

Each simulated station is its own SQLite event log (``EventLog``, background group-commit
writer) and its own :class:`~console.replication.Shipper` thread with its own connection
and its own role, exactly as a station service runs it.  One driver thread appends events
to the stations at Poisson arrival times at ``--rate`` events/s per station (the realistic
rate) and at ``--factor`` times that.  The central cluster is a throw-away one started by
``tests/replication/pgcluster.py`` with fsync **on**.

Measured per run:

* ingest rate at the centre (rows committed per second over the steady window);
* replication lag per event, ``received - ts`` at the centre (the centre's transaction
  time minus the station's wall time of the event), p50/p99/max;
* drain: every station starts with a backlog of ``--backlog`` events (an outage that
  ended); time until the centre has them all, i.e. the catch-up ingest rate.

Run: .venv/bin/python benchmarks/bench_replication.py [--stations 50] [--seconds 20]
     [--runs 3] [--rate 2] [--factor 10] [--backlog 2000] [--procs 1]

``--procs 5`` splits the stations over 5 processes (a real station is a process of its
own; one process for all 50 measures Python's GIL as much as replication).
"""

from __future__ import annotations

import argparse
import heapq
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from console.eventlog import EventLog, NewEvent
from console.replication import Shipper, add_station, migrate
from tests.replication.pgcluster import PgCluster, create_cluster

KINDS = ("ladder.sent", "ladder.delivered", "ladder.acknowledged", "radio.status", "page.new")


def reset(pg: PgCluster, stations: int) -> None:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(
            "DROP TABLE IF EXISTS events, stations, schema_version, incident_latest CASCADE"
        )
        for (role,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'st\\_%'"):
            conn.execute(f'DROP ROLE "{role}"')
        migrate(conn)
        for i in range(stations):
            add_station(conn, f"s{i:03d}", f"st_s{i:03d}")


def event(rng: random.Random, n: int) -> NewEvent:
    kind = rng.choice(KINDS)
    return NewEvent(
        kind,
        {"n": n, "status": "0x8002", "text": "收到，正在前往", "rssi": rng.randint(-110, -60)},
        unit=2000 + rng.randrange(46),
        page=f"P{n // 40:05d}",
        incident=f"I{n // 400:04d}",
    )


class Fleet:
    """N station logs and their shippers."""

    def __init__(self, pg: PgCluster, folder: Path, stations: list[int], batch: int) -> None:
        self.logs: list[EventLog] = []
        self.shippers: list[Shipper] = []
        self.names = [f"s{i:03d}" for i in stations]
        for i in stations:
            log = EventLog.open(folder / f"s{i:03d}.db", durability="full")
            shipper = Shipper(log.path, pg.dsn(f"st_s{i:03d}"), f"s{i:03d}", batch=batch)
            log.add_commit_listener(shipper.wake)
            self.logs.append(log)
            self.shippers.append(shipper)

    def start(self) -> None:
        for s in self.shippers:
            s.start()

    def close(self) -> None:
        for s in self.shippers:
            s.stop()
        for log in self.logs:
            log.close()

    def committed(self) -> int:
        return sum(log.committed_id for log in self.logs)


def centre_rows(pg: PgCluster, names: list[str]) -> int:
    with psycopg.connect(pg.dsn()) as conn:
        row = conn.execute("SELECT count(*) FROM events WHERE station = ANY(%s)", (names,))
        return int(row.fetchone()[0])  # type: ignore[index]


def wait_shipped(pg: PgCluster, fleet: Fleet, deadline_s: float) -> float:
    """Poll until the centre has every committed event; returns when (monotonic)."""
    end = time.monotonic() + deadline_s
    while True:
        if centre_rows(pg, fleet.names) >= fleet.committed():
            return time.monotonic()
        if time.monotonic() > end:
            raise SystemExit("the centre did not catch up before the deadline")
        time.sleep(0.05)


def drive(
    pg: PgCluster, stations: list[int], rate: float, start: float, stop: float, seed: int
) -> int:
    """Run ``stations`` (logs + shippers) from wall time ``start`` to ``stop``, appending
    at Poisson times; return how many events were appended once all are shipped."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="ddbench-") as tmp:
        fleet = Fleet(pg, Path(tmp), stations, batch=500)
        try:
            fleet.start()
            queue = [(start + rng.expovariate(rate), k) for k in range(len(stations))]
            heapq.heapify(queue)
            sent = 0
            while queue:
                due, k = heapq.heappop(queue)
                if due >= stop:
                    continue
                pause = due - time.time()
                if pause > 0:
                    time.sleep(pause)
                fleet.logs[k].append_many([event(rng, sent)])
                sent += 1
                heapq.heappush(queue, (due + rng.expovariate(rate), k))
            wait_shipped(pg, fleet, 120)
        finally:
            fleet.close()
    return sent


def _drive_star(args: tuple[PgCluster, list[int], float, float, float, int]) -> int:
    return drive(*args)


def steady_run(
    pg: PgCluster, stations: int, rate: float, seconds: float, seed: int, procs: int
) -> dict[str, float]:
    reset(pg, stations)
    start = time.time() + (3.0 if procs > 1 else 0.5)  # time for every log to open
    stop = start + seconds
    groups = [list(range(stations))[p::procs] for p in range(procs)]
    if procs == 1:
        sent = drive(pg, groups[0], rate, start, stop, seed)
    else:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(procs) as pool:
            jobs = [(pg, g, rate, start, stop, seed * 100 + p) for p, g in enumerate(groups)]
            sent = sum(pool.map(_drive_star, jobs))
    with psycopg.connect(pg.dsn()) as conn:
        warm = start + min(2.0, seconds / 5)
        row = conn.execute(
            """SELECT count(*),
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY lag),
                      percentile_cont(0.99) WITHIN GROUP (ORDER BY lag),
                      max(lag),
                      extract(epoch FROM max(received) - min(received))
                 FROM (SELECT extract(epoch FROM received - ts) AS lag, received FROM events
                        WHERE ts >= to_timestamp(%s) AND ts < to_timestamp(%s)) x""",
            (warm, stop),
        ).fetchone()
    assert row is not None
    count, p50, p99, worst, span = row
    return {
        "events": float(sent),
        "ingest": float(count) / float(span or 1),
        "p50_ms": float(p50) * 1000,
        "p99_ms": float(p99) * 1000,
        "max_ms": float(worst) * 1000,
    }


def drain_run(pg: PgCluster, stations: int, backlog: int, seed: int) -> dict[str, float]:
    reset(pg, stations)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="ddbench-") as tmp:
        fleet = Fleet(pg, Path(tmp), list(range(stations)), batch=500)
        try:
            for log in fleet.logs:
                log.append_many(event(rng, n) for n in range(backlog))
                log.flush()
            total = fleet.committed()
            t0 = time.monotonic()
            fleet.start()
            t1 = wait_shipped(pg, fleet, 600)
        finally:
            fleet.close()
    return {"events": float(total), "seconds": t1 - t0, "ingest": total / (t1 - t0)}


def summary(name: str, runs: list[dict[str, float]], keys: list[str]) -> None:
    print(f"-- {name} ({len(runs)} runs): median [min..max]")
    for key in keys:
        values = [r[key] for r in runs]
        print(
            f"   {key:>8}: {statistics.median(values):10.1f}  "
            f"[{min(values):.1f} .. {max(values):.1f}]"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rate", type=float, default=2.0, help="events/s per station")
    ap.add_argument("--factor", type=float, default=10.0)
    ap.add_argument("--backlog", type=int, default=2000, help="events per station to drain")
    ap.add_argument(
        "--procs", type=int, default=1, help="station processes (stations split among them)"
    )
    args = ap.parse_args()
    pg = create_cluster(fsync=True)
    try:
        print(
            f"{args.stations} stations in {args.procs} process(es), one PostgreSQL (fsync on), "
            "station logs durability=full"
        )
        for rate in (args.rate, args.rate * args.factor):
            runs = [
                steady_run(pg, args.stations, rate, args.seconds, seed, args.procs)
                for seed in range(args.runs)
            ]
            summary(
                f"{rate:g} events/s per station = {rate * args.stations:g}/s offered, "
                f"{args.seconds:g} s",
                runs,
                ["ingest", "p50_ms", "p99_ms", "max_ms"],
            )
        drains = [drain_run(pg, args.stations, args.backlog, seed) for seed in range(args.runs)]
        summary(
            f"drain {args.backlog} events x {args.stations} stations", drains, ["seconds", "ingest"]
        )
    finally:
        pg.destroy()


if __name__ == "__main__":
    main()

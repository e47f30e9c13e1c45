"""Benchmark: paging N responders over the paced fake, and ladder latency under a burst.

The simulated gateway runs in a separate process (this file with ``--serve``), pacing its
output like a real UART at 115200 baud and taking the console's bytes no faster than the
line brings them.  The console side is the production stack on real time: PeiLink over
the pty, Gateway, PagingEngine, and an SQLite EventLog committed on its writer thread.

1. Overhead: first a baseline (the same N texts sent by the bare Gateway, no engine, no
   log), then page N responders (46 / 500 / 2000; radios that never answer but send their
   SDS-TL reports) and measure from ``page()`` until every responder's ``accepted`` rung
   is committed.  The limit is the wire: every byte both ways in that window takes
   10 bits of line time.  Reported: elapsed / wire time (target <= 1.05x), the baseline's
   ratio, and engine+log time / baseline time (what paging itself adds).  The wire time
   sums both directions; delivery reports arriving while we transmit overlap on a
   full-duplex line, so for large N the ratio can fall below 1.
2. Latency: 2000 radios answer "收到" (status 0x8002) in one burst, as fast as the line
   carries them.  For each answer: from its line arriving at the console (the gateway's
   decoded event) to the engine publishing the committed ``acknowledged`` rung.
   Reported: p50 / p99 (target p99 <= 5 ms).

Run: .venv/bin/python benchmarks/bench_paging.py [--baud 115200] [--n 46 500 2000]
     [--replication off|on|down]   (issue 11: the same with the log shipped to PostgreSQL)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from console.eventlog import EventLog  # noqa: E402
from console.paging.engine import PagingEngine  # noqa: E402
from console.paging.model import (  # noqa: E402
    PageChanged,
    PageRequest,
    PageTargets,
    PagingUpdate,
    Recipient,
    Rung,
)
from drivers import radio_events as rev  # noqa: E402
from drivers.clock import SystemClock  # noqa: E402
from drivers.gateway import Gateway  # noqa: E402
from drivers.link import PeiLink  # noqa: E402
from drivers.pei.events import PeiEvent  # noqa: E402
from drivers.sds import ReportRequest  # noqa: E402

FIRST = 10001
GATEWAY_ISSI = 1000
NO_TARGETS = PageTargets(acknowledge_s=None, en_route_s=None, on_scene_s=None)
TEXT = "XX路发生交通事故，附近队员立即前往处置"


# --- the fake, in its own process ---------------------------------------------------------


async def _serve(n: int, baud: int) -> None:
    from fakes.behaviour import Behaviour
    from fakes.network import NetworkConfig
    from fakes.sim import start_simulation

    units = [{"issi": FIRST + i, "alias": f"单元{i}"} for i in range(n)]
    never = Behaviour.never()
    sim = await start_simulation(
        SystemClock(),
        units,
        [],
        gateway_issi=GATEWAY_ISSI,
        baud=baud,
        behaviours={u["issi"]: never for u in units},
        network_config=NetworkConfig(unreachable_report=None),
    )
    print(sim.url, flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if line == "burst":
            for unit in units:
                sim.radio(int(unit["issi"])).send_status(0x8002)
        elif line in ("quit", ""):
            break
    await sim.close()


# --- the console side ---------------------------------------------------------------------


class Fake:
    def __init__(self, n: int, baud: int) -> None:
        cmd = [sys.executable, __file__, "--serve", str(n), "--baud", str(baud)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        try:
            self.send("quit")
            self.proc.wait(10)
        except Exception:
            self.proc.kill()


async def bench(
    url: str,
    n: int,
    baud: int,
    fake: Fake,
    *,
    durability: str,
    max_delay: float,
    commit: str,
    gc_freeze: bool = False,
    replication: str = "off",
) -> dict[str, Any]:
    clock = SystemClock()
    tmp = tempfile.TemporaryDirectory(prefix="bench-paging-")
    log = EventLog.open(
        Path(tmp.name) / "events.db",
        clock=clock,
        durability=durability,  # type: ignore[arg-type]
        max_delay=max_delay,
        record_sessions=False,
        background=commit == "thread",
    )
    centre = _Centre(log, replication) if replication != "off" else None
    link = PeiLink(url, clock=clock, baud=baud, keepalive=3600)
    gateway = Gateway(link)
    arrived: dict[int, float] = {}

    def on_radio(event: PeiEvent) -> None:
        if isinstance(event, rev.StatusReceived):
            arrived.setdefault(int(event.sender), time.perf_counter())

    gateway.subscribe(on_radio)  # before the engine: stamps the line's arrival
    engine = PagingEngine(
        gateway,
        log,
        clock=clock,
        targets=NO_TARGETS,
        drive_log=commit == "loop",
        log_tick=max_delay,
    )
    latencies: list[float] = []
    accepted: set[int] = set()
    acked: set[int] = set()
    all_accepted = asyncio.Event()
    all_acked = asyncio.Event()
    page_id = ""

    def on_update(update: PagingUpdate) -> None:
        if not isinstance(update, PageChanged):
            return
        now = time.perf_counter()
        for issi in update.changed:
            resp = update.view.responder(issi)
            if resp is None:
                continue
            if issi not in accepted and resp.has(Rung.ACCEPTED):
                accepted.add(issi)
            if issi not in acked and resp.has(Rung.ACKNOWLEDGED):
                acked.add(issi)
                if issi in arrived:
                    latencies.append(now - arrived[issi])
        if len(accepted) == n:
            all_accepted.set()
        if len(acked) == n:
            all_acked.set()

    engine.subscribe(on_update)
    await link.connect(timeout=20)
    await engine.start()
    await gateway.send_text(GATEWAY_ISSI + 1, "warm-up")  # mode switch out of the window
    # Baseline: the same N texts through the bare Gateway, no engine, no log.
    b_in, b_out = link.bytes_in, link.bytes_out
    b_start = time.perf_counter()
    for i in range(n):
        await gateway.send_text(FIRST + i, TEXT, report=ReportRequest.BOTH)
    base_elapsed = time.perf_counter() - b_start
    base_wire = (link.bytes_in - b_in + link.bytes_out - b_out) * 10 / baud
    await asyncio.sleep(min(12.0, 1.0 + n * 0.01))  # let the baseline's reports drain
    in0, out0 = link.bytes_in, link.bytes_out
    start = time.perf_counter()
    page_id = engine.page(
        PageRequest(recipients=tuple(Recipient(FIRST + i) for i in range(n)), text=TEXT)
    )
    await asyncio.wait_for(all_accepted.wait(), timeout=n * 0.05 + 30)
    elapsed = time.perf_counter() - start
    rx, tx = link.bytes_in - in0, link.bytes_out - out0
    wire = (rx + tx) * 10 / baud
    result: dict[str, Any] = {
        "n": n,
        "elapsed": elapsed,
        "wire": wire,
        "ratio": elapsed / wire,
        "tx": tx,
        "rx": rx,
        "page": page_id,
        "base_elapsed": base_elapsed,
        "base_ratio": base_elapsed / base_wire,
    }
    if n >= 2000:
        await asyncio.sleep(12.0)  # let the delivery / read reports drain off the line
        arrived.clear()
        if gc_freeze:  # what a long-running console does after start-up
            import gc

            gc.collect()
            gc.freeze()
        fake.send("burst")
        await asyncio.wait_for(all_acked.wait(), timeout=n * 0.02 + 30)
        latencies.sort()
        result["latency_p50"] = statistics.median(latencies)
        result["latency_p99"] = latencies[int(len(latencies) * 0.99) - 1]
        result["latency_max"] = latencies[-1]
        result["answers"] = len(latencies)
    if centre is not None:
        result["replication"] = centre.finish()
    await engine.close()
    await link.close()
    log.close()
    tmp.cleanup()
    return result


class _Centre:
    """``--replication on|down`` (issue 11): the log is shipped to a throw-away PostgreSQL
    (fsync on) by the station's real shipper thread while paging runs; with ``down`` the
    server is stopped before paging starts and restarted at the end, so the shipper backs
    off and retries through the whole run.  ``finish`` waits for every event to arrive."""

    def __init__(self, log: EventLog, mode: str) -> None:
        import psycopg

        from console.replication import Shipper, add_station, migrate
        from tests.replication.pgcluster import create_cluster

        self.log, self.mode = log, mode
        self.pg = create_cluster(fsync=True)
        with psycopg.connect(self.pg.dsn(), autocommit=True) as conn:
            migrate(conn)
            add_station(conn, "bench", "st_bench")
        self.shipper = Shipper(log.path, self.pg.dsn("st_bench"), "bench")
        log.add_commit_listener(self.shipper.wake)
        self.shipper.start()
        if mode == "down":
            self.pg.stop("fast")

    def finish(self) -> str:
        self.log.flush()
        status = self.shipper.status()
        if self.mode == "down":
            self.pg.start()
        end = time.monotonic() + 120
        while self.shipper.status().backlog or not self.shipper.status().connected:
            if time.monotonic() > end:
                break
            time.sleep(0.05)
        after = self.shipper.status()
        self.shipper.stop()
        self.pg.destroy()
        return (
            f"centre {self.mode}: at the end of paging backlog {status.backlog}, "
            f"connected {status.connected}; after: shipped up to #{after.last_shipped_seq} "
            f"of #{self.log.committed_id}, backlog {after.backlog}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--n", type=int, nargs="+", default=[46, 500, 2000])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--durability", choices=("full", "normal"), default="full")
    parser.add_argument("--max-delay", type=float, default=0.002, help="log group-commit delay")
    parser.add_argument(
        "--commit",
        choices=("thread", "loop"),
        default="thread",
        help="who commits the log: its writer thread, or the engine's timer on the loop",
    )
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() before the burst of answers"
    )
    parser.add_argument(
        "--replication",
        choices=("off", "on", "down"),
        default="off",
        help="ship the log to a throw-away PostgreSQL meanwhile (down: stopped while paging)",
    )
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve, args.baud))
        return 0
    ok = True
    for n in args.n:
        fake = Fake(n, args.baud)
        try:
            res = asyncio.run(
                bench(
                    fake.url,
                    n,
                    args.baud,
                    fake,
                    durability=args.durability,
                    max_delay=args.max_delay,
                    commit=args.commit,
                    gc_freeze=args.gc_freeze,
                    replication=args.replication,
                )
            )
        finally:
            fake.close()
        ok = ok and res["ratio"] <= 1.05
        print(
            f"paging: {n} responders at {args.baud} baud: {res['elapsed']:.3f} s until all "
            f"accepted+committed, wire time {res['wire']:.3f} s ({res['tx']} B out, "
            f"{res['rx']} B in), ratio {res['ratio']:.3f}x (target <= 1.05x); bare Gateway "
            f"sending the same texts: {res['base_elapsed']:.3f} s = {res['base_ratio']:.3f}x "
            f"wire; engine+log vs bare Gateway: {res['elapsed'] / res['base_elapsed']:.3f}x"
        )
        if "latency_p50" in res:
            p99 = res["latency_p99"] * 1000
            ok = ok and p99 <= 5.0
            print(
                f"ladder latency: burst of {res['answers']} status answers, line arrival -> "
                f"committed rung published: p50 {res['latency_p50'] * 1000:.3f} ms, "
                f"p99 {p99:.3f} ms, max {res['latency_max'] * 1000:.3f} ms "
                f"(log durability={args.durability}, group commit {args.max_delay * 1000:g} ms "
                f"by the {args.commit}{', gc frozen' if args.gc_freeze else ''}; "
                f"target p99 <= 5 ms)"
            )
        if "replication" in res:
            print("replication:", res["replication"])
    print("result:", "OK" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

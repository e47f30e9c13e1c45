"""Benchmark: sending N individual SDS texts through the paced fake vs the wire's own time.

The simulator runs as a separate process (``dutydesk sim --baud 115200``), pacing its
output like a real 115200-baud UART and taking TE bytes no faster than the line brings
them.  The production link (pyserial on the pty, PEI core, gateway service) sends N texts
one after another, each ``AT+CMGS`` waiting for its ``+CMGS: n`` / ``OK``.

The physical limit is the wire: every byte both ways within the run takes 10 bits of
line time.  We report elapsed / wire time (target <= 1.10, plus the fake's configured
per-command latency, which is 0 here).

Run: .venv/bin/python benchmarks/bench_link.py [--baud 115200] [--n 46 500]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import threading
import time

from drivers.clock import SystemClock
from drivers.gateway import Gateway
from drivers.link import PeiLink, WireTrace
from drivers.sds import ReportRequest


async def run(url: str, n: int, baud: int) -> tuple[float, float, int, int, float]:
    clock = SystemClock()
    trace = WireTrace(clock)
    link = PeiLink(url, clock=clock, trace=trace, baud=baud, keepalive=3600)
    gateway = Gateway(link, auto_report=False)
    await link.connect(timeout=20)
    await gateway.send_text(2001, "warm-up", report=ReportRequest.NONE)
    first = len(trace.records)
    start = time.perf_counter()
    for i in range(n):
        dest = 2001 + (i % 46)
        await gateway.send_text(
            dest, f"XX路发生交通事故，附近队员立即前往 {i}", report=ReportRequest.RECEIVED
        )
    elapsed = time.perf_counter() - start
    window = trace.records[first:]
    # The console's own share: from the gateway's final "OK" to our next command's write.
    turnaround = sum(
        b.t - a.t
        for a, b in itertools.pairwise(window)
        if a.direction == "rx" and b.direction == "tx" and a.data.endswith(b"OK\r\n")
    )
    tx = sum(len(r.data) for r in window if r.direction == "tx")
    rx = sum(len(r.data) for r in window if r.direction == "rx")
    await link.close()
    wire = (tx + rx) * 10 / baud
    return elapsed, wire, tx, rx, turnaround


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--n", type=int, nargs="+", default=[46, 500])
    args = parser.parse_args()
    exe = [sys.executable, "-m", "console", "sim", "--baud", str(args.baud)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    worst = 0.0
    for n in args.n:
        proc = subprocess.Popen(exe, stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            # Keep draining the simulator's log so it never blocks on a full pipe.
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            elapsed, wire, tx, rx, turn = asyncio.run(run(url, n, args.baud))
        finally:
            proc.terminate()
            proc.wait(10)
        ratio = elapsed / wire
        worst = max(worst, ratio)
        print(
            f"link: {n} SDS texts at {args.baud} baud: {elapsed:.3f} s elapsed, "
            f"wire time {wire:.3f} s ({tx} B out, {rx} B in), ratio {ratio:.3f}x "
            f"({elapsed / n * 1000:.2f} ms per SDS); console turnaround "
            f"{turn / n * 1000:.3f} ms per SDS = {turn / wire:.1%} of wire time"
        )
    print(f"worst ratio {worst:.3f}x (target <= 1.10x): {'OK' if worst <= 1.10 else 'MISSED'}")
    return 0 if worst <= 1.10 else 1


if __name__ == "__main__":
    raise SystemExit(main())

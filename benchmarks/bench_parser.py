"""Throughput of the PEI parser (``PeiProtocol.receive``) against what a serial line carries.

Feeds a realistic mixed stream (URCs, +CTSDSR header + hex, command responses with echo,
+CMGS reports, junk) through fresh protocol instances in chunks of typical serial read
sizes, and compares the parser's line rate with a 115200-baud line's (8N1: 10 bits a byte)
in the one direction the parser reads (the MT -> TE wire carries every line in the stream).
Median of the runs, with their min-max: never the best run.

Run: .venv/bin/python benchmarks/bench_parser.py
"""

from __future__ import annotations

import statistics
import time

from drivers.pei import commands as c
from drivers.pei.commands import Command
from drivers.pei.protocol import PeiProtocol

BAUD = 115200
BITS_PER_BYTE = 10  # start + 8 data + stop
REPEATS = 7
TARGET_HEADROOM = 100

# One block of a busy gateway: (command sent first or None, bytes received).
BLOCK: list[tuple[Command | None, bytes]] = [
    (c.query_mode(), b"AT+CTOM?\r\r\n+CTOM: 0\r\n\r\nOK\r\n"),
    (
        c.query_identity(),
        b"\r\n+CNUMF: 6,09011638300023401\r\n\r\n+CTXG: 1,3,0,0,3,09011638300023404\r\n\r\nOK\r\n",
    ),
    (
        None,
        b"\r\n+CTICN: 1,0,0,5,09011638300023404,1,1,0,1,1,5,09011638300000001,0\r\n"
        b"\r\n+CTCC: 1,1,1,0,0,1,1\r\n\r\n+CTXG: 1,3,0,0,3,09011638300023404\r\n"
        b"\r\n+CTSDSR: 12,23404,0,23401,0,112\r\n82040801476A61746A616A676A61\r\n"
        b"\r\n+CDTXC: 1,0\r\n\r\n+CTSDSR: 12,2269001,0,9999,0,84\r\n"
        b"0A112853A9FF4D4FFFE810\r\n\r\n+CTCR: 1,13\r\n",
    ),
    (
        c.send_sds(1234567, bytes.fromhex("8204070148616C6C6F")),
        b"\r\n+CMGS: 0\r\n\r\nOK\r\n",
    ),
    (
        None,
        b"\r\n+CMGS: 0,4,7\r\n\r\n+CTSDSR: 13,1234567,0,2345678,0,16\r\n8004\r\n"
        b"+CTICN:0,0,0,0,255,1,1,0,1,1,1,216216300000300,3\r\n+CTXG:0,3,0,0,0,255\r\n"
        b"+CDTXC:0,0\r\n+CTCR:0,13\r\n\x00\xffnoise\r\n+CME ERROR: 35\r\n",
    ),
    (c.register_service(1, 3, 130), b"\r\n+CREG: 1\r\n\r\nOK\r\n"),
]
BLOCKS = 200


def stream_stats() -> tuple[int, int]:
    """(non-empty lines, bytes) of one pass over the stream."""
    data = b"".join(d for _, d in BLOCK) * BLOCKS
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    return sum(1 for ln in lines if ln.strip()), len(data)


def one_pass(chunk: int) -> tuple[float, int]:
    """Seconds spent in receive() for one pass, and the number of events produced."""
    proto = PeiProtocol()
    plan = [(cmd, [data[i : i + chunk] for i in range(0, len(data), chunk)]) for cmd, data in BLOCK]
    events = 0
    spent = 0.0
    for _ in range(BLOCKS):
        for cmd, pieces in plan:
            if cmd is not None:
                proto.send(cmd)
            t0 = time.perf_counter()
            for piece in pieces:
                events += len(proto.receive(piece))
            spent += time.perf_counter() - t0
    return spent, events


def main() -> int:
    lines, nbytes = stream_stats()
    avg_line = nbytes / lines
    line_rate = BAUD / BITS_PER_BYTE / avg_line
    print(
        f"stream: {lines} lines, {nbytes} bytes, {avg_line:.1f} bytes/line "
        f"(incl. line ends), median of {REPEATS} runs"
    )
    worst = float("inf")
    for chunk in (32, 4096):
        one_pass(chunk)  # warm-up
        times = [one_pass(chunk)[0] for _ in range(REPEATS)]
        median = statistics.median(times)
        lps = lines / median
        bps = nbytes / median
        headroom = lps / line_rate
        low, high = lines / max(times) / line_rate, lines / min(times) / line_rate
        worst = min(worst, headroom)
        print(
            f"parser ({chunk}-byte reads): {lps:.0f} lines/s, {bps / 1e6:.1f} MB/s; "
            f"{BAUD}-baud line carries {line_rate:.0f} lines/s; headroom {headroom:.0f}x "
            f"(min-max {low:.0f}-{high:.0f}x)"
        )
    verdict = "OK" if worst >= TARGET_HEADROOM else "BELOW TARGET"
    print(f"worst median headroom {worst:.0f}x (target >= {TARGET_HEADROOM}x): {verdict}")
    return 0 if worst >= TARGET_HEADROOM else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: the station service's live stream -- latency to 4 clients, and what it costs.

The production wiring on real time (``SystemClock``, the event log committing on its
writer thread): a ``Runtime`` on the demo station with no gateway (the simulator refuses
to start, voice off), served by ``ServiceHost`` on a Unix socket.  Radio events -- SDS
statuses and texts from the demo's units, pushed in the way the gateway delivers them
(``runtime._on_radio``, as ``bench_tui.py`` does) -- arrive at ``--rate`` per second for
``--seconds``; each becomes a ``wire.sds_in`` record in the event log.

Each run is a fresh service process (so its memory starts from the same place), with
two windows of the same load:

1. no client attached;
2. ``--clients`` clients attached to ``/v1/stream``, each a ``StationClient`` in its own
   process (``multiprocessing`` spawn), so client CPU is not counted as service CPU.

Per client: latency = ``time.time()`` when the client's iterator hands over a record
minus the record's ``wall`` (the wall-clock time it was appended; same host, same clock),
p50 / p99 / max; and the count of records it received, which must equal the number of
records the log committed in the window (a mismatch fails the run).  The latency is split
at the commit (the service notes when each commit happened): append -> commit (the group
commit's ``max_delay`` and the fsync) and commit -> client (read from the log, JSON,
WebSocket, client decode).  For the service process: CPU time (user + sys, every thread;
``getrusage``) over each window, RSS (``/proc/self/status`` VmRSS) at its end, and the
increment per client; the event loop's lag (a 10 ms sleeper's oversleep) as a diagnostic.

Target: p99 <= 50 ms from append to a client's screen.  ``--runs`` runs (default 5);
every figure is reported as the median and min-max over runs.

Run: .venv/bin/python benchmarks/bench_service.py [--runs 5] [--seconds 10] [--rate 500]
     [--clients 4] [--dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_P99_MS = 50.0
CONNECT_TIMEOUT = 30.0
DRAIN_TIMEOUT = 30.0


def rss_mb() -> float:
    """Resident set size of this process (Linux /proc), in MiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    """User + system CPU time of this process, all its threads (not its children)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def pct(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0..100) of an already sorted sequence."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    """p50 / p99 / max of ``values`` (seconds), in milliseconds."""
    ordered = sorted(values)
    return {
        "p50": pct(ordered, 50) * 1000,
        "p99": pct(ordered, 99) * 1000,
        "max": (ordered[-1] if ordered else float("nan")) * 1000,
    }


async def recv(conn: Connection, timeout: float) -> Any:
    """The next message on ``conn`` without blocking the event loop."""
    loop = asyncio.get_running_loop()
    if not conn.poll():
        ready: asyncio.Future[None] = loop.create_future()

        def on_readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(conn.fileno(), on_readable)
        try:
            await asyncio.wait_for(ready, timeout)
        finally:
            loop.remove_reader(conn.fileno())
    return conn.recv()


# --- a client (its own process) -----------------------------------------------------------


def client_process(
    socket: str, after: int, conn: Connection, index: int, feed: str = "stream", log: str = ""
) -> None:
    """Follow the stream from ``after`` (or the live view, as a console does); when told
    the window's last seq, report back."""
    if feed == "live":
        asyncio.run(_live_client(socket, log, conn, index))
    else:
        asyncio.run(_client(socket, after, conn, index))


async def _live_client(socket: str, log: str, conn: Connection, index: int) -> None:
    """A console's model of the station: ``RemoteRuntime`` on ``/v1/live``, each message
    decoded into the engines' types as the screens get it.  A record has reached the
    screen when it first appears in a batch's log tail (the panel the console draws)."""
    from console.config import demo_station
    from console.runtime.view import LogTail
    from console.service.paths import Registration
    from console.service.remote import RemoteRuntime

    reg = Registration(pid=os.getpid(), socket=socket, gateway="sim://bench", log=log,
                       station="bench", api=1)  # fmt: skip
    rt = RemoteRuntime(demo_station(), reg, operator="bench", position=f"bench-{index}")
    seen: dict[int, tuple[float, float]] = {}
    progress = asyncio.Event()

    def on_batch(batch: Any) -> None:
        now = time.time()
        for event in batch.events:
            if isinstance(event, LogTail):
                for rec in event.records:
                    if rec.id not in seen:
                        seen[rec.id] = (now, rec.wall)
        progress.set()

    rt.subscribe(on_batch)
    await rt.start()
    while not rt.connected:
        await asyncio.sleep(0.01)
    conn.send(("up", index))
    end = int(await recv(conn, 3600.0))
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while (not seen or max(seen) < end) and time.monotonic() < deadline:
        progress.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(progress.wait(), max(0.0, deadline - time.monotonic()))
    conn.send(("done", index))
    lost = rt.reconnects
    await rt.close()
    ids = sorted(seen)
    conn.send(("result", index, ids, [seen[i][0] for i in ids], [seen[i][1] for i in ids], lost))


async def _client(socket: str, after: int, conn: Connection, index: int) -> None:
    from console.service.client import StationClient

    seqs: list[int] = []
    received: list[float] = []
    walls: list[float] = []
    lost = [0]
    progress = asyncio.Event()

    def on_status(status: str) -> None:
        if status == "up":
            conn.send(("up", index))
        else:
            lost[0] += 1

    async def consume(client: StationClient) -> None:
        async for doc in client.events(after, on_status=on_status):
            received.append(time.time())
            seqs.append(int(doc["seq"]))
            walls.append(float(doc["wall"]))
            progress.set()

    async with StationClient(socket=socket, position=f"bench-{index}") as client:
        task = asyncio.ensure_future(consume(client))
        end = int(await recv(conn, 3600.0))  # the window's last committed seq
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while (not seqs or seqs[-1] < end) and time.monotonic() < deadline:
            progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(progress.wait(), max(0.0, deadline - time.monotonic()))
        conn.send(("done", index))
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    conn.send(("result", index, seqs, received, walls, lost[0]))


# --- the service (one process per run) ----------------------------------------------------


class NoSimulator:
    """A launcher whose simulator never starts: the runtime runs without a gateway."""

    async def launch(self, station: Any) -> str:
        from console.errors import SimulatorUnavailable

        raise SimulatorUnavailable("no simulator in this benchmark")

    async def stop(self) -> None:
        pass


async def feed_events(runtime: Any, rate: int, seconds: float) -> int:
    """Push ``rate`` radio events per second into the runtime for ``seconds``, in 10 ms
    slices, the way the gateway delivers them (the generator of ``bench_tui.py``)."""
    from drivers import radio_events as rev

    issis = [str(u.issi) for u in runtime.station.units]
    total = int(rate * seconds)
    per_tick = max(1, rate // 100)
    loop = asyncio.get_running_loop()
    start = loop.time()
    n = 0
    while n < total:
        for _ in range(min(per_tick, total - n)):
            sender = issis[n % len(issis)]
            if n % 2:
                event: Any = rev.StatusReceived(sender=sender, called="1000", value=0x8002)
            else:
                event = rev.TextReceived(
                    sender=sender, called="1000", text=f"巡逻正常 {n}", message_ref=None, coding=26
                )
            runtime._on_radio(event)
            n += 1
        await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
    return n


class LoopLag:
    """How late a 10 ms sleeper wakes up: the event loop's lag (a diagnostic)."""

    def __init__(self, period: float = 0.010) -> None:
        self.period = period
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.samples = []
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t0 = loop.time()
            await asyncio.sleep(self.period)
            self.samples.append(loop.time() - t0 - self.period)

    async def stop(self) -> dict[str, float]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return summary_ms(self.samples)


class CommitTimes:
    """When each commit happened (wall clock), from the log's commit listener."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.times: list[float] = []
        self.ids: list[int] = []

    def __call__(self, committed_id: int) -> None:
        now = time.time()
        with self._lock:
            self.times.append(now)
            self.ids.append(committed_id)

    def commit_time(self, seq: int) -> float:
        """Wall time of the first commit that covered ``seq``."""
        with self._lock:
            i = bisect.bisect_left(self.ids, seq)
            return self.times[i] if i < len(self.times) else float("nan")


async def window(
    runtime: Any, rate: int, seconds: float, drained: Callable[[int], Any] | None = None
) -> dict[str, Any]:
    """One window of load: feed, flush, wait until ``drained(end_id)``; CPU and RSS."""
    runtime.log.flush()
    start_id = runtime.log.committed_id
    lag = LoopLag()
    lag.start()
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    fed = await feed_events(runtime, rate, seconds)
    fed_elapsed = time.perf_counter() - t0
    await asyncio.to_thread(runtime.log.flush)
    end_id = runtime.log.committed_id
    if drained is not None:
        await drained(end_id)
    cpu, elapsed = cpu_seconds() - cpu0, time.perf_counter() - t0
    loop_lag = await lag.stop()
    records = sum(1 for _ in runtime.log.query(after=start_id, limit=end_id - start_id + 10))
    return {
        "start_id": start_id,
        "end_id": end_id,
        "fed": fed,
        "rate": fed / fed_elapsed,
        "records": records,
        "cpu": cpu,
        "elapsed": elapsed,
        "rss": rss_mb(),
        "loop_lag": loop_lag,
    }


async def service_run(args: argparse.Namespace) -> dict[str, Any]:
    from console.config import demo_station
    from console.runtime import Runtime
    from console.service.host import ServiceHost
    from console.service.serve import BATCH_INTERVAL_S, MAX_BATCH_INTERVAL_S

    work = Path(args.child_run)
    runtime = Runtime(
        demo_station(),
        gateway_url="sim://bench",
        db_path=work / "events.db",
        operator="值班员",
        simulator=NoSimulator(),
        log_background=True,
        signal_every=None,
        voice=False,
        batch_interval=BATCH_INTERVAL_S,  # as dutydesk serve runs it
        max_batch_interval=MAX_BATCH_INTERVAL_S,
    )
    host = ServiceHost(runtime, socket=work / "s.sock")
    commits = CommitTimes()
    await runtime.start()
    await host.start()
    remove = runtime.log.add_commit_listener(commits)
    ctx = multiprocessing.get_context("spawn")
    procs: list[Any] = []
    conns: list[Connection] = []
    try:
        await feed_events(runtime, args.rate, args.warmup)  # warm the code paths up
        idle = await window(runtime, args.rate, args.seconds)

        # Attach the clients from the current end of the log, then the same load again.
        runtime.log.flush()
        after = runtime.log.committed_id
        for i in range(args.clients):
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=client_process,
                args=(str(host.socket), after, child, i, args.feed, str(runtime.log.path)),
            )
            proc.start()
            child.close()
            procs.append(proc)
            conns.append(parent)
        for conn in conns:
            msg = await recv(conn, CONNECT_TIMEOUT)
            if msg[0] != "up":
                raise SystemExit(f"client did not connect: {msg!r}")
        while (host.api.live.faces if args.feed == "live" else host.clients) < args.clients:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)  # let the connections settle

        async def drained(end_id: int) -> None:
            for conn in conns:
                conn.send(end_id)
            for conn in conns:
                msg = await recv(conn, DRAIN_TIMEOUT + 5)
                if msg[0] != "done":
                    raise SystemExit(f"client did not finish: {msg!r}")

        served = await window(runtime, args.rate, args.seconds, drained)
        results = [await recv(conn, DRAIN_TIMEOUT) for conn in conns]
        lo, hi = served["start_id"], served["end_id"]
        walls = {rec.id: rec.wall for rec in runtime.log.query(after=lo, limit=hi - lo)}
    finally:
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        remove()
        await host.close()
        await runtime.close()

    clients: list[dict[str, Any]] = []
    to_commit: list[float] = []
    from_commit: list[float] = []
    for _, index, seqs, received, rec_walls, lost in sorted(results, key=lambda r: r[1]):
        lat: list[float] = []
        got: list[int] = []
        for seq, t_recv, wall in zip(seqs, received, rec_walls, strict=True):
            if lo < seq <= hi:
                got.append(seq)
                lat.append(t_recv - wall)
                t_commit = commits.commit_time(seq)
                to_commit.append(t_commit - walls.get(seq, wall))
                from_commit.append(t_recv - t_commit)
        in_order = got == list(range(lo + 1, lo + 1 + len(got)))
        clients.append(
            {"index": index, "events": len(got), "in_order": in_order, "lost": lost}
            | {"lat": lat, **summary_ms(lat)}
        )
    overall = summary_ms([x for c in clients for x in c["lat"]])
    for c in clients:
        del c["lat"]
    return {
        "idle": idle,
        "served": served,
        "clients": clients,
        "overall": overall,
        "append_to_commit": summary_ms(to_commit),
        "commit_to_client": summary_ms(from_commit),
    }


# --- the runs and the report ---------------------------------------------------------------


def one_run(args: argparse.Namespace, n: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="dd-", dir=args.dir))
    env = dict(os.environ)
    for var, sub in (("XDG_RUNTIME_DIR", "run"), ("XDG_DATA_HOME", "data")):
        (work / sub).mkdir(mode=0o700)
        env[var] = str(work / sub)
    cmd = [
        sys.executable, __file__, "--child-run", str(work), "--seconds", str(args.seconds),
        "--rate", str(args.rate), "--clients", str(args.clients), "--warmup", str(args.warmup),
        "--feed", args.feed,
    ]  # fmt: skip
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600, check=False
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), "")
    if not line:
        raise SystemExit(f"run {n} failed (exit {out.returncode}):\n{out.stdout}\n{out.stderr}")
    result: dict[str, Any] = json.loads(line[len("RESULT ") :])
    return result


def check(result: dict[str, Any], feed: str = "stream") -> list[str]:
    """What is wrong with one run (empty: every client got exactly the window's records;
    on the live view, which shows the log's newest lines, every client saw most of them)."""
    served = result["served"]
    if feed == "live":
        expected = served["end_id"] - served["start_id"]
        return [
            f"client {c['index'] + 1} saw only {c['events']} of {expected} records"
            for c in result["clients"]
            if c["events"] < 0.5 * expected
        ]
    expected = served["end_id"] - served["start_id"]
    problems = []
    if served["records"] != expected:
        problems.append(f"log holds {served['records']} records in the window, ids say {expected}")
    for c in result["clients"]:
        if c["events"] != expected:
            problems.append(f"client {c['index'] + 1} received {c['events']} of {expected}")
        elif not c["in_order"]:
            problems.append(f"client {c['index'] + 1} received the records out of order")
    return problems


def per_client_increments(result: dict[str, Any], clients: int) -> tuple[float, float]:
    idle, served = result["idle"], result["served"]
    return (
        (served["cpu"] - idle["cpu"]) / clients,
        (served["rss"] - idle["rss"]) / clients,
    )


def spread(values: Sequence[float], fmt: str = "{:.1f}") -> str:
    """``median (min–max)`` of ``values``."""
    med = statistics.median(values)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def print_run(n: int, r: dict[str, Any], clients: int, problems: list[str]) -> None:
    idle, served, o = r["idle"], r["served"], r["overall"]
    dcpu, drss = per_client_increments(r, clients)
    counts = "/".join(str(c["events"]) for c in r["clients"])
    a2c, c2c = r["append_to_commit"], r["commit_to_client"]
    print(
        f"run {n}: {served['fed']} events at {served['rate']:.0f}/s -> "
        f"{served['end_id'] - served['start_id']} records; clients got {counts} "
        f"{'OK' if not problems else 'MISMATCH'}; latency p50 {o['p50']:.1f} p99 {o['p99']:.1f} "
        f"max {o['max']:.1f} ms (append->commit p50 {a2c['p50']:.1f} p99 {a2c['p99']:.1f}, "
        f"commit->client p50 {c2c['p50']:.1f} p99 {c2c['p99']:.1f}); CPU {idle['cpu']:.2f} s "
        f"-> {served['cpu']:.2f} s (+{dcpu:.3f} s/client); RSS {idle['rss']:.1f} -> "
        f"{served['rss']:.1f} MiB (+{drss:.2f}/client); loop lag p99 "
        f"{idle['loop_lag']['p99']:.1f} -> {served['loop_lag']['p99']:.1f} ms",
        flush=True,
    )
    for p in problems:
        print(f"  FAIL: {p}", flush=True)


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    n = len(results)
    k = args.clients
    print()
    print(
        f"{args.feed} latency, {k} clients, {args.rate} events/s for {args.seconds:g} s, "
        f"median (min–max) of {n} run{'s' if n != 1 else ''}, ms:"
    )
    print(f"{'':<18} {'p50':>20} {'p99':>20} {'max':>20} {'events':>22}")
    rows: list[tuple[str, list[dict[str, Any]]]] = [
        (f"client {i + 1}", [r["clients"][i] for r in results]) for i in range(k)
    ]
    for name, cells in rows:
        print(
            f"{name:<18} {spread([c['p50'] for c in cells]):>20} "
            f"{spread([c['p99'] for c in cells]):>20} {spread([c['max'] for c in cells]):>20} "
            f"{spread([c['events'] for c in cells], '{:.0f}'):>22}"
        )
    expected = [r["served"]["end_id"] - r["served"]["start_id"] for r in results]
    for name, key in (
        ("all clients", "overall"),
        ("append->commit", "append_to_commit"),
        ("commit->client", "commit_to_client"),
    ):
        cells = [r[key] for r in results]
        tail = spread(expected, "{:.0f}") + " log" if key == "overall" else ""
        print(
            f"{name:<18} {spread([c['p50'] for c in cells]):>20} "
            f"{spread([c['p99'] for c in cells]):>20} {spread([c['max'] for c in cells]):>20} "
            f"{tail:>22}"
        )
    print()
    print(f"service process, per {args.seconds:g} s window (median (min–max)):")
    idle_cpu = [r["idle"]["cpu"] for r in results]
    served_cpu = [r["served"]["cpu"] for r in results]
    incs = [per_client_increments(r, k) for r in results]
    print(f"{'':<18} {'CPU s':>22} {'CPU % of a core':>22} {'RSS MiB':>22}")
    for name, key in (("0 clients", "idle"), (f"{k} clients", "served")):
        w = [r[key] for r in results]
        print(
            f"{name:<18} {spread([x['cpu'] for x in w], '{:.2f}'):>22} "
            f"{spread([100 * x['cpu'] / x['elapsed'] for x in w]):>22} "
            f"{spread([x['rss'] for x in w]):>22}"
        )
    inc_pct = [100 * i[0] / r["served"]["elapsed"] for i, r in zip(incs, results, strict=True)]
    print(
        f"{'per client':<18} {spread([i[0] for i in incs], '{:+.3f}'):>22} "
        f"{spread(inc_pct):>22} "
        f"{spread([i[1] for i in incs], '{:+.2f}'):>22}"
    )
    lag_idle = [r["idle"]["loop_lag"]["p99"] for r in results]
    lag_served = [r["served"]["loop_lag"]["p99"] for r in results]
    print(
        f"event-loop lag p99: {spread(lag_idle)} ms with 0 clients, "
        f"{spread(lag_served)} ms with {k}; CPU ratio {k} clients / 0 clients "
        f"{spread([s / i for s, i in zip(served_cpu, idle_cpu, strict=True)], '{:.2f}')}x"
    )
    p99 = [r["overall"]["p99"] for r in results]
    ratios = [x / TARGET_P99_MS for x in p99]
    met = sum(1 for x in ratios if x <= 1.0)
    print(
        f"p99 latency / {TARGET_P99_MS:.0f} ms target: {spread(ratios, '{:.2f}')}x "
        f"(met in {met} of {n} runs)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each window")
    parser.add_argument("--rate", type=int, default=500, help="radio events per second")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--feed",
        choices=("stream", "live"),
        default="stream",
        help="what the clients follow: the log (/v1/stream) or a console's view (/v1/live)",
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of load before")
    parser.add_argument("--dir", default=None, help="folder for the runs' logs (default: temp)")
    parser.add_argument("--child-run", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_run is not None:
        result = asyncio.run(service_run(args))
        print("RESULT " + json.dumps(result), flush=True)
        return 0
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores; {args.runs} runs of "
        f"{args.seconds:g} s at {args.rate} events/s, 0 then {args.clients} clients",
        flush=True,
    )
    results: list[dict[str, Any]] = []
    failed = False
    for n in range(1, args.runs + 1):
        result = one_run(args, n)
        problems = check(result, args.feed)
        failed = failed or bool(problems)
        print_run(n, result, args.clients, problems)
        results.append(result)
    report(results, args)
    print(f"result: {'FAIL (a client did not get exactly the logged records)' if failed else 'OK'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

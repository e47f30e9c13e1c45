"""``dutydesk serve``: the station service, headless, for as long as the desk is on duty.

One process owns the gateway port, the event log and every engine (the one composition
root, :class:`~console.runtime.Runtime`); the console, ``dutydesk page`` and other
positions attach to it through the client API.  SIGTERM (systemd's stop) and SIGINT end
it cleanly: running roll calls and drills are logged as interrupted, the log is flushed
and closed, the socket and registration are removed.  ``docs/dutydesk.service`` is the
systemd unit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.errors import ConsoleError

BATCH_INTERVAL_S = 0.01
MAX_BATCH_INTERVAL_S = 0.03
"""How often the service hands its faces a batch: at most every 20 ms, and at least every
40 ms through a flood of radio traffic.  A console in its own process paints every 75 ms
(painting is its cost); a service's batch also crosses a socket and is painted by the
face, so it leaves sooner -- an event is on every attached screen within 50 ms (p99,
``benchmarks/bench_service.py --feed live``)."""


def add_serve(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        parents=[common],
        help="run the station service headless (faces attach to it; SIGTERM stops it)",
    )
    p.add_argument("--gateway", metavar="URL", help="gateway port or URL (default: the station's)")
    p.add_argument("--db", type=Path, metavar="FILE", help="event log (default: per-user data)")
    p.add_argument("--operator", metavar="NAME", help="officer on duty (default: the station's)")
    p.add_argument("--socket", type=Path, metavar="PATH", help="Unix socket (default: per log)")
    p.add_argument(
        "--new-token",
        metavar="OPERATOR",
        help="print a new API token for OPERATOR and the station-file lines for it, then exit",
    )
    p.add_argument("--role", choices=("operator", "read-only"), default="operator",
                   help="role of --new-token (default operator)")  # fmt: skip
    p.add_argument("--handover", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--linger",
        type=float,
        metavar="SECONDS",
        help="stop once no face has been attached for SECONDS and nothing is in flight "
        "(how a console starts the service; default: run until stopped)",
    )
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    if args.new_token:
        from console.service.auth import new_token

        token, digest = new_token()
        print(f"token (give it to {args.new_token}; it is not stored anywhere): {token}")
        print("\n[[service.tokens]]")
        print(f'operator = "{args.new_token}"')
        print(f'role = "{args.role}"')
        print(f'sha256 = "{digest}"')
        return 0
    from console.config.loader import load_selected_station
    from console.logsetup import configure_logging

    station = load_selected_station(args)
    configure_logging()
    return asyncio.run(
        serve(
            station,
            gateway=args.gateway,
            db=args.db,
            operator=args.operator,
            socket=args.socket,
            handover=args.handover,
            linger=args.linger,
        )
    )


async def serve(
    station: Any,
    *,
    gateway: str | None = None,
    db: Path | None = None,
    operator: str | None = None,
    socket: Path | None = None,
    handover: bool = False,
    linger: float | None = None,
    announce: Callable[[str], None] = lambda line: print(line, flush=True),
    stop: asyncio.Event | None = None,
) -> int:
    """Run the service until SIGTERM/SIGINT (or ``stop`` is set); the exit status."""
    from console.runtime import Runtime
    from console.service.host import ServiceHost
    from console.service.paths import default_log_path, find_service

    log_path = db if db is not None else default_log_path()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    running = find_service(log=log_path)
    if running is not None:
        raise ConsoleError(
            f"a station service already serves {log_path} (pid {running.pid})",
            hint="attach to it (dutydesk, dutydesk page ...) or stop it first",
        )
    runtime = Runtime(
        station,
        gateway_url=gateway,
        db_path=log_path,
        operator=operator,
        batch_interval=BATCH_INTERVAL_S,
        max_batch_interval=MAX_BATCH_INTERVAL_S,
    )
    host = ServiceHost(runtime, socket=socket, handover=handover)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await runtime.start()
        await host.start()
        announce(f"dutydesk serve: {station.name} on {runtime.url}; socket {host.socket}")
        if host.tcp_url:
            announce(f"dutydesk serve: remote positions at {host.tcp_url}")
        watch = asyncio.ensure_future(_linger(host, runtime, linger, stop)) if linger else None
        await stop.wait()
        if watch is not None:
            watch.cancel()
        announce("dutydesk serve: stopping")
    finally:
        await host.close()
        await runtime.close()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
    print("dutydesk serve: stopped", file=sys.stderr, flush=True)
    return 0


async def _linger(host: Any, runtime: Any, linger: float, stop: asyncio.Event) -> None:
    """Set ``stop`` once no face has been attached for ``linger`` seconds and nothing is
    in flight (no incident page still climbing its ladder, no roll call, no drill)."""
    from console.service.handover import open_incident_pages

    loop = asyncio.get_running_loop()
    idle_since: float | None = None
    while not stop.is_set():
        await asyncio.sleep(min(1.0, linger / 4))
        now = loop.time()
        attached = host.api.live.faces + host.api.clients
        if attached or runtime.rollcall_running or runtime.drill_running:
            idle_since = None
            continue
        if idle_since is None:
            idle_since = now
        if now - idle_since < linger:
            continue
        runtime.flush_log()
        if await asyncio.to_thread(open_incident_pages, Path(runtime.log.path)):
            idle_since = now  # pages still followed: look again later
            continue
        print("dutydesk serve: no face attached and nothing in flight", file=sys.stderr)
        stop.set()

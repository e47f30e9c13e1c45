"""Handing the station over between the console and a background service, by the log.

Closing the console (``q``, the terminal window closed, SIGHUP) must not stop a page in
the middle of an incident.  When the console ends with pages still in flight, it starts
``dutydesk serve --handover`` on the same station, gateway and log, detached from the
terminal; that service rebuilds the open pages from the log (``console.paging.restore``)
and follows them.  The next ``dutydesk`` on that log stops the handover service (SIGTERM,
a clean stop) and takes the station back, rebuilding the same pages the same way.  A
service the technician started (systemd, a shell) is never stopped by the console.

The gateway has no owner for the second or so between one process closing the port and
the next opening it; answers in that window reach the console only if the radios repeat
them or the escalation re-pages (see RELIABILITY.md on blind windows).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from console.errors import ConsoleError
from console.paging.inflight import in_flight
from console.service.paths import Registration, find_service


def open_incident_pages(db: Path) -> list[str]:
    """Pages of incidents (not roll calls or drills) still in flight in the log at ``db``."""
    from console.eventlog import EventLog, EventLogError

    try:
        with EventLog.open_readonly(db) as log:
            return [p.page for p in in_flight(log) if p.incident is not None]
    except EventLogError:
        return []


def start_handover_service(
    db: Path, *, config: str | None, gateway: str | None, operator: str | None
) -> int:
    """Start ``dutydesk serve --handover`` detached from the terminal; its pid."""
    argv = [sys.executable, "-m", "console", "serve", "--handover", "--db", str(db)]
    if config:
        argv += ["--config", config]
    if gateway:
        argv += ["--gateway", gateway]
    if operator:
        argv += ["--operator", operator]
    from console.service.launch import spawn_detached

    proc = spawn_detached(argv, db.parent / "handover-service.log")
    return proc.pid


def take_back(db: Path, *, limit: float = 20.0) -> Registration | None:
    """Stop the handover service that owns ``db`` (if any) and wait until it is gone.

    Returns the service left running that the console must not stop (started by the
    technician), or None when the log is free.
    """
    running = find_service(log=db)
    if running is None or not running.handover:
        return running
    os.kill(running.pid, 15)
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if find_service(log=db) is None:
            return None
        time.sleep(0.05)
    raise ConsoleError(
        f"the background station service (pid {running.pid}) did not stop in {limit:g} s",
        hint=f"stop it with: kill {running.pid}",
    )

"""Starting the station service for a console that found none running.

``dutydesk`` is one step for the officer (the README's first command): when no service
serves the station's log, the console starts ``dutydesk serve --linger`` detached from the
terminal and attaches to it.  That service does not die with the console -- a page in
flight goes on being followed when the window is closed or the console crashes -- and it
ends by itself once no face has been attached for a while and nothing is in flight
(``--linger`` seconds).  A service the technician runs (systemd) is attached to the same
way and never stopped by a console.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from console.errors import ConsoleError
from console.service.paths import Registration, find_service

LINGER_S = 30.0
"""How long a console-started service stays up with no face and nothing in flight."""
START_LIMIT_S = 30.0
_started: list[subprocess.Popen[bytes]] = []
"""Services this process started: reaped when they end, so a killed one is not taken
for alive (a zombie still answers ``kill -0``)."""


def reap() -> None:
    """Collect the services this process started that have ended."""
    for proc in list(_started):
        if proc.poll() is not None:
            _started.remove(proc)


def service_log(db: Path) -> Path:
    """Where a console-started service writes what it prints (beside the event log)."""
    return db.parent / "service.log"


def spawn_detached(argv: list[str], out_path: Path) -> subprocess.Popen[bytes]:
    """Start ``argv`` in its own session (it outlives the terminal), output to a file."""
    with out_path.open("ab") as out:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not killed with the terminal's session
            close_fds=True,
        )
    _started.append(proc)
    return proc


def launch_service(
    db: Path,
    *,
    config: str | None = None,
    gateway: str | None = None,
    linger: float = LINGER_S,
    limit: float = START_LIMIT_S,
) -> Registration:
    """Start ``dutydesk serve`` for ``db`` in its own session; its registration once up."""
    argv = [sys.executable, "-m", "console", "serve", "--db", str(db), "--linger", f"{linger:g}"]
    if config:
        argv += ["--config", config]
    if gateway:
        argv += ["--gateway", gateway]
    out_path = service_log(db)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    start = out_path.stat().st_size if out_path.exists() else 0
    proc = spawn_detached(argv, out_path)
    end = time.monotonic() + limit
    while time.monotonic() < end:
        reg = find_service(log=db)
        if reg is not None and reg.pid == proc.pid:
            return reg
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
    said = _tail(out_path, start)
    raise ConsoleError(
        f"the station service did not start ({said or 'no output'})",
        hint=f"see {out_path}; 'dutydesk serve' in a shell shows the whole error",
    )


def _tail(path: Path, start: int) -> str:
    """The last meaningful line the service printed since ``start``."""
    try:
        with path.open("rb") as f:
            f.seek(start)
            lines = f.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    useful = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("dutydesk serve:")]
    return useful[-1][:300] if useful else ""


def attach_target(
    db: Path, *, gateway: str | None, config: str | None
) -> tuple[Registration, bool]:
    """The service to attach to for ``db``/``gateway`` (started if none runs); whether
    this console started it."""
    reg = find_service(log=db, gateway=gateway)
    if reg is not None:
        if gateway and reg.gateway != gateway:
            raise ConsoleError(
                f"the station service for {reg.log} runs on {reg.gateway}, not {gateway}",
                hint="leave out --gateway to attach to it, or stop it first",
            )
        return reg, False
    return launch_service(db, config=config, gateway=gateway), True

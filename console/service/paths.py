"""Where a station's service lives on this PC: its log, its socket, its registration.

One log per PC user by default (``platformdirs``' data directory, ``~/.local/share/dutydesk``
on Linux), so the console, ``dutydesk page``, roll calls and drills all write the same
record.  A running service is found through a small registration file beside its Unix
socket in the user's runtime directory (``$XDG_RUNTIME_DIR/dutydesk``): which gateway and
which log it serves, its pid and its socket.  A face that is asked for the same gateway or
the same log attaches to that service instead of opening the port or the log itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import warnings
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import platformdirs

APP = "dutydesk"


def default_log_path() -> Path:
    """The per-user event log: ``<user data dir>/dutydesk/events.db``."""
    return Path(platformdirs.user_data_dir(APP)) / "events.db"


def runtime_dir() -> Path:
    """``$XDG_RUNTIME_DIR/dutydesk`` (owner-only), or a per-user folder in the temp dir."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = os.environ.get("XDG_RUNTIME_DIR") or ""
    path = Path(base) / APP if base else Path(tempfile.gettempdir()) / f"{APP}-{os.getuid()}"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def log_key(log_path: str | os.PathLike[str]) -> str:
    """A short stable name for a log file (its resolved path hashed)."""
    resolved = str(Path(log_path).expanduser().resolve())
    return hashlib.sha1(resolved.encode()).hexdigest()[:12]


def socket_path(log_path: str | os.PathLike[str]) -> Path:
    """The Unix socket of the service that owns ``log_path`` (one service per log)."""
    return runtime_dir() / f"{log_key(log_path)}.sock"


@dataclass(frozen=True)
class Registration:
    """What a running service says about itself (``<runtime dir>/<key>.json``)."""

    pid: int
    socket: str
    gateway: str
    log: str
    station: str
    api: int
    tcp: str | None = None
    handover: bool = False
    """Started by a closing console to keep its pages followed (the console takes it back)."""

    @property
    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return Path(self.socket).exists()


def register(reg: Registration) -> Path:
    """Write the registration atomically (owner read/write only); its path."""
    path = runtime_dir() / f"{log_key(reg.log)}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(reg), ensure_ascii=False), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def unregister(reg: Registration) -> None:
    path = runtime_dir() / f"{log_key(reg.log)}.json"
    with contextlib.suppress(OSError, ValueError):
        current = json.loads(path.read_text(encoding="utf-8"))
        if int(current.get("pid", -1)) == reg.pid:
            path.unlink()


def registrations() -> list[Registration]:
    """Every service registered on this PC for this user that is still alive."""
    found: list[Registration] = []
    for path in sorted(runtime_dir().glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            known = {f.name for f in fields(Registration)}
            # A newer or older dutydesk may write more or fewer keys: read what we know.
            reg = Registration(**{k: v for k, v in raw.items() if k in known})
        except (OSError, ValueError, TypeError):
            continue
        if reg.alive:
            found.append(reg)
    return found


def find_service(
    *, gateway: str | None = None, log: str | os.PathLike[str] | None = None
) -> Registration | None:
    """The running service that serves ``log`` (first), or else ``gateway``; or None."""
    live = registrations()
    if log is not None:
        key = str(Path(log).expanduser().resolve())
        for reg in live:
            if str(Path(reg.log).resolve()) == key:
                return reg
    if gateway is not None:
        for reg in live:
            if reg.gateway == gateway:
                return reg
    return None

"""Facts about a serial device file: which path, may we use it, who else has it open.

Why look in ``/proc/*/fd``: an exclusive open only fails against another *exclusive*
holder (pyserial's ``flock``); ModemManager or a forgotten ``screen`` session hold the
port without a lock and silently split the byte stream with the console.  Naming the
process (and for ModemManager, the udev rule) is the one useful thing to tell the
technician.  Linux only; elsewhere the holder list is simply empty.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
from dataclasses import dataclass
from pathlib import Path

# URL schemes of serial_for_url that wrap a local device path (spy://PATH?opts).
_WRAPPING_SCHEMES = ("spy://", "alt://")


@dataclass(frozen=True)
class Holder:
    """A process with the device open."""

    pid: int
    name: str

    @property
    def is_self(self) -> bool:
        return self.pid == os.getpid()

    def describe(self) -> str:
        return f"pid {self.pid} ({self.name}{', this process' if self.is_self else ''})"


def device_path(url: str) -> str | None:
    """The local device file behind a gateway URL, or None for network URLs."""
    if "://" not in url:
        return url
    for scheme in _WRAPPING_SCHEMES:
        if url.startswith(scheme):
            return url[len(scheme) :].split("?", 1)[0] or None
    return None


def find_holders(path: str, proc: Path = Path("/proc")) -> list[Holder]:
    """Processes whose open file descriptors point at ``path`` (best effort, never raises)."""
    try:
        target = os.path.realpath(path)
    except OSError:
        return []
    holders: list[Holder] = []
    try:
        entries = list(proc.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:  # another user's process, or it just ended
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == target:
                    holders.append(Holder(int(entry.name), _comm(entry)))
                    break
            except OSError:
                continue
    return sorted(holders, key=lambda h: h.pid)


def _comm(entry: Path) -> str:
    with contextlib.suppress(OSError):
        return (entry / "comm").read_text(encoding="utf-8", errors="replace").strip()
    return "?"


def access_problem(path: str) -> tuple[str, str] | None:
    """Why this user cannot read and write ``path``, and what to do; None if it can."""
    if os.access(path, os.R_OK | os.W_OK):
        return None
    try:
        st = os.stat(path)
    except OSError as exc:
        return (f"cannot inspect {path}: {exc.strerror}", "Check the device path.")
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    try:
        user = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        user = str(os.getuid())
    mode = oct(st.st_mode & 0o777)
    return (
        f"no read/write permission on {path} (mode {mode}, group {group}; user {user})",
        f"sudo usermod -aG {group} {user}, then log out and in again (or reboot)",
    )

"""One writer per log: an OS advisory lock on ``<log>.lock``.

Why a lock file and not SQLite's ``locking_mode=EXCLUSIVE``: in WAL mode an exclusive
connection stops *readers* too, and the issue requires viewers and exports to keep working
while the console writes.  Why ``flock``/``msvcrt.locking`` and not "pid in a file": the OS
drops the lock when the process dies, even on ``kill -9`` or power loss, so a crash never
leaves a stale lock that the officer must delete by hand.  The file's content (pid, host,
start time) only serves the error message.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from typing import IO

from console.i18n import Phrase

from .errors import LogLocked, classify


class WriterLock:
    """An acquired writer lock; ``release()`` (or process exit) frees it."""

    def __init__(self, path: str, handle: IO[str]) -> None:
        self.path = path
        self._handle: IO[str] | None = handle

    @classmethod
    def acquire(cls, path: str, log_path: str) -> WriterLock:
        try:
            handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        except OSError as exc:
            raise classify(exc, log_path) from exc
        try:
            _lock(handle)
        except OSError:
            try:
                handle.seek(0)
                owner = handle.read(500).strip()
            except OSError:
                owner = ""
            handle.close()
            raise LogLocked(Phrase("log.err.in_use", path=log_path, who=_describe(owner))) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "since": time.strftime("%Y-%m-%d %H:%M:%S"),
                    }
                )
            )
            handle.flush()
        except OSError:
            pass  # the owner note is a courtesy; the lock itself is what matters
        return cls(path, handle)

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            handle.seek(0)
            handle.truncate()
        except OSError:
            pass
        _unlock(handle)
        handle.close()


def _describe(owner: str) -> Phrase:
    try:
        info = json.loads(owner)
        return Phrase("log.err.in_use.by", pid=info["pid"], host=info["host"], since=info["since"])
    except (ValueError, KeyError, TypeError):
        return Phrase("log.err.in_use.console")


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        # flock (not lockf): it conflicts between two opens in the *same* process too, so
        # a second EventLog in one process is refused as well.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

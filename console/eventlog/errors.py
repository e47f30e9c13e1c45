"""The one error hierarchy of the event log.

Every error carries a ``hint``: one sentence the duty officer (or the technician who looks
after the station PC) can act on.  ``str(err)`` is ``"<message>\\nhint: <hint>"`` so a CLI or
the UI can show it as-is, never a traceback (design §6 "Clear errors").

``classify()`` turns the ``sqlite3`` exceptions that matter into this hierarchy in one
place, so the store, the writer and the exporter agree on what "disk full" or "corrupt"
means.
"""

from __future__ import annotations

import errno
import sqlite3

# Primary SQLite result codes (the low byte of an extended code).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26


class EventLogError(Exception):
    """Base of every error raised by ``console.eventlog``."""

    default_hint = "Check the event log file and its folder, then try again."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return f"{self.message}\nhint: {self.hint}" if self.hint else self.message


class LogReadOnly(EventLogError):
    """The log cannot be written: read-only file, folder or medium, or opened read-only."""

    default_hint = (
        "Make the log file and its folder writable by this user (or pick another --log path); "
        "a log opened for viewing/export cannot be written."
    )


class LogLocked(EventLogError):
    """Another console already writes this log; two writers would interleave ids."""

    default_hint = (
        "Another dutydesk console is writing this log. Close it first, or give this console "
        "its own log file. Viewing and export still work while it runs."
    )


class LogCorrupt(EventLogError):
    """The file is not a dutydesk log or fails SQLite's integrity check."""

    default_hint = (
        "Move the file aside (keep it: it is evidence) and start a new log; a technician can "
        "try `sqlite3 FILE .recover` on the copy."
    )


class LogDiskFull(EventLogError):
    """The disk (or the configured size quota) is full; events wait in memory."""

    default_hint = (
        "Free disk space on the log's drive. Events not yet written are kept in memory and "
        "retried; do not close the console until the log reports healthy again."
    )


class LogSchemaError(EventLogError):
    """The file's schema version is unknown to this build (newer) or cannot be migrated."""

    default_hint = "Use the dutydesk version that wrote this log, or upgrade dutydesk."


class LogClosed(EventLogError):
    """The log was used after ``close()``."""

    default_hint = "This is a programming error: the event log was used after it was closed."


class LogBadEvent(EventLogError, ValueError):
    """An event could not be recorded as given (empty kind, data not JSON-serialisable)."""

    default_hint = "Pass a non-empty kind and JSON-serialisable data (str, numbers, lists, dicts)."


class LogBadQuery(EventLogError, ValueError):
    """A query or export parameter is invalid (bad time string, unknown format)."""

    default_hint = (
        "Times are ISO-8601, e.g. 2024-05-01T08:30 (local) or 2024-05-01T00:30:00Z (UTC), "
        "a time of day (12:28 = today) or a time back from now (-2h, -30m); "
        "formats are csv and jsonl."
    )


class LogIOError(EventLogError):
    """The operating system reported an I/O error below SQLite (failing disk, unplugged USB)."""

    default_hint = "Check the drive holding the log (cable, USB stick, free space) and retry."


def classify(exc: BaseException, path: str) -> EventLogError:
    """Map a ``sqlite3``/``OSError`` exception to the hierarchy, naming ``path``.

    Why by result code and not by message: messages differ between SQLite versions, while
    ``sqlite_errorcode`` (Python 3.11+) is stable.  Message matching is the fallback for
    builds that do not set the code.
    """
    if isinstance(exc, EventLogError):
        return exc
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return LogDiskFull(f"event log {path}: disk full ({exc.strerror})")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return LogReadOnly(f"event log {path}: cannot write ({exc.strerror})")
        return LogIOError(f"event log {path}: {exc.strerror or exc}")
    if not isinstance(exc, sqlite3.Error):
        return EventLogError(f"event log {path}: {exc}")
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    low = text.lower()
    if primary == _SQLITE_FULL or "disk is full" in low:
        return LogDiskFull(f"event log {path}: database or disk is full")
    if primary == _SQLITE_READONLY or "readonly" in low or "read-only" in low:
        return LogReadOnly(f"event log {path}: read-only ({text})")
    if (
        primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
        or "not a database" in low
        or "malformed" in low
    ):
        return LogCorrupt(f"event log {path}: damaged or not an event log ({text})")
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in low:
        return LogLocked(f"event log {path}: locked by another program ({text})")
    if primary == _SQLITE_CANTOPEN or "unable to open" in low:
        return EventLogError(
            f"event log {path}: cannot open ({text})",
            hint="Check that the folder exists and the path is spelled correctly.",
        )
    if primary == _SQLITE_IOERR or "disk i/o" in low:
        return LogIOError(f"event log {path}: I/O error ({text})")
    return EventLogError(f"event log {path}: {text}")

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

from console.i18n import Phrase, register

WORDS = register(
    {
        "log.hint.EventLogError": (
            "请检查日志文件及其所在文件夹，然后重试。",
            "Check the event log file and its folder, then try again.",
        ),
        "log.hint.LogReadOnly": (
            "请让当前用户能写入日志文件及其文件夹（或换一个 --log 路径）；"
            "只读打开（查看/导出）的日志不能写入。",
            "Make the log file and its folder writable by this user (or pick another --log "
            "path); a log opened for viewing/export cannot be written.",
        ),
        "log.hint.LogLocked": (
            "另一个值班台正在写这个日志。请先关闭它，或给本控制台单独的日志文件；它运行时仍可查看和导出。",
            "Another dutydesk console is writing this log. Close it first, or give this console "
            "its own log file. Viewing and export still work while it runs.",
        ),
        "log.hint.LogCorrupt": (
            "请把该文件移到别处（保留它：它是证据）并新建日志；"
            "技术员可对副本运行 `sqlite3 FILE .recover`。",
            "Move the file aside (keep it: it is evidence) and start a new log; a technician can "
            "try `sqlite3 FILE .recover` on the copy.",
        ),
        "log.hint.LogDiskFull": (
            "请释放日志所在磁盘的空间。尚未写入的记录保存在内存中并会重试；日志恢复正常前不要关闭控制台。",
            "Free disk space on the log's drive. Events not yet written are kept in memory and "
            "retried; do not close the console until the log reports healthy again.",
        ),
        "log.hint.LogSchemaError": (
            "请使用写这个日志的 dutydesk 版本，或升级 dutydesk。",
            "Use the dutydesk version that wrote this log, or upgrade dutydesk.",
        ),
        "log.hint.LogClosed": (
            "程序错误：日志关闭后仍被使用。",
            "This is a programming error: the event log was used after it was closed.",
        ),
        "log.hint.LogBadEvent": (
            "请给出非空的类别和可转为 JSON 的数据（文字、数字、列表、字典）。",
            "Pass a non-empty kind and JSON-serialisable data (str, numbers, lists, dicts).",
        ),
        "log.hint.LogBadQuery": (
            "时间用 ISO-8601（如 2024-05-01T08:30 本地时间，或 202"
            "4-05-01T00:30:00Z 世界时）、当天时刻（12:28 即今天）或相对现"
            "在（-2h、-30m）；导出格式为 csv 和 jsonl。",
            "Times are ISO-8601, e.g. 2024-05-01T08:30 (local) or 2024-05-01T00:30:00Z (UTC), a "
            "time of day (12:28 = today) or a time back from now (-2h, -30m); formats are csv "
            "and jsonl.",
        ),
        "log.hint.LogIOError": (
            "请检查存放日志的磁盘（连线、U 盘、剩余空间）后重试。",
            "Check the drive holding the log (cable, USB stick, free space) and retry.",
        ),
        "log.err.not_a_time": ("{name}：不是时间：{value!r}", "{name}: not a time: {value!r}"),
        "log.err.empty_time": ("{name}：时间为空", "{name}: empty time"),
        "log.err.line": ("错误：{error}", "error: {error}"),
        "log.err.not_iso": (
            "{name}：不是 ISO-8601 时间：{value!r}",
            "{name}: not an ISO-8601 time: {value!r}",
        ),
    }
)

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

    default_hint = Phrase("log.hint.EventLogError")

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return f"{self.message}\nhint: {self.hint}" if self.hint else self.message


class LogReadOnly(EventLogError):
    """The log cannot be written: read-only file, folder or medium, or opened read-only."""

    default_hint = Phrase("log.hint.LogReadOnly")


class LogLocked(EventLogError):
    """Another console already writes this log; two writers would interleave ids."""

    default_hint = Phrase("log.hint.LogLocked")


class LogCorrupt(EventLogError):
    """The file is not a dutydesk log or fails SQLite's integrity check."""

    default_hint = Phrase("log.hint.LogCorrupt")


class LogDiskFull(EventLogError):
    """The disk (or the configured size quota) is full; events wait in memory."""

    default_hint = Phrase("log.hint.LogDiskFull")


class LogSchemaError(EventLogError):
    """The file's schema version is unknown to this build (newer) or cannot be migrated."""

    default_hint = Phrase("log.hint.LogSchemaError")


class LogClosed(EventLogError):
    """The log was used after ``close()``."""

    default_hint = Phrase("log.hint.LogClosed")


class LogBadEvent(EventLogError, ValueError):
    """An event could not be recorded as given (empty kind, data not JSON-serialisable)."""

    default_hint = Phrase("log.hint.LogBadEvent")


class LogBadQuery(EventLogError, ValueError):
    """A query or export parameter is invalid (bad time string, unknown format)."""

    default_hint = Phrase("log.hint.LogBadQuery")


class LogIOError(EventLogError):
    """The operating system reported an I/O error below SQLite (failing disk, unplugged USB)."""

    default_hint = Phrase("log.hint.LogIOError")


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

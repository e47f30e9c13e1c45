"""``EventLog``: the append-only record in SQLite (design §4 "Event log", §6 "Nothing is lost").

Durability (``durability=``), and why the default is ``"full"``:

* The log runs in WAL mode.  With WAL, a *process* crash (``kill -9``, an unhandled
  exception, the terminal window closed) never loses a committed transaction under either
  ``synchronous`` setting: COMMIT has handed the WAL frames to the operating system, and the
  OS writes them out even though the process is gone.
* What differs is an *operating-system* crash or power loss.  With ``synchronous=NORMAL``
  the WAL is fsynced only at checkpoints, so the last commits before a power cut can roll
  back (the file stays consistent, but recent events vanish).  With ``FULL`` every COMMIT
  fsyncs the WAL, so what was committed survives power loss too.
* The product promises that an acknowledgement shown as done is never lost, and a station
  PC under a desk loses power (cleaners, breakers, no UPS).  So the default is ``"full"``.
  Group commit makes it affordable: one fsync per batch (≤ 1/``max_delay`` per second), not
  per event.  ``"normal"`` is offered for machines on a UPS, for benches and for tests.

One writer per file is enforced with a lock file (see ``lockfile.py``); any number of
readers (``open_readonly``: viewers, exports, report generators, other processes) read
concurrently thanks to WAL.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal

from drivers.clock import SystemClock
from drivers.clock import TimeSource as Clock

from . import kinds as K
from .errors import (
    EventLogError,
    LogBadEvent,
    LogCorrupt,
    LogReadOnly,
    classify,
)
from .lockfile import WriterLock
from .query import COLUMNS, TimeArg, build_where, iter_query, to_record
from .records import EventRecord, NewEvent
from .schema import LATEST_VERSION, check_version, migrate
from .writer import GroupCommitWriter, Health, LogStatus, Row, RowTail

Durability = Literal["full", "normal"]
Check = Literal["quick", "integrity", "none"]

_SQLITE_HEADER: Final = b"SQLite format 3\x00"
_INSERT: Final = (
    "INSERT INTO events (id, wall, mono, kind, incident, page, unit, grp, operator, data) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_RESCUE_GLOB: Final = ".rescue-*.jsonl"


def _json_default(value: object) -> object:
    """Wire events carry raw bytes: store them as hex text (inert, lossless)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _dump_data(data: Mapping[str, Any] | None) -> str:
    """Serialise at append time, on the caller's thread: a bad value fails the caller
    (not the writer thread later), and later mutation of the caller's dict cannot change
    what is recorded."""
    if data is None:
        return "{}"
    if not isinstance(data, Mapping):
        raise LogBadEvent(f"event data must be a mapping, not {type(data).__name__}")
    try:
        text = json.dumps(
            data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default
        )
    except (TypeError, ValueError) as exc:
        raise LogBadEvent(f"event data cannot be recorded: {exc}") from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (broken UTF-16 from a radio) cannot be stored as UTF-8; the ASCII
        # form escapes them losslessly instead of poisoning the commit queue.
        text = json.dumps(
            data, ensure_ascii=True, separators=(",", ":"), allow_nan=False, default=_json_default
        )
    return text


def _text(value: str | int | None, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise LogBadEvent(f"{name} must be text or an integer, not {type(value).__name__}")
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _uri(path: str, mode: str) -> str:
    return f"{Path(path).as_uri()}?mode={mode}"


def _check_header(path: str) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise classify(exc, path) from exc
    if head and head != _SQLITE_HEADER:
        raise LogCorrupt(f"event log {path} is not an SQLite database (damaged or wrong file)")


def _run_check(conn: sqlite3.Connection, check: Check, path: str) -> None:
    if check == "none":
        return
    pragma = "quick_check" if check == "quick" else "integrity_check"
    rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(5)").fetchall()]
    if rows != ["ok"]:
        raise LogCorrupt(f"event log {path} failed {pragma}: " + "; ".join(map(str, rows)))


class EventLog:
    """The event log.  Create with ``EventLog.open`` (writer) or ``open_readonly``."""

    def __init__(
        self,
        path: str,
        rconn: sqlite3.Connection,
        clock: Clock,
        *,
        wconn: sqlite3.Connection | None = None,
        lock: WriterLock | None = None,
        durability: Durability | None = None,
        record_sessions: bool = False,
    ) -> None:
        """Internal; use ``open``/``open_readonly``."""
        self.path = path
        self.clock = clock
        self.durability = durability
        self._rconn = rconn
        self._rlock = threading.Lock()
        self._wconn = wconn
        self._wlock = threading.Lock()
        self._lock = lock
        self._record_sessions = record_sessions
        self._writer: GroupCommitWriter | None = None
        self._closed = False

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        clock: Clock | None = None,
        durability: Durability = "full",
        background: bool = True,
        batch_size: int = 512,
        max_delay: float = 0.025,
        retry_interval: float = 1.0,
        check: Check = "quick",
        max_page_count: int | None = None,
        record_sessions: bool = True,
    ) -> EventLog:
        """Open (creating if needed) the log for writing; migrate an older schema.

        ``background=True`` commits on a writer thread; with ``False`` the owner calls
        ``tick()`` from its timer (virtual-time tests, or an asyncio app that prefers no
        thread).  ``max_page_count`` caps the file size (a quota; tests use it to simulate
        a full disk).  Raises ``LogLocked``, ``LogReadOnly``, ``LogCorrupt``,
        ``LogSchemaError`` or ``EventLogError`` with a hint.
        """
        if durability not in ("full", "normal"):
            raise ValueError("durability must be 'full' or 'normal'")
        spath = os.path.abspath(os.fspath(path))
        folder = os.path.dirname(spath)
        if not os.path.isdir(folder):
            raise EventLogError(
                f"event log {spath}: folder {folder} does not exist",
                hint="Create the folder or choose another log path.",
            )
        clock = clock or SystemClock()
        _check_header(spath)
        lock = WriterLock.acquire(spath + ".lock", spath)
        wconn: sqlite3.Connection | None = None
        rconn: sqlite3.Connection | None = None
        try:
            wconn = sqlite3.connect(
                _uri(spath, "rwc"),
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=5.0,
            )
            _run_check(wconn, check, spath)
            mode = wconn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise EventLogError(
                    f"event log {spath}: cannot use WAL journal (got {mode})",
                    hint="Put the log on a local disk (WAL does not work on network shares).",
                )
            wconn.execute(f"PRAGMA synchronous={durability.upper()}")
            if max_page_count is not None:
                wconn.execute(f"PRAGMA max_page_count={int(max_page_count)}")
            migrate(wconn, spath)
            _import_rescue_files(wconn, spath, clock)
            max_id = wconn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
            rconn = _connect_ro(spath)
        except BaseException as exc:
            for conn in (wconn, rconn):
                if conn is not None:
                    conn.close()
            lock.release()
            if isinstance(exc, sqlite3.Error | OSError):
                raise classify(exc, spath) from exc
            raise
        log = cls(
            spath,
            rconn,
            clock,
            wconn=wconn,
            lock=lock,
            durability=durability,
            record_sessions=record_sessions,
        )
        log._writer = GroupCommitWriter(
            log._commit_rows,
            clock,
            first_id=int(max_id) + 1,
            batch_size=batch_size,
            max_delay=max_delay,
            retry_interval=retry_interval,
        )
        if record_sessions:
            log.append(
                K.LOG_OPENED,
                data={
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "durability": durability,
                    "schema": LATEST_VERSION,
                },
            )
        if background:
            log._writer.start()
        return log

    @classmethod
    def open_readonly(
        cls, path: str | os.PathLike[str], *, clock: Clock | None = None, check: Check = "quick"
    ) -> EventLog:
        """Open for reading only (viewer, export, reports); works while a console writes."""
        spath = os.path.abspath(os.fspath(path))
        if not os.path.exists(spath):
            raise EventLogError(
                f"event log {spath} does not exist",
                hint="Check the path (the console creates the log when it first starts).",
            )
        _check_header(spath)
        conn: sqlite3.Connection | None = None
        try:
            conn = _connect_ro(spath)
            _run_check(conn, check, spath)
            check_version(conn, spath, writable=False)
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.Error | OSError):
                raise classify(exc, spath) from exc
            raise
        return cls(spath, conn, clock or SystemClock())

    # -- writing -------------------------------------------------------------------------

    @property
    def readonly(self) -> bool:
        return self._writer is None

    def _require_writer(self) -> GroupCommitWriter:
        if self._writer is None:
            if self._closed:
                from .errors import LogClosed

                raise LogClosed("the event log is closed")
            raise LogReadOnly(f"event log {self.path} was opened read-only")
        return self._writer

    def _tail(
        self,
        kind: str,
        data: Mapping[str, Any] | None,
        unit: str | int | None,
        incident: str | int | None,
        page: str | int | None,
        group: str | int | None,
        operator: str | None,
        wall: float | datetime | None,
        mono: float | None,
    ) -> RowTail:
        if not K.is_valid_kind(kind):
            raise LogBadEvent(f"bad event kind {kind!r} (want e.g. 'ladder.delivered')")
        if wall is None:
            wall_f = self.clock.time()
        elif isinstance(wall, datetime):
            if wall.tzinfo is None:
                raise LogBadEvent("wall must be an aware datetime (or unix seconds)")
            wall_f = wall.timestamp()
        else:
            wall_f = float(wall)
        return (
            wall_f,
            self.clock.monotonic() if mono is None else float(mono),
            kind,
            _text(incident, "incident"),
            _text(page, "page"),
            _text(unit, "unit"),
            _text(group, "group"),
            _text(operator, "operator"),
            _dump_data(data),
        )

    def append(
        self,
        kind: str,
        *,
        data: Mapping[str, Any] | None = None,
        unit: str | int | None = None,
        incident: str | int | None = None,
        page: str | int | None = None,
        group: str | int | None = None,
        operator: str | None = None,
        wall: float | datetime | None = None,
        mono: float | None = None,
    ) -> int:
        """Queue one event; return its id at once.  It is *not yet* committed: before
        showing it as done, use ``await committed(id)``, ``wait_committed(id)`` or a commit
        listener.  Times default to the injected clock."""
        tail = self._tail(kind, data, unit, incident, page, group, operator, wall, mono)
        return self._require_writer().submit((tail,))[0]

    def append_many(self, events: Iterable[NewEvent], *, urgent: bool = False) -> list[int]:
        """Queue several events atomically: they get consecutive ids and are committed in
        the same transaction (all or none).  ``urgent``: someone is waiting to see them
        (an acknowledgement); commit as soon as the writer is free instead of waiting up
        to ``max_delay`` for more events to group with."""
        tails = [
            self._tail(
                e.kind, e.data, e.unit, e.incident, e.page, e.group, e.operator, e.wall, e.mono
            )
            for e in events
        ]
        return list(self._require_writer().submit(tails, urgent=urgent))

    def append_commit(
        self,
        kind: str,
        *,
        data: Mapping[str, Any] | None = None,
        unit: str | int | None = None,
        incident: str | int | None = None,
        page: str | int | None = None,
        group: str | int | None = None,
        operator: str | None = None,
        wall: float | datetime | None = None,
        mono: float | None = None,
    ) -> int:
        """Append and commit synchronously (rare critical events).  If the commit fails
        the error is raised and the event stays queued for retry, never dropped."""
        event_id = self.append(
            kind,
            data=data,
            unit=unit,
            incident=incident,
            page=page,
            group=group,
            operator=operator,
            wall=wall,
            mono=mono,
        )
        self.flush()
        return event_id

    def _commit_rows(self, rows: Sequence[Row]) -> None:
        conn = self._wconn
        assert conn is not None
        with self._wlock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(_INSERT, rows)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise classify(exc, self.path) from exc

    def flush(self) -> int:
        """Commit everything queued now; return how many.  Raises the storage error
        (``LogDiskFull``...) if that fails; the events stay queued."""
        return 0 if self._writer is None else self._writer.flush()

    def tick(self) -> int:
        """Run the group-commit policy once (for ``background=False``); never raises for
        storage errors — they show in ``health``."""
        return 0 if self._writer is None else self._writer.tick()

    # -- commit state ----------------------------------------------------------------------

    @property
    def committed_id(self) -> int:
        """Every event with an id up to this one is committed."""
        if self._writer is None:
            return self._max_id()
        return self._writer.committed_id

    @property
    def last_id(self) -> int:
        return self._max_id() if self._writer is None else self._writer.last_id

    def is_committed(self, event_id: int) -> bool:
        return event_id <= self.committed_id

    def wait_committed(self, event_id: int, timeout: float | None = None) -> bool:
        """Block until committed (True) or ``timeout`` passes (False)."""
        return self._require_writer().wait_committed(event_id, timeout)

    async def committed(self, event_id: int) -> None:
        """Await the commit of ``event_id`` (e.g. before marking an answer as done)."""
        await self._require_writer().committed(event_id)

    def add_commit_listener(self, listener: Callable[[int], None]) -> Callable[[], None]:
        """``listener(committed_id)`` runs after each commit, on the committing thread (a
        Textual app forwards it with ``call_from_thread``).  Returns the remover."""
        return self._require_writer().add_listener(listener)

    @property
    def pending_count(self) -> int:
        """Events queued but not yet committed (in memory only)."""
        return 0 if self._writer is None else self._writer.pending_count

    @property
    def health(self) -> Health:
        if self._closed:
            return Health.CLOSED
        return Health.OK if self._writer is None else self._writer.health

    @property
    def last_error(self) -> EventLogError | None:
        return None if self._writer is None else self._writer.last_error

    def status(self) -> LogStatus:
        """Snapshot for the status bar: health, pending, last error, commit count."""
        if self._writer is None:
            last = self._max_id()
            return LogStatus(self.health, 0, last, last, None, None, 0)
        return self._writer.status()

    @property
    def max_page_count(self) -> int:
        """The size cap in pages (SQLite's ``max_page_count``); settable as a quota."""
        conn = self._wconn or self._rconn
        with self._wlock:
            return int(conn.execute("PRAGMA max_page_count").fetchone()[0])

    @max_page_count.setter
    def max_page_count(self, pages: int) -> None:
        if self._wconn is None:
            raise LogReadOnly(f"event log {self.path} was opened read-only")
        with self._wlock:
            self._wconn.execute(f"PRAGMA max_page_count={int(pages)}")

    # -- reading ---------------------------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._closed:
            from .errors import LogClosed

            raise LogClosed("the event log is closed")
        with self._rlock:
            try:
                return self._rconn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise classify(exc, self.path) from exc

    def _max_id(self) -> int:
        return int(self._execute("SELECT coalesce(max(id), 0) FROM events")[0][0])

    def query(
        self,
        *,
        since: TimeArg = None,
        until: TimeArg = None,
        kinds: Iterable[str] | None = None,
        incident: str | int | None = None,
        unit: str | int | None = None,
        page: str | int | None = None,
        text: str | None = None,
        limit: int | None = None,
        descending: bool = False,
        after: int | None = None,
    ) -> Iterator[EventRecord]:
        """Committed events matching all filters, in append order (``descending`` for
        newest first).  ``since`` inclusive, ``until`` exclusive; times as in
        ``parse_time``; ``kinds`` may name a family as ``"ladder.*"``; ``text`` is a
        substring search over data and the text columns; ``after`` keeps ids above it (a
        client resuming its stream)."""
        if self._closed:
            from .errors import LogClosed

            raise LogClosed("the event log is closed")
        terms, params = build_where(
            since=since,
            until=until,
            kinds=kinds,
            incident=incident,
            unit=unit,
            page=page,
            text=text,
            after=after,
        )
        return iter_query(
            self._rconn, self._rlock, self.path, terms, params, limit=limit, descending=descending
        )

    def tail(self, n: int = 50, *, kinds: Iterable[str] | None = None) -> list[EventRecord]:
        """The last ``n`` committed events, oldest first (the UI's log pane)."""
        records = list(self.query(kinds=kinds, limit=n, descending=True))
        records.reverse()
        return records

    def get(self, event_id: int) -> EventRecord | None:
        rows = self._execute(f"SELECT {COLUMNS} FROM events WHERE id = ?", (event_id,))
        return to_record(rows[0]) if rows else None

    def count_by_kind(
        self,
        *,
        since: TimeArg = None,
        until: TimeArg = None,
        incident: str | int | None = None,
        unit: str | int | None = None,
    ) -> dict[str, int]:
        """Number of committed events per kind (reports, status bar)."""
        terms, params = build_where(since=since, until=until, incident=incident, unit=unit)
        where = " WHERE " + " AND ".join(terms) if terms else ""
        rows = self._execute(
            f"SELECT kind, count(*) FROM events{where} GROUP BY kind ORDER BY kind", params
        )
        return {str(k): int(c) for k, c in rows}

    def _dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._rlock:
            try:
                cur = self._rconn.execute(sql, params)
                names = [d[0] for d in cur.description]
                return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            except sqlite3.Error as exc:
                raise classify(exc, self.path) from exc

    def incident_summary(self, incident: str | int | None = None) -> list[dict[str, Any]]:
        """Rows of the ``incident_summary`` view: first/last time, event count, state."""
        if incident is None:
            return self._dicts("SELECT * FROM incident_summary ORDER BY first_wall")
        return self._dicts("SELECT * FROM incident_summary WHERE incident = ?", (str(incident),))

    def page_responders(self, page: str | int) -> list[dict[str, Any]]:
        """Per responder of a page: last ladder rung and delivered/acknowledged/on-scene
        times (view ``page_responders``)."""
        return self._dicts(
            "SELECT * FROM page_responders WHERE page = ? ORDER BY unit", (str(page),)
        )

    def rollcall_answers(self, rollcall: str | int) -> list[dict[str, Any]]:
        """Answers of one roll call (``rollcall.answer`` events with ``data.rollcall``)."""
        return self._dicts(
            "SELECT * FROM rollcall_answers WHERE rollcall = ? ORDER BY id", (str(rollcall),)
        )

    # -- closing ---------------------------------------------------------------------------

    def close(self) -> None:
        """Commit what is queued, then close.  If the final commit fails, the queued
        events are written to ``<log>.rescue-<time>.jsonl`` (imported at the next open)
        and the error is raised saying so — they are never silently dropped."""
        if self._closed:
            return
        failure: EventLogError | None = None
        writer = self._writer
        if writer is not None:
            writer.stop()
            if self._record_sessions:
                with contextlib.suppress(EventLogError):
                    self.append(K.LOG_CLOSED, data={"pid": os.getpid()})
            try:
                writer.flush()
            except EventLogError as exc:
                failure = self._rescue(writer.pending_rows(), exc)
            writer.mark_closed()
        self._closed = True
        self._writer = None
        for conn in (self._wconn, self._rconn):
            if conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
        if self._lock is not None:
            self._lock.release()
        if failure is not None:
            raise failure

    def _rescue(self, rows: list[Row], cause: EventLogError) -> EventLogError:
        target = f"{self.path}.rescue-{int(time.time() * 1000)}.jsonl"
        try:
            with open(target, "w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps(_row_to_json(row), ensure_ascii=True) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            return type(cause)(
                f"{cause.message}; {len(rows)} events were NOT written and could not be "
                f"saved to {target} ({exc.strerror})",
                hint=cause.hint,
            )
        return type(cause)(
            f"{cause.message}; {len(rows)} events not yet in the log were saved to {target} "
            "and will be imported at the next start",
            hint=cause.hint,
        )

    def __enter__(self) -> EventLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _connect_ro(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        _uri(path, "ro"), uri=True, isolation_level=None, check_same_thread=False, timeout=5.0
    )
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


_ROW_KEYS: Final = (
    "id",
    "wall",
    "mono",
    "kind",
    "incident",
    "page",
    "unit",
    "grp",
    "operator",
    "data",
)


def _row_to_json(row: Row) -> dict[str, Any]:
    return dict(zip(_ROW_KEYS, row, strict=True))


def _import_rescue_files(conn: sqlite3.Connection, path: str, clock: Clock) -> None:
    """Bring events saved by a failed close back into the log (idempotently: a row whose
    id already holds the same event is skipped, so a crash mid-import is harmless)."""
    for rescue in sorted(glob.glob(glob.escape(path) + _RESCUE_GLOB)):
        restored = skipped = damaged = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            with open(rescue, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        item = json.loads(line)
                        row = tuple(item[k] for k in _ROW_KEYS)
                    except (ValueError, KeyError, TypeError):
                        damaged += 1  # a torn last line from a crash during the rescue
                        continue
                    found = conn.execute(
                        "SELECT wall, kind, data FROM events WHERE id = ?", (row[0],)
                    ).fetchone()
                    if found == (row[1], row[3], row[9]):
                        skipped += 1
                        continue
                    if found is not None:
                        row = (None, *row[1:])
                    conn.execute(_INSERT, row)
                    restored += 1
            conn.execute(
                _INSERT,
                (
                    None,
                    clock.time(),
                    clock.monotonic(),
                    K.LOG_RECOVERED,
                    None,
                    None,
                    None,
                    None,
                    None,
                    json.dumps(
                        {
                            "file": os.path.basename(rescue),
                            "restored": restored,
                            "skipped": skipped,
                            "damaged_lines": damaged,
                        }
                    ),
                ),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        os.replace(rescue, rescue + ".imported")

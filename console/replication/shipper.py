"""The shipper: a thread that copies the station's SQLite log into the central PostgreSQL.

Why it is built like this:

* **The outbox is the log.**  Nothing is queued in memory: each round asks the centre for
  its newest seq for this station, then reads the events after it from the log file over
  a *separate read-only* SQLite connection (WAL: readers never block the writer).  A
  crash, a SIGKILL or a week-long outage loses nothing and needs no replay file.
* **Exactly once by key.**  Each batch is one transaction of ``INSERT ... ON CONFLICT DO
  NOTHING`` keyed by (station, seq): a batch whose COMMIT reply was lost is re-sent
  harmlessly, and order is the log's id order.
* **Never in the paging path.**  All I/O runs on this thread; the event log's commit
  listener only sets an event to wake it.  A dead centre costs the station nothing but a
  growing backlog, retried with exponential back-off (with jitter).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from .core import Reconnect, ReplicationStatus, ShipAfter, ShipperCore, Wait
from .errors import DriverMissing, NotThisStation, ReplicationError
from .schema import require_version

_log = logging.getLogger(__name__)

_INSERT: Final = (
    "INSERT INTO events (station, seq, ts, mono, kind, incident, page, unit, grp, operator, "
    "data) VALUES (%s, %s, to_timestamp(%s), %s, %s, %s, %s, %s, %s, %s, %s::jsonb) "
    "ON CONFLICT DO NOTHING"
)
_SELECT: Final = (
    "SELECT id, wall, mono, kind, incident, page, unit, grp, operator, data FROM events "
    "WHERE id > ? ORDER BY id LIMIT ?"
)
Row = tuple[Any, ...]


class LogReader:
    """Read-only access to the station log file, on its own SQLite connection."""

    def __init__(self, path: str | Path) -> None:
        uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=5.0)
        self._conn.execute("PRAGMA busy_timeout=5000")

    def newest(self) -> int:
        row = self._conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()
        return int(row[0])

    def wall_after(self, seq: int) -> float | None:
        """Wall time of the first event after ``seq`` (the oldest one not shipped)."""
        row = self._conn.execute(
            "SELECT wall FROM events WHERE id > ? ORDER BY id LIMIT 1", (seq,)
        ).fetchone()
        return float(row[0]) if row else None

    def after(self, seq: int, limit: int) -> list[Row]:
        return self._conn.execute(_SELECT, (seq, limit)).fetchall()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()


def _clean_text(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; a radio's garbage must not jam the shipper."""
    if value is None or "\x00" not in value:
        return value
    return value.replace("\x00", "\ufffd")


def _clean_json(text: str) -> str:
    """jsonb refuses ``\\u0000`` and lone surrogates (which the log keeps, escaped);
    replace them so one odd wire event cannot stop replication for good."""
    lowered = text.lower()
    if "\\u0000" not in lowered and "\\ud" not in lowered:
        return text
    import json

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("\x00", "\ufffd")
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {fix(k): fix(v) for k, v in value.items()}
        return value

    return json.dumps(fix(json.loads(text)), ensure_ascii=False, separators=(",", ":"))


def to_params(station: str, row: Row) -> tuple[Any, ...]:
    """One log row as INSERT parameters (station first, data as JSON text)."""
    seq, wall, mono, kind, incident, page, unit, grp, operator, data = row
    texts = (_clean_text(x) for x in (kind, incident, page, unit, grp, operator))
    return (station, seq, wall, mono, *texts, _clean_json(data or "{}"))


def connect_kwargs(url: str) -> dict[str, Any]:
    """libpq settings for a shipper, keeping whatever the URL already says: a short
    connect timeout, TCP keepalives (a cut WAN is noticed, not waited on forever) and a
    statement timeout."""
    from psycopg.conninfo import conninfo_to_dict

    params: dict[str, Any] = dict(conninfo_to_dict(url))
    params.setdefault("connect_timeout", 5)
    params.setdefault("application_name", "dutydesk-shipper")
    for key, value in (
        ("keepalives", 1),
        ("keepalives_idle", 10),
        ("keepalives_interval", 5),
        ("keepalives_count", 3),
    ):
        params.setdefault(key, value)
    params.setdefault("options", "-c statement_timeout=30000")
    return params


class Shipper:
    """Ships one station log to the centre on a thread; read :meth:`status` any time."""

    def __init__(
        self,
        log_path: str | Path,
        url: str,
        station: str,
        *,
        batch: int = 500,
        interval_s: float = 1.0,
        wall: Callable[[], float] = time.time,
        core: ShipperCore | None = None,
    ) -> None:
        self.log_path = Path(log_path)
        self.url = url
        self.core = core or ShipperCore(station, batch=batch, interval_s=interval_s)
        self._wall = wall
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: Any = None
        self._reader: LogReader | None = None
        self.batches = 0
        """Batches committed at the centre by this shipper (benchmarks read it)."""

    @property
    def station(self) -> str:
        return self.core.station

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name=f"shipper-{self.station}", daemon=True
        )
        self._thread.start()

    def wake(self, committed_id: int | None = None) -> None:
        """A commit happened (up to ``committed_id``): look at the log now.  Cheap and
        safe from any thread -- the event log's commit listener calls it; the backlog in
        the status follows it even while the centre is down."""
        if committed_id is not None:
            with self._lock:
                self.core.on_committed(committed_id)
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread (finishing the batch in flight) and close both connections."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._disconnect()
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def status(self) -> ReplicationStatus:
        with self._lock:
            return self.core.status(self._wall())

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            delay = self.step()
            if delay <= 0:
                continue
            if self.core.failures:
                self._stop.wait(delay)  # backing off: commits do not cut it short
            else:
                self._wake.wait(delay)

    # -- one round ------------------------------------------------------------------------

    def step(self) -> float:
        """Do the next thing (connect, ship one batch, or nothing); return the seconds to
        wait before the next round.  Never raises: failures become the status."""
        try:
            return self._step()
        except Exception as exc:
            message = _describe(exc)
            self._disconnect()
            with self._lock:
                delay = self.core.on_failure(message)
            if self.core.failures == 1 or self.core.failures % 10 == 0:
                _log.warning("replication to the centre failed (%s); retrying", message)
            return delay

    def _step(self) -> float:
        core = self.core
        # The log first: while the centre is down the status still shows the backlog grow.
        reader = self._open_reader()
        local = reader.newest()
        known = core.confirmed_seq or 0
        with self._lock:
            core.on_local(local, reader.wall_after(known) if local > known else None)
        if isinstance(core.next_action(), Reconnect):
            remote = self._connect()
            oldest = reader.wall_after(remote) if local > remote else None
            with self._lock:
                core.on_connected(remote)
                core.on_local(local, oldest)
        action = core.next_action()
        if isinstance(action, ShipAfter):
            rows = reader.after(action.after, action.limit)
            if not rows:  # a commit announced but not yet visible here: do not spin
                return min(0.05, core.interval_s)
            self._insert(rows)
            last = int(rows[-1][0])
            next_wall = reader.wall_after(last) if local > last else None
            with self._lock:
                core.on_shipped(last, next_wall)
            self.batches += 1
            return 0.0
        if isinstance(action, Wait):
            return action.seconds
        return 0.0

    def _open_reader(self) -> LogReader:
        if self._reader is None:
            self._reader = LogReader(self.log_path)
        return self._reader

    def _connect(self) -> int:
        try:
            import psycopg
        except ImportError:
            raise DriverMissing("psycopg (the PostgreSQL driver) is not installed") from None
        self._disconnect()
        self._conn = psycopg.connect(autocommit=True, **connect_kwargs(self.url))
        require_version(self._conn)
        row = self._conn.execute(
            "SELECT coalesce(max(seq), 0) FROM events WHERE station = %s", (self.station,)
        ).fetchone()
        return int(row[0]) if row else 0

    def _insert(self, rows: list[Row]) -> None:
        params = [to_params(self.station, row) for row in rows]
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany(_INSERT, params)

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


def _describe(exc: BaseException) -> str:
    """A one-line reason for the status (psycopg messages are multi-line)."""
    if isinstance(exc, ReplicationError):
        return exc.message
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "row-level security" in text:
        return str(NotThisStation(f"the centre refused rows for this station_id: {text}").message)
    return text[:200]

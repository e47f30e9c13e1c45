"""One look at replication for ``dutydesk doctor``: is the centre there, how far behind.

Separate from the running shipper on purpose: the doctor runs on the bench while the
console may or may not be up, so it asks the centre and reads the log itself.
"""

from __future__ import annotations

import time
from pathlib import Path

from .core import ReplicationStatus
from .errors import DriverMissing
from .schema import require_version
from .shipper import LogReader, _describe, connect_kwargs


def probe(
    url: str, station: str, log_path: str | Path, *, timeout: float = 5.0
) -> ReplicationStatus:
    """The replication status as of now (``connected=False`` with the reason on failure)."""
    local, oldest_wall = 0, None
    remote: int | None = None
    error: str | None = None
    reader: LogReader | None = None
    try:
        if Path(log_path).exists():
            reader = LogReader(log_path)
            local = reader.newest()
        try:
            import psycopg
        except ImportError:
            raise DriverMissing("psycopg (the PostgreSQL driver) is not installed") from None
        params = connect_kwargs(url)
        params["connect_timeout"] = max(1, int(timeout))
        with psycopg.connect(autocommit=True, **params) as conn:
            require_version(conn)
            row = conn.execute(
                "SELECT coalesce(max(seq), 0) FROM events WHERE station = %s", (station,)
            ).fetchone()
            remote = int(row[0]) if row else 0
        if reader is not None and local > remote:
            oldest_wall = reader.wall_after(remote)
    except Exception as exc:
        error = _describe(exc)
    finally:
        if reader is not None:
            reader.close()
    backlog = max(0, local - (remote or 0)) if remote is not None else local
    lag = max(0.0, time.time() - oldest_wall) if oldest_wall is not None else 0.0
    return ReplicationStatus(
        station=station,
        connected=error is None,
        last_shipped_seq=remote,
        backlog=backlog,
        lag_s=lag,
        last_error=error,
        failures=0 if error is None else 1,
    )

"""Central migrations: versioned, idempotent, refused when newer; the admin commands."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from console.eventlog import EventLog
from console.replication import LATEST_VERSION, SchemaError, Shipper, migrate
from console.replication.schema import current_version
from tests.replication.conftest import PgCluster, wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_migrate_is_versioned_and_idempotent(pg: PgCluster) -> None:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        assert current_version(conn) == 0
        assert migrate(conn) == 0
        assert migrate(conn) == LATEST_VERSION  # nothing left to do
        rows = conn.execute("SELECT version, description FROM schema_version").fetchall()
        assert [r[0] for r in rows] == list(range(1, LATEST_VERSION + 1))
        conn.execute("INSERT INTO schema_version (version, description) VALUES (99, 'x')")
        with pytest.raises(SchemaError, match="version 99"):
            migrate(conn)


def test_a_shipper_refuses_a_schema_it_does_not_know(pg: PgCluster, tmp_path: Path) -> None:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        migrate(conn)
        conn.execute("INSERT INTO schema_version (version, description) VALUES (99, 'x')")
    with EventLog.open(tmp_path / "a.db", durability="normal") as log:
        shipper = Shipper(log.path, pg.dsn(), "a", interval_s=0.05)
        with contextlib.ExitStack() as shipping:
            shipping.callback(shipper.stop)
            shipper.start()
            wait_for(lambda: shipper.status().last_error is not None, what="the refusal")
    assert "schema is version 99" in (shipper.status().last_error or "")


def run_admin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console.replication", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_admin_commands(pg: PgCluster) -> None:
    done = run_admin("migrate", "--db", pg.dsn())
    assert done.returncode == 0, done.stderr
    assert f"-> {LATEST_VERSION}" in done.stdout
    done = run_admin("add-station", "--db", pg.dsn(), "--station", "dh", "--role", "st_dh")
    assert done.returncode == 0, done.stderr
    again = run_admin("add-station", "--db", pg.dsn(), "--station", "dh", "--role", "st_dh")
    assert again.returncode == 2
    assert "error:" in again.stderr and "Traceback" not in again.stderr

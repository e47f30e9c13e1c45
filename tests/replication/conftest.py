"""A real, throw-away PostgreSQL cluster for the replication tests (issue 11).

Why a real server and not a mock: what the shipper must get right -- one transaction per
batch, ``ON CONFLICT DO NOTHING``, row-level security keyed on the role, resuming after
the server went away -- is the server's behaviour, which a mock would only restate.

The cluster lives in a temporary directory, listens on a Unix socket there only (no TCP
port to collide with anything), trusts local connections, and is stopped and removed at
the end of the session.  Run as root (CI), it runs as the ``postgres`` user, since
PostgreSQL refuses to run as root.  Without ``initdb``/``pg_ctl`` the tests are skipped
with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg not installed (pip install -e '.[test]')")

from tests.replication.pgcluster import ClusterUnavailable, PgCluster, create_cluster  # noqa: E402


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    try:
        cluster = create_cluster()
    except ClusterUnavailable as exc:
        pytest.skip(str(exc))
    yield cluster
    cluster.destroy()


@pytest.fixture
def pg(pg_cluster: PgCluster) -> Iterator[PgCluster]:
    """The session cluster, running (a test that stopped it has it restarted), with the
    dutydesk central schema dropped afterwards so each test starts clean."""
    if not pg_cluster.running():
        pg_cluster.start()
    pg_cluster.wait_ready()
    yield pg_cluster
    if not pg_cluster.running():
        pg_cluster.start()
        pg_cluster.wait_ready()
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as conn:
        conn.execute(
            "DROP TABLE IF EXISTS events, stations, schema_version, incident_latest CASCADE"
        )
        roles = conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE 'dutydesk%' OR rolname LIKE 'st\\_%'"
        ).fetchall()
        for (role,) in roles:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@dataclass
class Central:
    """A migrated central schema with two stations, ``a`` and ``b``, each with its role."""

    pg: PgCluster

    def url(self, station: str) -> str:
        return self.pg.dsn(f"st_{station}")

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.pg.dsn(), autocommit=True)

    def seqs(self, station: str) -> list[int]:
        with self.admin() as conn:
            rows = conn.execute(
                "SELECT seq FROM events WHERE station = %s ORDER BY seq", (station,)
            ).fetchall()
        return [int(r[0]) for r in rows]

    def count(self, station: str) -> int:
        with self.admin() as conn:
            row = conn.execute("SELECT count(*) FROM events WHERE station = %s", (station,))
            return int(row.fetchone()[0])  # type: ignore[index]


@pytest.fixture
def central(pg: PgCluster) -> Central:
    from console.replication import add_station, migrate

    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        migrate(conn)
        add_station(conn, "a", "st_a")
        add_station(conn, "b", "st_b")
    return Central(pg)


def wait_for(predicate: object, deadline_s: float = 30.0, what: str = "condition") -> None:
    """Poll ``predicate()`` until true; fail with ``what`` at the deadline."""
    end = time.monotonic() + deadline_s
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline_s} s waiting for {what}")
        time.sleep(0.02)

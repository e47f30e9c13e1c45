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

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg not installed (pip install -e '.[test]')")


def _find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


@dataclass
class PgCluster:
    """One running cluster: ``dsn()`` for connecting, ``stop()``/``start()`` for outages."""

    bindir: str
    datadir: Path
    socketdir: Path
    run_as: str | None
    superuser: str
    port: int = 5432

    def _cmd(self, *args: str) -> list[str]:
        cmd = [os.path.join(self.bindir, args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *cmd] if self.run_as else cmd

    def _run(self, *args: str) -> None:
        result = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}\n{result.stderr}")

    def dsn(self, user: str | None = None, dbname: str = "postgres") -> str:
        """A libpq URL for ``user`` (the superuser by default) over the socket."""
        return (
            f"postgresql://{user or self.superuser}@/{dbname}"
            f"?host={self.socketdir}&port={self.port}&connect_timeout=5"
        )

    def start(self) -> None:
        options = f"-c listen_addresses='' -c unix_socket_directories={self.socketdir} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.datadir), "-o", options, "-l",
            str(self.socketdir / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        result = subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.datadir), "status"), capture_output=True
        )
        return result.returncode == 0

    def wait_ready(self, deadline_s: float = 30.0) -> None:
        """Poll until a connection succeeds (after ``start``), or fail at the deadline."""
        end = time.monotonic() + deadline_s
        while True:
            try:
                psycopg.connect(self.dsn(), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.05)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    initdb, pg_ctl = _find_tool("initdb"), _find_tool("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip(
            "PostgreSQL server tools (initdb, pg_ctl) not found on PATH or under "
            "/usr/lib/postgresql/*/bin; install the Debian 'postgresql' package"
        )
    run_as: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root but there is no 'postgres' user to run the cluster")
        run_as = "postgres"
    # Short path in /tmp: Unix socket paths are limited to ~107 bytes, and pytest's own
    # tmp dirs are 0700 root-owned (the postgres user could not enter them).
    root = Path(tempfile.mkdtemp(prefix="ddpg-"))
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    os.chmod(root, 0o755)
    bindir = os.path.dirname(os.path.realpath(initdb))
    superuser = run_as or pwd.getpwuid(os.geteuid()).pw_name
    cluster = PgCluster(bindir, root / "data", root, run_as, superuser)
    try:
        cluster._run(
            "initdb", "-D", str(cluster.datadir), "-U", superuser, "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        cluster.start()
        cluster.wait_ready()
        yield cluster
    finally:
        if cluster.running():
            with contextlib.suppress(RuntimeError):
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


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
        conn.execute("DROP TABLE IF EXISTS events, stations, schema_version CASCADE")
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

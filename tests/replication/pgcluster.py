"""A throw-away PostgreSQL cluster (initdb in /tmp, Unix socket only): the tests' fixture
and the replication benchmark both start one with :func:`create_cluster`.

Run as root (CI), the cluster runs as the ``postgres`` user, since PostgreSQL refuses to
run as root; the temporary directory is created owned by it.
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
from dataclasses import dataclass
from pathlib import Path

import psycopg


class ClusterUnavailable(Exception):
    """No server tools (or no user to run them as): the caller skips, saying why."""


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

    fsync: bool = False
    """Off for tests (speed); the benchmark turns it on to measure a real commit."""

    def start(self) -> None:
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={self.socketdir} "
            f"-c fsync={'on' if self.fsync else 'off'} -c max_connections=200"
        )
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

    def destroy(self) -> None:
        """Stop the server (if running) and remove its directory."""
        if self.running():
            with contextlib.suppress(RuntimeError):
                self.stop("immediate")
        shutil.rmtree(self.socketdir, ignore_errors=True)


def create_cluster(*, fsync: bool = False) -> PgCluster:
    """initdb a new cluster in a temporary directory and start it (trust auth, socket only)."""
    initdb, pg_ctl = _find_tool("initdb"), _find_tool("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise ClusterUnavailable(
            "PostgreSQL server tools (initdb, pg_ctl) not found on PATH or under "
            "/usr/lib/postgresql/*/bin; install the Debian 'postgresql' package"
        )
    run_as: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise ClusterUnavailable(
                "running as root but there is no 'postgres' user to run the cluster"
            ) from None
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
    cluster = PgCluster(bindir, root / "data", root, run_as, superuser, fsync=fsync)
    try:
        cluster._run(
            "initdb", "-D", str(cluster.datadir), "-U", superuser, "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        cluster.start()
        cluster.wait_ready()
    except BaseException:
        cluster.destroy()
        raise
    return cluster

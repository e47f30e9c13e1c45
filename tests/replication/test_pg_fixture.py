"""The throw-away cluster itself works: a query over the Unix socket answers."""

from __future__ import annotations

import psycopg

from tests.replication.conftest import PgCluster


def test_cluster_answers_on_its_socket(pg: PgCluster) -> None:
    with psycopg.connect(pg.dsn()) as conn:
        row = conn.execute("SELECT current_setting('listen_addresses'), version()").fetchone()
    assert row is not None
    assert row[0] == ""
    assert "PostgreSQL" in row[1]

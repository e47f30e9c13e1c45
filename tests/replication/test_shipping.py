"""Shipping a station log to a real PostgreSQL: in order, exactly once, own rows only."""

from __future__ import annotations

import contextlib
from pathlib import Path

import psycopg
import pytest

from console.eventlog import EventLog, NewEvent
from console.replication import Shipper
from tests.replication.conftest import Central, wait_for


def fill(log: EventLog, n: int, start: int = 0) -> None:
    log.append_many(
        NewEvent("test.event", {"i": start + i, "text": "东湖"}, unit=2000 + i % 7)
        for i in range(n)
    )
    log.flush()


def test_events_arrive_in_order_exactly_once(central: Central, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(EventLog.open(tmp_path / "a.db", durability="normal"))
        shipper = Shipper(log.path, central.url("a"), "a", batch=100, interval_s=0.05)
        stack.callback(shipper.stop)
        fill(log, 1234)
        shipper.start()
        total = log.committed_id
        wait_for(lambda: central.count("a") >= total, what="all events at the centre")
        fill(log, 66, start=1234)  # more while running: woken or picked up next round
        total = log.committed_id
        wait_for(lambda: shipper.status().backlog == 0 and central.count("a") == total)
    assert central.seqs("a") == list(range(1, total + 1))
    with central.admin() as conn:
        rows = conn.execute(
            "SELECT seq, kind, unit, data, received FROM events WHERE station = 'a' "
            "AND kind = 'test.event' ORDER BY seq"
        ).fetchall()
    assert [r[3]["i"] for r in rows] == list(range(1300))
    assert rows[0][3]["text"] == "东湖" and rows[0][2] == "2000"
    received = [r[4] for r in rows]
    assert received == sorted(received)  # batches committed in seq order
    status = shipper.status()
    assert status.connected and status.last_shipped_seq == total and status.last_error is None


def test_odd_wire_text_does_not_jam_the_shipper(central: Central, tmp_path: Path) -> None:
    with EventLog.open(tmp_path / "a.db", durability="normal") as log:
        log.append("test.odd", data={"raw": "a\x00b", "bad": "\ud800"}, operator="x\x00y")
        log.flush()
        shipper = Shipper(log.path, central.url("a"), "a", interval_s=0.05)
        with contextlib.ExitStack() as shipping:
            shipping.callback(shipper.stop)
            shipper.start()
            total = log.committed_id
            wait_for(lambda: central.count("a") == total, what="the odd event shipped")


def test_a_station_role_cannot_write_or_read_another_stations_rows(
    central: Central, tmp_path: Path
) -> None:
    with psycopg.connect(central.url("a"), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO events (station, seq, ts, mono, kind) VALUES ('a', 1, now(), 0, 'k')"
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO events (station, seq, ts, mono, kind) "
                "VALUES ('b', 1, now(), 0, 'forged')"
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE events SET kind = 'changed'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM events")
    with psycopg.connect(central.url("b"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (0,)  # not a's
    assert central.seqs("b") == []
    # The shipper configured with the wrong station_id is refused and says why.
    with EventLog.open(tmp_path / "a.db", durability="normal") as log:
        fill(log, 3)
        shipper = Shipper(log.path, central.url("a"), "b", interval_s=0.05)
        with contextlib.ExitStack() as shipping:
            shipping.callback(shipper.stop)
            shipper.start()
            wait_for(lambda: shipper.status().last_error is not None, what="a refusal")
    error = shipper.status().last_error or ""
    assert "refused rows for this station_id" in error
    assert central.seqs("b") == []


def test_the_centre_role_only_reads(central: Central) -> None:
    from console.replication import add_centre_reader

    with central.admin() as conn:
        add_centre_reader(conn, "dutydesk_city")
        conn.execute(
            "INSERT INTO events (station, seq, ts, mono, kind) VALUES ('b', 1, now(), 0, 'k')"
        )
    with psycopg.connect(central.pg.dsn("dutydesk_city"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO events (station, seq, ts, mono, kind) VALUES ('b', 2, now(), 0, 'k')"
            )

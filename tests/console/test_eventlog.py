"""Event log: group commit on virtual time, queries, views, schema migrations."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.eventlog import (
    LATEST_VERSION,
    EventLog,
    Health,
    LogBadEvent,
    LogClosed,
    LogCorrupt,
    LogSchemaError,
    NewEvent,
    kinds,
)
from console.eventlog.schema import migrate

T0 = 1_714_521_600.0  # 2024-05-01T00:00:00Z


class FakeClock:
    """Virtual time: advances only when the test says so."""

    def __init__(self) -> None:
        self.mono = 100.0
        self.wall = T0

    def monotonic(self) -> float:
        return self.mono

    def time(self) -> float:
        return self.wall

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


@pytest.fixture
def log(db: Path, clock: FakeClock) -> Iterator[EventLog]:
    with EventLog.open(
        db,
        clock=clock,
        background=False,
        durability="normal",
        max_delay=0.02,
        batch_size=100,
        record_sessions=False,
    ) as lg:
        yield lg


def test_append_is_committed_by_tick_after_max_delay(log: EventLog, clock: FakeClock) -> None:
    a = log.append("wire.sds_in", data={"text": "收到"}, unit=1001)
    b = log.append("ladder.delivered", unit="1002", page="P1")
    assert (a, b) == (1, 2)
    assert not log.is_committed(a) and log.pending_count == 2
    assert log.tick() == 0  # not due yet
    assert log.tail(10) == []  # readers see committed events only
    clock.advance(0.019)
    assert log.tick() == 0
    clock.advance(0.002)
    assert log.tick() == 2
    assert log.is_committed(b) and log.pending_count == 0 and log.committed_id == 2
    assert [r.id for r in log.tail(10)] == [1, 2]


def test_batch_size_triggers_commit_without_time_passing(log: EventLog) -> None:
    for i in range(99):
        log.append("wire.at_resp", data={"i": i})
    assert log.tick() == 0
    log.append("wire.at_resp")
    assert log.tick() == 100
    assert log.status().commits == 1


def test_flush_and_append_commit(log: EventLog) -> None:
    log.append("alarm.raised", data={"detector": "3F-东"})
    assert log.flush() == 1
    eid = log.append_commit("operator.action", operator="王警官", data={"action": "ack"})
    assert log.is_committed(eid)
    rec = log.get(eid)
    assert rec is not None and rec.operator == "王警官" and rec.data == {"action": "ack"}


def test_append_many_is_atomic_and_consecutive(log: EventLog) -> None:
    ids = log.append_many(
        NewEvent(kinds.LADDER_QUEUED, unit=u, page="P7", incident="INC-1") for u in range(5)
    )
    assert ids == [1, 2, 3, 4, 5]
    log.flush()
    assert [r.unit for r in log.query(page="P7")] == ["0", "1", "2", "3", "4"]


def test_times_come_from_injected_clock(log: EventLog, clock: FakeClock) -> None:
    clock.advance(1.2345)
    log.append("wire.link", data={"up": True})
    log.append("wire.link", wall=datetime(2024, 5, 2, tzinfo=UTC), mono=7.5)
    log.flush()
    first, second = log.tail(2)
    assert first.wall == pytest.approx(T0 + 1.2345) and first.mono == pytest.approx(101.2345)
    assert first.wall_iso == "2024-05-01T00:00:01.234Z"
    assert second.wall == datetime(2024, 5, 2, tzinfo=UTC).timestamp() and second.mono == 7.5


def test_data_is_json_chinese_bytes_and_rejects_bad_input(log: EventLog) -> None:
    log.append("wire.sds_in", data={"text": "一点呼应,多点响应", "raw": b"\x01\xff"})
    log.append("wire.sds_in", data={"text": "broken \ud800 utf16"}, unit="9\udc00")
    with pytest.raises(LogBadEvent):
        log.append("wire.sds_in", data={"x": object()})
    with pytest.raises(LogBadEvent):
        log.append("wire.sds_in", data={"x": float("nan")})
    for bad in ("", "nodot", "Wire.X", "a." + "x" * 80):
        with pytest.raises(LogBadEvent):
            log.append(bad)
    assert log.flush() == 2  # the surrogates did not poison the queue
    one, two = log.tail(2)
    assert one.data == {"text": "一点呼应,多点响应", "raw": "01ff"}
    assert "一点呼应" in one.data_json  # stored readable, not \u-escaped
    assert two.data["text"] == "broken \ud800 utf16"
    assert two.unit == "9\\udc00"


def test_events_are_append_only_even_for_raw_sql(log: EventLog, db: Path) -> None:
    log.append_commit("incident.state", incident="INC-1", data={"state": "raised"})
    raw = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE events SET kind = 'x.y'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM events")
    raw.close()
    assert log.count_by_kind() == {"incident.state": 1}


def _fill(log: EventLog, clock: FakeClock) -> None:
    rows = [
        ("incident.state", {"incident": "INC-1"}, {"state": "raised"}),
        ("page.created", {"incident": "INC-1", "page": "P1"}, {"text": "XX路交通事故"}),
        ("ladder.sent", {"page": "P1", "unit": "1001", "incident": "INC-1"}, {}),
        ("ladder.delivered", {"page": "P1", "unit": "1001", "incident": "INC-1"}, {}),
        ("ladder.sent", {"page": "P1", "unit": "1002", "incident": "INC-1"}, {}),
        ("ladder.acknowledged", {"page": "P1", "unit": "1001", "incident": "INC-1"}, {}),
        ("incident.state", {"incident": "INC-1"}, {"state": "handling"}),
        ("wire.sds_in", {"unit": "1002"}, {"text": "100%_done"}),
        ("rollcall.answer", {"unit": "1001", "group": "G"}, {"rollcall": "R1", "status": "here"}),
        ("rollcall.answer", {"unit": "1003", "group": "G"}, {"rollcall": "R1", "status": "late"}),
    ]  # fmt: skip
    for kind, cols, data in rows:
        log.append(kind, data=data, **cols)  # type: ignore[arg-type]
        clock.advance(60.0)
    log.flush()


def test_query_filters(log: EventLog, clock: FakeClock) -> None:
    _fill(log, clock)
    assert [r.id for r in log.query(incident="INC-1", kinds=["ladder.*"])] == [3, 4, 5, 6]
    assert [r.id for r in log.query(unit=1002)] == [5, 8]
    assert [r.id for r in log.query(page="P1", kinds=["ladder.sent"])] == [3, 5]
    # since inclusive, until exclusive; ISO UTC and local strings
    assert [r.id for r in log.query(since="2024-05-01T00:02:00Z", until="2024-05-01T00:04Z")] == [
        3,
        4,
    ]
    local = datetime.fromtimestamp(T0 + 120, UTC).astimezone().replace(tzinfo=None)
    assert next(iter(log.query(since=local.isoformat()))).id == 3
    assert [r.id for r in log.query(text="100%_")] == [8]  # % and _ are literal
    assert [r.id for r in log.query(text="1%_")] == []
    assert [r.id for r in log.query(text="交通")] == [2]
    assert [r.id for r in log.query(limit=3, descending=True)] == [10, 9, 8]
    assert [r.id for r in log.tail(2)] == [9, 10]
    assert log.count_by_kind(incident="INC-1") == {
        "incident.state": 2,
        "ladder.acknowledged": 1,
        "ladder.delivered": 1,
        "ladder.sent": 2,
        "page.created": 1,
    }
    assert log.get(999) is None


def test_query_pages_through_many_rows(log: EventLog) -> None:
    log.append_many(NewEvent("wire.at_cmd", data={"i": i}) for i in range(2500))
    log.flush()
    it = log.query(kinds=["wire.at_cmd"])
    assert sum(1 for _ in it) == 2500
    assert len(list(log.query(limit=1500))) == 1500


def test_views_incidents_pages_rollcalls(log: EventLog, clock: FakeClock) -> None:
    _fill(log, clock)
    (inc,) = log.incident_summary()
    assert inc["incident"] == "INC-1" and inc["state"] == "handling" and inc["events"] == 7
    responders = {r["unit"]: r for r in log.page_responders("P1")}
    assert responders["1001"]["last_rung"] == "acknowledged"
    assert responders["1001"]["acknowledged_wall"] == pytest.approx(T0 + 300)
    assert responders["1002"]["last_rung"] == "sent"
    assert responders["1002"]["acknowledged_wall"] is None
    answers = log.rollcall_answers("R1")
    assert [(a["unit"], a["status"]) for a in answers] == [("1001", "here"), ("1003", "late")]


async def test_await_committed_in_tick_mode(log: EventLog, clock: FakeClock) -> None:
    eid = log.append("ladder.acknowledged", unit="1001", page="P1")
    waiter = asyncio.create_task(log.committed(eid))
    await asyncio.sleep(0)  # let the task register (a scheduling yield, not a time wait)
    assert not waiter.done()
    clock.advance(0.05)
    log.tick()
    await asyncio.wait_for(waiter, timeout=5)
    await log.committed(eid)  # already committed: returns at once


async def test_await_committed_with_writer_thread(db: Path) -> None:
    with EventLog.open(db, durability="normal", record_sessions=False) as lg:
        seen: list[int] = []
        lg.add_commit_listener(seen.append)
        ids = [lg.append("wire.sds_in", data={"i": i}) for i in range(1000)]
        await asyncio.wait_for(lg.committed(ids[-1]), timeout=10)
        assert lg.is_committed(ids[0]) and seen and seen[-1] >= ids[-1]
        eid = lg.append("alarm.raised")
        assert lg.wait_committed(eid, timeout=10)


def test_wait_committed_in_tick_mode_flushes(log: EventLog) -> None:
    eid = log.append("alarm.raised")
    assert log.wait_committed(eid)


async def test_close_fails_pending_waiters(db: Path, clock: FakeClock) -> None:
    lg = EventLog.open(db, clock=clock, background=False, record_sessions=False)
    # a waiter for an id that will never exist (beyond last_id)
    waiter = asyncio.create_task(lg.committed(lg.last_id + 10))
    await asyncio.sleep(0)
    lg.close()
    with pytest.raises(LogClosed):
        await asyncio.wait_for(waiter, timeout=5)


def test_closed_log_refuses_use(db: Path, clock: FakeClock) -> None:
    lg = EventLog.open(db, clock=clock, background=False)
    lg.close()
    lg.close()  # idempotent
    assert lg.health is Health.CLOSED
    with pytest.raises(LogClosed):
        lg.append("alarm.raised")
    with pytest.raises(LogClosed):
        lg.tail()


def test_session_events_mark_open_and_clean_close(db: Path, clock: FakeClock) -> None:
    EventLog.open(db, clock=clock, background=False).close()
    EventLog.open(db, clock=clock, background=False).close()
    with EventLog.open_readonly(db) as ro:
        assert [r.kind for r in ro.tail()] == ["log.opened", "log.closed"] * 2


def test_reader_sees_commits_while_writer_writes(log: EventLog, db: Path) -> None:
    with EventLog.open_readonly(db) as ro:
        assert ro.readonly and ro.tail() == []
        log.append("wire.sds_in")
        assert ro.tail() == []  # not committed yet
        log.flush()
        assert [r.id for r in ro.tail()] == [1]
        log.append_many(NewEvent("wire.sds_in") for _ in range(10))
        log.flush()
        assert ro.count_by_kind() == {"wire.sds_in": 11}
        assert ro.committed_id == 11 and ro.health is Health.OK


# -- schema -------------------------------------------------------------------------------


def test_new_file_has_latest_schema(log: EventLog, db: Path) -> None:
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_older_schema_is_migrated_on_open(db: Path, clock: FakeClock) -> None:
    raw = sqlite3.connect(db, isolation_level=None)
    migrate(raw, str(db), target=1)
    raw.execute(
        "INSERT INTO events (id, wall, mono, kind, incident, data)"
        " VALUES (1, ?, 1.0, 'incident.state', 'OLD', '{\"state\":\"closed\"}')",
        (T0,),
    )
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    raw.close()
    with pytest.raises(LogSchemaError, match="cannot upgrade"):
        EventLog.open_readonly(db)
    with EventLog.open(db, clock=clock, background=False, record_sessions=False) as lg:
        assert lg.incident_summary("OLD")[0]["state"] == "closed"  # v3 view on v1 data
        assert lg.append("alarm.raised") == 2
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
    assert {"events_incident", "page_responders"} <= names
    raw.close()


def test_newer_schema_is_refused_unchanged(db: Path, clock: FakeClock) -> None:
    EventLog.open(db, clock=clock, background=False).close()
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    raw.commit()
    raw.close()
    with pytest.raises(LogSchemaError) as info:
        EventLog.open(db, clock=clock, background=False)
    assert "newer dutydesk" in str(info.value) and "hint:" in str(info.value)
    with pytest.raises(LogSchemaError):
        EventLog.open_readonly(db)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 5
    raw.close()
    # the failed open released the writer lock
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {LATEST_VERSION}")
    raw.commit()
    raw.close()
    EventLog.open(db, clock=clock, background=False).close()


def test_foreign_sqlite_file_is_not_taken_over(db: Path, clock: FakeClock) -> None:
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE customers (name TEXT)")
    raw.commit()
    raw.close()
    with pytest.raises(LogCorrupt, match="not a dutydesk event log"):
        EventLog.open(db, clock=clock, background=False)

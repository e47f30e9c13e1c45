"""Event log failure modes: locked, read-only, corrupt, disk full — each a clear error,
and nothing queued is ever dropped."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.eventlog import (
    EventLog,
    EventLogError,
    Health,
    LogCorrupt,
    LogDiskFull,
    LogLocked,
    LogReadOnly,
    NewEvent,
)
from console.eventlog.errors import classify


class FakeClock:
    def __init__(self) -> None:
        self.mono = 0.0

    def monotonic(self) -> float:
        return self.mono

    def time(self) -> float:
        return 1_714_521_600.0 + self.mono


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


def _open(db: Path, clock: FakeClock, **kw: object) -> EventLog:
    return EventLog.open(
        db,
        clock=clock,
        background=False,
        durability="normal",
        record_sessions=False,
        **kw,  # type: ignore[arg-type]
    )


def test_error_str_carries_hint() -> None:
    err = LogDiskFull("disk full")
    assert str(err) == f"disk full\nhint: {err.hint}"
    assert isinstance(err, EventLogError)
    assert EventLogError("x", hint="do y").hint == "do y"


# -- locked ---------------------------------------------------------------------------------


def test_second_writer_is_refused_but_readers_work(db: Path, clock: FakeClock) -> None:
    first = _open(db, clock)
    first.append_commit("alarm.raised")
    with pytest.raises(LogLocked) as info:
        _open(db, clock)
    text = str(info.value)
    assert f"pid {os.getpid()}" in text and "hint:" in text and "Close it first" in text
    with EventLog.open_readonly(db) as ro:
        assert ro.count_by_kind() == {"alarm.raised": 1}
    first.append_commit("alarm.cleared")  # the refused open did not disturb the writer
    first.close()
    with _open(db, clock) as second:  # released at close
        assert second.append_commit("alarm.raised") == 3


# -- read-only ------------------------------------------------------------------------------


def test_readonly_log_refuses_appends(db: Path, clock: FakeClock) -> None:
    _open(db, clock).close()
    with EventLog.open_readonly(db) as ro:
        with pytest.raises(LogReadOnly, match="read-only"):
            ro.append("alarm.raised")
        with pytest.raises(LogReadOnly):
            ro.append_many([NewEvent("alarm.raised")])
        assert ro.flush() == 0 and ro.pending_count == 0


def test_classify_maps_a_real_sqlite_readonly_error(db: Path, clock: FakeClock) -> None:
    _open(db, clock).close()
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as info:
        conn.execute("INSERT INTO events (wall, mono, kind) VALUES (0, 0, 'a.b')")
    conn.close()
    err = classify(info.value, str(db))
    assert isinstance(err, LogReadOnly) and "hint:" in str(err)


@contextlib.contextmanager
def _read_only_folder(folder: Path) -> Iterator[None]:
    """chmod for ordinary users; as root (where chmod does not stop writes) the ext4
    immutable flag, which stops root too."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        for f in folder.iterdir():
            f.chmod(0o444)
        try:
            yield
        finally:
            folder.chmod(0o755)
            for f in folder.iterdir():
                f.chmod(0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    targets = [*folder.iterdir(), folder]
    done: list[Path] = []
    try:
        for target in targets:
            if subprocess.run([chattr, "+i", str(target)], capture_output=True).returncode:
                pytest.skip("running as root and chattr +i is not supported here")
            done.append(target)
        yield
    finally:
        for target in reversed(done):
            subprocess.run([chattr, "-i", str(target)], capture_output=True)


def test_writer_on_read_only_folder_gets_clear_error(tmp_path: Path, clock: FakeClock) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "events.db"
    lg = _open(db, clock)
    lg.append_commit("alarm.raised")
    lg.close()
    for extra in glob.glob(str(db) + "-*"):
        os.remove(extra)
    with _read_only_folder(folder):
        with pytest.raises(LogReadOnly) as info:
            _open(db, clock)
        assert "hint:" in str(info.value) and "writable" in str(info.value)


# -- corrupt --------------------------------------------------------------------------------


def test_garbage_file_is_reported_corrupt(db: Path, clock: FakeClock) -> None:
    db.write_bytes(b"\x1b[31mthis is not a database\n" * 200)
    with pytest.raises(LogCorrupt) as info:
        _open(db, clock)
    assert "keep it" in str(info.value)
    with pytest.raises(LogCorrupt):
        EventLog.open_readonly(db)
    assert db.read_bytes().startswith(b"\x1b[31m")  # left untouched as evidence


def test_damaged_pages_fail_quick_check(db: Path, clock: FakeClock) -> None:
    with _open(db, clock) as lg:
        lg.append_many(NewEvent("wire.sds_in", data={"t": "x" * 200}, unit=i) for i in range(2000))
        lg.flush()
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    data = bytearray(db.read_bytes())
    for page in range(3, len(data) // page_size, 7):  # keep page 1 (header, schema) intact
        start = page * page_size
        data[start : start + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))
    with pytest.raises(LogCorrupt, match="quick_check"):
        _open(db, clock)
    with pytest.raises(LogCorrupt):
        EventLog.open_readonly(db)


# -- disk full ------------------------------------------------------------------------------


def _fill_quota(lg: EventLog, db: Path) -> None:
    raw = sqlite3.connect(db)
    pages = raw.execute("PRAGMA page_count").fetchone()[0]
    raw.close()
    lg.max_page_count = pages + 2


def test_disk_full_keeps_events_and_retries(db: Path, clock: FakeClock) -> None:
    lg = _open(db, clock, retry_interval=1.0, max_delay=0.02)
    lg.append_commit("log.opened")
    _fill_quota(lg, db)
    ids = [lg.append("wire.sds_in", data={"payload": "满" * 300, "i": i}) for i in range(300)]
    clock.mono += 0.05
    assert lg.tick() == 0  # the commit failed; tick does not raise (it runs on a timer)
    assert lg.health is Health.DISK_FULL and lg.pending_count == 300
    status = lg.status()
    assert status.pending == 300 and status.last_error and "disk is full" in status.last_error
    with pytest.raises(LogDiskFull) as info:
        lg.flush()
    assert "kept in memory" in str(info.value)
    with pytest.raises(LogDiskFull):
        lg.append_commit("alarm.raised")  # a critical event: the caller learns at once
    assert lg.pending_count == 301  # ...and it is still queued
    ids.append(lg.append("operator.action", operator="李"))  # appending still works
    clock.mono += 0.5
    assert lg.tick() == 0  # retry not due yet (retry_interval)
    lg.max_page_count = 1_000_000  # space freed
    assert lg.tick() == 0
    clock.mono += 1.0
    assert lg.tick() == 302
    assert lg.status().health is Health.OK and lg.pending_count == 0 and lg.last_error is None
    got = [r.id for r in lg.query(kinds=["wire.sds_in", "operator.action"])]
    assert got == ids
    lg.close()


def test_close_while_disk_full_saves_rescue_file_and_reimports(db: Path, clock: FakeClock) -> None:
    lg = _open(db, clock)
    lg.append_commit("log.opened")
    _fill_quota(lg, db)
    ids = [
        lg.append("ladder.acknowledged", unit=i, page="P1", data={"x": "y" * 400})
        for i in range(200)
    ]
    with pytest.raises(LogDiskFull) as info:
        lg.close()
    assert "saved to" in str(info.value) and "imported at the next start" in str(info.value)
    (rescue,) = glob.glob(str(db) + ".rescue-*.jsonl")
    with _open(db, clock) as again:
        assert [r.id for r in again.query(kinds=["ladder.acknowledged"])] == ids
        assert again.count_by_kind()["log.recovered"] == 1
        assert again.tail(1)[0].data["restored"] == 200
    assert not os.path.exists(rescue) and os.path.exists(rescue + ".imported")
    with _open(db, clock) as third:  # not imported twice
        assert third.count_by_kind()["ladder.acknowledged"] == 200


def test_missing_folder_is_a_clear_error(tmp_path: Path, clock: FakeClock) -> None:
    with pytest.raises(EventLogError, match="does not exist") as info:
        _open(tmp_path / "nope" / "events.db", clock)
    assert "hint:" in str(info.value)
    with pytest.raises(EventLogError, match="does not exist"):
        EventLog.open_readonly(tmp_path / "missing.db")

"""The city centre against a real PostgreSQL: two stations ship their logs, then the city
report and the centre screen read them (issue 11).

Station 东湖 ran a real drill (the paging engine on virtual time), station 西湖 has
incidents, a roll call and a page still in flight (``tests/replication/stations.py``).
The report's 1 / 3 / 5 minute shares for 东湖 must be what the station's own drill report
says for the same log.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import psycopg
import pytest

from console.centre.connect import connect
from console.centre.queries import report_inputs
from console.centre.render import BOM, render_csv, render_html
from console.centre.report import ACK_LIMITS_S, StationFigures, city_report
from console.cli import main
from console.eventlog import EventLog
from console.paging.model import Rung
from console.replication import Shipper, add_centre_reader, add_station, migrate
from console.reports import drill_report
from console.reports.stats import deadline_stats
from drivers.clock import DEFAULT_VIRTUAL_EPOCH
from tests.replication.conftest import PgCluster, wait_for
from tests.replication.stations import A_ACK_TIMES, drill_log, incidents_log

ROOT = Path(__file__).resolve().parents[2]
A, B = "东湖派出所", "西湖派出所"
SINCE, UNTIL = DEFAULT_VIRTUAL_EPOCH - 3600, DEFAULT_VIRTUAL_EPOCH + 86400
SINCE_ISO, UNTIL_ISO = "2025-12-31T23:00Z", "2026-01-02T00:00Z"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two stations' logs, made once (the drill takes ~300 s of virtual time)."""
    root = tmp_path_factory.mktemp("stations")
    return {
        A: asyncio.run(drill_log(root / "donghu.db")),
        B: asyncio.run(incidents_log(root / "xihu.db")),
    }


@dataclass
class City:
    pg: PgCluster
    logs: dict[str, Path]
    roles: ClassVar[dict[str, str]] = {A: "st_donghu", B: "st_xihu"}

    def station_url(self, station: str) -> str:
        return self.pg.dsn(self.roles[station])

    @property
    def reader_url(self) -> str:
        return self.pg.dsn("dutydesk_city")

    def count(self, station: str) -> int:
        with psycopg.connect(self.pg.dsn(), autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM events WHERE station = %s", (station,))
            return int(row.fetchone()[0])  # type: ignore[index]

    def ship(self, station: str) -> Shipper:
        shipper = Shipper(self.logs[station], self.station_url(station), station, interval_s=0.05)
        shipper.start()
        return shipper


def committed(path: Path) -> int:
    with EventLog.open_readonly(path) as log:
        return log.committed_id


@pytest.fixture
def city(pg: PgCluster, logs: dict[str, Path]) -> Iterator[City]:
    """Both logs shipped, with each station's own role, by the real shipper."""
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        migrate(conn)
        for station, role in City.roles.items():
            add_station(conn, station, role)
        add_centre_reader(conn, "dutydesk_city")
    city = City(pg, logs)
    for station in (A, B):
        with contextlib.ExitStack() as shipping:
            shipping.callback(city.ship(station).stop)
            total = committed(logs[station])
            wait_for(lambda s=station, n=total: city.count(s) == n, what=f"{station} shipped")
    yield city


def figures_by_station(url: str) -> dict[str, StationFigures]:
    with connect(url) as conn:
        report = city_report(SINCE, UNTIL, report_inputs(conn, SINCE, UNTIL))
    return {f.station: f for f in (*report.stations, report.total)}


def test_city_report_matches_the_stations_own_reports(city: City) -> None:
    got = figures_by_station(city.reader_url)
    # 东湖: what its own drill report computes from the same log.
    with EventLog.open_readonly(city.logs[A]) as log:
        drill = drill_report(log, "D1")
    column = drill.columns.index("acknowledged")
    times = [u.times[column] for u in drill.units]
    assert sorted(t for t in times if t is not None) == pytest.approx(A_ACK_TIMES)
    a = got[A]
    assert a.pages == 1 and a.responders == len(drill.units) == 5
    for limit in ACK_LIMITS_S:
        assert dict(a.within)[limit] == deadline_stats("acknowledged", limit, times).in_time
    assert [dict(a.within)[x] for x in ACK_LIMITS_S] == [1, 2, 3]
    assert a.share(60) == pytest.approx(0.2) and a.share(300) == pytest.approx(0.6)
    own = dict(drill.deadlines[0].percentiles)  # the drill's own p50/p90 of acknowledgement
    assert (a.p50_s, a.p90_s) == (pytest.approx(own[50]), pytest.approx(own[90]))
    assert (a.drills, dict(a.drill_outcomes)["failed"]) == (1, 1)
    # 西湖: by hand. Acknowledged at 45 s and 150 s, one never; 3 incidents, 2 closed.
    b = got[B]
    assert (b.pages, b.responders) == (1, 3)
    assert [dict(b.within)[x] for x in ACK_LIMITS_S] == [1, 2, 2]
    assert (b.p50_s, b.p90_s) == (pytest.approx(45.0), pytest.approx(150.0))
    assert (b.incidents_opened, b.incidents_closed) == (3, 2)
    assert b.closure_rate == pytest.approx(2 / 3)
    assert b.rollcalls == 1 and dict(b.attendance) == {
        "present": 1,
        "late": 1,
        "absent": 0,
        "unreachable": 0,
    }
    total = got["*"]
    assert (total.pages, total.responders, total.drills) == (2, 8, 1)
    assert [dict(total.within)[x] for x in ACK_LIMITS_S] == [2, 4, 5]


def test_incident_latest_follows_inserts_and_only_the_centre_reads_it(city: City) -> None:
    with psycopg.connect(city.reader_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT station, incident, state FROM incident_latest ORDER BY 1, 2"
        ).fetchall()
    assert rows == [
        (B, "INC-0001", "closed"),
        (B, "INC-0002", "closed"),
        (B, "INC-0003", "raised"),
    ]
    with psycopg.connect(city.station_url(B), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM incident_latest")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO incident_latest VALUES (%s, 'INC-0003', 99, 'closed', now())", (B,)
            )


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_report_command_csv_for_excel_in_chinese_and_html(city: City, tmp_path: Path) -> None:
    out = tmp_path / "city.csv"
    args = ["report", "--db", city.reader_url, "--since", SINCE_ISO, "--until", UNTIL_ISO]
    assert main([*args, "--by", "station", "--format", "csv", "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(BOM.encode("utf-8"))  # Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    head = rows[0]
    assert head[:3] == ["派出所", "呼叫次数", "被呼叫单元次"]
    assert "1分钟内确认率(%)" in head and "5分钟内确认率(%)" in head and "办结率(%)" in head
    assert "较97.2%基准(百分点)" in head
    lines = {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    assert set(lines) == {A, B, "全市合计"}
    assert lines[A]["1分钟内确认率(%)"] == "20.0" and lines[A]["5分钟内确认率(%)"] == "60.0"
    assert lines[B]["办结率(%)"] == "66.7" and lines[B]["较97.2%基准(百分点)"] == "-30.5"
    html = tmp_path / "city.html"
    assert main([*args, "--format", "html", "--out", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "全市值班报表" in page and "办结率" in page
    assert A in page and "dutydesk_city" in page
    # English on request, and for a station set that is not Chinese.
    english = run_cli(*args, "--lang", "en")
    assert english.returncode == 0, english.stderr
    assert english.stdout.startswith(BOM) and "Acknowledged within 3 min (%)" in english.stdout


def test_render_picks_english_for_a_latin_station_set() -> None:
    report = city_report(SINCE, UNTIL, [])
    from console.centre.render import report_lang

    assert report_lang(report, None) == "en"
    assert render_csv(report, "en").startswith(BOM + "Station,Pages")
    assert "City duty report" in render_html(report, "en")


@pytest.mark.parametrize(
    ("db", "expect"),
    [
        ("events.db", "neither a PostgreSQL URL"),
        ("sqlite:///events.db", "is not a PostgreSQL URL"),
        ("postgresql://nobody@/postgres?host=/nonexistent-dir&port=1", "cannot open the centre"),
    ],
)
def test_user_mistakes_are_one_line_with_a_hint(db: str, expect: str) -> None:
    for command in (["report", "--db", db, "--since", "2026-01-01"], ["centre", "--db", db]):
        done = run_cli(*command)
        assert done.returncode == 2, done
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        assert expect in lines[0] and "(hint: " in lines[0]


def test_a_bad_period_is_a_user_mistake(city: City) -> None:
    done = run_cli("report", "--db", city.reader_url, "--since", "yesterday-ish")
    assert done.returncode == 2 and "--since" in done.stderr and "hint" in done.stderr
    done = run_cli("report", "--db", city.reader_url, "--since", UNTIL_ISO, "--until", SINCE_ISO)
    assert done.returncode == 2 and "after --since" in done.stderr


# -- the centre screen ---------------------------------------------------------------


async def until(pilot: object, predicate: Callable[[], bool], what: str, limit: float = 30.0):
    """Let the app run until ``predicate()`` holds (bounded), without a fixed sleep."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while not predicate():
        assert loop.time() < end, f"timed out waiting for {what}"
        await pilot.pause(0.02)  # type: ignore[attr-defined]


async def test_centre_screen_shows_both_stations_and_follows_a_new_insert(city: City) -> None:
    from textual.widgets import DataTable, Input

    from console.centre.source import CentreSource
    from console.tui.centre import CentreApp

    now = DEFAULT_VIRTUAL_EPOCH + 600  # the stations' virtual day
    source = CentreSource(city.reader_url, wall=lambda: now)
    app = CentreApp(source, "zh-CN")
    async with app.run_test(size=(160, 50)) as pilot:
        stations = app.query_one("#stations", DataTable)
        timeline = app.query_one("#timeline", DataTable)
        await until(pilot, lambda: app.snapshots >= 1 and app.listening, "first snapshot")

        def cell(station: str, column: str) -> str:
            return str(stations.get_cell(station, column))

        assert stations.row_count == 2
        assert cell(B, "incidents") == "1" and cell(B, "pages") == "1"
        acked, queued = Rung.ACKNOWLEDGED.label("zh-CN"), Rung.QUEUED.label("zh-CN")
        assert cell(B, "ladder") == f"B-P1: {queued} 1 {acked} 2"  # 3003 never answered
        assert cell(B, "alarms") == "0"
        assert cell(A, "pages") == "0"  # the drill closed its page
        assert timeline.row_count > 10
        # A new event at 西湖, shipped by its shipper: NOTIFY, and the screen follows.
        with EventLog.open(city.logs[B], durability="normal") as log:
            log.append(
                "alarm.raised",
                data={"alarm": "ALM-0001", "kind": "smoke", "text": "三号楼烟感报警"},
                incident="INC-0003",
                unit=3003,
                wall=now - 1,
                mono=200.0,
            )
            log.flush()
        seen = app.notifications
        with contextlib.ExitStack() as shipping:
            shipping.callback(city.ship(B).stop)
            await until(pilot, lambda: cell(B, "alarms") == "1", "the alarm on screen")
        assert app.notifications > seen
        assert any("三号楼烟感报警" in str(timeline.get_row_at(i)) for i in range(3))
        # Filters: one station; one unit kind (named by the drills' and roll calls' rosters).
        app.query_one("#f-station", Input).value = A
        app.query_one("#f-station", Input).focus()
        count = app.snapshots
        await pilot.press("enter")
        await until(pilot, lambda: app.snapshots > count, "the filtered timeline")
        assert app.snapshot is not None and {r.station for r in app.snapshot.timeline} == {A}
        app.query_one("#f-station", Input).value = ""
        app.query_one("#f-kind", Input).value = "school"
        app.query_one("#f-kind", Input).focus()
        count = app.snapshots
        await pilot.press("enter")
        await until(pilot, lambda: app.snapshots > count, "the unit-kind filter")
        picked = {(r.station, r.unit) for r in app.snapshot.timeline}
        assert picked and picked <= {(A, "2001"), (B, "3002")}

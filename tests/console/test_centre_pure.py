"""The centre's pure parts (no database): times, shares, ladders, the CSV's cells."""

from __future__ import annotations

import csv
import io

import pytest

from console.centre.connect import conninfo, redact
from console.centre.errors import BadDatabaseUrl
from console.centre.overview import LadderRow, pages_in_flight, top_rung
from console.centre.render import BOM, is_chinese, render_csv
from console.centre.report import ResponderRow, StationInputs, ack_seconds, city_report


def test_ack_time_is_monotonic_unless_the_ladder_spans_a_restart() -> None:
    row = ResponderRow("a", "P1", "2001", 1000.0, 50.0, 1030.2, 80.0)
    assert ack_seconds(row) == pytest.approx(30.0)  # mono, not the wall's 30.2
    restarted = ResponderRow("a", "P1", "2001", 1000.0, 5000.0, 1045.0, 3.0)
    assert ack_seconds(restarted) == pytest.approx(45.0)  # mono went back: wall clock
    assert ack_seconds(ResponderRow("a", "P1", "2001", 1000.0, 50.0)) is None


def test_shares_percentiles_and_closure_by_hand() -> None:
    a = StationInputs(
        "东湖派出所",
        pages=2,
        ack_times=(10.0, 59.0, 61.0, 179.0, 250.0, None, None, None, None, 400.0),
        rollcall_counts=({"present": 5, "absent": 1}, {"present": 6, "late": 2}),
        drill_outcomes=("passed", None),
        incident_states=("closed", "assessed", "handling", None),
    )
    report = city_report(0.0, 1.0, [a, StationInputs("西湖派出所")], total_name="全市")
    got = report.stations[0]
    assert [n for _, n in got.within] == [2, 4, 5]
    assert got.share(60) == pytest.approx(0.2) and got.share(300) == pytest.approx(0.5)
    # nearest rank over the 6 that answered: p50 = 3rd (61), p90 = 6th (400)
    assert (got.p50_s, got.p90_s) == (61.0, 400.0)
    assert dict(got.attendance) == {"present": 11, "late": 2, "absent": 1, "unreachable": 0}
    assert dict(got.drill_outcomes) == {"passed": 1, "failed": 0, "interrupted": 1}
    assert (got.incidents_opened, got.incidents_closed, got.closure_rate) == (4, 2, 0.5)
    empty = report.stations[1]
    assert empty.share(60) is None and empty.closure_rate is None and empty.p50_s is None
    assert report.total.station == "全市" and report.total.responders == 10


def ladder(unit: str, *rungs: str, page: str = "P1") -> LadderRow:
    return LadderRow("a", page, None, 0.0, "", unit, frozenset(rungs), rungs[-1])


def test_pages_in_flight_count_responders_on_their_highest_rung() -> None:
    rows = [
        ladder("1", "queued", "sent", "acknowledged"),
        ladder("2", "queued", "sent"),
        ladder("3", "queued", "failed"),
        ladder("4", "queued", "acknowledged", "on_scene"),
        ladder("5", "queued", "on_scene", page="P2"),  # everyone done: not in flight
    ]
    (page,) = pages_in_flight(rows)
    assert page.page == "P1" and page.responders == 4
    assert page.ladder == (("sent", 1), ("acknowledged", 1), ("on_scene", 1), ("failed", 1))
    assert top_rung({"queued", "backup_requested"}, "backup_requested") == "queued"


def test_csv_is_for_excel_and_keeps_station_names_inert() -> None:
    report = city_report(0.0, 1.0, [StationInputs("=HYPERLINK(1)"), StationInputs("东湖\x1b")])
    text = render_csv(report, "zh-CN")
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(1)", "东湖\\u001b", "全市合计"]
    assert is_chinese(["东湖派出所"]) and not is_chinese(["donghu", "=x"])


def test_db_urls_that_are_not_postgresql_are_refused_before_connecting() -> None:
    for url in ("events.db", "sqlite:///x.db", "", "postgresql://x@/d?bad=="):
        with pytest.raises(BadDatabaseUrl):
            conninfo(url)
    params = conninfo("postgresql://city@centre/dutydesk")
    assert "default_transaction_read_only=on" in params["options"]
    assert redact("postgresql://city:secret@centre/db") == "postgresql://city@centre/db"


def test_the_ladder_cell_shows_the_newest_pages() -> None:
    from console.centre.overview import Health, StationOverview, pages_in_flight
    from console.tui.centre import ladder_text

    rows = [ladder("1", "queued", page=f"P{i}") for i in range(5)]
    pages = tuple(pages_in_flight(rows))
    st = StationOverview("a", Health("a", None, None, None), (), pages, ())
    assert ladder_text(st, "en") == "P4: queued 1 | P3: queued 1 | P2: queued 1 | +2"

"""Report formats and statistics on a hand-made report (no radios needed)."""

from __future__ import annotations

import csv
import io
import json

from console.reports import Report, UnitRow, render, render_terminal
from console.reports.model import Miss
from console.reports.stats import deadline_stats, histogram, nearest_rank


def test_nearest_rank_percentiles_by_hand() -> None:
    values = [31.3, 11.3, 91.3, 21.3]
    assert nearest_rank(values, 50) == 21.3  # rank ceil(2.0) = 2
    assert nearest_rank(values, 90) == 91.3  # rank ceil(3.6) = 4
    assert nearest_rank(values, 25) == 11.3
    assert nearest_rank([5.0], 95) == 5.0


def test_histogram_bins_quarters_late_and_never() -> None:
    bins = histogram([0.0, 15.0, 15.1, 59.9, 60.0, 60.1], 60.0, never=2)
    assert [b.count for b in bins] == [2, 1, 0, 2, 1, 2]
    stats = deadline_stats("acknowledged", 60.0, [10.0, None, 70.0])
    assert (stats.in_time, stats.late, stats.never) == (1, 1, 1)
    assert stats.median == 10.0


def report() -> Report:
    hostile = "=cmd|' /C calc'!A0 [red]x[/red] \x1b[2J|"
    units = (
        UnitRow(2001, "星海小学", "school", (1.3, 11.3), "acknowledged"),
        UnitRow(
            2002,
            hostile,
            "bank",
            (None, None),
            "unreachable (not_reachable)",
            cause="not_reachable",
        ),
    )
    return Report(
        kind="drill",
        id="D1",
        title="演练",
        started_wall=1767225600.0,
        ended_wall=None,
        outcome="failed",
        passed=False,
        reasons=("all acknowledged within 60 s: 1 of 2",),
        columns=("delivered", "acknowledged"),
        units=units,
        deadlines=(deadline_stats("acknowledged", 60.0, [11.3, None]),),
        missed=(Miss(2002, hostile, "acknowledged", 60.0, None, "unreachable (not_reachable)"),),
    )


def test_every_format_renders_and_keeps_hostile_text_inert() -> None:
    r = report()
    data = json.loads(render(r, "json"))
    assert data["units"][0]["times"] == {"delivered": 1.3, "acknowledged": 11.3}
    assert data["deadlines"][0]["percentiles"] == {
        "p50": 11.3,
        "p90": 11.3,
        "p95": 11.3,
        "p100": 11.3,
    }
    rows = list(csv.reader(io.StringIO(render(r, "csv"))))
    assert rows[0][-2:] == ["delivered_s", "acknowledged_s"]
    assert rows[1][-2:] == ["1.300", "11.300"]
    assert rows[2][2].startswith("'=")  # a formula is not a formula in a spreadsheet
    for fmt in ("markdown", "csv", "json", "html", "terminal"):
        text = render(r, fmt)
        assert "\x1b" not in text, fmt
    md = render(r, "markdown")
    assert "FAILED" in md and "\\|" in md
    html = render(r, "html")
    assert "<svg" in html and "<script" not in html and "[red]x[/red]" in html
    term = render_terminal(r)
    assert "[red]x[/red]" in term and "FAILED" in term

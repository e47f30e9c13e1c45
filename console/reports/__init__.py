"""Reports a station can file, for drills and roll calls, computed from the event log.

``drill_report(log, id)`` / ``rollcall_report(log, id)`` give a :class:`Report`;
``render(report, fmt)`` turns it into terminal text, Markdown, CSV, JSON or HTML.
"""

from __future__ import annotations

from console.reports.drill import DrillNotFound, drill_ids, drill_report
from console.reports.history import DrillHistoryRow, drill_history
from console.reports.html import render_html
from console.reports.model import (
    Bin,
    CriterionResult,
    DeadlineStats,
    EscalationRow,
    Miss,
    Report,
    UnitRow,
)
from console.reports.render import FORMATS, render_csv, render_json, render_markdown, to_dict
from console.reports.rollcall import report_of, rollcall_report
from console.reports.stats import nearest_rank
from console.reports.terminal import render_terminal


def render(
    report: Report, fmt: str, lang: str = "en", station: str = "", *, bom: bool = True
) -> str:
    """``fmt``: terminal, markdown (md), csv, json or html; the human formats in
    ``lang`` and naming ``station`` (pass the station's language and name).  CSV starts
    with the BOM Excel needs unless ``bom=False``."""
    renderers = {
        "terminal": render_terminal,
        "markdown": render_markdown,
        "md": render_markdown,
        "csv": render_csv,
        "json": render_json,
        "html": render_html,
    }
    try:
        renderer = renderers[fmt]
    except KeyError:
        raise ValueError(
            f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}"
        ) from None
    if renderer is render_csv:
        return render_csv(report, lang, station, bom=bom)
    return renderer(report, lang, station)


__all__ = [
    "FORMATS",
    "Bin",
    "CriterionResult",
    "DeadlineStats",
    "DrillHistoryRow",
    "DrillNotFound",
    "EscalationRow",
    "Miss",
    "Report",
    "UnitRow",
    "drill_history",
    "drill_ids",
    "drill_report",
    "nearest_rank",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "render_terminal",
    "report_of",
    "rollcall_report",
    "to_dict",
]

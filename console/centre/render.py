"""The city report as CSV (for Excel: UTF-8 with a BOM) and as one self-contained HTML
file, in zh-CN or English through the shared vocabulary (``console.i18n``).

Station names came from station files, so every cell goes through the station reports'
own escaping (``console.reports.render``): control characters shown as escapes, formulas
quoted in CSV, HTML escaped.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable
from html import escape
from typing import Final

from console.csvtext import BOM, csv_text
from console.i18n import normalise_lang, t
from console.reports.render import csv_cell, inert

from .report import ATTENDANCE, DRILL_OUTCOMES, CityReport, StationFigures

__all__ = ["BOM", "FORMATS", "render_csv", "render_html"]
FORMATS: Final = ("csv", "html")


def is_chinese(names: Iterable[str]) -> bool:
    """A station set is Chinese when any station's name is written in CJK characters."""
    return any(unicodedata.name(c, "").startswith("CJK") for name in names for c in name)


def report_lang(report: CityReport, requested: str | None) -> str:
    """``--lang`` wins; otherwise Chinese for a Chinese station set, English for the rest."""
    if requested:
        return normalise_lang(requested)
    return "zh-CN" if is_chinese(s.station for s in report.stations) else "en"


def headings(report: CityReport, lang: str) -> list[str]:
    return [
        t("city.station", lang),
        t("city.pages", lang),
        t("city.responders", lang),
        *(t("city.ack_within", lang, m=f"{limit / 60:g}") for limit in report.limits_s),
        t("city.ack_p50", lang),
        t("city.ack_p90", lang),
        t("city.rollcalls", lang),
        *(t(f"city.att.{k}", lang) for k in ATTENDANCE),
        t("city.drills", lang),
        *(t(f"city.drill.{k}", lang) for k in DRILL_OUTCOMES),
        t("city.opened", lang),
        t("city.closed", lang),
        t("city.closure", lang),
        t("city.vs", lang, rate=f"{report.benchmark * 100:g}"),
    ]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _secs(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def cells(report: CityReport, row: StationFigures, name: str) -> list[str]:
    """One line's values, as text (empty where there is nothing to measure)."""
    rate = row.closure_rate
    against = "" if rate is None else f"{(rate - report.benchmark) * 100:+.1f}"
    return [
        name,
        str(row.pages),
        str(row.responders),
        *(_pct(row.share(limit)) for limit in report.limits_s),
        _secs(row.p50_s),
        _secs(row.p90_s),
        str(row.rollcalls),
        *(str(n) for _, n in row.attendance),
        str(row.drills),
        *(str(n) for _, n in row.drill_outcomes),
        str(row.incidents_opened),
        str(row.incidents_closed),
        _pct(rate),
        against,
    ]


def _lines(report: CityReport, lang: str) -> list[list[str]]:
    rows = [cells(report, s, s.station) for s in report.stations]
    rows.append(cells(report, report.total, t("city.total", lang)))
    return rows


def render_csv(report: CityReport, lang: str, *, bom: bool = True) -> str:
    """One row per station and a city total; starts with a BOM (``console.csvtext``)."""
    rows = [[csv_cell(line[0]), *line[1:]] for line in _lines(report, lang)]
    return csv_text([headings(report, lang), *rows], bom=bom)


def _wall(value: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(value))


def render_html(report: CityReport, lang: str, *, source: str = "") -> str:
    """One file (no scripts, no external resources): it can be mailed or archived."""

    def h(value: object) -> str:
        return escape(inert(value))

    head = headings(report, lang)
    body = []
    for i, line in enumerate(_lines(report, lang)):
        tag = "th" if i == len(report.stations) else "td"
        body.append("<tr>" + "".join(f"<{tag}>{h(c)}</{tag}>" for c in line) + "</tr>")
    title = t("city.title", lang)
    parts = [
        f'<!DOCTYPE html><html lang="{h(lang)}"><head><meta charset="utf-8">',
        f"<title>{h(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #999;padding:2px 6px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}</style></head><body>",
        f"<h1>{h(title)}</h1>",
        f"<p>{h(t('city.period', lang))}: {h(_wall(report.since))} → {h(_wall(report.until))}"
        + (f"<br>{h(t('city.generated', lang))}: {h(source)}" if source else "")
        + "</p>",
        "<table><thead><tr>" + "".join(f"<th>{h(c)}</th>" for c in head) + "</tr></thead>",
        "<tbody>" + "".join(body) + "</tbody></table>",
        f"<ul><li>{h(t('city.promise', lang))}</li>",
        f"<li>{h(t('city.benchmark_note', lang))}</li></ul>",
        "</body></html>",
    ]
    return "\n".join(parts)


def render(report: CityReport, fmt: str, lang: str, *, source: str = "", bom: bool = True) -> str:
    if fmt == "csv":
        return render_csv(report, lang, bom=bom)
    if fmt == "html":
        return render_html(report, lang, source=source)
    raise ValueError(f"unknown city report format {fmt!r}; use csv or html")

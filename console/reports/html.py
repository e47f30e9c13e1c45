"""A self-contained HTML report with one inline SVG bar chart per target (no scripts,
no external files: it can be mailed or archived as one file)."""

from __future__ import annotations

from html import escape

from console.i18n import say, t
from console.reports.model import DeadlineStats, Report
from console.reports.render import (
    code,
    escalation_cells,
    fmt_time,
    head_lines,
    inert,
    miss_cells,
    unit_cells,
)


def _h(value: object) -> str:
    return escape(inert(value))


def svg_histogram(
    stats: DeadlineStats, lang: str = "en", width: int = 420, height: int = 160
) -> str:
    """Bars of the histogram; the late and never bars in red."""
    bars = stats.histogram
    top = max((b.count for b in bars), default=0) or 1
    slot = width / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 30}" '
        f'role="img" aria-label="{_h(code("report.rung", stats.rung, lang))}">'
    ]
    for i, b in enumerate(bars):
        h = round(b.count / top * height)
        x = round(i * slot + 4)
        colour = "#c0392b" if b.hi is None else "#2e86c1"
        parts.append(
            f'<rect x="{x}" y="{height - h}" width="{round(slot - 8)}" height="{h}" '
            f'fill="{colour}"><title>{_h(say(b.label, lang))}: {b.count}</title></rect>'
        )
        parts.append(
            f'<text x="{x}" y="{height + 12}" font-size="10">{_h(say(b.label, lang))}</text>'
        )
        parts.append(f'<text x="{x}" y="{max(height - h - 2, 10)}" font-size="11">{b.count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{_h(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report, lang: str = "en", station: str = "") -> str:
    """One HTML page in ``lang`` (headings, labels, verdict, statuses); ``station`` named."""

    def label(key: str, **values: object) -> str:
        return t(key, lang, **values)

    def cols(*keys: str) -> list[str]:
        return [label(f"report.col.{k}") for k in keys]

    title = say(report.title, lang)
    colour = {True: "green", False: "#c0392b", None: "#b9770e"}[report.passed]
    *who, when = head_lines(report, lang, station)
    heading = f"{station} {title}" if station else title
    out = [
        f'<!DOCTYPE html><html lang="{_h(lang)}"><head><meta charset="utf-8">',
        f"<title>{_h(heading)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #999;padding:2px 6px}</style></head><body>",
        f"<h1>{_h(title)}</h1>",
        *(f"<p>{_h(line)}</p>" for line in who[:-1]),
        f'<p><b style="color:{colour}">{_h(who[-1])}</b> — {_h(when)}</p>',
        "<ul>"
        + "".join(f"<li>{_h(say(r, lang))}</li>" for r in (*report.reasons, *report.notes))
        + "</ul>",
    ]
    if report.criteria:
        out.append(f"<h2>{_h(label('report.h.criteria'))}</h2>")
        out.append(
            _table(
                cols("criterion", "achieved", "needed", "result"),
                [
                    [
                        _h(say(c.text, lang)),
                        f"{c.achieved}/{c.total}",
                        str(c.needed),
                        label("report.pass" if c.passed else "report.fail"),
                    ]
                    for c in report.criteria
                ],
            )
        )
    out.append(f"<h2>{_h(label('report.h.times_s'))}</h2>")
    out.append(
        _table(
            [
                *cols("rung", "target", "in_time", "late", "never"),
                "p50",
                "p90",
                "p95",
                label("report.col.max"),
            ],
            [
                [
                    _h(code("report.rung", st.rung, lang)),
                    f"{st.deadline_s:g}",
                    str(st.in_time),
                    str(st.late),
                    str(st.never),
                    *(fmt_time(dict(st.percentiles).get(p)) for p in (50, 90, 95, 100)),
                ]
                for st in report.deadlines
            ],
        )
    )
    for st in report.deadlines:
        rung = code("report.rung", st.rung, lang)
        head = label("report.h.histogram", rung=rung, target=st.deadline_s)
        out.append(f"<h3>{_h(head)}</h3>{svg_histogram(st, lang)}")
    out.append(f"<h2>{_h(label('report.h.units'))}</h2>")
    out.append(
        _table(
            [
                *cols("issi", "unit", "role", "status"),
                *(code("report.rung", c, lang) for c in report.columns),
            ],
            [[_h(c) for c in unit_cells(u, lang)] for u in report.units],
        )
    )
    out.append(f"<h2>{_h(label('report.h.missed'))}</h2>")
    out.append(
        _table(
            cols("issi", "unit", "rung", "target", "reached", "reason"),
            [[_h(c) for c in miss_cells(m, lang)] for m in report.missed],
        )
    )
    if report.escalations:
        out.append(f"<h2>{_h(label('report.h.escalations'))}</h2>")
        out.append(
            _table(
                cols("at", "issi", "unit", "target", "step", "detail"),
                [[_h(c) for c in escalation_cells(e, lang)] for e in report.escalations],
            )
        )
    out.append("</body></html>")
    return "\n".join(out)

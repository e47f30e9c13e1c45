"""A self-contained HTML report with one inline SVG bar chart per target (no scripts,
no external files: it can be mailed or archived as one file)."""

from __future__ import annotations

from html import escape

from console.reports.model import Report, TargetStats
from console.reports.render import fmt_time, fmt_wall, inert


def _h(value: object) -> str:
    return escape(inert(value))


def svg_histogram(t: TargetStats, width: int = 420, height: int = 160) -> str:
    """Bars of the histogram; the late and never bars in red."""
    bars = t.histogram
    top = max((b.count for b in bars), default=0) or 1
    slot = width / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 30}" '
        f'role="img" aria-label="{_h(t.rung)} histogram">'
    ]
    for i, b in enumerate(bars):
        h = round(b.count / top * height)
        x = round(i * slot + 4)
        colour = "#c0392b" if b.hi is None else "#2e86c1"
        parts.append(
            f'<rect x="{x}" y="{height - h}" width="{round(slot - 8)}" height="{h}" '
            f'fill="{colour}"><title>{_h(b.label)}: {b.count}</title></rect>'
        )
        parts.append(f'<text x="{x}" y="{height + 12}" font-size="10">{_h(b.label)}</text>')
        parts.append(f'<text x="{x}" y="{max(height - h - 2, 10)}" font-size="11">{b.count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{_h(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report) -> str:
    verdict = {True: "PASSED 通过", False: "FAILED 未通过", None: report.outcome}[report.passed]
    colour = {True: "green", False: "#c0392b", None: "#b9770e"}[report.passed]
    out = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{_h(report.title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #999;padding:2px 6px}</style></head><body>",
        f"<h1>{_h(report.title)}</h1>",
        f'<p><b style="color:{colour}">{_h(verdict)}</b> — {_h(report.kind)} {_h(report.id)},'
        f" {fmt_wall(report.started_wall)} → {fmt_wall(report.ended_wall)}</p>",
        "<ul>" + "".join(f"<li>{_h(r)}</li>" for r in (*report.reasons, *report.notes)) + "</ul>",
    ]
    if report.criteria:
        out.append(
            _table(
                ["criterion", "achieved", "needed", "result"],
                [
                    [
                        _h(c.text),
                        f"{c.achieved}/{c.total}",
                        str(c.needed),
                        "pass" if c.passed else "FAIL",
                    ]
                    for c in report.criteria
                ],
            )
        )
    out.append("<h2>Response times (s)</h2>")
    out.append(
        _table(
            ["rung", "target", "in time", "late", "never", "p50", "p90", "p95", "max"],
            [
                [
                    t.rung,
                    f"{t.target_s:g}",
                    str(t.in_time),
                    str(t.late),
                    str(t.never),
                    *(fmt_time(dict(t.percentiles).get(p)) for p in (50, 90, 95, 100)),
                ]
                for t in report.targets
            ],
        )
    )
    for t in report.targets:
        out.append(f"<h3>{_h(t.rung)} (target {t.target_s:g} s)</h3>{svg_histogram(t)}")
    out.append("<h2>Units</h2>")
    out.append(
        _table(
            ["ISSI", "unit", "role", "status", *report.columns],
            [
                [
                    str(u.issi),
                    _h(u.alias),
                    _h(u.role),
                    _h(u.status),
                    *(fmt_time(x) for x in u.times),
                ]
                for u in report.units
            ],
        )
    )
    out.append("<h2>Missed</h2>")
    out.append(
        _table(
            ["ISSI", "unit", "rung", "target", "reached", "reason"],
            [
                [
                    str(m.issi),
                    _h(m.alias),
                    m.rung,
                    f"{m.target_s:g}",
                    fmt_time(m.reached_s),
                    _h(m.reason),
                ]
                for m in report.missed
            ],
        )
    )
    if report.escalations:
        out.append("<h2>Escalations</h2>")
        out.append(
            _table(
                ["at (s)", "ISSI", "unit", "target", "step", "detail"],
                [
                    [f"{e.at_s:.1f}", str(e.issi), _h(e.alias), e.target, e.step, _h(e.detail)]
                    for e in report.escalations
                ],
            )
        )
    out.append("</body></html>")
    return "\n".join(out)

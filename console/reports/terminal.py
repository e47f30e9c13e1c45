"""A report on the terminal with Rich (tables, coloured verdict).

Rich markup in unit names or radio text is escaped: a unit called ``[red]`` shows as
that text, never as a style.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from console.reports.model import Report
from console.reports.render import fmt_time, fmt_wall, inert


def _e(value: object) -> str:
    return escape(inert(value))


def render_terminal(report: Report, console: Console | None = None) -> str:
    """Print to ``console`` (or render to a string, returned, for tests and pipes)."""
    buffer = io.StringIO()
    out = console or Console(file=buffer, width=120, color_system=None, force_terminal=False)
    style = {True: "bold green", False: "bold red", None: "bold yellow"}[report.passed]
    verdict = {True: "PASSED 通过", False: "FAILED 未通过", None: report.outcome}[report.passed]
    out.print(f"[bold]{_e(report.title)}[/]  {report.kind} {_e(report.id)}")
    out.print(
        f"[{style}]{_e(verdict)}[/]  {fmt_wall(report.started_wall)} → "
        f"{fmt_wall(report.ended_wall)}"
    )
    for reason in (*report.reasons, *report.notes):
        out.print(f"  {_e(reason)}")
    if report.criteria:
        crit = Table("criterion", "achieved", "needed", "result", title="Criteria")
        for c in report.criteria:
            crit.add_row(
                _e(c.text),
                f"{c.achieved}/{c.total}",
                str(c.needed),
                "[green]pass[/]" if c.passed else "[red]FAIL[/]",
            )
        out.print(crit)
    dist = Table(
        "rung",
        "target",
        "in time",
        "late",
        "never",
        "p50",
        "p90",
        "p95",
        "max",
        title="Response times (s)",
    )
    for t in report.targets:
        pct = dict(t.percentiles)
        dist.add_row(
            t.rung,
            f"{t.target_s:g}",
            str(t.in_time),
            str(t.late),
            str(t.never),
            *(fmt_time(pct.get(p)) for p in (50, 90, 95, 100)),
        )
    out.print(dist)
    units = Table("ISSI", "unit", "role", "status", *report.columns, title="Units")
    for u in report.units:
        units.add_row(
            str(u.issi), _e(u.alias), u.role, _e(u.status), *(fmt_time(t) for t in u.times)
        )
    out.print(units)
    if report.missed:
        missed = Table("ISSI", "unit", "rung", "target", "reached", "reason", title="Missed")
        for m in report.missed:
            missed.add_row(
                str(m.issi),
                _e(m.alias),
                m.rung,
                f"{m.target_s:g}",
                fmt_time(m.reached_s),
                _e(m.reason),
            )
        out.print(missed)
    if report.escalations:
        esc = Table("at", "ISSI", "unit", "target", "step", "detail", title="Escalations")
        for e in report.escalations:
            esc.add_row(f"{e.at_s:.1f}", str(e.issi), _e(e.alias), e.target, e.step, _e(e.detail))
        out.print(esc)
    return buffer.getvalue()

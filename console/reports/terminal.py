"""A report on the terminal with Rich (tables, coloured verdict).

Rich markup in unit names or radio text is escaped: a unit called ``[red]`` shows as
that text, never as a style.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from console.i18n import say, t
from console.reports.model import Report
from console.reports.render import (
    code,
    escalation_cells,
    fmt_time,
    head_lines,
    inert,
    miss_cells,
    unit_cells,
)


def _e(value: object) -> str:
    return escape(inert(value))


def render_terminal(
    report: Report, lang: str = "en", station: str = "", console: Console | None = None
) -> str:
    """Print to ``console`` (or render to a string, returned, for tests and pipes), in
    ``lang``, naming ``station``."""

    def label(key: str, **values: object) -> str:
        return t(key, lang, **values)

    def cols(*keys: str) -> list[str]:
        return [label(f"report.col.{k}") for k in keys]

    def table(title: str, *columns: str) -> Table:
        return Table(*map(_e, columns), title=_e(label(title)))

    buffer = io.StringIO()
    out = console or Console(file=buffer, width=120, color_system=None, force_terminal=False)
    style = {True: "bold green", False: "bold red", None: "bold yellow"}[report.passed]
    *who, when = head_lines(report, lang, station)
    out.print(f"[bold]{_e(say(report.title, lang))}[/]")
    for line in who[:-1]:
        out.print(_e(line))
    out.print(f"[{style}]{_e(who[-1])}[/]  {_e(when)}")
    for reason in (*report.reasons, *report.notes):
        out.print(f"  {_e(say(reason, lang))}")
    if report.criteria:
        crit = table("report.h.criteria", *cols("criterion", "achieved", "needed", "result"))
        for c in report.criteria:
            result = label("report.pass" if c.passed else "report.fail")
            crit.add_row(
                _e(say(c.text, lang)),
                f"{c.achieved}/{c.total}",
                str(c.needed),
                f"[green]{_e(result)}[/]" if c.passed else f"[red]{_e(result)}[/]",
            )
        out.print(crit)
    dist = table(
        "report.h.times_s",
        *cols("rung", "target", "in_time", "late", "never"),
        "p50", "p90", "p95", label("report.col.max"),
    )  # fmt: skip
    for st in report.deadlines:
        pct = dict(st.percentiles)
        dist.add_row(
            _e(code("report.rung", st.rung, lang)),
            f"{st.deadline_s:g}",
            str(st.in_time),
            str(st.late),
            str(st.never),
            *(fmt_time(pct.get(p)) for p in (50, 90, 95, 100)),
        )
    out.print(dist)
    rungs = (code("report.rung", c, lang) for c in report.columns)
    units = table("report.h.units", *cols("issi", "unit", "role", "status"), *rungs)
    for u in report.units:
        units.add_row(*map(_e, unit_cells(u, lang)))
    out.print(units)
    if report.missed:
        missed = table(
            "report.h.missed", *cols("issi", "unit", "rung", "target", "reached", "reason")
        )
        for m in report.missed:
            missed.add_row(*map(_e, miss_cells(m, lang)))
        out.print(missed)
    if report.escalations:
        esc = table(
            "report.h.escalations", *cols("at_short", "issi", "unit", "target", "step", "detail")
        )
        for e in report.escalations:
            esc.add_row(*map(_e, escalation_cells(e, lang)))
        out.print(esc)
    return buffer.getvalue()

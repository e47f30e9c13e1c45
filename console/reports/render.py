"""A report as JSON, CSV or Markdown text (plain formats a station can file or import).

Untrusted text (aliases, details that came from radios) is escaped for each format:
Markdown table cells lose pipes and line breaks, CSV cells that look like formulas are
made inert, control characters never reach a terminal or a spreadsheet as such.
"""

from __future__ import annotations

import csv
import io
import json
import time
import unicodedata
from dataclasses import asdict
from typing import Any

from console.reports.model import Report

FORMATS: tuple[str, ...] = ("terminal", "markdown", "csv", "json", "html")


def inert(value: object) -> str:
    """Control, format and line/paragraph separators as visible escapes (design §6).

    U+2028/U+2029 (categories Zl/Zp) would start a new line in Markdown and terminals, so a
    radio could split one report cell into two lines.
    """
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in _ESCAPED else c for c in str(value)
    )


_ESCAPED = frozenset({"Cc", "Cf", "Zl", "Zp"})


def fmt_time(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def fmt_wall(value: float | None) -> str:
    return "-" if value is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value))


def to_dict(report: Report) -> dict[str, Any]:
    data = asdict(report)
    data["units"] = [
        {**u, "times": dict(zip(report.columns, u["times"], strict=True))} for u in data["units"]
    ]
    data["targets"] = [
        {**t, "percentiles": {f"p{p}": v for p, v in t["percentiles"]}} for t in data["targets"]
    ]
    data["counts"] = dict(report.counts)
    return data


def render_json(report: Report) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2)


def csv_cell(value: object) -> str:
    """A spreadsheet cell that stays data: inert text, formulas quoted (``=``, ``+``...)."""
    text = inert(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def render_csv(report: Report) -> str:
    """One row per unit: identity, role, status, then one column per rung (seconds)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["report", "issi", "alias", "kind", "role", "backup_for", "status", "cause", "attempts"]
        + [f"{c}_s" for c in report.columns]
    )
    for u in report.units:
        writer.writerow(
            [
                csv_cell(report.id),
                u.issi,
                csv_cell(u.alias),
                u.kind,
                u.role,
                u.backup_for or "",
                csv_cell(u.status),
                u.cause,
                u.attempts,
            ]
            + ["" if t is None else f"{t:.3f}" for t in u.times]
        )
    return out.getvalue()


def _md(value: object) -> str:
    return inert(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    verdict = {True: "PASSED 通过", False: "FAILED 未通过", None: report.outcome}[report.passed]
    lines = [
        f"# {_md(report.title)}",
        "",
        f"- **{report.kind} {_md(report.id)}**: {_md(verdict)}",
        f"- started {fmt_wall(report.started_wall)}, ended {fmt_wall(report.ended_wall)}",
    ]
    if report.source:
        lines.append(f"- file: `{_md(report.source)}`")
    lines += [f"- {_md(r)}" for r in report.reasons]
    lines += [f"- {_md(n)}" for n in report.notes]
    if report.criteria:
        lines += [
            "",
            "## Criteria",
            "",
            "| criterion | achieved | needed | result |",
            "|---|---:|---:|---|",
        ]
        lines += [
            f"| {_md(c.text)} | {c.achieved}/{c.total} | {c.needed} | "
            f"{'pass' if c.passed else 'FAIL'} |"
            for c in report.criteria
        ]
    lines += [
        "",
        "## Response times",
        "",
        "| rung | target | in time | late | never | p50 | p90 | p95 | max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in report.targets:
        pct = dict(t.percentiles)
        lines.append(
            f"| {t.rung} | {t.target_s:g} s | {t.in_time} | {t.late} | {t.never} | "
            + " | ".join(fmt_time(pct.get(p)) for p in (50, 90, 95, 100))
            + " |"
        )
    for t in report.targets:
        lines += ["", f"Histogram — {t.rung} (target {t.target_s:g} s):", "", "```"]
        width = max((b.count for b in t.histogram), default=0) or 1
        lines += [
            f"{b.label:>14} {b.count:4d} {'#' * round(b.count * 30 / width)}" for b in t.histogram
        ]
        lines.append("```")
    lines += [
        "",
        "## Units",
        "",
        "| ISSI | unit | role | status | " + " | ".join(report.columns) + " |",
        "|---:|---|---|---|" + "---:|" * len(report.columns),
    ]
    for u in report.units:
        role = u.role + (f" for {u.backup_for}" if u.backup_for else "")
        lines.append(
            f"| {u.issi} | {_md(u.alias)} | {role} | {_md(u.status)} | "
            + " | ".join(fmt_time(t) for t in u.times)
            + " |"
        )
    lines += ["", "## Missed", ""]
    if report.missed:
        lines += [
            "| ISSI | unit | rung | target | reached | reason |",
            "|---:|---|---|---:|---:|---|",
        ]
        lines += [
            f"| {m.issi} | {_md(m.alias)} | {m.rung} | {m.target_s:g} | {fmt_time(m.reached_s)} | "
            f"{_md(m.reason)} |"
            for m in report.missed
        ]
    else:
        lines.append("None.")
    if report.kind == "drill":
        lines += ["", "## Escalations", ""]
        if report.escalations:
            lines += [
                "| at (s) | ISSI | unit | target | step | detail |",
                "|---:|---:|---|---|---|---|",
            ]
            lines += [
                f"| {e.at_s:.1f} | {e.issi} | {_md(e.alias)} | {e.target} | {e.step} | "
                f"{_md(e.detail)} |"
                for e in report.escalations
            ]
        else:
            lines.append("None.")
    return "\n".join(lines) + "\n"

"""A report as JSON, CSV or Markdown text (plain formats a station can file or import).

Untrusted text (aliases, details that came from radios) is escaped for each format:
Markdown table cells lose pipes and line breaks, CSV cells that look like formulas are
made inert, control characters never reach a terminal or a spreadsheet as such.
"""

from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import asdict
from typing import Any

from console.csvtext import csv_text
from console.i18n import Phrase, say, t
from console.reports.model import EscalationRow, Miss, Report, UnitRow

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
    data["deadlines"] = [
        {**t, "percentiles": {f"p{p}": v for p, v in t["percentiles"]}} for t in data["deadlines"]
    ]
    data["counts"] = dict(report.counts)
    return data


def render_json(report: Report, lang: str = "en", station: str = "") -> str:
    """Machine-readable: codes and English text whatever ``lang`` (kept for symmetry)."""
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


def render_csv(report: Report, lang: str = "en", station: str = "", *, bom: bool = True) -> str:
    """One row per unit: identity, role, status, then one column per rung (seconds);
    machine-readable column names and codes whatever ``lang``; with the BOM Excel needs
    unless ``bom=False`` (``console.csvtext``)."""
    header: list[object] = [
        "report", "issi", "alias", "kind", "role", "backup_for", "status", "cause", "attempts",
    ]  # fmt: skip
    rows: list[list[object]] = [header + [f"{c}_s" for c in report.columns]]
    for u in report.units:
        rows.append(
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
    return csv_text(rows, bom=bom)


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(_md(c) for c in cells) + " |"


def _md(value: object) -> str:
    return inert(value).replace("|", "\\|").replace("\n", " ")


def code(group: str, value: str, lang: str) -> str:
    """A code (a rung, a role, a step ...) as ``lang`` names it (the code if unnamed)."""
    return say(Phrase.code(group, value), lang)


def verdict(report: Report, lang: str) -> str:
    if report.passed is None:
        return code("report.outcome", report.outcome, lang)
    return t("report.verdict.passed" if report.passed else "report.verdict.failed", lang)


def role_of(row: UnitRow, lang: str) -> str:
    if row.backup_for:
        return t("report.role.backup_for", lang, issi=row.backup_for)
    return code("report.role", row.role, lang)


def unit_cells(u: UnitRow, lang: str) -> list[str]:
    """A unit's row in ``lang`` (plain text; each format escapes it its own way)."""
    return [str(u.issi), u.alias, role_of(u, lang), say(u.status, lang)] + [
        fmt_time(x) for x in u.times
    ]


def miss_cells(m: Miss, lang: str) -> list[str]:
    rung = code("report.rung", m.rung, lang)
    return [
        str(m.issi),
        m.alias,
        rung,
        f"{m.deadline_s:g}",
        fmt_time(m.reached_s),
        say(m.reason, lang),
    ]


def escalation_cells(e: EscalationRow, lang: str) -> list[str]:
    target, step = code("report.target", e.deadline, lang), code("report.step", e.step, lang)
    return [f"{e.at_s:.1f}", str(e.issi), e.alias, target, step, say(e.detail, lang)]


def head_lines(report: Report, lang: str, station: str) -> list[str]:
    """The report's identity and verdict lines, in ``lang`` (not yet escaped)."""
    lines = [t("report.station", lang, name=station)] if station else []
    kind = t(f"report.kind.{report.kind}", lang)
    lines.append(t("report.head", lang, kind=kind, id=report.id, verdict=verdict(report, lang)))
    start, end = fmt_wall(report.started_wall), fmt_wall(report.ended_wall)
    lines.append(t("report.started", lang, start=start, end=end))
    return lines


def render_markdown(report: Report, lang: str = "en", station: str = "") -> str:
    """Markdown in ``lang`` (headings, labels, verdict, statuses); ``station`` named."""

    def label(key: str, **values: object) -> str:
        return t(key, lang, **values)

    def cols(*keys: str) -> str:
        return " | ".join(label(f"report.col.{k}") for k in keys)

    rungs = [code("report.rung", c, lang) for c in report.columns]
    lines = [f"# {_md(say(report.title, lang))}", ""]
    *who, when = head_lines(report, lang, station)
    lines += [f"- **{_md(line)}**" for line in who]
    lines.append(f"- {_md(when)}")
    if report.source:
        lines.append(f"- {label('report.file', file=f'`{_md(report.source)}`')}")
    lines += [f"- {_md(say(r, lang))}" for r in (*report.reasons, *report.notes)]
    if report.criteria:
        lines += [
            "",
            f"## {label('report.h.criteria')}",
            "",
            f"| {cols('criterion', 'achieved', 'needed', 'result')} |",
            "|---|---:|---:|---|",
        ]
        lines += [
            f"| {_md(say(c.text, lang))} | {c.achieved}/{c.total} | {c.needed} | "
            f"{label('report.pass' if c.passed else 'report.fail')} |"
            for c in report.criteria
        ]
    lines += [
        "",
        f"## {label('report.h.times')}",
        "",
        f"| {cols('rung', 'target', 'in_time', 'late', 'never')} | p50 | p90 | p95 | "
        f"{label('report.col.max')} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for st in report.deadlines:
        pct = dict(st.percentiles)
        lines.append(
            f"| {code('report.rung', st.rung, lang)} | "
            f"{label('report.seconds', s=st.deadline_s)} | "
            f"{st.in_time} | {st.late} | {st.never} | "
            + " | ".join(fmt_time(pct.get(p)) for p in (50, 90, 95, 100))
            + " |"
        )
    for st in report.deadlines:
        rung = code("report.rung", st.rung, lang)
        lines += ["", label("report.h.histogram_md", rung=rung, target=st.deadline_s), "", "```"]
        width = max((b.count for b in st.histogram), default=0) or 1
        lines += [
            f"{say(b.label, lang):>14} {b.count:4d} {'#' * round(b.count * 30 / width)}"
            for b in st.histogram
        ]
        lines.append("```")
    lines += [
        "",
        f"## {label('report.h.units')}",
        "",
        f"| {cols('issi', 'unit', 'role', 'status')} | " + " | ".join(rungs) + " |",
        "|---:|---|---|---|" + "---:|" * len(report.columns),
    ]
    lines += [_md_row(unit_cells(u, lang)) for u in report.units]
    lines += ["", f"## {label('report.h.missed')}", ""]
    if report.missed:
        lines += [
            f"| {cols('issi', 'unit', 'rung', 'target', 'reached', 'reason')} |",
            "|---:|---|---|---:|---:|---|",
        ]
        lines += [_md_row(miss_cells(m, lang)) for m in report.missed]
    else:
        lines.append(label("report.none"))
    if report.kind == "drill":
        lines += ["", f"## {label('report.h.escalations')}", ""]
        if report.escalations:
            lines += [
                f"| {cols('at', 'issi', 'unit', 'target', 'step', 'detail')} |",
                "|---:|---:|---|---|---|---|",
            ]
            lines += [_md_row(escalation_cells(e, lang)) for e in report.escalations]
        else:
            lines.append(label("report.none"))
    return "\n".join(lines) + "\n"

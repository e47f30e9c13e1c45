"""Print a doctor report: one line per check with ✓/✗, or ASCII when the terminal can't.

Why the ASCII fallback: the bench PC is often a plain Windows console or a serial
terminal with a legacy code page, where "✓" prints as "?" or raises; the technician
must still tell good from bad at a glance.
"""

from __future__ import annotations

import json
import unicodedata
from typing import TextIO

from console.doctor.model import Report, Status

UNICODE_MARKS = {
    Status.OK: "✓",
    Status.FAIL: "✗",
    Status.WARN: "!",
    Status.INFO: "·",
    Status.SKIP: "-",
}
ASCII_MARKS = {
    Status.OK: "[ok]  ",
    Status.FAIL: "[FAIL]",
    Status.WARN: "[warn]",
    Status.INFO: "[info]",
    Status.SKIP: "[skip]",
}


def can_encode(stream: TextIO, text: str = "✓✗·") -> bool:
    """Whether ``stream``'s encoding can show ``text`` (no encoding: assume not)."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return False
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _clean(text: str) -> str:
    """Device names and radio answers are untrusted: show control characters as escapes."""
    return "".join(
        f"\\x{ord(c):02x}" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text
    )


def render_lines(report: Report, *, unicode: bool) -> list[str]:
    """The human report: ``<mark> <area>: <message>`` and an indented ``→ what to do``."""
    marks = UNICODE_MARKS if unicode else ASCII_MARKS
    arrow = "→" if unicode else "->"
    lines: list[str] = []
    for f in report.findings:
        lines.append(f"{marks[f.status]} {f.area}: {_clean(f.message)}")
        if f.hint and f.status in (Status.FAIL, Status.WARN):
            lines.append(f"    {arrow} {_clean(f.hint)}")
    problems = len(report.problems)
    if problems:
        lines.append(f"{problems} problem{'s' if problems != 1 else ''} found.")
    else:
        lines.append("All checks passed.")
    return lines


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)

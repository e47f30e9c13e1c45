"""Command-line parsing for the simulated MT (V.25ter syntax, case-insensitive names).

``AT`` followed by basic commands (``E0``, ``V1``, ``Q0``, ``Z``, ``I``, ``H``, ``A``,
``D<dial string>``) and/or extended commands (``+NAME``, ``+NAME=args``, ``+NAME?``,
``+NAME=?``) separated by ``;``.  Arguments keep their case; optional spaces after ``=``
are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXT = re.compile(r"([+&^$%][A-Za-z][A-Za-z0-9]*)\s*(=\s*\?|\?|=)?")


class AtSyntaxError(ValueError):
    """The line is not an AT command line (``+CME ERROR: 35``)."""


@dataclass(frozen=True)
class AtCommand:
    name: str  # "" for bare AT, "E", "D", "+CMGS", ...
    op: str  # "" action, "=" set, "?" read, "=?" test
    args: str

    def fields(self) -> list[str]:
        """Comma-separated arguments, stripped, quotes removed."""
        if not self.args.strip():
            return []
        return [a.strip().strip('"').strip() for a in _split_args(self.args)]


def _split_args(args: str) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in args:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def parse_line(line: str) -> list[AtCommand]:
    s = line.strip()
    if s[:2].upper() != "AT":
        raise AtSyntaxError(line)
    rest = s[2:]
    cmds: list[AtCommand] = []
    if not rest.strip():
        return [AtCommand("", "", "")]
    while rest:
        c = rest[0]
        if c in " ;":
            rest = rest[1:]
            continue
        m = _EXT.match(rest)
        if m:
            name = m.group(1).upper()
            op = (m.group(2) or "").replace(" ", "")
            rest = rest[m.end() :]
            end = _arg_end(rest)
            args = rest[:end].strip() if op == "=" else ""
            if op != "=" and rest[:end].strip():
                raise AtSyntaxError(line)
            cmds.append(AtCommand(name, op, args))
            rest = rest[end:]
            continue
        letter = c.upper()
        if letter == "D":
            cmds.append(AtCommand("D", "", rest[1:].strip()))
            break
        if not letter.isalpha():
            raise AtSyntaxError(line)
        m2 = re.match(r"[A-Za-z](\d*)", rest)
        assert m2 is not None
        cmds.append(AtCommand(letter, "", m2.group(1)))
        rest = rest[m2.end() :]
    return cmds


def _arg_end(rest: str) -> int:
    quoted = False
    for i, ch in enumerate(rest):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return i
    return len(rest)

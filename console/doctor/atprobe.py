"""A small synchronous AT exchange for diagnostics, below the production link.

Why not :class:`~drivers.link.PeiLink`: the link hides exactly what the doctor must see.
It turns echo off, retries junk away, reconnects with back-off and parses answers into
events.  The doctor needs the raw truth of one exchange: did *anything* come back at this
baud, was the command echoed, was the result verbose (``OK``) or numeric (``0``).  Every
wait is bounded by a deadline on real time (real I/O; nothing here sleeps blindly).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.link.port import Port
from drivers.pei.framer import LineFramer

_CME = re.compile(r"^\+CM[ES] ERROR\s*:?\s*(.*)$", re.IGNORECASE)
_NUMERIC_FINALS = {"0": "OK", "4": "ERROR"}
FORBIDDEN = frozenset({"ATZ", "AT&F"})  # reset/reboot: never from a diagnostic tool


@dataclass(frozen=True)
class Exchange:
    """What one command brought back within its deadline."""

    command: str
    raw: bytes
    lines: tuple[str, ...]
    final: str | None  # "OK", "ERROR", "+CME ERROR: n", or None on time-out
    echoed: bool
    numeric: bool  # the final came as "0"/"4" (ATV0 mode)

    @property
    def answered(self) -> bool:
        return self.final is not None

    @property
    def ok(self) -> bool:
        return self.final == "OK"

    def info(self, prefix: str) -> list[str]:
        """Fields of the first ``<prefix>: a,b`` line (quotes stripped), or []."""
        for line in self.lines:
            if line.upper().startswith(prefix.upper() + ":"):
                return [f.strip().strip('"') for f in line.split(":", 1)[1].split(",")]
        return []

    @property
    def text(self) -> list[str]:
        """Information lines that are not the echo (for ``ATI`` style answers)."""
        return [ln for ln in self.lines if not _same(ln, self.command)]


def _same(line: str, command: str) -> bool:
    return line.upper().replace(" ", "") == command.upper().replace(" ", "")


class AtProbe:
    """Writes one command at a time and reads until its final result or the deadline."""

    def __init__(
        self,
        port: Port,
        *,
        line_ending: bytes = b"\r",
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.port = port
        self.line_ending = line_ending
        self._now = now
        self.transcript: list[tuple[str, bytes]] = []

    def drain(self, period: float = 0.1) -> bytes:
        """Read whatever arrives within ``period`` (start-up junk, late answers)."""
        got = bytearray()
        end = self._now() + period
        while self._now() < end:
            chunk = self.port.read(max(1, self.port.in_waiting))
            if chunk:
                got += chunk
        if got:
            self.transcript.append(("rx", bytes(got)))
        return bytes(got)

    def exchange(self, command: str, timeout: float) -> Exchange:
        """Send ``command`` and collect its answer (never ATZ: it can reboot a Sepura)."""
        if command.strip().upper() in FORBIDDEN:
            raise ValueError(f"{command} is never sent by the doctor")
        data = command.encode("ascii") + self.line_ending
        self.port.write(data)
        self.transcript.append(("tx", data))
        framer = LineFramer()
        raw = bytearray()
        lines: list[str] = []
        final: str | None = None
        numeric = False
        end = self._now() + timeout
        while final is None and self._now() < end:
            chunk = self.port.read(max(1, self.port.in_waiting))
            if not chunk:
                continue
            raw += chunk
            for item in framer.feed(chunk):
                if not isinstance(item, str):
                    continue
                if item.upper() in ("OK", "ERROR") or _CME.match(item):
                    final = item.upper() if item.upper() in ("OK", "ERROR") else item
                    break
                if item in _NUMERIC_FINALS:
                    final, numeric = _NUMERIC_FINALS[item], True
                    break
                lines.append(item)
        if raw:
            self.transcript.append(("rx", bytes(raw)))
        echoed = any(_same(ln, command) for ln in lines)
        return Exchange(command, bytes(raw), tuple(lines), final, echoed, numeric)

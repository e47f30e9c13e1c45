"""The serial line's critical path for a run of PEI commands, and run statistics (issue 13).

Why a critical path and not "every byte both ways": the PEI line is full duplex and the
console sends one command at a time, each waiting for its final result.  What cannot
overlap is, per command, its own bytes to the MT and then its own answer back (for
``AT+CMGS``: ``+CMGS: n`` and ``OK``).  Everything else the MT sends in the window --
``+CMGS: n,4,mr`` reports, SDS-TL delivery and read reports, statuses -- travels on the
MT -> TE wire while the next command is on the TE -> MT wire, so adding those bytes to
the denominator (as the first benchmarks did) rewards a run for traffic it did not wait
for: 500 SDS scored "0.85x" of that sum and are ~1.17x of the critical path.  The
unsolicited bytes can still *delay* an answer (an ``OK`` queued behind a delivery
report), which is exactly what an elapsed / critical-path ratio above 1 shows.

An 8N1 UART spends 10 bit times on a byte (start, 8 data, stop).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BITS_PER_BYTE = 10

# A solicited answer line in verbose framing: final results and the one-field "+CMGS: n"
# (the later report "+CMGS: n,4,mr" has three fields and is unsolicited).
_ANSWER = re.compile(rb"\r\n(OK|ERROR|\+CME ERROR: [^\r\n]*|\+CMGS: \d+)\r\n")
_FINAL = (b"OK", b"ERROR", b"+CME ERROR")


@dataclass(frozen=True)
class CriticalPath:
    """What one window of commands must put through the line, one after another."""

    command_bytes: int
    """Every byte the console wrote (it writes only commands and their data)."""
    answer_bytes: int
    """The bytes of the answers to them: ``+CMGS: n`` lines and final results, framed."""
    finals: int
    """Final results seen (``OK`` / ``ERROR``): one per command, a check on the window."""
    other_bytes: int
    """The MT's bytes that are not answers (reports that overlap the next command)."""

    def seconds(self, baud: int) -> float:
        """Line time of the critical path at ``baud``."""
        return (self.command_bytes + self.answer_bytes) * BITS_PER_BYTE / baud

    def both_ways_seconds(self, baud: int) -> float:
        """Every byte of the window, both directions added up: the first benchmarks'
        denominator, kept only to show how flattering it was."""
        total = self.command_bytes + self.answer_bytes + self.other_bytes
        return total * BITS_PER_BYTE / baud


def critical_path(tx: bytes, rx: bytes) -> CriticalPath:
    """The critical path of a window in which the console wrote ``tx`` and read ``rx``.

    ``rx`` must start on a line boundary (a window opened after the previous command's
    final result); answers are recognised by their verbose ``\\r\\n...\\r\\n`` framing.
    """
    answers = [m.group(0) for m in _ANSWER.finditer(rx)]
    answer_bytes = sum(len(a) for a in answers)
    finals = sum(1 for a in answers if a[2:].startswith(_FINAL))
    return CriticalPath(len(tx), answer_bytes, finals, len(rx) - answer_bytes)


def joined(records: Iterable[tuple[str, bytes]]) -> tuple[bytes, bytes]:
    """(tx, rx) streams of ``(direction, data)`` wire-trace records, in order."""
    tx, rx = bytearray(), bytearray()
    for direction, data in records:
        (tx if direction == "tx" else rx).extend(data)
    return bytes(tx), bytes(rx)


@dataclass(frozen=True)
class Spread:
    """Median with min and max over runs: the figure to quote, never the best run."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no runs to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))

    def fmt(self, spec: str = ".3f", scale: float = 1.0) -> str:
        """``median (min-max)``, each scaled and formatted with ``spec``."""
        m, lo, hi = (format(v * scale, spec) for v in (self.median, self.low, self.high))
        return f"{m} ({lo}-{hi})"

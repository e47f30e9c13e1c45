"""A wire trace: every byte both ways, timestamped, that can be saved and replayed.

The trace is what a technician sends back from the bench: record it on real hardware
(``--trace FILE``, or pyserial's own ``spy://`` wrapper), then replay its received bytes
through :class:`~drivers.pei.protocol.PeiProtocol` in a test to pin the parser to what the
real gateway says.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from drivers.clock import Clock
from drivers.errors import DriverError

Direction = Literal["tx", "rx"]


@dataclass(frozen=True)
class TraceRecord:
    t: float
    direction: Direction
    data: bytes


class WireTrace:
    """Collects :class:`TraceRecord` s in memory (bounded) and writes them as JSON lines."""

    def __init__(self, clock: Clock, *, limit: int = 200_000) -> None:
        self._clock = clock
        self._limit = limit
        self.records: list[TraceRecord] = []
        self.dropped = 0

    def add(self, direction: Direction, data: bytes) -> None:
        if len(self.records) >= self._limit:
            self.dropped += 1
            return
        self.records.append(TraceRecord(self._clock.monotonic(), direction, bytes(data)))

    def save(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            for rec in self.records:
                fh.write(
                    json.dumps({"t": round(rec.t, 6), "dir": rec.direction, "hex": rec.data.hex()})
                    + "\n"
                )


def load_trace(path: str | Path) -> list[TraceRecord]:
    """Read a trace written by :meth:`WireTrace.save`; a bad line names the file and line."""
    out: list[TraceRecord] = []
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
                direction = obj["dir"]
                if direction not in ("tx", "rx"):
                    raise ValueError(f"direction {direction!r}")
                out.append(TraceRecord(float(obj["t"]), direction, bytes.fromhex(obj["hex"])))
            except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
                raise DriverError(
                    f"{path}:{n}: not a wire-trace record ({exc})",
                    hint="Use a file written by 'dutydesk ... --trace FILE'.",
                ) from None
    return out


def received_chunks(records: Iterable[TraceRecord]) -> Iterator[bytes]:
    """The bytes the gateway sent, in the chunks they arrived in."""
    for rec in records:
        if rec.direction == "rx":
            yield rec.data

"""Live progress of a headless drill: Rich bars on a terminal, plain lines otherwise.

Written to stderr so that ``--json`` keeps stdout a single JSON document.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from console.drills.runner import DrillProgress

LABELS = {
    "delivered": "送达 delivered",
    "acknowledged": "收到 acknowledged",
    "en_route": "出发 en route",
    "on_scene": "到场 on scene",
}


class ProgressDisplay:
    """Feed it :class:`DrillProgress` updates; call :meth:`close` at the end."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self._last: tuple[tuple[str, int], ...] | None = None
        self._printed = -1.0
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def update(self, p: DrillProgress) -> None:
        if self.live:
            self._rich(p)
            return
        if not p.finished and (p.reached == self._last or p.elapsed_s - self._printed < 1.0):
            return
        self._last, self._printed = p.reached, p.elapsed_s
        counts = " ".join(f"{rung}={n}/{p.participants}" for rung, n in p.reached)
        tail = " finished" if p.finished else ""
        print(
            f"[{p.elapsed_s:7.1f} s] {p.drill_id} {counts} unreachable={p.unreachable} "
            f"escalations={p.escalations}{tail}",
            file=self.stream,
            flush=True,
        )

    def _rich(self, p: DrillProgress) -> None:
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[note]}"),
                console=Console(file=self.stream),
                transient=False,
            )
            self._progress.start()
            for rung, _ in p.reached:
                self._tasks[rung] = self._progress.add_task(
                    LABELS.get(rung, rung), total=p.participants, note=""
                )
        for rung, n in p.reached:
            note = f"{p.elapsed_s:.0f}/{p.horizon_s:.0f} s" if rung == "delivered" else ""
            self._progress.update(self._tasks[rung], completed=n, note=note)
        if p.finished:
            self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

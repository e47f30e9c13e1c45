"""Drills from the console: checked against the station, one at a time, reported in the feed.

The drill itself (steps, criteria, verdict) is :class:`~console.drills.DrillRun` on the
paging engine; this checks a drill file (a scripted one only against the simulated
network), gives the simulated radios the drill's behaviours and puts the old ones back
afterwards, keeps the newest run and why it failed, and reads past drills back from the
event log.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from typing import Any

from console.drills import Drill, DrillProgress, DrillRun, load_drill
from console.drills.model import Announcement
from console.errors import ConfigError, ConsoleError
from console.i18n import Phrase
from console.paging.engine import PagingEngine
from console.reports import Report, drill_history, drill_ids, drill_report
from console.reports.history import DrillHistoryRow
from console.runtime.shared import Shared, cancel_and_wait
from console.runtime.simulator import Endpoint
from console.runtime.view import ServiceEvent

Announcer = Callable[[Announcement], Awaitable[str]]


class Drills:
    """The console's drills: the running (or newest) one and the logged ones."""

    def __init__(
        self, shared: Shared, paging: PagingEngine, endpoint: Endpoint, announcer: Announcer
    ) -> None:
        """``endpoint``: whether the network is simulated (and how to script it);
        ``announcer``: plays a drill's ``[announcement]`` on the loudspeakers."""
        self.shared = shared
        self.paging = paging
        self.endpoint = endpoint
        self.announcer = announcer
        self.current: DrillRun | None = None
        """The newest drill started here (running or finished)."""
        self.error: str | None = None
        """Why the newest drill could not finish (other than its verdict), for the UI."""
        self._task: asyncio.Task[Report] | None = None

    def load(self, path: str | os.PathLike[str]) -> Drill:
        """Check a drill file against the station (``ConfigError`` with file:line: field);
        a scripted drill is refused unless the gateway is the simulated network."""
        drill = load_drill(path, self.shared.station)
        if drill.scripted and not self.endpoint.simulated:
            raise ConfigError(
                Phrase("drill.scripted_real"),
                path=str(path),
                line=drill.simulation.line if drill.simulation else None,
                field="simulation",
                hint=Phrase("drill.hint.scripted_real"),
            )
        return drill

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self, drill: Drill | str | os.PathLike[str]) -> DrillRun:
        """Check (if a path), script the simulator (if the drill says so) and run a drill.

        Returns the running :class:`DrillRun` (``subscribe`` for progress; its ``report``
        once finished).  One at a time.
        """
        if self.running:
            assert self.current is not None
            raise ConsoleError(Phrase("drill.still_running", id=self.current.drill_id))
        if not isinstance(drill, Drill):
            drill = self.load(drill)
        restore: dict[int, Any] = {}
        if drill.simulation is not None and drill.simulation.units:
            restore = await self._script(drill)
        shared = self.shared
        shared.flush_log()
        run = DrillRun(
            self.paging,
            drill,
            drill_id=shared.ids.new_id("D", taken=set(drill_ids(shared.log))),
            announcer=self.announcer,
            simulated=self.endpoint.simulated,
            backups={u.issi: u.alias for u in shared.station.units},
            injector=self.endpoint.injecting(),
        )
        run.subscribe(self._on_progress)
        self.current = run
        self.error = None
        self._task = asyncio.ensure_future(self._run(run, restore))
        self._task.add_done_callback(shared.task_done)
        shared.feed.push(ServiceEvent("drill", run.progress(), run.drill_id))
        return run

    async def _script(self, drill: Drill) -> dict[int, Any]:
        from console.drills.simulated import scripted_behaviours

        script = self.endpoint.scripting()
        if script is None:
            raise ConsoleError(
                Phrase("drill.cannot_script", name=drill.name),
                hint=Phrase("drill.hint.cannot_script"),
            )
        previous: dict[int, Any] = await script(scripted_behaviours(drill.simulation))
        return previous

    async def _run(self, run: DrillRun, restore: dict[int, Any]) -> Report:
        try:
            return await run.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.shared.after_append()
            if restore:
                script = self.endpoint.scripting()
                if script is not None:
                    with contextlib.suppress(Exception):
                        await script(restore)

    def stop(self) -> None:
        """Interrupt the running drill (logged as interrupted; its report still exists)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def history(self) -> list[DrillHistoryRow]:
        """Past drills with their verdicts, oldest first."""
        self.shared.flush_log()
        return drill_history(self.shared.log)

    def report(self, drill_id: str | None = None) -> Report:
        """A drill's report from the log (default: the newest; raises ``DrillNotFound``)."""
        self.shared.flush_log()
        return drill_report(self.shared.log, drill_id)

    def _on_progress(self, progress: DrillProgress) -> None:
        self.shared.push(ServiceEvent("drill", progress, progress.drill_id))

    async def close(self) -> None:
        """A drill still running when the console closes is logged as interrupted."""
        await cancel_and_wait(self._task)

"""Run a drill: page its units, let the engine follow the ladders and escalations, stop
when every target has passed, and log the verdict.

The verdict and every number in the report are computed afterwards from the event log
(``console.reports.drill``), never from this object's memory, so a drill cut short by
Ctrl-C, a kill or a crash can still be reported from its log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from console.drills.model import RUNG_DEADLINES, Announcement, Drill, SimEvent
from console.eventlog import EventLogError
from console.ids import stamp
from console.paging.engine import PagingEngine
from console.paging.model import PageChanged, PageRequest, PageView, PagingUpdate, Rung
from console.reports.drill import drill_report
from console.reports.model import Report

Announcer = Callable[[Announcement], Awaitable[str]]
"""Plays an announcement on the loudspeakers; returns a one-line outcome for the log."""

GRACE_S = 1.0
"""After the last deadline: time for its escalations to be committed to the log."""


@dataclass(frozen=True)
class DrillProgress:
    """What a progress display shows: per rung, how many participants reached it."""

    drill_id: str
    name: str
    elapsed_s: float
    horizon_s: float
    participants: int
    reached: tuple[tuple[str, int], ...]
    unreachable: int
    escalations: int
    finished: bool = False


Listener = Callable[[DrillProgress], None]


class DrillRun:
    """One run of a drill on a paging engine (``await DrillRun(engine, drill).run()``)."""

    def __init__(
        self,
        engine: PagingEngine,
        drill: Drill,
        *,
        drill_id: str | None = None,
        announcer: Announcer | None = None,
        simulated: bool = False,
        backups: dict[int, str] | None = None,
        injector: Callable[[str], Awaitable[str]] | None = None,
    ) -> None:
        self.engine = engine
        self.injector = injector
        """Carries out a ``[[simulation.events]]`` command on the simulated network."""
        self._events: list[Any] = []
        self.drill = drill
        self.log = engine.log
        self.clock = engine.clock
        self.drill_id = drill_id or f"D{stamp(self.clock)}"
        self.announcer = announcer
        self.simulated = simulated
        self.backups = backups or {}
        self.page_id: str | None = None
        self.started_mono = 0.0
        self.report: Report | None = None
        self._listeners: list[Listener] = []
        self._changed = asyncio.Event()
        self._unsubscribe: Callable[[], None] | None = None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def progress(self, *, finished: bool = False) -> DrillProgress:
        """The drill so far, from the engine's committed view."""
        view = self._view()
        rungs = ("delivered", "acknowledged", "en_route", "on_scene")
        mine = {r.issi for r in self.drill.participants}
        responders = [r for r in view.responders if r.issi in mine] if view else []
        reached = tuple(
            (rung, sum(1 for r in responders if _reached(r.rungs, rung))) for rung in rungs
        )
        unreachable = sum(
            1
            for r in responders
            if any(f.cause is not None and f.cause.value != "no_answer" for f in r.failures)
            and not r.acknowledged
        )
        return DrillProgress(
            drill_id=self.drill_id,
            name=self.drill.name,
            elapsed_s=self.clock.monotonic() - self.started_mono,
            horizon_s=max(
                (self.drill.deadline_of(r) or 0.0) for r in ("acknowledged", "en_route", "on_scene")
            ),
            participants=len(self.drill.participants),
            reached=reached,
            unreachable=unreachable,
            escalations=len(view.escalations) if view else 0,
            finished=finished,
        )

    async def run(self) -> Report:
        """Run to the end and return the report (computed from the log).  Cancelling it
        logs the drill as interrupted, closes its page, and re-raises."""
        self.start()
        try:
            if self.drill.announcement is not None:
                await self._announce(self.drill.announcement)
            await self._wait_end()
        except asyncio.CancelledError:
            self._finish("interrupted")
            raise
        return self._finish("complete")

    def start(self) -> str:
        self.started_mono = self.clock.monotonic()
        d = self.drill
        self._unsubscribe = self.engine.subscribe(self._on_update)
        self.log.append(
            "drill.started",
            data={
                "drill": self.drill_id,
                "name": d.name,
                "file": d.source,
                "participants": [
                    {"issi": r.issi, "alias": r.alias, "kind": r.kind, "backup": r.backup}
                    for r in d.participants
                ],
                "backups": {str(k): v for k, v in self.backups.items()},
                "deadlines": {r: d.deadline_of(r) for r in RUNG_DEADLINES},
                "criteria": [
                    {"rung": c.rung, "within_s": c.within_s, "at_least": c.at_least}
                    for c in d.criteria
                ],
                "simulated": self.simulated,
                "scripted": [
                    {"units": list(s.issis), "behaviour": s.behaviour}
                    for s in (d.simulation.units if d.simulation else ())
                ],
            },
            operator=self.engine.operator or None,
        )
        self.page_id = self.engine.page(
            PageRequest(
                recipients=d.participants,
                talkgroups=d.talkgroups,
                text=d.text,
                voice=d.voice,
                deadlines=d.deadlines,
                priority=d.priority,
                title=f"演练 {d.name}",
                no_incident=True,  # an exercise must not open a real incident
            )
        )
        self._step("page", "sent", page=self.page_id)
        for event in d.simulation.events if d.simulation else ():
            self._events.append(self.clock.call_later(event.at_s, partial(self._due, event)))
        return self.drill_id

    def _due(self, event: SimEvent) -> None:
        self._events.append(asyncio.ensure_future(self._inject(event)))

    async def _inject(self, event: SimEvent) -> None:
        """A scripted event at its time; logged as a step whether or not it worked."""
        if self.injector is None:
            self._step("event", "not available", detail=event.command)
            return
        try:
            done = await self.injector(event.command)
        except Exception as exc:  # a refused event must not stop the drill
            self._step("event", "failed", detail=f"{event.command}: {exc}")
        else:
            self._step("event", "done", detail=f"{event.command}: {done}")

    async def _announce(self, announcement: Announcement) -> None:
        if self.announcer is None:
            self._step("announcement", "not available", detail="no loudspeaker engine")
            return
        try:
            outcome = await self.announcer(announcement)
        except Exception as exc:  # a broken speaker must not stop the drill
            self._step("announcement", "failed", detail=f"{type(exc).__name__}: {exc}")
        else:
            self._step("announcement", outcome, detail=",".join(announcement.zones))

    def _step(self, step: str, outcome: str, *, detail: str = "", page: str | None = None) -> None:
        self.log.append(
            "drill.step",
            data={"drill": self.drill_id, "step": step, "outcome": outcome, "detail": detail},
            page=page,
        )

    def _view(self) -> PageView | None:
        return self.engine.view(self.page_id) if self.page_id is not None else None

    def _horizon(self) -> float | None:
        """When the last responder's last target passes (None: all have reached it)."""
        view = self._view()
        last = self.drill.deadline_rungs[-1] if self.drill.deadline_rungs else None
        if view is None or last is None:
            return None
        deadline = self.drill.deadline_of(last) or 0.0
        ends = [
            (r.rungs[0].mono if r.rungs else view.created_mono) + deadline
            for r in view.responders
            if not _reached(r.rungs, last) and not r.has(Rung.RELEASED)
        ]
        return max(ends) + GRACE_S if ends else None

    async def _wait_end(self) -> None:
        while True:
            end = self._horizon()
            now = self.clock.monotonic()
            if end is None or now >= end:
                return
            self._changed.clear()
            waiter = asyncio.ensure_future(self._changed.wait())
            sleeper = asyncio.ensure_future(self.clock.sleep(end - now))
            try:
                await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
                sleeper.cancel()

    def _on_update(self, update: PagingUpdate) -> None:
        if isinstance(update, PageChanged) and update.view.page_id == self.page_id:
            self._changed.set()
            progress = self.progress()
            for listener in list(self._listeners):
                listener(progress)

    def _finish(self, how: str) -> Report:
        if self.report is not None:
            return self.report
        if self._unsubscribe is not None:
            self._unsubscribe()
        for pending in self._events:  # events after the end do not happen
            pending.cancel()
        if self.page_id is not None:
            self.engine.close_page(self.page_id, self.engine.operator)
        self._flush()
        verdict = drill_report(self.log, self.drill_id, closing=True)
        outcome = "interrupted" if how == "interrupted" else verdict.outcome
        self.log.append(
            "drill.finished",
            data={"drill": self.drill_id, "outcome": outcome, "reasons": list(verdict.reasons)},
        )
        self._flush()
        self.report = drill_report(self.log, self.drill_id)
        final = self.progress(finished=True)
        for listener in list(self._listeners):
            listener(final)
        return self.report

    def _flush(self) -> None:
        with contextlib.suppress(EventLogError):
            self.log.flush()


def _reached(rungs: Any, rung: str) -> bool:
    level = Rung(rung).level
    return any(r.rung.level >= level for r in rungs)

"""Run a roll call on the paging engine: call, wait for answers, close, log the outcome.

Why on top of the engine and not beside it: the engine already sends, retries, matches
every kind of answer (status, text, key-up) to the right unit and logs each rung; a roll
call is a page whose only target is "acknowledged by the deadline", with escalation off
(the officer re-calls the absent with :meth:`RollCall.recall_spec` instead).

Live state comes only from the engine's *committed* views; the final result is read back
from the event log (``console.rollcall.analysis``), so what the screen shows at the end
and what the report files are the same numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable

from console.deadlines import Deadlines, Escalation
from console.eventlog import EventLogError
from console.ids import stamp
from console.paging.engine import PagingEngine
from console.paging.model import (
    PageChanged,
    PageRequest,
    PagingUpdate,
    Recipient,
)
from console.rollcall import analysis
from console.rollcall.classify import Step, Verdict, classify, settled
from console.rollcall.model import (
    MemberResult,
    RollCallMode,
    RollCallResult,
    RollCallSpec,
    RollCallUpdate,
    Talker,
)
from console.rollcall.spec import DEFAULT_TEXT
from drivers.pei import events as ev

Listener = Callable[[RollCallUpdate], None]
NO_ESCALATION = Escalation(repage=False, repage_limit=0, alert_officer=False, page_backup=False)


class RollCall:
    """One roll call.  ``await run()`` does everything; the UI may instead call ``start()``,
    watch ``subscribe()``/``snapshot()``, and ``await finish()``."""

    def __init__(
        self, engine: PagingEngine, spec: RollCallSpec, *, rollcall_id: str | None = None
    ) -> None:
        if spec.mode is RollCallMode.VOICE and spec.gssi is None:
            raise ValueError("a voice roll call needs a talkgroup (spec.gssi)")
        self.engine = engine
        self.spec = spec
        self.log = engine.log
        self.clock = engine.clock
        self.rollcall_id = rollcall_id or f"RC{stamp(self.clock)}"
        self.started_mono = 0.0
        self.started_wall = 0.0
        self.pages: dict[int, str] = {}
        self.called: dict[int, float] = {}
        self.talkers: list[Talker] = []
        self.result: RollCallResult | None = None
        self._members = {m.issi: m for m in spec.members}
        self._listeners: list[Listener] = []
        self._changed = asyncio.Event()
        self._unsubscribe: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None

    # -- observing -----------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """``listener(update)`` after each committed change and once when finished."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def snapshot(self) -> RollCallResult:
        """Every member as the log has committed it so far (members not yet called wait)."""
        now = self.clock.monotonic()
        rows: list[MemberResult] = []
        for issi, rec in self._members.items():
            called = self.called.get(issi)
            steps = self._steps(issi)
            over = called is not None and now >= called + self.spec.deadline_s
            verdict = classify(
                steps, called if called is not None else now, self.spec.deadline_s, over=over
            )
            rows.append(
                _row(rec, verdict, (called - self.started_mono) if called is not None else 0.0)
            )
        return RollCallResult(
            rollcall_id=self.rollcall_id,
            group=self.spec.group,
            mode=self.spec.mode,
            deadline_s=self.spec.deadline_s,
            started_wall=self.started_wall,
            ended_wall=None,
            members=tuple(rows),
            talkers=tuple(self.talkers),
            recall_of=self.spec.recall_of,
            closed=False,
            close_reason="",
        )

    def recall_spec(self, *, include_unreachable: bool = False) -> RollCallSpec:
        """The same roll call for the absent members only (one action for the officer)."""
        result = self.result or self.snapshot()
        return analysis.recall_spec(self.spec, result, include_unreachable=include_unreachable)

    # -- running -------------------------------------------------------------------------

    async def run(self) -> RollCallResult:
        """Call, wait until everyone answered or the deadline and late window passed,
        close and return the result read back from the log.  Cancelling it closes the
        roll call as ``interrupted`` (the log stays complete) and re-raises."""
        self.start()
        return await self.finish()

    def start(self) -> str:
        """Log the start and call the members (all at once, or the first in turn)."""
        self.started_mono = self.clock.monotonic()
        self.started_wall = self.clock.time()
        self._unsubscribe.append(self.engine.subscribe(self._on_update))
        if self.spec.mode is RollCallMode.VOICE:
            self._unsubscribe.append(self.engine.gateway.subscribe(self._on_gateway))
        self.log.append(
            "rollcall.started",
            data=analysis.started_data(self.rollcall_id, self.spec),
            group=self.spec.group,
            operator=self.spec.operator or None,
            wall=self.started_wall,
            mono=self.started_mono,
        )
        self._task = asyncio.ensure_future(self._drive())
        return self.rollcall_id

    async def finish(self) -> RollCallResult:
        """Wait for the roll call to end by itself (see :meth:`run`)."""
        assert self._task is not None, "start() first"
        try:
            await asyncio.shield(self._task)
        except asyncio.CancelledError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self.close("interrupted")
            raise
        return self.close("complete")

    def stop(self) -> RollCallResult:
        """End now (the officer pressed stop): silent members are absent."""
        if self._task is not None:
            self._task.cancel()
        return self.close("stopped")

    def close(self, reason: str) -> RollCallResult:
        """Close the pages, log each member's outcome, and return the logged result."""
        if self.result is not None:
            return self.result
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for page_id in self.pages.values():
            self.engine.close_page(page_id, self.spec.operator)
        self._flush()
        result = analysis.load_rollcall(self.log, self.rollcall_id, closing=True)
        analysis.append_outcome(self.log, result, reason, self.clock)
        self._flush()
        self.result = analysis.load_rollcall(self.log, self.rollcall_id)
        for listener in list(self._listeners):
            listener(RollCallUpdate(self.result, tuple(self._members), finished=True))
        return self.result

    async def _drive(self) -> None:
        deadline, late = self.spec.deadline_s, self.spec.late_window_s
        members = list(self.spec.members)
        if self.spec.mode is RollCallMode.SEQUENTIAL:
            for rec in members:
                self._call([rec])
                called = self.called[rec.issi]
                await self._wait(functools.partial(self._settled, rec.issi), called + deadline)
        else:
            self._call(members)
            await self._wait(self._all_settled, self.started_mono + deadline)
        await self._wait(self._all_settled, self.clock.monotonic() + late)

    def _call(self, members: list[Recipient]) -> None:
        voice = self.spec.mode is RollCallMode.VOICE
        request = PageRequest(
            recipients=tuple(members),
            talkgroups=(self.spec.gssi,) if voice and self.spec.gssi is not None else (),
            text="" if voice else (self.spec.text or DEFAULT_TEXT.format(group=self.spec.group)),
            voice=voice,
            deadlines=Deadlines(self.spec.deadline_s, None, None, NO_ESCALATION),
            operator=self.spec.operator,
            title=f"点名 {self.spec.group}",
            no_incident=True,  # a roll call is logged as one; it is not an incident
        )
        page_id = self.engine.page(request)
        mono = self.clock.monotonic()
        for order, rec in enumerate(members, start=len(self.called) + 1):
            self.pages[rec.issi] = page_id
            self.called[rec.issi] = mono
            self.log.append(
                "rollcall.called",
                data={"rollcall": self.rollcall_id, "order": order},
                unit=rec.issi,
                page=page_id,
                group=self.spec.group,
                mono=mono,
            )

    async def _wait(self, predicate: Callable[[], bool], until_mono: float) -> bool:
        """Until ``predicate()`` holds (checked after each committed change) or the time."""
        while not predicate():
            remaining = until_mono - self.clock.monotonic()
            if remaining <= 0:
                return False
            self._changed.clear()
            waiter = asyncio.ensure_future(self._changed.wait())
            sleeper = asyncio.ensure_future(self.clock.sleep(remaining))
            try:
                await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
                sleeper.cancel()
        return True

    # -- state -----------------------------------------------------------------------------

    def _steps(self, issi: int) -> list[Step]:
        page_id = self.pages.get(issi)
        if page_id is None:
            return []
        resp = self.engine.view(page_id).responder(issi)
        if resp is None:
            return []
        return [
            Step(r.rung.value, r.mono, r.source.value, r.cause.value if r.cause else "", r.detail)
            for r in resp.rungs
        ]

    def _settled(self, issi: int) -> bool:
        called = self.called.get(issi)
        if called is None:
            return False
        return settled(classify(self._steps(issi), called, self.spec.deadline_s, over=False))

    def _all_settled(self) -> bool:
        return all(self._settled(issi) for issi in self._members)

    def _on_update(self, update: PagingUpdate) -> None:
        if not isinstance(update, PageChanged) or update.view.page_id not in self.pages.values():
            return
        self._changed.set()
        if self._listeners:
            snap = self.snapshot()
            for listener in list(self._listeners):
                listener(RollCallUpdate(snap, update.changed))

    def _on_gateway(self, event: ev.PeiEvent) -> None:
        """Record every talker on the roll call's group call, members or not."""
        if not isinstance(event, ev.TxGranted) or event.grant != 3 or not event.talker_ssi:
            return
        call = self.engine.gateway.calls.get(event.cc)
        if call is None or call.group != str(self.spec.gssi):
            return
        try:
            issi = int(event.talker_ssi)
        except ValueError:
            return
        mono = self.clock.monotonic()
        talker = Talker(issi, round(mono - self.started_mono, 6), issi in self._members)
        self.talkers.append(talker)
        self.log.append(
            "rollcall.talker",
            data={"rollcall": self.rollcall_id, "cc": event.cc, "member": talker.member},
            unit=issi,
            group=self.spec.group,
            mono=mono,
        )

    def _flush(self) -> None:
        with contextlib.suppress(EventLogError):  # a full disk: the log keeps them queued
            self.log.flush()


def _row(rec: Recipient, verdict: Verdict, called_at: float) -> MemberResult:
    return MemberResult(
        issi=rec.issi,
        alias=rec.alias or str(rec.issi),
        kind=rec.kind,
        attendance=verdict.attendance,
        latency_s=verdict.latency_s,
        source=verdict.source,
        cause=verdict.cause,
        detail=verdict.detail,
        called_at_s=round(called_at, 6),
    )

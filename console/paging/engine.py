"""The paging engine: one call, many responders, each followed up its ladder.

Plain asyncio on the injected clock (no Textual, no threads of its own).  This module is
the facade the rest of the console uses; the work is done by parts with one idea each:

* ``dispatch.py`` -- opening a page, queueing its texts and calls, re-pages, backups;
* ``sending.py`` -- the send loop, one job at a time, and resuming after a link drop;
* ``intake.py`` -- what the gateway reports, matched to the responder it is about;
* ``ledger.py`` -- every rung logged, and shown to the UI only once committed (§6);
* ``escalation.py`` -- the 1 / 3 / 5 minute targets and the steps when one passes;
* ``recovery.py`` -- after a blind window, the last message again with the same reference;
* ``state.py`` / ``queue.py`` / ``matching.py`` / ``model.py`` -- the data they share.

Matching: delivery reports and ``+CMGS`` results by (radio, message reference), which
is exact; statuses, text replies and key-ups by the sender's ISSI to the most recent
open page that has that unit as a responder.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from console.config import StatusPlan
from console.deadlines import Deadlines
from console.eventlog import EventLog, NewEvent
from console.ids import sequential_ids
from console.paging.dispatch import Dispatcher
from console.paging.escalation import Escalator
from console.paging.intake import Intake
from console.paging.ledger import Ledger, Listener
from console.paging.matching import Answer
from console.paging.model import (
    MANUAL_RUNGS,
    AnswerMethod,
    PageRequest,
    PageView,
    Recipient,
    Rung,
    RungRecord,
    Source,
)
from console.paging.queue import SendJob, SendQueue
from console.paging.recovery import Recovery, unfinished
from console.paging.sending import MAX_SEND_TRIES, Sender
from console.paging.state import PageState, ResponderState
from drivers.clock import Clock, TimerHandle
from drivers.gateway import Gateway
from drivers.link import LinkState, LinkStateChanged
from drivers.pei.events import PeiEvent

WATCH_CHECK_S = 5.0
"""How often the engine re-checks whether the link must stay watchful."""
WATCH_WINDOW_S = 600.0
"""A page keeps the link watchful for at most this long (past the 5-minute target)."""

__all__ = ["MAX_SEND_TRIES", "AttachPage", "IncidentFactory", "Listener", "PagingEngine"]

IncidentFactory = Callable[[str, str], str]
"""``(title, operator) -> incident id``: opens an ad-hoc incident for a page without one."""
AttachPage = Callable[[str, str], None]
"""``(incident id, page id)``: tells the incident book a page belongs to an incident."""


def default_page_ids(clock: Clock) -> Callable[[], str]:
    """Page ids like ``P20260101-080000-001``: sortable, readable on a report."""
    return sequential_ids(clock, "P")


class PagingEngine:
    """Pages responders over a :class:`~drivers.gateway.Gateway` and tracks their ladders.

    ``drive_log=True``: the engine runs the log's group commits from its own timer
    (every ``log_tick`` s) -- for a log opened with ``background=False``.
    """

    def __init__(
        self,
        gateway: Gateway,
        log: EventLog,
        *,
        clock: Clock,
        status_plan: StatusPlan | None = None,
        deadlines: Deadlines | None = None,
        operator: str = "",
        incident_factory: IncidentFactory | None = None,
        attach_page: AttachPage | None = None,
        page_ids: Callable[[], str] | None = None,
        directory: Callable[[int], Recipient | None] | None = None,
        drive_log: bool = False,
        log_tick: float = 0.005,
        retry_delay: float = 1.0,
    ) -> None:
        self.gateway = gateway
        self.log = log
        self.clock = clock
        self.default_deadlines = deadlines or Deadlines()
        self.operator = operator
        self.incident_factory = incident_factory
        self.attach_page = attach_page
        self.queue = SendQueue()
        self.ledger = Ledger(log, clock, drive_log=drive_log, log_tick=log_tick)
        self.dispatcher = Dispatcher(
            gateway,
            clock,
            self.queue,
            self.ledger,
            page_ids=page_ids or default_page_ids(clock),
            directory=directory,
        )
        self.sender = Sender(
            gateway,
            clock,
            self.queue,
            self.dispatcher.pages,
            self.ledger,
            retry_delay=retry_delay,
            replay=self._on_event,
        )
        self.intake = Intake(
            gateway, status_plan or StatusPlan(), self.dispatcher.by_issi, self.ledger, self.sender
        )
        self.recovery = Recovery(
            clock, self.queue, self.dispatcher.pages, self.ledger, self.sender.by_ref
        )
        self.escalator = Escalator(clock, self.ledger, self.dispatcher)
        self.dispatcher.schedule = self.escalator.schedule
        self._worker: asyncio.Task[None] | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._watch_timer: TimerHandle | None = None

    # --- shared state, by the names callers know -----------------------------------------

    @property
    def pages(self) -> dict[str, PageState]:
        return self.dispatcher.pages

    @property
    def plan(self) -> StatusPlan:
        return self.intake.plan

    @plan.setter
    def plan(self, plan: StatusPlan) -> None:
        self.intake.plan = plan

    @property
    def _inflight(self) -> SendJob | None:
        """The send the gateway has not answered yet (tests pull the cable under it)."""
        return self.sender.inflight

    @property
    def resends(self) -> int:
        return self.sender.resends

    # --- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe to the gateway and the log; start feeding the gateway."""
        if self._worker is not None:
            return
        if self.gateway.link.state is LinkState.UP:
            self.sender.link_up.set()
            self.recovery.link_changed(True)
        self._unsubscribe.append(self.gateway.subscribe(self._on_event))
        self._unsubscribe.append(self.ledger.attach(asyncio.get_running_loop()))
        self._worker = asyncio.create_task(self.sender.run(), name="paging-worker")

    async def close(self) -> None:
        if self._watch_timer is not None:
            self._watch_timer.cancel()
            self._watch_timer = None
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        await self.sender.close()
        for page in self.pages.values():
            for resp in page.responders.values():
                resp.cancel_timers()
        self.ledger.close()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """``listener(update)`` on the loop for every committed change; returns a remover."""
        return self.ledger.subscribe(listener)

    # --- views ------------------------------------------------------------------------

    def view(self, page_id: str) -> PageView:
        """The page as the log has committed it (what the UI may show)."""
        return self.pages[page_id].snapshot()

    def views(self) -> tuple[PageView, ...]:
        return tuple(p.snapshot() for p in self.pages.values())

    def live_rungs(self, page_id: str, issi: int) -> tuple[RungRecord, ...]:
        """Every rung the engine knows, committed or not (diagnostics and tests)."""
        return tuple(self.pages[page_id].responders[issi].rungs)

    @property
    def queued_sends(self) -> int:
        return len(self.queue) + (1 if self.sender.inflight is not None else 0)

    # --- paging -----------------------------------------------------------------------

    def page(self, request: PageRequest, *, incident_id: str | None = None) -> str:
        """Create a page, queue its sends and start its deadline timers; return the page id.

        Returns at once (the sends go out in the background, one at a time).  A page
        without an incident gets an ad-hoc one from ``incident_factory`` unless
        ``request.no_incident`` (roll calls, drills: they are logged as such already).
        """
        if not request.recipients and not request.talkgroups:
            raise ValueError("a page needs at least one unit or group")
        if not request.text and not request.voice:
            raise ValueError("a page needs a text, a voice call, or both")
        operator = request.operator or self.operator
        incident = incident_id or request.incident_id
        if incident is None and self.incident_factory is not None and not request.no_incident:
            incident = self.incident_factory(request.title or request.text[:20], operator)
        deadlines = request.deadlines or self.default_deadlines
        page = self.dispatcher.create(request, incident, operator, deadlines)
        if incident is not None and self.attach_page is not None:
            self.attach_page(incident, page.page_id)
        self.dispatcher.dispatch(page)
        self._watch_pages()
        return page.page_id

    def _watch_pages(self) -> None:
        """Keep the link watchful (quick reboot detection) while a page is open."""
        if self._watch_timer is not None:
            self._watch_timer.cancel()
            self._watch_timer = None
        now = self.clock.monotonic()
        live = any(
            not p.closed
            and now - p.created_mono < WATCH_WINDOW_S
            and any(unfinished(r) for r in p.responders.values())
            for p in self.pages.values()
        )
        link = self.gateway.link
        if hasattr(link, "watchful"):
            link.watchful = live
        if live:
            self._watch_timer = self.clock.call_later(WATCH_CHECK_S, self._watch_pages)

    # --- operator actions -----------------------------------------------------------------

    def operator_repage(self, page_id: str, issi: int, operator: str) -> bool:
        page, resp = self._find(page_id, issi)
        self._operator_action(page, resp, operator, "repage")
        return self.dispatcher.repage(page, resp, detail=f"repage by {operator}")

    def operator_answer(
        self,
        page_id: str,
        issi: int,
        operator: str,
        *,
        method: AnswerMethod = AnswerMethod.PHONE,
        rung: Rung = Rung.ACKNOWLEDGED,
        note: str = "",
    ) -> bool:
        """The officer heard the unit another way (a phone call, in person) and records
        what it said: ``rung`` (收到 / 出发 / 到场 / 完毕) by ``method``, as their action.

        It counts as the unit's answer: the ladder climbs (with the rungs it implies),
        the targets it meets stop escalating, and the rung's row names the operator and
        the method, so the record says who vouched for it and how.  False when the
        ladder is already at or past ``rung`` (nothing is logged)."""
        if rung not in MANUAL_RUNGS:
            allowed = ", ".join(r.value for r in MANUAL_RUNGS)
            raise ValueError(f"an officer can record {allowed}, not {rung.value}")
        page, resp = self._find(page_id, issi)
        if resp.reached(rung):
            return False
        self._operator_action(
            page, resp, operator, "answered", note, method=method.value, rung=rung.value
        )
        answer = Answer(rung, method.value)
        return self.intake.answer(page, resp, answer, Source.OPERATOR, operator=operator)

    def operator_acknowledge(self, page_id: str, issi: int, operator: str, note: str = "") -> None:
        """The officer heard the unit by phone: an acknowledgement (:meth:`operator_answer`)."""
        self.operator_answer(page_id, issi, operator, note=note)

    def operator_release(self, page_id: str, issi: int, operator: str, note: str = "") -> None:
        page, resp = self._find(page_id, issi)
        self._operator_action(page, resp, operator, "release", note)
        answer = Answer(Rung.RELEASED, note or "by operator")
        self.intake.answer(page, resp, answer, Source.OPERATOR)

    def close_page(self, page_id: str, operator: str) -> None:
        """Stop following a page: no more sends, no more escalations for it."""
        page = self.pages[page_id]
        if not page.closed:
            self.dispatcher.close(page, operator)
            self._watch_pages()

    def _find(self, page_id: str, issi: int) -> tuple[PageState, ResponderState]:
        page = self.pages[page_id]
        return page, page.responders[issi]

    def _operator_action(
        self,
        page: PageState,
        resp: ResponderState,
        operator: str,
        action: str,
        note: str = "",
        **more: str,
    ) -> None:
        self.ledger.append(
            page,
            NewEvent(
                "operator.action",
                data={"action": action, "note": note, **more},
                unit=resp.issi,
                incident=page.incident_id,
                page=page.page_id,
                operator=operator,
            ),
        )

    # --- what the gateway tells us ----------------------------------------------------

    def _on_event(self, event: PeiEvent) -> None:
        if isinstance(event, LinkStateChanged):
            self.recovery.link_changed(event.state is LinkState.UP)
        self.intake.on_event(event)

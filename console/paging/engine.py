"""The paging engine: one call, many responders, each followed up its ladder.

Plain asyncio on the injected clock (no Textual, no threads of its own).  It owns the
send queue (``queue.py``), matches everything the gateway reports to a responder, writes
every rung, escalation and operator action to the event log, and publishes views of
pages to the UI only once the log has committed what they show (design §6).

Matching: delivery reports and ``+CMGS`` results by (radio, message reference), which
is exact; statuses, text replies and key-ups by the sender's ISSI to the most recent
open page that has that unit as a responder.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from console.config import StatusPlan
from console.eventlog import EventLog, EventLogError, NewEvent
from console.paging.escalation import Escalator
from console.paging.matching import Answer, classify_status, classify_text, failure_cause
from console.paging.model import (
    IMPLIED_UP_TO,
    EscalationRecord,
    FailureCause,
    OfficerAlert,
    PageChanged,
    PageRequest,
    PageTargets,
    PageView,
    PagingUpdate,
    Recipient,
    Rung,
    RungRecord,
    Source,
)
from console.paging.queue import SendJob, SendQueue
from console.paging.state import PageState, ResponderState
from drivers import radio_events as rev
from drivers.clock import Clock, TimerHandle
from drivers.errors import CommandError, CommandTimeout, DriverError, LinkDown
from drivers.gateway import Gateway
from drivers.link import LinkState, LinkStateChanged
from drivers.pei import events as ev
from drivers.sds import ReportRequest

Listener = Callable[[PagingUpdate], None]
IncidentFactory = Callable[[str, str], str]
"""``(title, operator) -> incident id``: opens an ad-hoc incident for a page without one."""
AttachPage = Callable[[str, str], None]
"""``(incident id, page id)``: tells the incident book a page belongs to an incident."""

MAX_SEND_TRIES = 3


def default_page_ids(clock: Clock) -> Callable[[], str]:
    """Page ids like ``P20260101-080000-001``: sortable, readable on a report."""
    counter = itertools.count(1)

    def make() -> str:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(clock.time()))
        return f"P{stamp}-{next(counter):03d}"

    return make


class PagingEngine:
    """Pages responders over a :class:`~drivers.gateway.Gateway` and tracks their ladders."""

    def __init__(
        self,
        gateway: Gateway,
        log: EventLog,
        *,
        clock: Clock,
        status_plan: StatusPlan | None = None,
        targets: PageTargets | None = None,
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
        self.plan = status_plan or StatusPlan()
        self.default_targets = targets or PageTargets()
        self.operator = operator
        self.incident_factory = incident_factory
        self.attach_page = attach_page
        self._page_ids = page_ids or default_page_ids(clock)
        self.directory = directory
        self._drive_log = drive_log
        self._log_tick = log_tick
        self._retry_delay = retry_delay
        self.pages: dict[str, PageState] = {}
        self.queue = SendQueue()
        self.escalator = Escalator(self)
        self._by_issi: dict[int, list[PageState]] = {}
        self._by_ref: dict[tuple[int, int], tuple[PageState, tuple[int, ...], int]] = {}
        self._listeners: list[Listener] = []
        self._uncommitted: deque[tuple[int, PageState, ResponderState | None, Any]] = deque()
        self._inflight: SendJob | None = None
        self._early: list[rev.RadioEvent] = []
        self._worker: asyncio.Task[None] | None = None
        self._link_up = asyncio.Event()
        self._tick_timer: TimerHandle | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.sends = 0
        self.resends = 0

    # --- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe to the gateway and the log; start feeding the gateway."""
        if self._worker is not None:
            return
        self._loop = asyncio.get_running_loop()
        if self.gateway.link.state is LinkState.UP:
            self._link_up.set()
        self._unsubscribe.append(self.gateway.subscribe(self._on_event))
        self._unsubscribe.append(self.log.add_commit_listener(self._on_commit_threadsafe))
        self._worker = asyncio.create_task(self._work(), name="paging-worker")

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        for page in self.pages.values():
            for resp in page.responders.values():
                resp.cancel_timers()
        if self._tick_timer is not None:
            self._tick_timer.cancel()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """``listener(update)`` on the loop for every committed change; returns a remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

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
        return len(self.queue) + (1 if self._inflight is not None else 0)

    # --- paging -----------------------------------------------------------------------

    def page(self, request: PageRequest, *, incident_id: str | None = None) -> str:
        """Create a page, queue its sends and start its targets; return the page id.

        Returns at once (the sends go out in the background, one at a time).
        """
        if not request.recipients and not request.talkgroups:
            raise ValueError("a page needs at least one unit or group")
        if not request.text and not request.voice:
            raise ValueError("a page needs a text, a voice call, or both")
        operator = request.operator or self.operator
        incident = incident_id or request.incident_id
        if incident is None and self.incident_factory is not None:
            incident = self.incident_factory(request.title or request.text[:20], operator)
        now_wall, now_mono = self.clock.time(), self.clock.monotonic()
        page = PageState(
            page_id=self._page_ids(),
            incident_id=incident,
            request=request,
            targets=request.targets or self.default_targets,
            operator=operator,
            created_wall=now_wall,
            created_mono=now_mono,
        )
        self.pages[page.page_id] = page
        for rec in request.recipients:
            if rec.issi not in page.responders:
                page.responders[rec.issi] = self._new_responder(page, rec, None)
        self._append(
            page,
            None,
            NewEvent(
                "page.created",
                data={
                    "text": request.text,
                    "voice": request.voice,
                    "talkgroups": list(request.talkgroups),
                    "group_text": list(request.group_text),
                    "responders": [r.issi for r in page.responders.values()],
                    "targets": _targets_dict(page.targets),
                    "priority": request.priority,
                },
                incident=incident,
                page=page.page_id,
                operator=operator,
                wall=now_wall,
                mono=now_mono,
            ),
            None,
        )
        if incident is not None and self.attach_page is not None:
            self.attach_page(incident, page.page_id)
        if request.voice:
            for gssi in request.talkgroups:
                self.queue.put(SendJob(page.page_id, 0, gssi, "", request.priority, 1, call=True))
        group_members: dict[int, list[int]] = {}
        for resp in page.responders.values():
            via = _via_gssi(resp, request)
            if via is not None and via in request.group_text and request.text:
                group_members.setdefault(via, []).append(resp.issi)
        for gssi, members in group_members.items():
            self.queue.put(
                SendJob(
                    page.page_id,
                    0,
                    gssi,
                    request.text,
                    request.priority,
                    1,
                    members=tuple(members),
                )
            )
        grouped = {i for members in group_members.values() for i in members}
        for resp in page.responders.values():
            self._start_responder(page, resp, send=resp.issi not in grouped)
        self._schedule_log_tick()
        return page.page_id

    def _new_responder(
        self, page: PageState, rec: Recipient, backup_for: int | None
    ) -> ResponderState:
        resp = ResponderState(
            issi=rec.issi,
            alias=rec.alias or str(rec.issi),
            kind=rec.kind,
            via=rec.via,
            via_gssi=rec.via_gssi,
            backup=rec.backup,
            backup_for=backup_for,
            joined_mono=self.clock.monotonic(),
        )
        self._by_issi.setdefault(rec.issi, []).append(page)
        return resp

    def _start_responder(self, page: PageState, resp: ResponderState, *, send: bool) -> None:
        resp.attempts = 1
        self.record(page, resp, Rung.QUEUED, Source.ENGINE)
        if page.request.text and send:
            self._queue_send(page, resp, 1)
        self.escalator.schedule(page, resp)

    def _queue_send(self, page: PageState, resp: ResponderState, attempt: int) -> None:
        resp.pending_job = True
        self.queue.put(
            SendJob(
                page.page_id,
                resp.issi,
                resp.issi,
                page.request.text,
                page.request.priority,
                attempt,
            )
        )

    def add_backup(self, page: PageState, rec: Recipient, backup_for: int) -> ResponderState:
        """Add a backup unit to a page and page it (escalation step 3)."""
        resp = self._new_responder(page, rec, backup_for)
        page.responders[rec.issi] = resp
        page.view = None
        self._start_responder(page, resp, send=True)
        return resp

    def backup_recipient(self, issi: int, for_resp: ResponderState) -> Recipient:
        """Who the backup unit is (from the station directory when there is one)."""
        found = self.directory(issi) if self.directory is not None else None
        rec = found or Recipient(issi)
        return replace(rec, via=f"backup:{for_resp.issi}", via_gssi=None)

    def repage(self, page: PageState, resp: ResponderState, *, detail: str = "") -> bool:
        """Page one responder again with a fresh message reference; False if one is queued."""
        if not page.request.text or resp.pending_job:
            return False
        resp.attempts += 1
        resp.repages += 1
        self.record(page, resp, Rung.QUEUED, Source.ENGINE, detail=detail or "repage")
        self._queue_send(page, resp, resp.attempts)
        return True

    # --- operator actions -----------------------------------------------------------------

    def operator_repage(self, page_id: str, issi: int, operator: str) -> bool:
        page, resp = self._find(page_id, issi)
        self._operator_action(page, resp, operator, "repage")
        return self.repage(page, resp, detail=f"repage by {operator}")

    def operator_acknowledge(self, page_id: str, issi: int, operator: str, note: str = "") -> None:
        """The officer heard the unit another way (phone, in person) and records it."""
        page, resp = self._find(page_id, issi)
        self._operator_action(page, resp, operator, "acknowledge", note)
        self._answer(page, resp, Answer(Rung.ACKNOWLEDGED, note or "by operator"), Source.OPERATOR)

    def operator_release(self, page_id: str, issi: int, operator: str, note: str = "") -> None:
        page, resp = self._find(page_id, issi)
        self._operator_action(page, resp, operator, "release", note)
        self._answer(page, resp, Answer(Rung.RELEASED, note or "by operator"), Source.OPERATOR)

    def close_page(self, page_id: str, operator: str) -> None:
        """Stop following a page: no more sends, no more escalations for it."""
        page = self.pages[page_id]
        if page.closed:
            return
        page.closed = True
        page.view = None
        dropped = self.queue.remove_page(page_id)
        for resp in page.responders.values():
            resp.cancel_timers()
            resp.pending_job = False
        self._append(
            page,
            None,
            NewEvent(
                "operator.action",
                data={"action": "close_page", "dropped_sends": dropped},
                incident=page.incident_id,
                page=page_id,
                operator=operator,
            ),
            None,
        )
        self._schedule_log_tick()

    def _find(self, page_id: str, issi: int) -> tuple[PageState, ResponderState]:
        page = self.pages[page_id]
        return page, page.responders[issi]

    def _operator_action(
        self, page: PageState, resp: ResponderState, operator: str, action: str, note: str = ""
    ) -> None:
        self._append(
            page,
            None,
            NewEvent(
                "operator.action",
                data={"action": action, "note": note},
                unit=resp.issi,
                incident=page.incident_id,
                page=page.page_id,
                operator=operator,
            ),
            None,
        )

    # --- recording rungs --------------------------------------------------------------

    def record(
        self,
        page: PageState,
        resp: ResponderState,
        rung: Rung,
        source: Source,
        *,
        attempt: int | None = None,
        cause: FailureCause | None = None,
        detail: str = "",
        retry: bool = False,
        message_ref: int | None = None,
        implied_up_to: Rung | None = None,
    ) -> None:
        """Record ``rung`` (and the rungs it implies) now, in the log and in memory."""
        wall, mono = self.clock.time(), self.clock.monotonic()
        n = resp.attempts if attempt is None else attempt
        drafts: list[RungRecord] = []
        if implied_up_to is not None:
            for low in page.implied_rungs(resp, implied_up_to):
                drafts.append(RungRecord(low, wall, mono, source, n, implied=True))
        drafts.append(
            RungRecord(rung, wall, mono, source, n, False, cause, detail, retry, message_ref)
        )
        events = [
            NewEvent(
                f"ladder.{d.rung.value}",
                data=_rung_data(d),
                unit=resp.issi,
                incident=page.incident_id,
                page=page.page_id,
                group=resp.via,
                wall=wall,
                mono=mono,
            )
            for d in drafts
        ]
        ids = self.log.append_many(events)
        for draft, event_id in zip(drafts, ids, strict=True):
            record = replace(draft, event_id=event_id)
            resp.add(record)
            self._uncommitted.append((event_id, page, resp, record))
        self._schedule_log_tick()

    def record_escalation(
        self, page: PageState, resp: ResponderState, rec: EscalationRecord
    ) -> None:
        event_id = self.log.append(
            f"escalation.{rec.step.value}",
            data={
                "target": rec.target.value,
                "detail": rec.detail,
                "backup": rec.backup_issi,
                "attempt": resp.attempts,
            },
            unit=resp.issi,
            incident=page.incident_id,
            page=page.page_id,
            group=resp.via,
            wall=rec.wall,
            mono=rec.mono,
        )
        rec = replace(rec, event_id=event_id)
        page.escalations.append(rec)
        self._uncommitted.append((event_id, page, resp, rec))
        self._schedule_log_tick()

    def _append(
        self, page: PageState, resp: ResponderState | None, event: NewEvent, item: Any
    ) -> None:
        event_id = self.log.append_many([event])[0]
        self._uncommitted.append((event_id, page, resp, item))

    # --- commit gate ------------------------------------------------------------------

    def _schedule_log_tick(self) -> None:
        if self._drive_log and self._tick_timer is None:
            self._tick_timer = self.clock.call_later(self._log_tick, self._tick_log)

    def _tick_log(self) -> None:
        self._tick_timer = None
        with contextlib.suppress(EventLogError):
            self.log.tick()
        if self.log.pending_count:
            self._schedule_log_tick()

    def _on_commit_threadsafe(self, committed_id: int) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_commit, committed_id)

    def _on_commit(self, committed_id: int) -> None:
        """Move what the log committed into the views, then tell the UI."""
        changed: dict[str, tuple[PageState, set[int]]] = {}
        alerts: list[OfficerAlert] = []
        while self._uncommitted and self._uncommitted[0][0] <= committed_id:
            _, page, resp, item = self._uncommitted.popleft()
            entry = changed.setdefault(page.page_id, (page, set()))
            page.view = None
            if isinstance(item, RungRecord) and resp is not None:
                resp.committed.append(replace(item, committed=True))
                resp.view = None
                entry[1].add(resp.issi)
            elif isinstance(item, EscalationRecord):
                page.committed_escalations.append(replace(item, committed=True))
                if item.step.value == "alert" and resp is not None:
                    alerts.append(
                        OfficerAlert(
                            page.page_id,
                            resp.issi,
                            resp.alias,
                            item.target,
                            item.wall,
                            item.mono,
                            item.detail,
                        )
                    )
        updates: list[PagingUpdate] = [
            PageChanged(page.snapshot(), tuple(sorted(issis))) for page, issis in changed.values()
        ]
        updates += alerts
        for update in updates:
            for listener in list(self._listeners):
                listener(update)

    # --- sending ----------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            job = await self.queue.get()
            await self._link_up.wait()
            page = self.pages.get(job.page_id)
            if page is None or page.closed:
                continue
            if job.call:
                await self._call(page, job)
            elif self._still_needed(page, job):
                await self._send(page, job)

    def _still_needed(self, page: PageState, job: SendJob) -> bool:
        """Not if the responder answered already or the gateway accepted this attempt
        (e.g. an answer arrived during a reconnect for a message that had gone out)."""
        if job.members:
            return True
        resp = page.responders[job.issi]
        if resp.reached(Rung.ACKNOWLEDGED) or resp.has(Rung.ACCEPTED, job.attempt):
            resp.pending_job = False
            return False
        return True

    async def _send(self, page: PageState, job: SendJob) -> None:
        if job.message_ref is None:
            job.message_ref = self.gateway.next_message_ref()
        key_members = job.members or (job.issi,)
        self._by_ref[(job.destination, job.message_ref)] = (page, key_members, job.attempt)
        link = self.gateway.link
        before = link.bytes_out
        self._inflight = job
        self._mark_written(page, job, True)
        try:
            sent = await self.gateway.send_text(
                job.destination,
                job.text,
                report=ReportRequest.NONE if job.members else ReportRequest.BOTH,
                priority=job.priority,
                message_ref=job.message_ref,
            )
        except LinkDown:
            written = link.bytes_out != before
            if not written:
                self._mark_written(page, job, False)
            job.retry = job.retry or written
            self.queue.put_front(job)
            self._inflight = None
            return
        except CommandTimeout as exc:
            await self._send_failed(page, job, exc, retry_same_ref=True)
            return
        except CommandError as exc:
            await self._send_failed(page, job, exc, retry_same_ref=False)
            return
        except DriverError as exc:
            await self._send_failed(page, job, exc, retry_same_ref=False)
            return
        finally:
            self.sends += 1
        self._inflight = None
        for issi in key_members:
            resp = page.responders[issi]
            resp.pending_job = False
            if not resp.has(Rung.ACCEPTED, job.attempt):
                self.record(
                    page,
                    resp,
                    Rung.ACCEPTED,
                    Source.GATEWAY,
                    attempt=job.attempt,
                    detail=f"instance {sent[0].instance}"
                    + (f", {len(sent)} parts" if len(sent) > 1 else ""),
                    retry=job.retry,
                    message_ref=job.message_ref,
                )
        for part in sent[1:]:
            if part.message_ref is not None:
                self._by_ref[(job.destination, part.message_ref)] = (page, key_members, job.attempt)
        early, self._early = self._early, []
        for event in early:
            self._on_event(event)

    def _mark_written(self, page: PageState, job: SendJob, written: bool) -> None:
        for issi in job.members or (job.issi,):
            resp = page.responders[issi]
            if written:
                resp.written.add(job.attempt)
            else:
                resp.written.discard(job.attempt)

    async def _send_failed(
        self, page: PageState, job: SendJob, exc: DriverError, *, retry_same_ref: bool
    ) -> None:
        self._inflight = None
        transient = retry_same_ref or bool(getattr(exc, "transient", False))
        job.tries += 1
        if transient and job.tries < MAX_SEND_TRIES:
            job.retry = job.retry or retry_same_ref
            self.resends += 1
            await self.clock.sleep(self._retry_delay)
            self.queue.put_front(job)
            return
        for issi in job.members or (job.issi,):
            resp = page.responders[issi]
            resp.pending_job = False
            self.record(
                page,
                resp,
                Rung.FAILED,
                Source.GATEWAY,
                attempt=job.attempt,
                cause=FailureCause.GATEWAY_ERROR,
                detail=getattr(exc, "message", str(exc)),
                message_ref=job.message_ref,
            )

    async def _call(self, page: PageState, job: SendJob) -> None:
        """Set up the page's voice group call; members' key-ups then count as answers."""
        emergency = job.priority == 0
        try:
            cc = await self.gateway.start_group_call(job.destination, emergency=emergency)
        except LinkDown:
            self.queue.put_front(job)
            return
        except DriverError as exc:
            self._append(
                page,
                None,
                NewEvent(
                    "page.call_failed",
                    data={"gssi": job.destination, "reason": str(exc)},
                    incident=page.incident_id,
                    page=page.page_id,
                    group=job.destination,
                ),
                None,
            )
            self._schedule_log_tick()
            return
        page.call_ccs.add(cc)
        if not page.request.hold_floor:
            with contextlib.suppress(DriverError):
                await self.gateway.ptt_release(cc)
        self._append(
            page,
            None,
            NewEvent(
                "page.call",
                data={"gssi": job.destination, "cc": cc},
                incident=page.incident_id,
                page=page.page_id,
                group=job.destination,
            ),
            None,
        )
        if not page.request.text:
            for resp in page.responders.values():
                if _via_gssi(resp, page.request) == job.destination and not resp.has(Rung.ACCEPTED):
                    self.record(
                        page, resp, Rung.ACCEPTED, Source.VOICE, detail=f"group call cc {cc}"
                    )
        self._schedule_log_tick()

    # --- what the gateway tells us ----------------------------------------------------

    def _on_event(self, event: ev.PeiEvent) -> None:
        if isinstance(event, rev.DeliveryReport):
            self._on_report(event)
        elif isinstance(event, rev.SdsTransmitted):
            self._on_transmitted(event)
        elif isinstance(event, rev.StatusReceived):
            answer = classify_status(self.plan, event.value)
            if answer is not None:
                self._on_answer(_issi(event.sender), answer, Source.STATUS)
        elif isinstance(event, rev.TextReceived):
            self._on_text(event)
        elif isinstance(event, ev.TxGranted):
            self._on_key_up(event)
        elif isinstance(event, LinkStateChanged):
            if event.state is LinkState.UP:
                self._link_up.set()
            else:
                self._link_up.clear()

    def _is_early(self, destination: int, ref: int | None, event: rev.RadioEvent) -> bool:
        """A result for the send in flight that overtook the gateway's OK: hold it."""
        job = self._inflight
        if job is None or ref is None or job.destination != destination:
            return False
        if ref != job.message_ref:
            return False
        self._early.append(event)
        return True

    def _lookup_ref(
        self, destination: int, ref: int | None
    ) -> tuple[PageState, tuple[int, ...], int] | None:
        if ref is None:
            return None
        return self._by_ref.get((destination, ref))

    def _on_transmitted(self, event: rev.SdsTransmitted) -> None:
        dest = _issi(event.destination)
        if self._is_early(dest, event.message_ref, event):
            return
        found = self._lookup_ref(dest, event.message_ref)
        if found is None:
            return
        page, members, attempt = found
        for issi in members:
            resp = page.responders[issi]
            if event.ok and not resp.has(Rung.SENT, attempt):
                self.record(
                    page,
                    resp,
                    Rung.SENT,
                    Source.GATEWAY,
                    attempt=attempt,
                    message_ref=event.message_ref,
                    implied_up_to=Rung.ACCEPTED,
                )
            elif not event.ok:
                self._fail(
                    page,
                    resp,
                    FailureCause.GATEWAY_ERROR,
                    "not sent over the air",
                    attempt,
                    event.message_ref,
                )

    def _on_report(self, event: rev.DeliveryReport) -> None:
        dest = _issi(event.sender)
        if self._is_early(dest, event.message_ref, event):
            return
        found = self._lookup_ref(dest, event.message_ref)
        if found is None:
            return
        page, members, attempt = found
        for issi in members:
            resp = page.responders[issi]
            if event.failed:
                cause = failure_cause(event.status)
                self._fail(page, resp, cause, event.description, attempt, event.message_ref)
                continue
            if not event.delivered:
                continue
            rung = Rung.READ if event.consumed else Rung.DELIVERED
            if not resp.has(rung, attempt):
                self.record(
                    page,
                    resp,
                    rung,
                    Source.REPORT,
                    attempt=attempt,
                    detail=event.description,
                    message_ref=event.message_ref,
                    implied_up_to=IMPLIED_UP_TO[rung],
                )

    def _fail(
        self,
        page: PageState,
        resp: ResponderState,
        cause: FailureCause,
        detail: str,
        attempt: int,
        ref: int | None,
    ) -> None:
        if not resp.has_failure(cause, detail, attempt):
            self.record(
                page,
                resp,
                Rung.FAILED,
                Source.REPORT,
                attempt=attempt,
                cause=cause,
                detail=detail,
                message_ref=ref,
            )

    def _on_text(self, event: rev.TextReceived) -> None:
        issi = _issi(event.sender)
        answer = classify_text(self.plan, event.text)
        if answer is not None:
            self._on_answer(issi, answer, Source.TEXT)
            return
        page = self._active_page(issi)
        if page is not None:
            self._append(
                page,
                None,
                NewEvent(
                    "page.reply",
                    data={"text": event.text},
                    unit=issi,
                    incident=page.incident_id,
                    page=page.page_id,
                ),
                None,
            )
            self._schedule_log_tick()

    def _on_key_up(self, event: ev.TxGranted) -> None:
        if event.grant != 3 or not event.talker_ssi:
            return
        issi = _issi(event.talker_ssi)
        call = self.gateway.calls.get(event.cc)
        group = call.group if call is not None else ""
        for page in reversed(self._by_issi.get(issi, [])):
            if page.closed or not page.request.voice:
                continue
            on_call = event.cc in page.call_ccs or group in {
                str(g) for g in page.request.talkgroups
            }
            if on_call:
                resp = page.responders[issi]
                self._answer(
                    page, resp, Answer(Rung.ACKNOWLEDGED, "keyed up on the page call"), Source.VOICE
                )
                return

    def _active_page(self, issi: int) -> PageState | None:
        for page in reversed(self._by_issi.get(issi, [])):
            if not page.closed:
                return page
        return None

    def _on_answer(self, issi: int, answer: Answer, source: Source) -> None:
        page = self._active_page(issi)
        if page is not None:
            self._answer(page, page.responders[issi], answer, source)

    def _answer(
        self, page: PageState, resp: ResponderState, answer: Answer, source: Source
    ) -> None:
        if resp.has(answer.rung):
            return
        self.record(
            page,
            resp,
            answer.rung,
            source,
            detail=answer.detail,
            implied_up_to=IMPLIED_UP_TO.get(answer.rung),
        )
        if answer.rung is Rung.RELEASED:
            resp.cancel_timers()


def _issi(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1


def _via_gssi(resp: ResponderState, request: PageRequest) -> int | None:
    """The talkgroup a responder was paged through, if it is one of the page's GSSIs."""
    return resp.via_gssi if resp.via_gssi in request.talkgroups else None


def _rung_data(rec: RungRecord) -> Mapping[str, Any]:
    data: dict[str, Any] = {"source": rec.source.value, "attempt": rec.attempt}
    if rec.implied:
        data["implied"] = True
    if rec.cause is not None:
        data["cause"] = rec.cause.value
    if rec.detail:
        data["detail"] = rec.detail
    if rec.retry:
        data["retry"] = True
    if rec.message_ref is not None:
        data["message_ref"] = rec.message_ref
    return data


def _targets_dict(targets: PageTargets) -> dict[str, Any]:
    esc = targets.escalation
    return {
        "acknowledge_s": targets.acknowledge_s,
        "en_route_s": targets.en_route_s,
        "on_scene_s": targets.on_scene_s,
        "repage": esc.repage,
        "repage_limit": esc.repage_limit,
        "alert_officer": esc.alert_officer,
        "page_backup": esc.page_backup,
    }

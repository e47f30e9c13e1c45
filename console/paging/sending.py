"""The send loop: feed the gateway one job at a time, and survive the link going down.

Why one job at a time from our own queue (``queue.py``): a job stays ours until the
gateway accepted it, so after a cable pull we know exactly which sends to repeat.  The
rules that make a reconnect lose nothing and duplicate nothing (tested in
``test_paging_reconnect.py``):

* a send the link dropped *before writing a byte* goes back to the front unchanged;
* a send dropped *after* its bytes were written goes back with the same message
  reference and is marked as a retry (the radio may get it twice; the ladder knows);
* a result (``+CMGS``/report) that overtakes the gateway's ``OK`` for the send in flight
  is held and replayed once the send is accepted (``is_early``);
* a job whose responder answered meanwhile, or whose attempt was accepted already, is
  dropped (``still_needed``).

Voice group calls are jobs in the same queue so an emergency call is not stuck behind a
routine page's 2000 texts; the worker hands each one to a call task (calls run one after
another among themselves) and goes on with the texts, so a call that takes long to set up
(a talkgroup whose floor is still held) never holds back the texts of the same page.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping

from console.eventlog import NewEvent
from console.paging.ledger import Ledger
from console.paging.model import FailureCause, PageRequest, Rung, Source
from console.paging.queue import SendJob, SendQueue
from console.paging.recovery import unfinished
from console.paging.state import PageState, ResponderState
from drivers import radio_events as rev
from drivers.clock import Clock
from drivers.errors import CommandTimeout, DriverError, LinkDown
from drivers.gateway import Gateway
from drivers.link import LinkState
from drivers.sds import ReportRequest

MAX_SEND_TRIES = 3
RefEntry = tuple[PageState, tuple[int, ...], int]
"""What a (destination, message reference) stands for: page, responders, attempt."""


class Sender:
    """Owns the worker task, the send in flight and the message-reference index."""

    def __init__(
        self,
        gateway: Gateway,
        clock: Clock,
        queue: SendQueue,
        pages: Mapping[str, PageState],
        ledger: Ledger,
        *,
        retry_delay: float = 1.0,
        replay: Callable[[rev.RadioEvent], None],
    ) -> None:
        self.gateway = gateway
        self.clock = clock
        self.queue = queue
        self.pages = pages
        self.ledger = ledger
        self.retry_delay = retry_delay
        self._replay = replay
        self.inflight: SendJob | None = None
        self.by_ref: dict[tuple[int, int], RefEntry] = {}
        self.link_up = asyncio.Event()
        self._early: list[rev.RadioEvent] = []
        self.sends = 0
        self.resends = 0
        self._call_lock = asyncio.Lock()
        self._call_tasks: set[asyncio.Task[None]] = set()

    def link_changed(self, state: LinkState) -> None:
        if state is LinkState.UP:
            self.link_up.set()
        else:
            self.link_up.clear()

    async def run(self) -> None:
        """The worker: forever take the most urgent job and carry it out."""
        while True:
            job = await self.queue.get()
            await self.link_up.wait()
            page = self.pages.get(job.page_id)
            if page is None or page.closed:
                continue
            if job.call:
                task = asyncio.create_task(self._call_in_turn(page, job), name="paging-call")
                self._call_tasks.add(task)
                task.add_done_callback(self._call_tasks.discard)
            elif self.still_needed(page, job):
                await self.send(page, job)

    async def _call_in_turn(self, page: PageState, job: SendJob) -> None:
        async with self._call_lock:
            if not page.closed:
                await self.call(page, job)

    async def close(self) -> None:
        """Cancel call set-ups still under way (the engine is shutting down)."""
        tasks = list(self._call_tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def still_needed(self, page: PageState, job: SendJob) -> bool:
        """Not if the responder answered already or the gateway accepted this attempt
        (e.g. an answer arrived during a reconnect for a message that had gone out)."""
        if job.followup:
            resp = page.responders[job.issi]
            if resp.reached(Rung.ACKNOWLEDGED):
                resp.pending_job = False
                return False
            return True
        if job.recovery:
            keep = any(unfinished(page.responders[i]) for i in job.members or (job.issi,))
            if not keep:
                for issi in job.members or (job.issi,):
                    page.responders[issi].pending_job = False
            return keep
        if job.members:
            return True
        resp = page.responders[job.issi]
        if job.retry and resp.has(Rung.ACCEPTED, job.attempt) and unfinished(resp):
            # Written before a loss and known to have gone out (a late report said so):
            # its answers may have been lost with the link, so send it again as a
            # recovery (same reference: the radio repeats them and shows nothing new).
            job.recovery = True
            return True
        if resp.reached(Rung.ACKNOWLEDGED) or resp.has(Rung.ACCEPTED, job.attempt):
            resp.pending_job = False
            return False
        return True

    # --- texts --------------------------------------------------------------------------

    async def send(self, page: PageState, job: SendJob) -> None:
        if job.message_ref is None:
            job.message_ref = self.gateway.next_message_ref()
        key_members = job.members or (job.issi,)
        self.by_ref[(job.destination, job.message_ref)] = (page, key_members, job.attempt)
        link = self.gateway.link
        before = link.bytes_out
        self.inflight = job
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
            self.inflight = None
            return
        except CommandTimeout as exc:
            await self._send_failed(page, job, exc, retry_same_ref=True)
            return
        except DriverError as exc:  # CommandError and the rest: not worth the same ref
            await self._send_failed(page, job, exc, retry_same_ref=False)
            return
        finally:
            self.sends += 1
        self.inflight = None
        if job.members and job.message_ref is not None:
            page.group_refs.setdefault(job.destination, job.message_ref)
        how = f"group SDS {job.destination}, " if job.members else ""
        for issi in key_members:
            resp = page.responders[issi]
            resp.pending_job = False
            if not resp.has(Rung.ACCEPTED, job.attempt):
                self.ledger.record(
                    page,
                    resp,
                    Rung.ACCEPTED,
                    Source.GATEWAY,
                    attempt=job.attempt,
                    detail=f"{how}instance {sent[0].instance}"
                    + (f", {len(sent)} parts" if len(sent) > 1 else ""),
                    retry=job.retry,
                    message_ref=job.message_ref,
                )
        for part in sent[1:]:
            if part.message_ref is not None:
                self.by_ref[(job.destination, part.message_ref)] = (page, key_members, job.attempt)
        early, self._early = self._early, []
        for event in early:
            self._replay(event)

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
        self.inflight = None
        transient = retry_same_ref or bool(getattr(exc, "transient", False))
        job.tries += 1
        if transient and job.tries < MAX_SEND_TRIES:
            job.retry = job.retry or retry_same_ref
            self.resends += 1
            await self.clock.sleep(self.retry_delay)
            self.queue.put_front(job)
            return
        for issi in job.members or (job.issi,):
            resp = page.responders[issi]
            resp.pending_job = False
            self.ledger.record(
                page,
                resp,
                Rung.FAILED,
                Source.GATEWAY,
                attempt=job.attempt,
                cause=FailureCause.GATEWAY_ERROR,
                detail=getattr(exc, "message", str(exc)),
                message_ref=job.message_ref,
            )

    # --- voice --------------------------------------------------------------------------

    async def call(self, page: PageState, job: SendJob) -> None:
        """Set up the page's voice group call; members' key-ups then count as answers.

        A job with ``members`` is a re-page of those (silent) responders on a voice-only
        page (``Dispatcher.repage``); more may join it until the call is up.  They get an
        ``accepted`` rung of their new attempt when it is, or ``failed`` if it cannot be.
        """
        recall = page.pending_calls.get(job.destination) if job.members else None
        if recall is not None and recall.job is not job:
            recall = None
        if job.members and not self._still_silent(page, job):
            self._end_recall(page, job)
            return  # they all answered while the call waited in the queue
        emergency = job.priority == 0
        try:
            cc = await self.gateway.start_group_call(job.destination, emergency=emergency)
        except LinkDown:
            self.queue.put_front(job)
            return
        except DriverError as exc:
            self.ledger.append(
                page,
                NewEvent(
                    "page.call_failed",
                    data={"gssi": job.destination, "reason": str(exc)},
                    incident=page.incident_id,
                    page=page.page_id,
                    group=job.destination,
                ),
            )
            for resp in self._end_recall(page, job):
                detail = f"group call {job.destination} not set up: {exc}"
                self.ledger.record(
                    page,
                    resp,
                    Rung.FAILED,
                    Source.GATEWAY,
                    cause=FailureCause.GATEWAY_ERROR,
                    detail=detail,
                )
            return
        page.call_ccs.add(cc)
        if recall is not None:
            recall.cc = cc
        if not page.request.hold_floor:
            with contextlib.suppress(DriverError):
                await self.gateway.ptt_release(cc)
        self.ledger.append(
            page,
            NewEvent(
                "page.call",
                data={
                    "gssi": job.destination,
                    "cc": cc,
                    **({"repage": True} if job.members else {}),
                },
                incident=page.incident_id,
                page=page.page_id,
                group=job.destination,
            ),
        )
        if job.members:
            for resp in self._end_recall(page, job):
                if not resp.has(Rung.ACCEPTED, resp.attempts):
                    detail = f"group call cc {cc}"
                    self.ledger.record(page, resp, Rung.ACCEPTED, Source.VOICE, detail=detail)
        elif not page.request.text:
            for resp in page.responders.values():
                if via_gssi(resp, page.request) == job.destination and not resp.has(Rung.ACCEPTED):
                    self.ledger.record(
                        page, resp, Rung.ACCEPTED, Source.VOICE, detail=f"group call cc {cc}"
                    )

    def _still_silent(self, page: PageState, job: SendJob) -> bool:
        return any(not page.responders[i].reached(Rung.ACKNOWLEDGED) for i in job.members)

    def _end_recall(self, page: PageState, job: SendJob) -> list[ResponderState]:
        """The re-page call is set up, failed or not needed: nobody joins it any more.
        Returns its members who are still silent."""
        recall = page.pending_calls.get(job.destination)
        if recall is not None and recall.job is job:
            del page.pending_calls[job.destination]
        silent = []
        for issi in job.members:
            resp = page.responders[issi]
            resp.pending_job = False
            if not resp.reached(Rung.ACKNOWLEDGED):
                silent.append(resp)
        return silent

    # --- results that overtake the OK ---------------------------------------------------

    def is_early(self, destination: int, ref: int | None, event: rev.RadioEvent) -> bool:
        """A result for the send in flight that overtook the gateway's OK: hold it."""
        job = self.inflight
        if job is None or ref is None or job.destination != destination:
            return False
        if ref != job.message_ref:
            return False
        self._early.append(event)
        return True

    def lookup_ref(self, destination: int, ref: int | None) -> RefEntry | None:
        if ref is None:
            return None
        return self.by_ref.get((destination, ref))


def via_gssi(resp: ResponderState, request: PageRequest) -> int | None:
    """The talkgroup a responder was paged through, if it is one of the page's GSSIs."""
    return resp.via_gssi if resp.via_gssi in request.talkgroups else None

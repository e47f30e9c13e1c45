"""Opening pages and putting responders on the ladder: sends, calls, re-pages, backups.

Why a page is opened in two steps (``create`` then ``dispatch``): the engine tells the
incident book about the page between them, so the log reads "page created, page
attached to incident, queued ..." in the order a report wants to tell it.

Re-paging differs by page kind:

* a text page re-sends the text to that one responder with a fresh message reference;
* a voice-only page has no text to send, so a re-page re-establishes the page's group
  call on the responder's talkgroup.  A group call reaches every member at once, so the
  silent responders of one escalation round share one call (they join the call job
  while it is queued, and a round makes at most one call per talkgroup); and while a
  call on that talkgroup is still up -- the officer may be speaking on it -- nothing is
  set up over it.  Why re-establish rather than only alert the officer: after the call
  ended, a silent radio shows nothing and its user has no call to key up on; a new call
  makes the radios alert again and gives the silent unit a floor to answer "收到" on,
  which is what the officer would otherwise have to do by hand for every round.  The
  officer is still alerted (the next escalation step), and can speak on the call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from console.deadlines import Deadlines
from console.eventlog import NewEvent
from console.paging.ledger import Ledger, deadlines_dict
from console.paging.model import (
    PageRequest,
    Recipient,
    Rung,
    Source,
)
from console.paging.queue import SendJob, SendQueue
from console.paging.sending import via_gssi
from console.paging.state import PageState, Recall, ResponderState
from drivers.clock import Clock
from drivers.gateway import Gateway


class Dispatcher:
    """Owns the pages (and the per-ISSI index the answer intake reads)."""

    def __init__(
        self,
        gateway: Gateway,
        clock: Clock,
        queue: SendQueue,
        ledger: Ledger,
        *,
        page_ids: Callable[[], str],
        directory: Callable[[int], Recipient | None] | None = None,
        schedule: Callable[[PageState, ResponderState], None] | None = None,
    ) -> None:
        self.gateway = gateway
        self.clock = clock
        self.queue = queue
        self.ledger = ledger
        self.page_ids = page_ids
        self.directory = directory
        # Starts a responder's target timers (the escalator's ``schedule``); a callback so
        # that dispatching and escalating need not import each other.
        self.schedule: Callable[[PageState, ResponderState], None] | None = schedule
        self.pages: dict[str, PageState] = {}
        self.by_issi: dict[int, list[PageState]] = {}

    # --- opening a page -----------------------------------------------------------------

    def create(
        self, request: PageRequest, incident: str | None, operator: str, deadlines: Deadlines
    ) -> PageState:
        """The page and its responders, logged as ``page.created``; nothing sent yet."""
        now_wall, now_mono = self.clock.time(), self.clock.monotonic()
        page = PageState(
            page_id=self.page_ids(),
            incident_id=incident,
            request=request,
            deadlines=deadlines,
            operator=operator,
            created_wall=now_wall,
            created_mono=now_mono,
        )
        self.pages[page.page_id] = page
        for rec in request.recipients:
            if rec.issi not in page.responders:
                page.add_responder(self._new_responder(page, rec, None))
        self.ledger.append(
            page,
            NewEvent(
                "page.created",
                data={
                    "text": request.text,
                    "voice": request.voice,
                    "talkgroups": list(request.talkgroups),
                    "group_text": list(request.group_text),
                    **({"followup_s": request.followup_s} if request.followup_s else {}),
                    "responders": [r.issi for r in page.responders.values()],
                    "deadlines": deadlines_dict(page.deadlines),
                    "priority": request.priority,
                },
                incident=incident,
                page=page.page_id,
                operator=operator,
                wall=now_wall,
                mono=now_mono,
            ),
        )
        return page

    def dispatch(self, page: PageState) -> None:
        """Queue the page's calls and texts and start every responder's deadlines."""
        request = page.request
        if request.voice:
            for gssi in request.talkgroups:
                self.queue.put(SendJob(page.page_id, 0, gssi, "", request.priority, 1, call=True))
        group_members: dict[int, list[int]] = {}
        for resp in page.responders.values():
            via = via_gssi(resp, request)
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
        grouped = {i: gssi for gssi, members in group_members.items() for i in members}
        for resp in page.responders.values():
            self._start_responder(page, resp, send=resp.issi not in grouped)
            via_group = grouped.get(resp.issi)
            if via_group is not None and request.followup_s is not None:
                follow = self._followup_later(page, resp, via_group)
                resp.timers.append(self.clock.call_later(request.followup_s, follow))

    def _followup_later(
        self, page: PageState, resp: ResponderState, gssi: int
    ) -> Callable[[], None]:
        def follow() -> None:
            if page.closed or resp.reached(Rung.ACKNOWLEDGED) or resp.pending_job:
                return
            ref = page.group_refs.get(gssi)
            detail = f"follow-up: individual SDS-TL (group SDS {gssi} not acknowledged)"
            self.ledger.record(page, resp, Rung.QUEUED, Source.ENGINE, detail=detail)
            self._queue_send(page, resp, resp.attempts, message_ref=ref, followup=True)

        return follow

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
        self.by_issi.setdefault(rec.issi, []).append(page)
        return resp

    def _start_responder(self, page: PageState, resp: ResponderState, *, send: bool) -> None:
        resp.attempts = 1
        self.ledger.record(page, resp, Rung.QUEUED, Source.ENGINE)
        if page.request.text and send:
            self._queue_send(page, resp, 1)
        if self.schedule is not None:
            self.schedule(page, resp)

    def _queue_send(
        self,
        page: PageState,
        resp: ResponderState,
        attempt: int,
        *,
        message_ref: int | None = None,
        followup: bool = False,
    ) -> None:
        """Queue one individual SDS-TL to ``resp`` (a follow-up reuses the group's ref)."""
        resp.pending_job = True
        self.queue.put(
            SendJob(
                page.page_id,
                resp.issi,
                resp.issi,
                page.request.text,
                page.request.priority,
                attempt,
                message_ref=message_ref,
                followup=followup,
            )
        )

    # --- re-pages and backups ----------------------------------------------------------

    def repage(
        self, page: PageState, resp: ResponderState, *, detail: str = "", round_key: str = ""
    ) -> bool:
        """Page one responder again; False if nothing was queued for it.

        Text: a fresh SDS (not while one is still queued).  Voice-only: join or queue a
        re-established group call (module docstring); ``round_key`` names the escalation
        round (``"acknowledge"``...), one call per talkgroup per round.
        """
        if resp.pending_job:
            return False
        if page.request.text:
            self._next_attempt(page, resp, detail)
            self._queue_send(page, resp, resp.attempts)
            return True
        return self._recall(page, resp, detail, round_key)

    def _next_attempt(self, page: PageState, resp: ResponderState, detail: str) -> None:
        resp.attempts += 1
        resp.repages += 1
        self.ledger.record(page, resp, Rung.QUEUED, Source.ENGINE, detail=detail or "repage")

    def call_groups(self, page: PageState, resp: ResponderState) -> tuple[int, ...]:
        """The talkgroups of a voice page whose call ``resp`` hears."""
        if not page.request.voice:
            return ()
        via = via_gssi(resp, page.request)
        return (via,) if via is not None else page.request.talkgroups

    def call_up(self, gssi: int) -> bool:
        """A call on ``gssi`` is still up (ours or anyone's): do not set one up over it."""
        return self.gateway.call_on(gssi) is not None

    def _recall(self, page: PageState, resp: ResponderState, detail: str, round_key: str) -> bool:
        joins: list[Recall] = []
        late: list[Recall] = []
        new: list[int] = []
        for gssi in self.call_groups(page, resp):
            pending = page.pending_calls.get(gssi)
            done = page.recalls.get((gssi, round_key)) if round_key else None
            if pending is not None:
                joins.append(pending)  # queued or being set up: it takes this unit too
            elif done is not None:
                if done.cc is not None and done.cc in self.gateway.calls:
                    late.append(done)  # this round's call is up: the unit is on it
            elif not self.call_up(gssi):
                new.append(gssi)
        if not (joins or late or new):
            return False
        self._next_attempt(page, resp, detail or "repage: group call")
        for recall in joins:
            recall.job.members += (resp.issi,)
            resp.pending_job = True
        for recall in late:
            on_call = f"group call cc {recall.cc}"
            self.ledger.record(page, resp, Rung.ACCEPTED, Source.VOICE, detail=on_call)
        for gssi in new:
            job = SendJob(
                page.page_id,
                0,
                gssi,
                "",
                page.request.priority,
                resp.attempts,
                call=True,
                members=(resp.issi,),
            )
            recall = Recall(job)
            page.pending_calls[gssi] = recall
            if round_key:
                page.recalls[(gssi, round_key)] = recall
            resp.pending_job = True
            self.queue.put(job)
        return True

    def add_backup(self, page: PageState, rec: Recipient, backup_for: int) -> ResponderState:
        """Add a backup unit to a page and page it (escalation step 3)."""
        resp = self._new_responder(page, rec, backup_for)
        page.add_responder(resp)
        page.view = None
        self._start_responder(page, resp, send=True)
        return resp

    def backup_recipient(self, issi: int, for_resp: ResponderState) -> Recipient:
        """Who the backup unit is (from the station directory when there is one)."""
        found = self.directory(issi) if self.directory is not None else None
        rec = found or Recipient(issi)
        return replace(rec, via=f"backup:{for_resp.issi}", via_gssi=None)

    # --- closing ------------------------------------------------------------------------

    def close(self, page: PageState, operator: str) -> None:
        """Stop following a page: no more sends, no more escalations for it."""
        page.closed = True
        page.view = None
        dropped = self.queue.remove_page(page.page_id)
        page.pending_calls.clear()
        for resp in page.responders.values():
            resp.cancel_timers()
            resp.pending_job = False
        self.ledger.append(
            page,
            NewEvent(
                "operator.action",
                data={"action": "close_page", "dropped_sends": dropped},
                incident=page.incident_id,
                page=page.page_id,
                operator=operator,
            ),
        )

"""Answer intake: what the gateway reports, matched to the responder it is about.

Matching rules (why they differ): a ``+CMGS`` result or an SDS-TL delivery report names
the destination *and* the message reference we chose, so it is matched exactly via the
sender's reference index.  A status, a text reply or a key-up names only the radio, so
it goes to the most recent open page that has that unit as a responder (the one the
person is most likely answering); a key-up counts on a page's own call or on any of the
talkgroups it paged (a person who keys up on 学校组 after a text to 学校组 is answering).

This runs on the loop for every line of a burst, so the hot path (a status answer) is
kept to a dictionary lookup, a classification and one ``Ledger.record``.
"""

from __future__ import annotations

from console.config import StatusPlan
from console.eventlog import NewEvent
from console.paging.ledger import Ledger
from console.paging.matching import Answer, classify_status, classify_text, failure_cause
from console.paging.model import IMPLIED_UP_TO, FailureCause, Rung, Source
from console.paging.sending import Sender
from console.paging.state import PageState, ResponderState
from drivers import radio_events as rev
from drivers.gateway import Gateway
from drivers.link import LinkStateChanged
from drivers.pei import events as ev


class Intake:
    """Turns gateway events into rungs of the right responder's ladder."""

    def __init__(
        self,
        gateway: Gateway,
        plan: StatusPlan,
        by_issi: dict[int, list[PageState]],
        ledger: Ledger,
        sender: Sender,
    ) -> None:
        self.gateway = gateway
        self.plan = plan
        self.by_issi = by_issi
        self.ledger = ledger
        self.sender = sender

    def on_event(self, event: ev.PeiEvent) -> None:
        """The gateway's listener (also replays results that overtook an ``OK``)."""
        if isinstance(event, rev.StatusReceived):  # first: the bulk of a burst
            answer = classify_status(self.plan, event.value)
            if answer is not None:
                self.on_answer(_issi(event.sender), answer, Source.STATUS)
        elif isinstance(event, rev.DeliveryReport):
            self._on_report(event)
        elif isinstance(event, rev.SdsTransmitted):
            self._on_transmitted(event)
        elif isinstance(event, rev.TextReceived):
            self._on_text(event)
        elif isinstance(event, ev.TxGranted):
            self._on_key_up(event)
        elif isinstance(event, LinkStateChanged):
            self.sender.link_changed(event.state)

    # --- results of our sends (exact match by message reference) -----------------------

    def _on_transmitted(self, event: rev.SdsTransmitted) -> None:
        dest = _issi(event.destination)
        if self.sender.is_early(dest, event.message_ref, event):
            return
        found = self.sender.lookup_ref(dest, event.message_ref)
        if found is None:
            return
        page, members, attempt = found
        for issi in members:
            resp = page.responders[issi]
            if event.ok and not resp.has(Rung.SENT, attempt):
                self.ledger.record(
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
        if self.sender.is_early(dest, event.message_ref, event):
            return
        found = self.sender.lookup_ref(dest, event.message_ref)
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
                self.ledger.record(
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
            self.ledger.record(
                page,
                resp,
                Rung.FAILED,
                Source.REPORT,
                attempt=attempt,
                cause=cause,
                detail=detail,
                message_ref=ref,
            )

    # --- what people send (matched by the sender's ISSI) --------------------------------

    def _on_text(self, event: rev.TextReceived) -> None:
        issi = _issi(event.sender)
        answer = classify_text(self.plan, event.text)
        if answer is not None:
            self.on_answer(issi, answer, Source.TEXT)
            return
        page = self.active_page(issi)
        if page is not None:
            self.ledger.append(
                page,
                NewEvent(
                    "page.reply",
                    data={"text": event.text},
                    unit=issi,
                    incident=page.incident_id,
                    page=page.page_id,
                ),
            )

    def _on_key_up(self, event: ev.TxGranted) -> None:
        if event.grant != 3 or not event.talker_ssi:
            return
        issi = _issi(event.talker_ssi)
        call = self.gateway.calls.get(event.cc)
        group = call.group if call is not None else ""
        for page in reversed(self.by_issi.get(issi, [])):
            if page.closed or not (page.request.voice or page.request.talkgroups):
                continue
            on_call = event.cc in page.call_ccs or group in {
                str(g) for g in page.request.talkgroups
            }
            if on_call:
                resp = page.responders[issi]
                self.answer(
                    page, resp, Answer(Rung.ACKNOWLEDGED, "keyed up on the page call"), Source.VOICE
                )
                return

    def active_page(self, issi: int) -> PageState | None:
        """The most recent open page that has ``issi`` as a responder."""
        for page in reversed(self.by_issi.get(issi, [])):
            if not page.closed:
                return page
        return None

    def on_answer(self, issi: int, answer: Answer, source: Source) -> None:
        page = self.active_page(issi)
        if page is not None:
            self.answer(page, page.responders[issi], answer, source)

    def answer(
        self,
        page: PageState,
        resp: ResponderState,
        answer: Answer,
        source: Source,
        *,
        operator: str | None = None,
    ) -> bool:
        """Record an answer once (a radio repeating its status adds nothing); whether it
        was new.

        An answer the ladder knows only as implied by a later one is recorded when it
        does arrive (a radio repeating what a blind window swallowed): the implied rung
        said "it must have happened", this one says when the person said so.
        ``operator``: who recorded it, for an answer the officer heard another way."""
        if any(r.rung is answer.rung and not r.implied for r in resp.rungs):
            return False
        self.ledger.record(
            page,
            resp,
            answer.rung,
            source,
            detail=answer.detail,
            implied_up_to=IMPLIED_UP_TO.get(answer.rung),
            operator=operator,
        )
        if answer.rung is Rung.RELEASED:
            resp.cancel_timers()
        return True


def _issi(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1

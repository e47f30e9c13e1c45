"""Recovery after a blind window: what radios said while the console could not hear.

A cable pull, a port error, a gateway reboot or a restart of the station service leaves a
window in which answers reach the MT but never the console.  Waiting for the targets
would leave those responders "silent" for a minute or more although they answered.  So as
soon as the link is back, every open page's responders who could still have something
to say are sent their last message again, **with the same SDS-TL message reference**: a
radio recognises the retry (source address + reference), sends its reports again and
does not alert its person a second time (``fakes/radio.py`` models this; the radio also
repeats its person's answers to that message).

Who is sent it again: responders of open text pages whose last attempt went out (the
gateway accepted it) and who have not reached the end of the ladder (on scene,
released), or whose ladder has an answer known only as implied by a later one; those not
yet acknowledged first.  Someone still queued is not: the send loop sends them anyway.
Each round is logged once per page as ``page.recovery`` with its cause, and marks the
responders so the board can show who was reached again and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from console.eventlog import NewEvent
from console.paging.ledger import Ledger
from console.paging.model import Rung
from console.paging.queue import SendJob, SendQueue
from console.paging.state import PageState, ResponderState
from drivers.clock import Clock

LINK_OUTAGE = "link_outage"
SERVICE_RESTART = "service_restart"

RefIndex = Mapping[tuple[int, int], tuple[PageState, tuple[int, ...], int]]


@dataclass(frozen=True)
class Resend:
    """One message to send again: where, with which reference, for whom."""

    page_id: str
    destination: int
    message_ref: int
    members: tuple[int, ...]
    attempt: int
    group: bool


_ANSWERS = (Rung.ACKNOWLEDGED, Rung.EN_ROUTE, Rung.ON_SCENE)


def unfinished(resp: ResponderState) -> bool:
    """Could still hold an answer we did not hear: not at the ladder's end, or an answer
    rung known only as implied by a later one (the status itself may have been lost)."""
    if resp.has(Rung.FAILED, resp.attempts) or resp.reached(Rung.RELEASED):
        return False
    if not resp.reached(Rung.ON_SCENE):
        return True
    return any(not any(r.rung is rung and not r.implied for r in resp.rungs) for rung in _ANSWERS)


def _urgency(page: PageState, item: Resend) -> int:
    """Responders not yet acknowledged first: they are the ones the officer waits for."""
    return 0 if any(not page.responders[i].reached(Rung.ACKNOWLEDGED) for i in item.members) else 1


def plan_resends(pages: Mapping[str, PageState], by_ref: RefIndex) -> list[Resend]:
    """The messages to send again after a blind window (pure: no I/O, no clock).

    ``by_ref`` is the sender's index of every (destination, reference) it sent, in send
    order; the first reference of a send is its own (later ones are its other parts).
    """
    out: list[Resend] = []
    seen: set[tuple[str, int, int]] = set()
    for (dest, ref), (page, members, attempt) in by_ref.items():
        if page.closed or not page.request.text:
            continue
        key = (page.page_id, dest, attempt)
        if key in seen:
            continue
        seen.add(key)
        due = tuple(
            issi
            for issi in members
            if (resp := page.responders.get(issi)) is not None
            and resp.attempts == attempt
            and not resp.pending_job
            and resp.has(Rung.ACCEPTED, attempt)
            and unfinished(resp)
        )
        if due:
            group = members != (dest,)
            out.append(Resend(page.page_id, dest, ref, due, attempt, group))
    out.sort(key=lambda item: _urgency(pages[item.page_id], item))
    return out


class Recovery:
    """Notices blind windows from the link's state and queues the resends when it is over."""

    def __init__(
        self,
        clock: Clock,
        queue: SendQueue,
        pages: Mapping[str, PageState],
        ledger: Ledger,
        by_ref: RefIndex,
    ) -> None:
        self.clock = clock
        self.queue = queue
        self.pages = pages
        self.ledger = ledger
        self.by_ref = by_ref
        self._was_up = False
        self._blind_since: float | None = None
        self._cause = LINK_OUTAGE
        self.rounds = 0
        self.resent = 0

    def link_changed(self, up: bool) -> None:
        """Call on every link state change; a return to UP after a loss recovers."""
        now = self.clock.monotonic()
        if not up:
            if self._was_up and self._blind_since is None:
                self._blind_since = now
            return
        self._was_up = True
        if self._blind_since is not None:
            since, self._blind_since = self._blind_since, None
            self.recover(self._cause, blind_s=now - since)
            self._cause = LINK_OUTAGE

    def restarted(self, *, up: bool) -> None:
        """The engine was rebuilt from the log: the time it was down was a blind window
        (recover now if the link is already up, else when it comes up)."""
        if up:
            self.recover(SERVICE_RESTART)
            return
        self._was_up = True
        self._blind_since = self.clock.monotonic()
        self._cause = SERVICE_RESTART

    def recover(self, cause: str, *, blind_s: float = 0.0) -> int:
        """Queue the resends now; returns how many messages were queued."""
        resends = plan_resends(self.pages, self.by_ref)
        by_page: dict[str, list[Resend]] = {}
        for item in resends:
            by_page.setdefault(item.page_id, []).append(item)
        for page_id, items in by_page.items():
            page = self.pages[page_id]
            units = sorted({i for item in items for i in item.members})
            for issi in units:
                resp = page.responders[issi]
                resp.recoveries += 1
                resp.pending_job = True
                page.touch(resp)
            for item in reversed(items):  # put_front: the first ends up first
                self.queue.put_front(
                    SendJob(
                        page_id,
                        item.members[0] if not item.group else 0,
                        item.destination,
                        page.request.text,
                        page.request.priority,
                        item.attempt,
                        message_ref=item.message_ref,
                        retry=True,
                        members=item.members if item.group else (),
                        recovery=True,
                    )
                )
            self.ledger.append(
                page,
                NewEvent(
                    "page.recovery",
                    data={
                        "cause": cause,
                        "units": units,
                        "messages": len(items),
                        "blind_s": round(blind_s, 3),
                    },
                    incident=page.incident_id,
                    page=page_id,
                ),
            )
        if resends:
            self.rounds += 1
            self.resent += len(resends)
        return len(resends)

"""Deadlines and escalation: the 1 / 3 / 5 minute promise, enforced per responder.

Each responder gets one timer per target (acknowledge, en route, on scene), counted
from the moment it was paged (a backup unit's clock starts when it is called in).  When a
timer fires and the responder has not reached the rung the target asks for, the engine
records a ``failed / no_answer`` rung and runs the escalation steps in a fixed order —
re-page that responder individually (only if it is still silent: an acknowledged unit
that is late on the road needs the officer, not the same text again; on a voice-only
page the re-page re-establishes the group call, once per talkgroup per round -- see
``dispatch.py``), alert the officer, page the unit's backup (once) — each written to the
log, so a drill report can show exactly what was done and when.

Why timers and not a polling loop: a 2000-responder page has 6000 deadlines, nearly all
cancelled by an answer; a timer costs nothing until it fires, and on the injected clock
tests run the 5 minutes in virtual time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from console.deadlines import DeadlineKind
from console.paging.ledger import Ledger
from console.paging.model import (
    EscalationRecord,
    EscalationStep,
    FailureCause,
    Recipient,
    Rung,
    Source,
    required_rung,
)
from console.paging.state import PageState, ResponderState
from drivers.clock import Clock


class Repager(Protocol):
    """What an escalation step asks of the pages' owner (the ``Dispatcher`` fits).

    A protocol rather than the dispatcher's class, so the dispatcher (which calls
    :meth:`Escalator.schedule` through a callback) and the escalator need not import each
    other.
    """

    def repage(
        self, page: PageState, resp: ResponderState, *, detail: str = "", round_key: str = ""
    ) -> bool: ...
    def call_groups(self, page: PageState, resp: ResponderState) -> tuple[int, ...]: ...
    def call_up(self, gssi: int) -> bool: ...
    def backup_recipient(self, issi: int, for_resp: ResponderState) -> Recipient: ...
    def add_backup(self, page: PageState, rec: Recipient, backup_for: int) -> ResponderState: ...


class Escalator:
    """Schedules target timers on the clock and runs the escalation steps."""

    def __init__(self, clock: Clock, ledger: Ledger, pages: Repager) -> None:
        self.clock = clock
        self.ledger = ledger
        self.pages = pages

    def schedule(self, page: PageState, resp: ResponderState) -> None:
        clock = self.clock
        for kind in DeadlineKind:
            deadline = page.deadlines.deadline(kind)
            if deadline is None:
                continue
            delay = resp.joined_mono + deadline - clock.monotonic()
            resp.timers.append(clock.call_later(delay, self._timer(page, resp, kind)))

    def _timer(
        self, page: PageState, resp: ResponderState, kind: DeadlineKind
    ) -> Callable[[], None]:
        return lambda: self.target_passed(page, resp, kind)

    def target_passed(self, page: PageState, resp: ResponderState, kind: DeadlineKind) -> None:
        if page.closed or resp.reached(required_rung(kind)) or resp.reached(Rung.RELEASED):
            return
        self.ledger.record(
            page,
            resp,
            Rung.FAILED,
            Source.ENGINE,
            cause=FailureCause.NO_ANSWER,
            detail=kind.value,
        )
        policy = page.deadlines.escalation
        silent = not resp.reached(Rung.ACKNOWLEDGED)
        if policy.repage and silent and resp.repages < policy.repage_limit:
            queued = self.pages.repage(
                page, resp, detail=f"repage: {kind.value} target passed", round_key=kind.value
            )
            self._step(
                page,
                resp,
                kind,
                EscalationStep.REPAGE,
                self._repage_detail(page, resp, queued),
            )
        if policy.alert_officer:
            self._step(page, resp, kind, EscalationStep.ALERT, _alert_text(resp, kind))
        if policy.page_backup and resp.backup is not None and not resp.backup_paged:
            resp.backup_paged = True
            if resp.backup in page.responders:
                self._step(
                    page,
                    resp,
                    kind,
                    EscalationStep.BACKUP,
                    "backup already on this page",
                    resp.backup,
                )
            else:
                rec = self.pages.backup_recipient(resp.backup, resp)
                self._step(
                    page,
                    resp,
                    kind,
                    EscalationStep.BACKUP,
                    f"paging backup {rec.alias}",
                    resp.backup,
                )
                self.pages.add_backup(page, rec, resp.issi)

    def _repage_detail(self, page: PageState, resp: ResponderState, queued: bool) -> str:
        """What the log says about the re-page step (why not, when it was not done)."""
        dispatcher = self.pages
        if page.request.text:
            return f"attempt {resp.attempts}" if queued else "not re-paged: a send is still queued"
        groups = dispatcher.call_groups(page, resp)
        calls = ", ".join(str(g) for g in groups)
        if queued:
            return f"attempt {resp.attempts}: group call {calls} re-established"
        if resp.pending_job:
            return "not re-paged: its group call is still queued"
        if not groups:
            return "not re-paged: a voice-only page with no talkgroup to call"
        if all(dispatcher.call_up(g) for g in groups):
            return f"not re-paged: the group call {calls} is still up"
        return f"not re-paged: the group call {calls} was re-established this round"

    def _step(
        self,
        page: PageState,
        resp: ResponderState,
        kind: DeadlineKind,
        step: EscalationStep,
        detail: str,
        backup: int | None = None,
    ) -> None:
        clock = self.clock
        record = EscalationRecord(
            page.page_id,
            resp.issi,
            kind,
            step,
            clock.time(),
            clock.monotonic(),
            detail,
            backup,
        )
        self.ledger.record_escalation(page, resp, record)


def _alert_text(resp: ResponderState, kind: DeadlineKind) -> str:
    top = "nothing" if resp.top_level < 0 else _top_rung(resp).value
    return f"{resp.alias} ({resp.issi}): {kind.value} target passed, last rung {top}"


def _top_rung(resp: ResponderState) -> Rung:
    best = Rung.QUEUED
    for rec in resp.rungs:
        if rec.rung.level > best.level:
            best = rec.rung
    return best

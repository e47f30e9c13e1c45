"""The engine's mutable bookkeeping of pages and responders, and the committed views.

Why two copies of each rung: the engine must act on what it knows at once (an answer
stops an escalation even before the log committed it), while the UI may only show what
the log has committed (design §6 "Nothing is lost").  So every rung goes into ``rungs``
when it happens and into ``committed`` when the log's commit notification covers its
event id; views are built from ``committed`` only, and cached per responder so a burst
of answers rebuilds only the responders that changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from console.deadlines import Deadlines
from console.paging.model import (
    LADDER,
    EscalationRecord,
    FailureCause,
    PageRequest,
    PageView,
    ResponderView,
    Rung,
    RungRecord,
)
from drivers.clock import TimerHandle

if TYPE_CHECKING:
    from console.paging.queue import SendJob


@dataclass(eq=False)
class ResponderState:
    """One responder of one page, as the engine tracks it."""

    issi: int
    alias: str
    kind: str
    via: str | None
    via_gssi: int | None
    backup: int | None
    backup_for: int | None
    joined_mono: float
    pending_job: bool = False
    written: set[int] = field(default_factory=set)
    rungs: list[RungRecord] = field(default_factory=list)
    committed: list[RungRecord] = field(default_factory=list)
    attempts: int = 0
    repages: int = 0
    recoveries: int = 0
    """Times its last message was sent again after a blind window (``recovery.py``)."""
    backup_paged: bool = False
    top_level: int = -1
    timers: list[TimerHandle] = field(default_factory=list)
    view: ResponderView | None = None

    def has(self, rung: Rung, attempt: int | None = None) -> bool:
        return any(r.rung is rung and (attempt is None or r.attempt == attempt) for r in self.rungs)

    def has_failure(self, cause: FailureCause, detail: str, attempt: int) -> bool:
        return any(
            r.rung is Rung.FAILED
            and r.cause is cause
            and r.detail == detail
            and r.attempt == attempt
            for r in self.rungs
        )

    def add(self, record: RungRecord) -> None:
        self.rungs.append(record)
        self.top_level = max(self.top_level, record.rung.level)

    def reached(self, rung: Rung) -> bool:
        """At or past ``rung`` (uncommitted rungs count: the engine acts on them)."""
        return self.top_level >= rung.level

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()

    def snapshot(self) -> ResponderView:
        if self.view is None:
            self.view = ResponderView(
                issi=self.issi,
                alias=self.alias,
                kind=self.kind,
                via=self.via,
                backup_for=self.backup_for,
                rungs=tuple(self.committed),
                attempts=self.attempts,
                recoveries=self.recoveries,
            )
        return self.view


@dataclass(eq=False)
class Recall:
    """A re-established group call of a voice-only page (``Dispatcher.repage``)."""

    job: SendJob
    cc: int | None = None
    """The call's CC instance once it is up (later silent units of the round join it)."""


@dataclass(eq=False)
class PageState:
    """One page as the engine tracks it."""

    page_id: str
    incident_id: str | None
    request: PageRequest
    deadlines: Deadlines
    operator: str
    created_wall: float
    created_mono: float
    responders: dict[int, ResponderState] = field(default_factory=dict)
    call_ccs: set[int] = field(default_factory=set)
    escalations: list[EscalationRecord] = field(default_factory=list)
    committed_escalations: list[EscalationRecord] = field(default_factory=list)
    closed: bool = False
    view: PageView | None = None
    pending_calls: dict[int, Recall] = field(default_factory=dict)
    """Voice-only re-pages: the re-established group call per GSSI until it is set up."""
    recalls: dict[tuple[int, str], Recall] = field(default_factory=dict)
    """``(gssi, round)`` -> that round's re-established call: one call per GSSI a round."""
    group_refs: dict[int, int] = field(default_factory=dict)
    """GSSI -> the message reference its group SDS went out with (fast alert follow-ups
    reuse it, so a radio that had the group SDS recognises the message)."""

    _views: list[ResponderView | None] = field(default_factory=list)
    _positions: dict[int, int] = field(default_factory=dict)
    _stale: set[int] = field(default_factory=set)

    def add_responder(self, resp: ResponderState) -> None:
        self.responders[resp.issi] = resp
        # Copy on write: views already handed out keep the positions they were built with.
        self._positions = {**self._positions, resp.issi: len(self._views)}
        self._views.append(None)
        self.touch(resp)

    def touch(self, resp: ResponderState) -> None:
        """``resp``'s committed rungs changed: rebuild its view (only) at the next snapshot."""
        resp.view = None
        self._stale.add(resp.issi)
        self.view = None

    @property
    def sends_text(self) -> bool:
        return bool(self.request.text)

    def applicable(self, rung: Rung) -> bool:
        """Whether ``rung`` can happen on this page (no SDS rungs on a voice-only page)."""
        if rung in (Rung.SENT, Rung.DELIVERED, Rung.READ):
            return self.sends_text
        return True

    def implied_rungs(self, resp: ResponderState, up_to: Rung) -> list[Rung]:
        """Ladder rungs an answer proves that the responder has no record of yet.

        ``READ`` is never implied: only the radio's consumed report proves a message was
        read (the person may have answered the voice call without reading the text).
        """
        out: list[Rung] = []
        for rung in LADDER:
            if rung.level < Rung.ACCEPTED.level or rung.level > up_to.level:
                continue
            if rung is Rung.READ or not self.applicable(rung) or resp.has(rung):
                continue
            if self.sends_text and rung.level <= Rung.DELIVERED.level and not resp.written:
                continue  # the text never left us: an answer (to the voice call) proves nothing
            out.append(rung)
        return out

    def snapshot(self) -> PageView:
        """The committed page.  Why incremental: under a burst of answers this runs once
        per group commit, and rebuilding all 2000 responder views each time costs the
        loop ~1 ms per commit; only the touched ones are rebuilt."""
        if self.view is None:
            if len(self._views) != len(self.responders):  # responders added by hand
                self._views = [None] * len(self.responders)
                self._positions = {issi: i for i, issi in enumerate(self.responders)}
                self._stale = set(self.responders)
            views, positions = self._views, self._positions
            for issi in self._stale:
                views[positions[issi]] = self.responders[issi].snapshot()
            self._stale.clear()
            self.view = PageView(
                page_id=self.page_id,
                incident_id=self.incident_id,
                text=self.request.text,
                voice_groups=self.request.talkgroups if self.request.voice else (),
                operator=self.operator,
                created_wall=self.created_wall,
                created_mono=self.created_mono,
                deadlines=self.deadlines,
                responders=cast("tuple[ResponderView, ...]", tuple(views)),
                escalations=tuple(self.committed_escalations),
                closed=self.closed,
                _positions=self._positions,
            )
        return self.view

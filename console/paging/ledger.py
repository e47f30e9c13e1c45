"""Ladder bookkeeping: every rung, escalation and page event is logged, then shown.

Design §6 "Nothing is lost" applied to the paging engine: a rung goes into the engine's
memory (``ResponderState.rungs``) the moment it happens, so the engine can act on it
(stop an escalation, skip a send), but into what the UI may see
(``ResponderState.committed`` and the page's view) only once the event log reports the
commit of its event id.  This module is that gate, and the only place in the engine that
appends to the log.

Why the commit notification is batched: the log's writer thread calls us once per
group commit.  Hopping to the loop with one ``call_soon_threadsafe`` per commit is
cheap, but under a burst the loop may still be busy when the next commit lands; we then
keep at most one hop in flight and let it pick up the newest high-water mark, so a slow
loop drains N commits with one wake-up instead of N (see ``_on_commit_threadsafe``).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from console.deadlines import Deadlines
from console.eventlog import EventLog, EventLogError, NewEvent
from console.paging.model import (
    EscalationRecord,
    EscalationStep,
    FailureCause,
    OfficerAlert,
    PageChanged,
    PagingUpdate,
    Rung,
    RungRecord,
    Source,
)
from console.paging.state import PageState, ResponderState
from drivers.clock import Clock, TimerHandle

Listener = Callable[[PagingUpdate], None]
Pending = tuple[int, PageState, ResponderState | None, RungRecord | EscalationRecord | None]
"""``(event id, page, responder, what becomes visible once that id is committed)``."""


class Ledger:
    """Appends the engine's events to the log and publishes them once committed."""

    def __init__(
        self, log: EventLog, clock: Clock, *, drive_log: bool = False, log_tick: float = 0.005
    ) -> None:
        self.log = log
        self.clock = clock
        self.listeners: list[Listener] = []
        self._drive_log = drive_log
        self._log_tick = log_tick
        self._uncommitted: deque[Pending] = deque()
        self._tick_timer: TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hop_lock = threading.Lock()
        self._hop_scheduled = False
        self._latest_commit = 0

    # --- life cycle -------------------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
        """Listen to the log's commits (delivered on ``loop``); return the remover."""
        self._loop = loop
        return self.log.add_commit_listener(self._on_commit_threadsafe)

    def close(self) -> None:
        if self._tick_timer is not None:
            self._tick_timer.cancel()
            self._tick_timer = None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    # --- appending --------------------------------------------------------------------

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
        operator: str | None = None,
    ) -> None:
        """Record ``rung`` (and the rungs it implies) now, in the log and in memory.

        ``operator``: the officer who recorded it by hand (logged on each rung's row).

        The implied rungs and the rung itself go in one ``append_many`` so they are
        committed together: the UI never shows "acknowledged" without "delivered".
        Answers are appended as urgent: the officer is watching for them, so the log
        commits them as soon as it can rather than after its group-commit delay.
        """
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
                data=rung_data(d),
                unit=resp.issi,
                incident=page.incident_id,
                page=page.page_id,
                group=resp.via,
                operator=operator,
                wall=wall,
                mono=mono,
            )
            for d in drafts
        ]
        ids = self.log.append_many(events, urgent=rung.is_answer)
        for draft, event_id in zip(drafts, ids, strict=True):
            record = replace(draft, event_id=event_id)
            resp.add(record)
            self._uncommitted.append((event_id, page, resp, record))
        self.schedule_tick()

    def record_escalation(
        self, page: PageState, resp: ResponderState, rec: EscalationRecord
    ) -> None:
        event = NewEvent(
            f"escalation.{rec.step.value}",
            data={
                "target": rec.deadline.value,
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
        urgent = rec.step is EscalationStep.ALERT  # the officer must look now
        event_id = self.log.append_many([event], urgent=urgent)[0]
        rec = replace(rec, event_id=event_id)
        page.escalations.append(rec)
        self._uncommitted.append((event_id, page, resp, rec))
        self.schedule_tick()

    def append(self, page: PageState, event: NewEvent) -> None:
        """A page-level event (created, call, reply, operator action): logged, and the
        page's subscribers hear of it once committed."""
        event_id = self.log.append_many([event])[0]
        self._uncommitted.append((event_id, page, None, None))
        self.schedule_tick()

    # --- commit gate ------------------------------------------------------------------

    def schedule_tick(self) -> None:
        """With ``drive_log`` the engine, not a writer thread, runs the log's commits."""
        if self._drive_log and self._tick_timer is None:
            self._tick_timer = self.clock.call_later(self._log_tick, self._tick_log)

    def _tick_log(self) -> None:
        self._tick_timer = None
        with contextlib.suppress(EventLogError):
            self.log.tick()
        if self.log.pending_count:
            self.schedule_tick()

    def _on_commit_threadsafe(self, committed_id: int) -> None:
        """On the committing thread: one hop to the loop, unless one is already queued
        (it will read ``_latest_commit`` when it runs, which covers this commit too)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with self._hop_lock:
            self._latest_commit = max(self._latest_commit, committed_id)
            if self._hop_scheduled:
                return
            self._hop_scheduled = True
        try:
            loop.call_soon_threadsafe(self._on_commit_hop)
        except RuntimeError:  # the loop closed between the check and the call
            with self._hop_lock:
                self._hop_scheduled = False

    def _on_commit_hop(self) -> None:
        with self._hop_lock:
            self._hop_scheduled = False
            committed_id = self._latest_commit
        self.on_commit(committed_id)

    def on_commit(self, committed_id: int) -> None:
        """Move what the log committed into the views, then tell the UI."""
        changed: dict[str, tuple[PageState, set[int]]] = {}
        alerts: list[OfficerAlert] = []
        uncommitted = self._uncommitted
        while uncommitted and uncommitted[0][0] <= committed_id:
            _, page, resp, item = uncommitted.popleft()
            entry = changed.get(page.page_id)
            if entry is None:
                entry = changed[page.page_id] = (page, set())
            page.view = None
            if isinstance(item, RungRecord) and resp is not None:
                resp.committed.append(replace(item, committed=True))
                page.touch(resp)
                entry[1].add(resp.issi)
            elif isinstance(item, EscalationRecord):
                page.committed_escalations.append(replace(item, committed=True))
                if item.step is EscalationStep.ALERT and resp is not None:
                    alerts.append(
                        OfficerAlert(
                            page.page_id,
                            resp.issi,
                            resp.alias,
                            item.deadline,
                            item.wall,
                            item.mono,
                            item.detail,
                        )
                    )
        if not changed:
            return
        updates: list[PagingUpdate] = [
            PageChanged(page.snapshot(), tuple(sorted(issis))) for page, issis in changed.values()
        ]
        updates += alerts
        for update in updates:
            for listener in list(self.listeners):
                listener(update)


def rung_data(rec: RungRecord) -> Mapping[str, Any]:
    """The ``data`` of a ``ladder.*`` event (only what is set, to keep rows short)."""
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


def deadlines_dict(deadlines: Deadlines) -> dict[str, Any]:
    """The deadlines as written into ``page.created``."""
    esc = deadlines.escalation
    return {
        "acknowledge_s": deadlines.acknowledge_s,
        "en_route_s": deadlines.en_route_s,
        "on_scene_s": deadlines.on_scene_s,
        "repage": esc.repage,
        "repage_limit": esc.repage_limit,
        "alert_officer": esc.alert_officer,
        "page_backup": esc.page_backup,
    }

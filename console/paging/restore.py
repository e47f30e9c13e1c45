"""Rebuild the open pages from the event log when the station service starts again.

After a crash, a power cut or ``kill -9`` the engine's memory is gone but the log holds
every page and every committed rung (design §4).  :func:`restore_open_pages` gives the
new engine the pages that were still in flight (:func:`console.paging.inflight.in_flight`) so
that:

* ladders continue: a status, a text reply or a key-up that arrives now climbs the same
  responder's ladder (answers are matched by the unit's ISSI, as before the crash);
* escalation timers are re-armed from the logged times (wall clock, translated into this
  process's monotonic clock): a target that passed *before* the crash was handled then and
  is not handled again; a target that passed while the service was down fires now;
* nobody is paged twice by mistake: a responder whose SDS the gateway had accepted is
  left waiting for an answer; only a send that was queued and never accepted (it had not
  left the PC, as far as the log knows) is sent again, as the same attempt.

Pages of roll calls and drills (logged without an incident, and followed by their own
records) are not resumed as plain pages; a voice call that was up is not re-established
(the gateway owns calls).  Delivery reports for SDS sent before the restart cannot be
matched to their message reference any more; the answers that follow them still are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from console.deadlines import DeadlineKind, Deadlines, Escalation
from console.eventlog import EventLog, EventRecord
from console.paging.inflight import in_flight
from console.paging.model import (
    FailureCause,
    PageRequest,
    Recipient,
    Rung,
    RungRecord,
    Source,
    required_rung,
)
from console.paging.state import PageState, ResponderState
from drivers.link import LinkState


def _deadlines(data: Mapping[str, Any]) -> Deadlines:
    policy = Escalation(
        repage=bool(data.get("repage", True)),
        repage_limit=int(data.get("repage_limit", 2)),
        alert_officer=bool(data.get("alert_officer", True)),
        page_backup=bool(data.get("page_backup", True)),
    )
    return Deadlines(
        acknowledge_s=data.get("acknowledge_s"),
        en_route_s=data.get("en_route_s"),
        on_scene_s=data.get("on_scene_s"),
        escalation=policy,
    )


def _rung(rec: EventRecord, mono: float) -> RungRecord | None:
    try:
        rung = Rung(rec.kind.removeprefix("ladder."))
        source = Source(rec.data.get("source", "engine"))
    except ValueError:
        return None
    cause = rec.data.get("cause")
    try:
        failure = FailureCause(cause) if cause else None
    except ValueError:
        failure = None
    return RungRecord(
        rung,
        rec.wall,
        mono,
        source,
        int(rec.data.get("attempt", 1)),
        bool(rec.data.get("implied", False)),
        failure,
        str(rec.data.get("detail", "")),
        bool(rec.data.get("retry", False)),
        rec.data.get("message_ref"),
        event_id=rec.id,
        committed=True,
    )


def restore_open_pages(
    engine: Any,
    log: EventLog,
    directory: Callable[[int], Recipient | None],
) -> list[PageState]:
    """Give ``engine`` (a started :class:`~console.paging.engine.PagingEngine`) the open
    pages of ``log``; the pages it now follows (see the module docstring)."""
    clock = engine.clock
    now_wall, now_mono = float(clock.time()), float(clock.monotonic())

    def mono_of(wall: float) -> float:
        return now_mono - (now_wall - wall)

    _continue_refs(engine, log)
    open_ids = {p.page for p in in_flight(log)}
    restored: list[PageState] = []
    for created in log.query(kinds=["page.created"]):
        page_id = created.page
        if page_id is None or page_id not in open_ids or page_id in engine.pages:
            continue
        if created.incident is None:
            continue  # a roll call's or drill's page: followed by its own records
        restored.append(_restore_page(engine, log, created, directory, mono_of))
    if restored:
        _index_refs(engine, restored)
        engine.recovery.restarted(up=engine.gateway.link.state is LinkState.UP)
    return restored


def _continue_refs(engine: Any, log: EventLog) -> None:
    """New SDS-TL references go on after the last one the log recorded."""
    for rec in log.query(kinds=["ladder.accepted"], descending=True, limit=1):
        ref = rec.data.get("message_ref")
        if isinstance(ref, int) and hasattr(engine.gateway, "continue_refs_after"):
            engine.gateway.continue_refs_after(ref)


def _index_refs(engine: Any, pages: list[PageState]) -> None:
    """Give the sender the message references the log recorded, so results still match
    and the recovery after the restart sends each message again with its own reference."""
    for page in pages:
        for resp in page.responders.values():
            for rung in resp.rungs:
                if rung.rung is Rung.ACCEPTED and rung.message_ref is not None:
                    key = (resp.issi, rung.message_ref)
                    engine.sender.by_ref.setdefault(key, (page, (resp.issi,), rung.attempt))


def _restore_page(
    engine: Any,
    log: EventLog,
    created: EventRecord,
    directory: Callable[[int], Recipient | None],
    mono_of: Callable[[float], float],
) -> PageState:
    data = created.data
    issis = [int(u) for u in data.get("responders", []) if str(u).isdigit()]
    request = PageRequest(
        recipients=tuple(directory(i) or Recipient(i) for i in issis),
        talkgroups=tuple(int(g) for g in data.get("talkgroups", [])),
        text=str(data.get("text", "")),
        voice=bool(data.get("voice", False)),
        group_text=tuple(int(g) for g in data.get("group_text", [])),
        followup_s=float(data["followup_s"]) if data.get("followup_s") else None,
        deadlines=_deadlines(data.get("deadlines") or data.get("targets") or {}),
        priority=int(data.get("priority", 5)),
        operator=created.operator or "",
        incident_id=created.incident,
    )
    assert created.page is not None
    page = PageState(
        page_id=created.page,
        incident_id=created.incident,
        request=request,
        deadlines=request.deadlines or Deadlines(),
        operator=created.operator or "",
        created_wall=created.wall,
        created_mono=mono_of(created.wall),
    )
    dispatcher = engine.dispatcher
    dispatcher.pages[page.page_id] = page
    ladders: dict[int, list[EventRecord]] = {}
    backups: set[int] = set()
    for rec in log.query(page=page.page_id, kinds=["ladder.*", "escalation.backup"]):
        if rec.unit is None or not rec.unit.isdigit():
            continue
        if rec.kind == "escalation.backup":
            backups.add(int(rec.unit))
        else:
            ladders.setdefault(int(rec.unit), []).append(rec)
    for issi in [*issis, *(u for u in ladders if u not in issis)]:
        recipient = directory(issi) or Recipient(issi)
        resp = dispatcher._new_responder(page, recipient, None)
        records = ladders.get(issi, [])
        if records:
            resp.joined_mono = mono_of(records[0].wall)
        for rec in records:
            rung = _rung(rec, mono_of(rec.wall))
            if rung is not None:
                resp.add(rung)
                resp.committed.append(rung)
        resp.attempts = max((r.attempt for r in resp.rungs), default=1)
        resp.repages = resp.attempts - 1
        resp.backup_paged = issi in backups
        page.add_responder(resp)
        _resume_responder(engine, page, resp)
    return page


def _resume_responder(engine: Any, page: PageState, resp: ResponderState) -> None:
    """Re-arm the targets not yet handled; send again only what never left the PC."""
    if resp.reached(Rung.RELEASED):
        return
    handled = {
        r.detail for r in resp.rungs if r.rung is Rung.FAILED and r.cause is FailureCause.NO_ANSWER
    }
    clock = engine.clock
    escalator = engine.escalator
    for kind in DeadlineKind:
        deadline = page.deadlines.deadline(kind)
        if deadline is None or kind.value in handled or resp.reached(required_rung(kind)):
            continue
        delay = resp.joined_mono + deadline - clock.monotonic()
        resp.timers.append(clock.call_later(max(0.0, delay), escalator._timer(page, resp, kind)))
    attempt = resp.attempts
    this_try = [r for r in resp.rungs if r.attempt == attempt]
    never_left = all(r.rung is Rung.QUEUED for r in this_try)
    if page.request.text and never_left and not resp.reached(Rung.ACKNOWLEDGED):
        engine.dispatcher._queue_send(page, resp, attempt)

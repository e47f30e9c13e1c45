"""Escalation as the officer should see it: one lasting line per page and target.

When a target passes, the engine alerts the officer once per late responder
(:class:`~console.paging.model.OfficerAlert`).  Shown one by one, a 46-unit drill at the
3-minute mark is a storm of toasts and bells that covers the response board and then
vanishes.  This module decides instead, with no UI in it:

- :func:`summarise`: per page and target, which responders passed it without reaching
  its rung, and which of them still have not -- the board's lasting line
  ("3分钟出发超时 9 个 [F3 重呼这 9 个]").
- :func:`repage_candidates`: whom F3 re-pages: the responders who have not acknowledged,
  less those paged again in the last ``recent_s`` seconds (an automatic re-page that just
  went out must not be doubled by the officer's key).
- :func:`in_flight`: the pages still waiting for someone (quitting asks first).
- :class:`AlertDigest`: which alerts are news (the first for a page and target, announced
  once); when the bell may ring for them is :mod:`console.bells`' rule, as for alarms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from console.deadlines import DeadlineKind
from console.paging.model import (
    EscalationStep,
    OfficerAlert,
    PageView,
    ResponderView,
    Rung,
    required_rung,
)

RECENT_REPAGE_S = 30.0
"""A responder paged again this recently is not re-paged by F3 (it is still ringing)."""


@dataclass(frozen=True)
class DeadlineSummary:
    """The responders of one page that passed one target, as one line."""

    page_id: str
    deadline: DeadlineKind
    late: tuple[int, ...]
    """Alerted for this target (passed it without its rung), in page order."""
    still_late: tuple[int, ...]
    """Of ``late``, those that have not reached the rung since."""


def _reached(resp: ResponderView, rung: Rung) -> bool:
    top = resp.top
    return top is not None and top.level >= rung.level


def summarise(view: PageView) -> tuple[DeadlineSummary, ...]:
    """One summary per target that has passed for anyone on ``view``, 1 → 3 → 5 min."""
    alerted: dict[DeadlineKind, set[int]] = {}
    for rec in view.escalations:
        if rec.step is EscalationStep.ALERT:
            alerted.setdefault(rec.deadline, set()).add(rec.issi)
    out: list[DeadlineSummary] = []
    for target in DeadlineKind:
        issis = alerted.get(target)
        if not issis:
            continue
        late = tuple(r.issi for r in view.responders if r.issi in issis)
        still = tuple(
            r.issi
            for r in view.responders
            if r.issi in issis and not _reached(r, required_rung(target))
        )
        out.append(DeadlineSummary(view.page_id, target, late, still))
    return tuple(out)


def last_repaged(view: PageView, resp: ResponderView) -> float | None:
    """When ``resp`` was last paged *again* (a later attempt queued, or an escalation's
    re-page step); None if only the first page went out."""
    times = [r.mono for r in resp.rungs if r.rung is Rung.QUEUED and r.attempt > 1]
    times += [
        e.mono for e in view.escalations if e.issi == resp.issi and e.step is EscalationStep.REPAGE
    ]
    return max(times, default=None)


@dataclass(frozen=True)
class RepagePlan:
    """Whom F3 re-pages now, and who is left out because they were just paged."""

    units: tuple[int, ...]
    just_paged: tuple[int, ...]


def repage_candidates(
    view: PageView | None, now: float, recent_s: float = RECENT_REPAGE_S
) -> RepagePlan:
    """The silent responders of ``view`` (not acknowledged), less those re-paged in the
    last ``recent_s`` seconds (the first page does not count: re-paging it is F3's job)."""
    if view is None or view.closed:
        return RepagePlan((), ())
    units: list[int] = []
    recent: list[int] = []
    for resp in view.responders:
        if resp.acknowledged:
            continue
        again = last_repaged(view, resp)
        just = again is not None and now - again < recent_s
        (recent if just else units).append(resp.issi)
    return RepagePlan(tuple(units), tuple(recent))


def in_flight(views: Iterable[PageView]) -> tuple[str, ...]:
    """Pages still being followed with someone yet to answer (what ``q`` asks about)."""
    return tuple(v.page_id for v in views if not v.closed and not v.all_acknowledged)


@dataclass(frozen=True)
class Announcement:
    """A page's target passed for ``count`` more responders in one batch of alerts."""

    page_id: str
    deadline: DeadlineKind
    count: int
    first: bool
    """The first time this page and target passed: tell the officer (once)."""


@dataclass
class AlertDigest:
    """Folds officer alerts into announcements (one per page and target)."""

    _seen: set[tuple[str, DeadlineKind]] = field(default_factory=set)

    def take(self, alerts: Iterable[OfficerAlert]) -> tuple[Announcement, ...]:
        """The alerts of one batch, one announcement per page and target."""
        counts: dict[tuple[str, DeadlineKind], int] = {}
        for alert in alerts:
            key = (alert.page_id, alert.deadline)
            counts[key] = counts.get(key, 0) + 1
        out: list[Announcement] = []
        for key, n in counts.items():
            first = key not in self._seen
            self._seen.add(key)
            out.append(Announcement(key[0], key[1], n, first))
        return tuple(out)

"""What was in flight: pages whose responders have not reached a final rung, from the log.

After a crash (``kill -9``, power cut) the engine's memory is gone; the event log is the
record (design §4).  :func:`in_flight` reads the committed log only and tells the officer,
for every page that is still open, which responders were still on their way up the
ladder: paged but never accepted by the gateway, sent but not answered, answered but not
yet on scene, or failed.  A page stops being "in flight" when it was closed
(``operator.action`` ``close_page``, which a drill writes when it ends) or every
responder reached a final rung (``on_scene`` or ``released`` by default).

Works on a log opened read-only (``EventLog.open_readonly``) while another console
writes it, and on a log left behind by a killed process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from console.eventlog import EventLog
from console.paging.model import Rung

FINAL_RUNGS: frozenset[Rung] = frozenset({Rung.ON_SCENE, Rung.RELEASED})


@dataclass(frozen=True)
class InFlightResponder:
    """One responder not yet at a final rung."""

    unit: int
    top: Rung | None  # highest rung of the ladder reached (None: not even queued)
    last: Rung | None  # the last rung written (may be ``failed``)
    failed: bool  # a failure rung was written and nothing answered after it
    last_wall: float | None

    @property
    def stage(self) -> str:
        """``unsent`` / ``awaiting_answer`` / ``answered`` / ``failed``: what to chase."""
        if self.failed:
            return "failed"
        if self.top is None or self.top.level < Rung.ACCEPTED.level:
            return "unsent"
        if self.top.level < Rung.ACKNOWLEDGED.level:
            return "awaiting_answer"
        return "answered"


@dataclass(frozen=True)
class InFlightPage:
    """An open page and its responders that are not done."""

    page: str
    incident: str | None
    text: str
    created_wall: float
    responders: int
    pending: tuple[InFlightResponder, ...] = field(default_factory=tuple)


def in_flight(log: EventLog, *, final: Iterable[Rung] = FINAL_RUNGS) -> list[InFlightPage]:
    """Open pages (oldest first) with their responders not yet at a final rung."""
    finals = frozenset(final)
    pages: dict[str, dict[str, object]] = {}
    ladders: dict[tuple[str, int], list[tuple[Rung, float]]] = {}
    closed: set[str] = set()
    for ev in log.query(kinds=["page.created", "ladder.*", "operator.action"]):
        if ev.page is None:
            continue
        if ev.kind == "page.created":
            data = ev.data
            pages[ev.page] = {
                "incident": ev.incident,
                "text": str(data.get("text", "")),
                "wall": ev.wall,
                "responders": [int(u) for u in data.get("responders", []) if _is_int(u)],
            }
        elif ev.kind == "operator.action":
            if ev.data.get("action") == "close_page":
                closed.add(ev.page)
        elif ev.unit is not None and _is_int(ev.unit):
            try:
                rung = Rung(ev.kind.removeprefix("ladder."))
            except ValueError:
                continue
            ladders.setdefault((ev.page, int(ev.unit)), []).append((rung, ev.wall))
    out: list[InFlightPage] = []
    for page_id, info in pages.items():
        if page_id in closed:
            continue
        units = list(info["responders"])  # type: ignore[call-overload]
        units += [u for (p, u) in ladders if p == page_id and u not in units]
        pending: list[InFlightResponder] = []
        for unit in units:
            rungs = ladders.get((page_id, unit), [])
            if any(r in finals for r, _ in rungs):
                continue
            climbing = [r for r, _ in rungs if r.level >= 0]
            top = max(climbing, key=lambda r: r.level) if climbing else None
            last = rungs[-1][0] if rungs else None
            pending.append(
                InFlightResponder(
                    unit=unit,
                    top=top,
                    last=last,
                    failed=last is Rung.FAILED,
                    last_wall=rungs[-1][1] if rungs else None,
                )
            )
        if pending:
            out.append(
                InFlightPage(
                    page=page_id,
                    incident=info["incident"],  # type: ignore[arg-type]
                    text=str(info["text"]),
                    created_wall=float(info["wall"]),  # type: ignore[arg-type]
                    responders=len(units),
                    pending=tuple(pending),
                )
            )
    return out


def _is_int(value: object) -> bool:
    try:
        int(str(value))
    except ValueError:
        return False
    return True

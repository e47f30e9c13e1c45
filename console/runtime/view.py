"""What the runtime tells the screen: live unit/group state, UI events, and the feed.

Kept apart from :mod:`console.runtime` (which builds and wires the engines) because this
is pure data and pure functions -- no I/O, no asyncio, no Textual -- so the rules that
decide a colour on the screen (is this unit late? is that one talking?) live in the core
and are unit-testable, while the widgets only map a named standing to a style.

The :class:`Feed` is the one place where rate is limited: engines push at wire speed,
the feed coalesces what only needs its latest value (link status, page views, unit
state) and bounds what is a history (radio activity), and hands the UI one batch per
flush.  Alarms, officer alerts and incident changes are never dropped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from console.deadlines import DeadlineKind
from console.eventlog import EventRecord
from console.incidents import AlarmEvent, IncidentChanged
from console.paging.model import (
    OfficerAlert,
    PageChanged,
    PageView,
    ResponderView,
    Rung,
    required_rung,
)

# --- live state of units and groups ------------------------------------------------------


class UnitCondition(StrEnum):
    """What the units panel colours a unit by, most urgent first."""

    EMERGENCY = "emergency"
    TALKING = "talking"
    UNREACHABLE = "unreachable"
    HEARD = "heard"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class UnitState:
    """One unit as the screen shows it: who, and when it last answered and how."""

    issi: int
    alias: str
    kind: str
    last_wall: float | None = None
    last_mono: float | None = None
    last_what: str = ""
    """Short machine word for the last thing heard: ``status``, ``text``, ``talk`` ..."""
    talking_on: str | None = None
    emergency: bool = False
    unreachable: bool = False

    @property
    def condition(self) -> UnitCondition:
        if self.emergency:
            return UnitCondition.EMERGENCY
        if self.talking_on is not None:
            return UnitCondition.TALKING
        if self.unreachable:
            return UnitCondition.UNREACHABLE
        if self.last_mono is not None:
            return UnitCondition.HEARD
        return UnitCondition.UNKNOWN

    def heard(self, wall: float, mono: float, what: str) -> UnitState:
        """The unit answered: it is evidently reachable again."""
        return replace(self, last_wall=wall, last_mono=mono, last_what=what, unreachable=False)


@dataclass(frozen=True)
class GroupState:
    """A talkgroup and who holds its floor right now."""

    gssi: int
    name: str
    talker: str | None = None
    talker_since_mono: float | None = None
    emergency: bool = False
    last_mono: float | None = None


# --- events for the screen -----------------------------------------------------------------


@dataclass(frozen=True)
class LinkStatus:
    """The gateway link as the status bar shows it."""

    state: str
    """``closed`` / ``connecting`` / ``up`` / ``reconnecting`` / ``down`` (LinkState values)."""
    port: str
    detail: str = ""
    mode: int | None = None
    """Air-interface mode (0 = TMO trunked, 1 = DMO direct)."""
    registration: int | None = None
    signal: int | None = None
    """``+CSQ`` RSSI 0..31 (99 = unknown)."""


ActivityKind = Literal["talk", "talk_end", "text", "status", "location", "call", "undecodable"]


@dataclass(frozen=True)
class Activity:
    """One line of live radio activity.  ``text`` is verbatim radio data: render inert."""

    kind: ActivityKind
    wall: float
    mono: float
    sender: str
    alias: str
    called: str = ""
    called_name: str = ""
    text: str = ""
    value: int | None = None
    label: str = ""
    emergency: bool = False


@dataclass(frozen=True)
class RosterChanged:
    """Units and groups whose live state changed since the last batch (latest values)."""

    units: tuple[UnitState, ...] = ()
    groups: tuple[GroupState, ...] = ()


@dataclass(frozen=True)
class LogTail:
    """The newest committed event-log records, oldest first."""

    records: tuple[EventRecord, ...]


@dataclass(frozen=True)
class ServiceEvent:
    """Something a plugged-in service reported (broadcast, voice, roll call, drill).

    ``event`` is the service's own frozen value (``BroadcastStarted``, ``VoiceStateChanged``,
    ``RollCallUpdate``, ``DrillProgress`` ...); screens pick what they show by ``service``
    and type.  With a ``key``, only the latest event of that (service, key) is kept per
    batch -- live snapshots such as a roll call's table; without one, every event is kept.
    """

    service: str
    event: object
    key: object = None


UiEvent = (
    LinkStatus
    | RosterChanged
    | Activity
    | LogTail
    | IncidentChanged
    | PageChanged
    | OfficerAlert
    | AlarmEvent
    | ServiceEvent
)


@dataclass(frozen=True)
class Batch:
    """What the screen gets at each flush, in arrival order (after coalescing)."""

    events: tuple[UiEvent, ...]
    dropped_activity: int = 0
    """Activity lines left out because more arrived in one flush than the panel shows."""


# --- the feed ----------------------------------------------------------------------------


@dataclass
class Feed:
    """Coalescing buffer between the engines (wire rate) and the screen (a few Hz).

    ``push`` is cheap and never calls the screen; ``take`` returns one :class:`Batch`.
    ``wake`` is called once when the first event arrives after a ``take`` so the owner can
    schedule a flush.
    """

    wake: Callable[[], None] = lambda: None
    max_activity: int = 200
    _order: list[UiEvent | tuple[str, object]] = field(default_factory=list)
    _latest: dict[tuple[str, object], UiEvent] = field(default_factory=dict)
    _units: dict[int, UnitState] = field(default_factory=dict)
    _groups: dict[int, GroupState] = field(default_factory=dict)
    _activity: deque[Activity] = field(default_factory=deque)
    _dropped: int = 0
    _pending: bool = False

    def _poke(self) -> None:
        if not self._pending:
            self._pending = True
            self.wake()

    def push(self, event: UiEvent) -> None:
        """Queue ``event``; replace an earlier one that only the latest value matters for."""
        key = _coalesce_key(event)
        if key is None:
            self._order.append(event)
        else:
            if key not in self._latest:
                self._order.append(key)
            elif isinstance(event, PageChanged):
                old = self._latest[key]
                assert isinstance(old, PageChanged)
                event = PageChanged(event.view, tuple(sorted({*old.changed, *event.changed})))
            self._latest[key] = event
        self._poke()

    def unit(self, state: UnitState) -> None:
        self._units[state.issi] = state
        self._poke()

    def group(self, state: GroupState) -> None:
        self._groups[state.gssi] = state
        self._poke()

    def activity(self, item: Activity) -> None:
        self._activity.append(item)
        if len(self._activity) > self.max_activity:
            self._activity.popleft()
            self._dropped += 1
        self._poke()

    @property
    def pending(self) -> bool:
        return self._pending

    def take(self, extra: Iterable[UiEvent] = ()) -> Batch:
        """Everything queued since the last take, coalesced; ``extra`` goes last."""
        events: list[UiEvent] = []
        for item in self._order:
            events.append(self._latest[item] if isinstance(item, tuple) else item)
        if self._units or self._groups:
            events.append(RosterChanged(tuple(self._units.values()), tuple(self._groups.values())))
        events.extend(self._activity)
        events.extend(extra)
        batch = Batch(tuple(events), self._dropped)
        self._order.clear()
        self._latest.clear()
        self._units.clear()
        self._groups.clear()
        self._activity.clear()
        self._dropped = 0
        self._pending = False
        return batch


def _coalesce_key(event: UiEvent) -> tuple[str, object] | None:
    if isinstance(event, LinkStatus):
        return ("link", None)
    if isinstance(event, PageChanged):
        return ("page", event.view.page_id)
    if isinstance(event, IncidentChanged):
        # The latest snapshot of an incident carries its whole timeline.
        return ("incident", event.incident.id)
    if isinstance(event, LogTail):
        return ("log", None)
    if isinstance(event, ServiceEvent) and event.key is not None:
        return (f"service:{event.service}", event.key)
    return None


# --- the response board: where each responder stands against the 1/3/5 minute deadlines ---


class Standing(StrEnum):
    """How a responder is doing, for the cell's colour."""

    DONE = "done"
    """Reached the last target's rung (on scene) or was released."""
    ON_TIME = "on_time"
    """Has reached what every passed target asks; the next one is still ahead."""
    DUE = "due"
    """The next target is less than a fifth of its time away and not yet met."""
    LATE = "late"
    """A target passed without its rung."""
    FAILED = "failed"
    """Could not be reached (switched off, refused ...) and has not answered since."""


@dataclass(frozen=True)
class BoardCell:
    """One responder's cell on the response board."""

    issi: int
    alias: str
    rung: Rung | None
    elapsed_s: float
    standing: Standing
    next_target: DeadlineKind | None
    next_due_s: float | None
    attempts: int
    failure: str = ""
    recovered: int = 0
    """Times its last message was sent again after a blind window (paging/recovery.py)."""
    manual: str = ""
    """How the officer heard the answer behind ``rung`` (``AnswerMethod`` value: phone,
    in person), when they recorded it by hand; empty when the radio answered."""
    answered_s: float | None = None
    """When it reached ``rung``, if that is an answer: seconds after it was paged (its
    own answer time; ``elapsed_s`` keeps running for everyone)."""

    @property
    def answered(self) -> bool:
        return self.rung is not None and self.rung.is_answer

    @property
    def unreachable(self) -> bool:
        return self.standing is Standing.FAILED and not self.answered


@dataclass(frozen=True)
class BoardCounts:
    """The board's head line, in counts that add up: answered + waiting + unreachable =
    total; ``late`` (past a target without its rung) cuts across the three."""

    total: int
    answered: int
    waiting: int
    unreachable: int
    late: int
    recovered: int

    @classmethod
    def of(cls, cells: Iterable[BoardCell]) -> BoardCounts:
        cells = tuple(cells)
        answered = sum(c.answered for c in cells)
        unreachable = sum(c.unreachable for c in cells)
        return cls(
            total=len(cells),
            answered=answered,
            waiting=len(cells) - answered - unreachable,
            unreachable=unreachable,
            late=sum(c.standing is Standing.LATE for c in cells),
            recovered=sum(bool(c.recovered) for c in cells),
        )


def paged_at(view: PageView, responder: ResponderView) -> float:
    """When this responder's clock started: its first rung (backups join later)."""
    first = responder.first(Rung.QUEUED)
    return first.mono if first is not None else view.created_mono


def board_cells(view: PageView, now_mono: float) -> tuple[BoardCell, ...]:
    """Each responder of ``view`` against the page's deadlines at ``now_mono``."""
    cells: list[BoardCell] = []
    for resp in view.responders:
        elapsed = max(0.0, now_mono - paged_at(view, resp))
        top = resp.top
        level = top.level if top is not None else -1
        standing = Standing.ON_TIME
        next_target: DeadlineKind | None = None
        next_due: float | None = None
        for kind in DeadlineKind:
            deadline = view.deadlines.deadline(kind)
            if deadline is None or level >= required_rung(kind).level:
                continue
            if elapsed >= deadline:
                standing = Standing.LATE
                continue
            next_target, next_due = kind, deadline - elapsed
            if standing is not Standing.LATE and next_due < deadline / 5:
                standing = Standing.DUE
            break
        failures = resp.failures
        hard = [f for f in failures if f.cause is not None and f.cause.value != "no_answer"]
        if resp.has(Rung.RELEASED) or (top is not None and top.level >= Rung.ON_SCENE.level):
            standing = Standing.DONE
        elif hard and (top is None or top.level < Rung.ACKNOWLEDGED.level):
            standing = Standing.FAILED
        failure = hard[-1].cause.value if hard and hard[-1].cause is not None else ""
        reached = resp.first(top) if top is not None and top.is_answer else None
        answered_s = max(0.0, reached.mono - paged_at(view, resp)) if reached else None
        cells.append(
            BoardCell(
                resp.issi,
                resp.alias,
                top,
                elapsed,
                standing,
                next_target,
                next_due,
                resp.attempts,
                failure,
                resp.recoveries,
                manual.value if (manual := resp.manual) is not None else "",
                answered_s,
            )
        )
    return tuple(cells)

"""The paging domain: rungs of the acknowledgement ladder, responders and pages.

Everything the UI or a report sees is a frozen snapshot (design §4 "Page",
"Acknowledgement ladder"): the engine keeps its own mutable bookkeeping and hands out
these values, so a Textual widget can hold one without locks and without ever seeing a
half-applied update.  Labels come in zh-CN and English because the officer reads Chinese
and the technician often reads English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from console.deadlines import DeadlineKind, Deadlines
from console.i18n import register, t


class Rung(StrEnum):
    """One step of a responder's acknowledgement ladder (value = event-log kind suffix)."""

    QUEUED = "queued"
    ACCEPTED = "accepted"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RELEASED = "released"
    BACKUP_REQUESTED = "backup_requested"
    FAILED = "failed"

    @property
    def level(self) -> int:
        """Height on the ladder; side rungs (failed, backup requested) have none (-1)."""
        return _LEVEL.get(self, -1)

    @property
    def is_answer(self) -> bool:
        """A rung only a person can cause (as opposed to the gateway or the network)."""
        return self.level >= _LEVEL[Rung.ACKNOWLEDGED] or self is Rung.BACKUP_REQUESTED

    def label(self, lang: str = "zh-CN") -> str:
        return t(f"paging.rung.{self.value}", lang)


LADDER: tuple[Rung, ...] = (
    Rung.QUEUED,
    Rung.ACCEPTED,
    Rung.SENT,
    Rung.DELIVERED,
    Rung.READ,
    Rung.ACKNOWLEDGED,
    Rung.EN_ROUTE,
    Rung.ON_SCENE,
    Rung.RELEASED,
)
_LEVEL = {rung: i for i, rung in enumerate(LADDER)}

WORDS = register(
    {
        # Rung.label
        "paging.rung.queued": ("排队", "queued"),
        "paging.rung.accepted": ("网关已接收", "accepted by gateway"),
        "paging.rung.sent": ("已发出", "sent over the air"),
        "paging.rung.delivered": ("已送达", "delivered"),
        "paging.rung.read": ("已阅读", "read"),
        "paging.rung.acknowledged": ("收到", "acknowledged"),
        "paging.rung.en_route": ("出发", "en route"),
        "paging.rung.on_scene": ("到场", "on scene"),
        "paging.rung.released": ("完毕", "released"),
        "paging.rung.backup_requested": ("请求支援", "backup requested"),
        "paging.rung.failed": ("失败", "failed"),
        # AnswerMethod.label
        "paging.method.phone": ("电话", "by phone"),
        "paging.method.in_person": ("当面", "in person"),
        # FailureCause.label
        "paging.cause.not_reachable": (
            "不可达（关机或无信号）",
            "not reachable (off or out of range)",
        ),
        "paging.cause.not_registered": ("未登记入网", "not registered"),
        "paging.cause.refused": ("被拒绝", "refused"),
        "paging.cause.gateway_error": ("网关错误", "gateway error"),
        "paging.cause.no_answer": ("超时未应答", "no answer by the deadline"),
    }
)

# What an answer proves about the rungs below it.  A status "收到" proves the message was
# delivered, but not that the SDS was *read* (the person may have heard the voice call),
# and "完毕" (done) does not prove the unit ever went to the scene (a cancelled call).
IMPLIED_UP_TO: dict[Rung, Rung | None] = {
    Rung.SENT: Rung.ACCEPTED,
    Rung.DELIVERED: Rung.SENT,
    Rung.READ: Rung.DELIVERED,
    Rung.ACKNOWLEDGED: Rung.DELIVERED,
    Rung.EN_ROUTE: Rung.ACKNOWLEDGED,
    Rung.ON_SCENE: Rung.EN_ROUTE,
    Rung.RELEASED: Rung.ACKNOWLEDGED,
    Rung.BACKUP_REQUESTED: Rung.ACKNOWLEDGED,
}


class Source(StrEnum):
    """Who or what caused a rung."""

    ENGINE = "engine"  # queued, deadlines
    GATEWAY = "gateway"  # +CMGS responses
    REPORT = "report"  # SDS-TL delivery reports
    STATUS = "status"  # a pre-coded status from the radio
    TEXT = "text"  # a text reply
    VOICE = "voice"  # keyed up on the page's call
    OPERATOR = "operator"  # the duty officer recorded it by hand


class AnswerMethod(StrEnum):
    """How the officer heard a unit's answer that did not come over the radio."""

    PHONE = "phone"
    IN_PERSON = "in_person"

    def label(self, lang: str = "zh-CN") -> str:
        return t(f"paging.method.{self.value}", lang)

    @classmethod
    def of(cls, record: RungRecord) -> AnswerMethod | None:
        """The method of a rung the officer recorded by hand (None: the radio's own, or
        an operator's rung that named no method, such as a release)."""
        if record.source is not Source.OPERATOR:
            return None
        try:
            return cls(record.detail)
        except ValueError:
            return None


MANUAL_RUNGS: tuple[Rung, ...] = (Rung.ACKNOWLEDGED, Rung.EN_ROUTE, Rung.ON_SCENE)
"""What the officer may record for a unit heard another way: 收到 / 出发 / 到场 (a unit
is released with ``operator_release``)."""


def manual_choices(responder: ResponderView) -> tuple[Rung, ...]:
    """The answers the officer can still record for ``responder``: those above the rung
    its ladder has reached (recording a lower one would add nothing)."""
    top = responder.top
    level = top.level if top is not None else -1
    return tuple(r for r in MANUAL_RUNGS if r.level > level)


class FailureCause(StrEnum):
    """Why a responder could not be reached or did not answer."""

    NOT_REACHABLE = "not_reachable"
    NOT_REGISTERED = "not_registered"
    REFUSED = "refused"
    GATEWAY_ERROR = "gateway_error"
    NO_ANSWER = "no_answer"

    def label(self, lang: str = "zh-CN") -> str:
        return t(f"paging.cause.{self.value}", lang)


class EscalationStep(StrEnum):
    """What the engine does, in this order, when a target passes for a responder."""

    REPAGE = "repage"
    ALERT = "alert"
    BACKUP = "backup"


@dataclass(frozen=True)
class RungRecord:
    """One timestamped rung.  ``implied`` rungs carry the time of the answer that proved
    them (never an invented earlier time); ``committed`` says the log has it on disk."""

    rung: Rung
    wall: float
    mono: float
    source: Source
    attempt: int = 1
    implied: bool = False
    cause: FailureCause | None = None
    detail: str = ""
    retry: bool = False
    message_ref: int | None = None
    event_id: int | None = None
    committed: bool = False


@dataclass(frozen=True)
class EscalationRecord:
    """One escalation step taken for one responder."""

    page_id: str
    issi: int
    deadline: DeadlineKind
    step: EscalationStep
    wall: float
    mono: float
    detail: str = ""
    backup_issi: int | None = None
    event_id: int | None = None
    committed: bool = False


@dataclass(frozen=True)
class ResponderView:
    """A responder as the UI shows it: only rungs whose log records are committed."""

    issi: int
    alias: str
    kind: str
    via: str | None
    backup_for: int | None
    rungs: tuple[RungRecord, ...]
    attempts: int
    recoveries: int = 0
    """Times its last message was sent again after a blind window (``recovery.py``)."""

    @property
    def top(self) -> Rung | None:
        """The highest ladder rung reached (ignores failed / backup requested)."""
        best: Rung | None = None
        for rec in self.rungs:
            if rec.rung.level > (best.level if best is not None else -1):
                best = rec.rung
        return best

    def has(self, rung: Rung) -> bool:
        return any(r.rung is rung for r in self.rungs)

    def first(self, rung: Rung) -> RungRecord | None:
        return next((r for r in self.rungs if r.rung is rung), None)

    @property
    def manual(self) -> AnswerMethod | None:
        """How the officer heard the answer behind the top rung, if they recorded it
        (phone, in person); None when the radio itself answered."""
        top = self.top
        said = [r for r in self.rungs if r.rung is top and not r.implied]
        return AnswerMethod.of(said[-1]) if said else None

    @property
    def acknowledged(self) -> bool:
        top = self.top
        return top is not None and top.level >= Rung.ACKNOWLEDGED.level

    @property
    def failures(self) -> tuple[RungRecord, ...]:
        return tuple(r for r in self.rungs if r.rung is Rung.FAILED)


@dataclass(frozen=True)
class PageView:
    """A page as the UI shows it (committed state only)."""

    page_id: str
    incident_id: str | None
    text: str
    voice_groups: tuple[int, ...]
    operator: str
    created_wall: float
    created_mono: float
    deadlines: Deadlines
    responders: tuple[ResponderView, ...]
    escalations: tuple[EscalationRecord, ...]
    closed: bool = False
    _positions: Mapping[int, int] | None = field(default=None, compare=False, repr=False)
    """ISSI -> index in ``responders`` (shared by the engine's views of one page), so
    that a listener looking up the changed responders of a 2000-unit page does not scan
    it once per changed unit.  Optional: without it, ``responder`` scans."""

    def responder(self, issi: int) -> ResponderView | None:
        positions = self._positions
        if positions is not None:
            i = positions.get(issi)
            if i is not None and i < len(self.responders):
                found = self.responders[i]
                if found.issi == issi:
                    return found
        return next((r for r in self.responders if r.issi == issi), None)

    @property
    def all_acknowledged(self) -> bool:
        return all(r.acknowledged for r in self.responders)

    @property
    def counts(self) -> dict[str, int]:
        """Responders per highest rung (``"none"`` for those with no committed rung)."""
        out: dict[str, int] = {}
        for r in self.responders:
            key = r.top.value if r.top is not None else "none"
            out[key] = out.get(key, 0) + 1
        return out


@dataclass(frozen=True)
class Recipient:
    """Who to page: a unit's ISSI with the name it is shown under and how it was chosen."""

    issi: int
    alias: str = ""
    kind: str = "other"
    via: str | None = None
    via_gssi: int | None = None
    backup: int | None = None


@dataclass(frozen=True)
class PageRequest:
    """What the officer asked for: recipients, talkgroups, text and/or voice.

    ``group_text``: GSSIs whose text goes as one SDS to the talkgroup instead of one per
    member (the station prefers that for large groups; no per-radio delivery reports).
    """

    recipients: tuple[Recipient, ...] = ()
    talkgroups: tuple[int, ...] = ()
    text: str = ""
    voice: bool = False
    group_text: tuple[int, ...] = ()
    followup_s: float | None = None
    """Fast alert: units reached through a ``group_text`` SDS that have not acknowledged
    after this many seconds get an individual SDS-TL (with a delivery report)."""
    deadlines: Deadlines | None = None
    priority: int = 5
    operator: str = ""
    incident_id: str | None = None
    title: str = ""
    hold_floor: bool = False
    """Keep the floor after the group call is set up (the officer is holding PTT to
    speak); otherwise it is released at once so that responders can key up to answer."""
    no_incident: bool = False
    """Do not open an ad-hoc incident for this page when it has none.  Roll calls and
    drills page on a schedule and are logged as roll calls / drills already; an incident
    each time would fill the officer's incident list with things that never happened.
    An explicit ``incident_id`` is still honoured."""


@dataclass(frozen=True)
class PageChanged:
    """Published after the log committed new rungs of a page (``changed`` = their ISSIs)."""

    view: PageView
    changed: tuple[int, ...]


@dataclass(frozen=True)
class OfficerAlert:
    """A target passed for a responder: the UI must make the officer look (committed)."""

    page_id: str
    issi: int
    alias: str
    deadline: DeadlineKind
    wall: float
    mono: float
    detail: str = ""


PagingUpdate = PageChanged | OfficerAlert


def required_rung(kind: DeadlineKind) -> Rung:
    """The rung a responder must have reached when the ``kind`` deadline passes."""
    return Rung(kind.rung)

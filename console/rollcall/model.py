"""Roll call (点名) values: the request, each member's attendance, and live snapshots.

Frozen values only, so the UI can hold a snapshot while the roll call goes on; the
mutable bookkeeping lives in :mod:`console.rollcall.runner`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from console.i18n import register, t
from console.paging.model import Recipient


class RollCallMode(StrEnum):
    """How the members are asked (see docs/drills.md, "Roll call")."""

    STATUS = "status"
    """One SDS to every member at once; each answers with a status (or text, or voice)."""
    VOICE = "voice"
    """The officer calls the talkgroup; each member keys up; talkers are recorded."""
    SEQUENTIAL = "sequential"
    """Each unit is called on its own, in turn; next after its answer or its deadline."""


class Attendance(StrEnum):
    """Where a member ends: the four outcomes a station files."""

    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    UNREACHABLE = "unreachable"
    WAITING = "waiting"
    """Only in live snapshots: not answered yet and its deadline has not passed."""

    def label(self, lang: str = "zh-CN") -> str:
        return t(f"rollcall.attendance.{self.value}", lang)


WORDS = register(
    {
        "rollcall.attendance.present": ("到", "present"),
        "rollcall.attendance.late": ("迟到", "late"),
        "rollcall.attendance.absent": ("未到", "absent"),
        "rollcall.attendance.unreachable": ("不可达", "unreachable"),
        "rollcall.attendance.waiting": ("等待", "waiting"),
    }
)


@dataclass(frozen=True)
class RollCallSpec:
    """What to call: built by :func:`console.rollcall.spec.rollcall_spec` from a station.

    ``late_window_s``: how long after the deadline late answers are still taken (the
    roll call ends earlier when every member has answered or is known unreachable).
    """

    group: str
    members: tuple[Recipient, ...]
    mode: RollCallMode = RollCallMode.STATUS
    gssi: int | None = None
    deadline_s: float = 60.0
    late_window_s: float = 60.0
    text: str = ""
    operator: str = ""
    recall_of: str | None = None


@dataclass(frozen=True)
class MemberResult:
    """One member's attendance; times in seconds from the moment it was called."""

    issi: int
    alias: str
    kind: str
    attendance: Attendance
    latency_s: float | None = None
    source: str = ""
    cause: str = ""
    detail: str = ""
    called_at_s: float = 0.0
    """When the member was called, from the start of the roll call (sequential mode)."""


@dataclass(frozen=True)
class Talker:
    """Someone the gateway reported keying up on the roll call's group call."""

    issi: int
    at_s: float
    member: bool


@dataclass(frozen=True)
class RollCallResult:
    """A roll call as computed from the event log (or, live, from committed views)."""

    rollcall_id: str
    group: str
    mode: RollCallMode
    deadline_s: float
    started_wall: float
    ended_wall: float | None
    members: tuple[MemberResult, ...]
    talkers: tuple[Talker, ...] = ()
    recall_of: str | None = None
    closed: bool = True
    close_reason: str = "complete"

    def count(self, attendance: Attendance) -> int:
        return sum(1 for m in self.members if m.attendance is attendance)

    @property
    def counts(self) -> dict[str, int]:
        return {a.value: self.count(a) for a in Attendance if a is not Attendance.WAITING}

    @property
    def absent(self) -> tuple[MemberResult, ...]:
        return tuple(m for m in self.members if m.attendance is Attendance.ABSENT)

    def member(self, issi: int) -> MemberResult | None:
        return next((m for m in self.members if m.issi == issi), None)


@dataclass(frozen=True)
class RollCallUpdate:
    """Published to subscribers whenever a member's committed state changed."""

    result: RollCallResult
    changed: tuple[int, ...]
    finished: bool = False

"""The report a station files after a drill or a roll call, as plain frozen values.

One shape for both, so every format (terminal, Markdown, CSV, JSON, HTML) is written
once.  Times are seconds from the moment each unit was paged (a backup unit's clock
starts when it was called in), the way the 1 / 3 / 5 minute promise is counted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitRow:
    """One unit: its time to each rung (``None``: never reached) and where it ended."""

    issi: int
    alias: str
    kind: str
    times: tuple[float | None, ...]
    status: str
    role: str = "participant"
    backup_for: int | None = None
    cause: str = ""
    attempts: int = 1


@dataclass(frozen=True)
class Bin:
    """One histogram bar: units with ``lo < t <= hi`` (the first bar includes 0)."""

    label: str
    lo: float
    hi: float | None
    count: int


@dataclass(frozen=True)
class DeadlineStats:
    """The response-time distribution of one rung against its deadline."""

    rung: str
    deadline_s: float
    total: int
    in_time: int
    late: int
    never: int
    percentiles: tuple[tuple[int, float], ...]
    """Nearest-rank percentiles (50, 90, 95, 100) of the times of units that reached it."""
    histogram: tuple[Bin, ...]

    @property
    def median(self) -> float | None:
        return next((v for p, v in self.percentiles if p == 50), None)


@dataclass(frozen=True)
class Miss:
    """A unit that missed a deadline: late (``reached_s`` set) or never."""

    issi: int
    alias: str
    rung: str
    deadline_s: float
    reached_s: float | None
    reason: str


@dataclass(frozen=True)
class EscalationRow:
    at_s: float
    issi: int
    alias: str
    deadline: str
    step: str
    detail: str


@dataclass(frozen=True)
class CriterionResult:
    text: str
    rung: str
    within_s: float
    needed: int
    achieved: int
    total: int
    passed: bool


@dataclass(frozen=True)
class Report:
    """A drill or roll call report (``kind`` = ``"drill"`` / ``"rollcall"``)."""

    kind: str
    id: str
    title: str
    started_wall: float
    ended_wall: float | None
    outcome: str
    """``passed`` / ``failed`` / ``interrupted`` for drills; ``complete`` / ... for roll calls."""
    passed: bool | None
    reasons: tuple[str, ...]
    columns: tuple[str, ...]
    units: tuple[UnitRow, ...]
    deadlines: tuple[DeadlineStats, ...]
    missed: tuple[Miss, ...]
    escalations: tuple[EscalationRow, ...] = ()
    criteria: tuple[CriterionResult, ...] = ()
    counts: tuple[tuple[str, int], ...] = ()
    notes: tuple[str, ...] = ()
    source: str = ""

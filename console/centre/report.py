"""The city report's numbers, computed without any I/O from rows the queries return.

Why it is split this way: the database reduces millions of events to one row per paged
responder (and a few per roll call, drill and incident); everything a person will check
by hand -- which share answered within 1 / 3 / 5 minutes, the p50 and p90, the closure
rate -- is computed here, with the definitions the station's own drill and roll-call
reports use (``console.reports.stats``: its nearest-rank percentile function, and
"in time" as t <= target), so a station's figures at the centre are the figures its own
reports show (``tests/replication/test_centre.py`` compares them with a drill report).

Times are measured on the station's monotonic clock, as the drill report measures them
(a wall-clock step during a page cannot skew them); when a responder's ladder spans a
service restart the monotonic clock started again, so that one time falls back to wall
clock.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from console.reports.stats import nearest_rank

ACK_LIMITS_S: Final[tuple[float, ...]] = (60.0, 180.0, 300.0)
"""The promise: 1 minute self-rescue, 3 minutes mutual aid, 5 minutes reinforcement."""
CLOSURE_BENCHMARK: Final = 0.972
"""Dongguan's grid system closed 97.2 % of 4.716 million reported issues in a year."""
CLOCK_JUMP_S: Final = 5.0
ATTENDANCE: Final[tuple[str, ...]] = ("present", "late", "absent", "unreachable")
DRILL_OUTCOMES: Final[tuple[str, ...]] = ("passed", "failed", "interrupted")
CLOSED_STATES: Final = frozenset({"closed", "assessed"})


@dataclass(frozen=True)
class ResponderRow:
    """One paged responder: its first ladder rung and its first acknowledgement."""

    station: str
    page: str
    unit: str
    t0_wall: float
    t0_mono: float
    ack_wall: float | None = None
    ack_mono: float | None = None


def ack_seconds(row: ResponderRow) -> float | None:
    """Seconds from the responder's first rung to its acknowledgement (None: never)."""
    if row.ack_mono is None or row.ack_wall is None:
        return None
    by_mono = row.ack_mono - row.t0_mono
    by_wall = row.ack_wall - row.t0_wall
    if by_mono < 0 or abs(by_mono - by_wall) > CLOCK_JUMP_S:
        return max(0.0, by_wall)
    return by_mono


@dataclass(frozen=True)
class StationInputs:
    """What the queries found for one station in the period."""

    station: str
    pages: int = 0
    ack_times: tuple[float | None, ...] = ()
    rollcall_counts: tuple[Mapping[str, int], ...] = ()
    drill_outcomes: tuple[str | None, ...] = ()
    """One per drill started in the period (None: no ``drill.finished`` yet)."""
    incident_states: tuple[str | None, ...] = ()
    """The latest state (by the period's end) of each incident opened in the period."""


@dataclass(frozen=True)
class StationFigures:
    """One line of the city report."""

    station: str
    pages: int
    responders: int
    within: tuple[tuple[float, int], ...]
    """(limit in seconds, responders that acknowledged within it)."""
    p50_s: float | None
    p90_s: float | None
    rollcalls: int
    attendance: tuple[tuple[str, int], ...]
    drills: int
    drill_outcomes: tuple[tuple[str, int], ...]
    incidents_opened: int
    incidents_closed: int

    def share(self, limit_s: float) -> float | None:
        """Share (0..1) of paged responders that acknowledged within ``limit_s``."""
        if not self.responders:
            return None
        return dict(self.within)[limit_s] / self.responders

    @property
    def closure_rate(self) -> float | None:
        return self.incidents_closed / self.incidents_opened if self.incidents_opened else None


@dataclass(frozen=True)
class CityReport:
    since: float
    until: float
    stations: tuple[StationFigures, ...]
    total: StationFigures
    limits_s: tuple[float, ...] = ACK_LIMITS_S
    benchmark: float = CLOSURE_BENCHMARK
    notes: tuple[str, ...] = field(default_factory=tuple)


def figures(inputs: StationInputs, limits_s: Sequence[float] = ACK_LIMITS_S) -> StationFigures:
    """One station's (or the city's) line; shares and percentiles as ``deadline_stats``."""
    # Sorted once: "within the limit" is then a bisection and a percentile one index.
    # The same definitions as ``deadline_stats`` (``in_time``: t <= target; nearest-rank
    # percentiles) without its histogram, which costs seconds at a month of a city
    # (~700 000 responders); the tests hold the two equal.
    reached = sorted(t for t in inputs.ack_times if t is not None)
    within = tuple((limit, bisect_right(reached, limit)) for limit in limits_s)
    pct = {p: nearest_rank(reached, p) for p in (50, 90)} if reached else {}
    attendance: Counter[str] = Counter()
    for counts in inputs.rollcall_counts:
        attendance.update({k: int(v) for k, v in counts.items()})
    outcomes = Counter(o or "interrupted" for o in inputs.drill_outcomes)
    return StationFigures(
        station=inputs.station,
        pages=inputs.pages,
        responders=len(inputs.ack_times),
        within=within,
        p50_s=pct.get(50),
        p90_s=pct.get(90),
        rollcalls=len(inputs.rollcall_counts),
        attendance=tuple((k, attendance.get(k, 0)) for k in ATTENDANCE),
        drills=len(inputs.drill_outcomes),
        drill_outcomes=tuple((k, outcomes.get(k, 0)) for k in DRILL_OUTCOMES),
        incidents_opened=len(inputs.incident_states),
        incidents_closed=sum(1 for s in inputs.incident_states if s in CLOSED_STATES),
    )


def city_report(
    since: float,
    until: float,
    stations: Iterable[StationInputs],
    *,
    total_name: str = "*",
    limits_s: Sequence[float] = ACK_LIMITS_S,
) -> CityReport:
    """Every station's line and the city's (all responders, all incidents together)."""
    rows = sorted(stations, key=lambda s: s.station)
    everything = StationInputs(
        station=total_name,
        pages=sum(s.pages for s in rows),
        ack_times=tuple(t for s in rows for t in s.ack_times),
        rollcall_counts=tuple(c for s in rows for c in s.rollcall_counts),
        drill_outcomes=tuple(o for s in rows for o in s.drill_outcomes),
        incident_states=tuple(x for s in rows for x in s.incident_states),
    )
    return CityReport(
        since=since,
        until=until,
        stations=tuple(figures(s, limits_s) for s in rows),
        total=figures(everything, limits_s),
        limits_s=tuple(limits_s),
    )

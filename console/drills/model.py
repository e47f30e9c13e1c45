"""A readiness drill (拉动演练) as loaded from its TOML file: who, what, targets, criteria.

Frozen values: a loaded drill is checked once (``console.drills.loader``) and can then be
run, logged and reported without anything changing under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from console.deadlines import DeadlineKind, Deadlines
from console.i18n import register, t
from console.paging.model import Recipient

RUNG_DEADLINES: dict[str, str] = {kind.rung: kind.field for kind in DeadlineKind}
"""Rungs that have a deadline (the 1 / 3 / 5 minute promise) and its Deadlines field."""
CRITERION_RUNGS: tuple[str, ...] = ("delivered", "acknowledged", "en_route", "on_scene")
BEHAVIOURS: tuple[str, ...] = ("status", "text", "voice", "late", "never", "off")


@dataclass(frozen=True)
class Criterion:
    """ "At least ``share`` (or ``count``) of the units reached ``rung`` within ``within_s``."""

    rung: str
    within_s: float
    share: Fraction | None = None
    count: int | None = None

    def needed(self, total: int) -> int:
        """Units needed out of ``total``: 95% of 46 is 43.7, so 44 (never rounded down)."""
        if self.count is not None:
            return self.count
        share = self.share if self.share is not None else Fraction(1)
        whole = share * total
        return int(whole) if whole.denominator == 1 else int(whole) + 1

    @property
    def at_least(self) -> str:
        if self.count is not None:
            return str(self.count)
        share = self.share if self.share is not None else Fraction(1)
        return "all" if share == 1 else f"{float(share * 100):g}%"

    def describe(self, lang: str = "en") -> str:
        return t("drill.criterion", lang, at_least=self.at_least, rung=self.rung, s=self.within_s)


WORDS = register(
    {
        "drill.criterion": (
            "{s:g} 秒内 {rung} 至少 {at_least}",
            "{at_least} {rung} within {s:g} s",
        ),
    }
)


@dataclass(frozen=True)
class Announcement:
    """An optional loudspeaker announcement (played through ``console.broadcast``)."""

    zones: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class ScriptedUnits:
    """Scripted behaviour of some units, for runs against the simulated network only.

    Delays are fixed seconds (``None`` keeps the simulator's default distribution):
    ``delivery`` after the SDS leaves the gateway, ``answer_after`` after delivery,
    ``en_route_after`` after the answer, ``on_scene_after`` after en route.
    """

    issis: tuple[int, ...]
    behaviour: str
    delivery: float | None = None
    answer_after: float | None = None
    en_route_after: float | None = None
    on_scene_after: float | None = None


@dataclass(frozen=True)
class SimEvent:
    """``[[simulation.events]]``: a trainer's command (``fakes.trainer``: ``emergency
    2004``, ``smoke 2006 3号楼``, ``off 2010``, ``unplug`` ...) ``at_s`` after the page."""

    at_s: float
    command: str


@dataclass(frozen=True)
class Simulation:
    """The ``[simulation]`` table: seed, per-unit scripts (later entries win), events."""

    seed: int = 1
    units: tuple[ScriptedUnits, ...] = ()
    line: int | None = None
    events: tuple[SimEvent, ...] = ()


@dataclass(frozen=True)
class Drill:
    """A validated drill file."""

    name: str
    source: str
    participants: tuple[Recipient, ...]
    talkgroups: tuple[int, ...]
    text: str
    deadlines: Deadlines
    criteria: tuple[Criterion, ...]
    description: str = ""
    voice: bool = False
    priority: int = 5
    announcement: Announcement | None = None
    simulation: Simulation | None = None

    @property
    def scripted(self) -> bool:
        """It changes the simulated network (behaviours or timed events): a real gateway
        refuses it."""
        sim = self.simulation
        return sim is not None and bool(sim.units or sim.events)

    def deadline_of(self, rung: str) -> float | None:
        field = RUNG_DEADLINES.get(rung)
        value = getattr(self.deadlines, field) if field else None
        return float(value) if value is not None else None

    @property
    def deadline_rungs(self) -> tuple[str, ...]:
        return tuple(r for r in RUNG_DEADLINES if self.deadline_of(r) is not None)

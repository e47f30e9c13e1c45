"""Past drills at a glance (``dutydesk drill history``), each recomputed from the log."""

from __future__ import annotations

from dataclasses import dataclass

from console.eventlog import EventLog
from console.reports.drill import drill_ids, drill_report


@dataclass(frozen=True)
class DrillHistoryRow:
    """One past drill: verdict, share of criteria met, share of units on every target,
    and the median time to each targeted rung."""

    drill_id: str
    name: str
    started_wall: float
    outcome: str
    criteria_met: int
    criteria_total: int
    units_on_target: int
    units: int
    medians: tuple[tuple[str, float | None], ...]

    @property
    def pass_rate(self) -> float:
        """Share of participants that met every target (0..1)."""
        return self.units_on_target / self.units if self.units else 0.0


def drill_history(log: EventLog) -> list[DrillHistoryRow]:
    rows: list[DrillHistoryRow] = []
    for drill_id in drill_ids(log):
        r = drill_report(log, drill_id)
        participants = [u for u in r.units if u.role == "participant"]
        missed = {m.issi for m in r.missed}
        rows.append(
            DrillHistoryRow(
                drill_id=drill_id,
                name=r.title,
                started_wall=r.started_wall,
                outcome=r.outcome,
                criteria_met=sum(1 for c in r.criteria if c.passed),
                criteria_total=len(r.criteria),
                units_on_target=sum(1 for u in participants if u.issi not in missed),
                units=len(participants),
                medians=tuple((t.rung, t.median) for t in r.deadlines),
            )
        )
    return rows

"""Turn what a radio sent (a status, a text, a delivery report) into a ladder rung.

Kept apart from the engine because the rules are the station's (its status plan) and
must be testable without a gateway: status numbers map by *meaning*, so a station that
renumbers its pre-coded statuses changes only its config file.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.config import StatusPlan
from console.paging.model import FailureCause, Rung

_MEANING_RUNG: dict[str, Rung] = {
    "acknowledged": Rung.ACKNOWLEDGED,
    "en_route": Rung.EN_ROUTE,
    "on_scene": Rung.ON_SCENE,
    "done": Rung.RELEASED,
    "backup_requested": Rung.BACKUP_REQUESTED,
}


@dataclass(frozen=True)
class Answer:
    """A classified answer: the rung it proves and a short description for the log."""

    rung: Rung
    detail: str


def classify_status(plan: StatusPlan, value: int) -> Answer | None:
    """The rung a pre-coded status proves, or None (unknown, or the emergency status:
    an emergency is an alarm for the incidents engine, never an acknowledgement)."""
    meaning = plan.meaning_of(value)
    if meaning is None or meaning == "emergency":
        return None
    rung = _MEANING_RUNG.get(meaning)
    return Answer(rung, f"status 0x{value:04X} {meaning}") if rung is not None else None


def classify_text(plan: StatusPlan, text: str) -> Answer | None:
    """The rung a text reply proves, or None for free text (kept in the log as a reply).

    The status labels are tried first, longest first, so "到场" (on scene) is not taken
    for the acknowledgement prefix "到"; then the acknowledgement prefixes.
    """
    cleaned = text.strip().casefold()
    labels = sorted(
        ((c.label.casefold(), c.meaning) for c in plan.codes if c.label),
        key=lambda item: -len(item[0]),
    )
    for label, meaning in labels:
        if cleaned.startswith(label) and meaning in _MEANING_RUNG:
            rung = _MEANING_RUNG[meaning]
            if rung is Rung.ACKNOWLEDGED or len(label) > 1:
                return Answer(rung, f"text {meaning}")
    if plan.is_ack_text(text):
        return Answer(Rung.ACKNOWLEDGED, "text acknowledged")
    return None


def failure_cause(status: int) -> FailureCause:
    """The failure cause of an SDS-TL delivery status in the 0x40-0x5F class."""
    if status in (0x5A, 0x22, 0x48):
        return FailureCause.NOT_REACHABLE
    if status in (0x4B, 0x45, 0x58):
        return FailureCause.NOT_REGISTERED
    if status in (0x44, 0x53, 0x56, 0x59, 0x4E, 0x50, 0x51):
        return FailureCause.REFUSED
    return FailureCause.GATEWAY_ERROR

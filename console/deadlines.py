"""The 1 / 3 / 5 minute promise as deadlines: one word and one class for every layer.

The station promises 1分钟自救、3分钟互救、5分钟增援到位: a responder acknowledges within a
minute, is en route within three and on scene within five.  The station file
(``[deadlines]``), a drill file (``[deadlines]``), the paging engine, the escalation and
the reports all use :class:`Deadlines` and these field names, so a deadline is never
renamed on its way from the file to the board.

Kept outside :mod:`console.config` and :mod:`console.paging` because both need it and
neither may import the other's engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from console.i18n import register, t


class DeadlineKind(StrEnum):
    """The three promises: 1 minute acknowledge, 3 minutes en route, 5 minutes on scene."""

    ACKNOWLEDGE = "acknowledge"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"

    @property
    def rung(self) -> str:
        """The ladder rung (a :class:`console.paging.model.Rung` value) a responder must
        have reached when this deadline passes."""
        return _RUNGS[self]

    @property
    def field(self) -> str:
        """The :class:`Deadlines` field (and station/drill file key) holding its seconds."""
        return f"{self.value}_s"

    def label(self, lang: str = "zh-CN") -> str:
        return t(f"deadline.{self.value}", lang)


_RUNGS = {
    DeadlineKind.ACKNOWLEDGE: "acknowledged",
    DeadlineKind.EN_ROUTE: "en_route",
    DeadlineKind.ON_SCENE: "on_scene",
}
WORDS = register(
    {
        "deadline.acknowledge": ("1分钟应答", "acknowledge"),
        "deadline.en_route": ("3分钟出发", "en route"),
        "deadline.on_scene": ("5分钟到场", "on scene"),
    }
)


@dataclass(frozen=True)
class Escalation:
    """What happens when a deadline passes without the expected answer."""

    repage: bool = True
    repage_limit: int = 2
    alert_officer: bool = True
    page_backup: bool = True


NO_ESCALATION = Escalation(repage=False, repage_limit=0, alert_officer=False, page_backup=False)
"""For roll calls and measurements: a missed deadline is recorded, nothing more."""


@dataclass(frozen=True)
class Deadlines:
    """Seconds from the moment a responder was paged; ``None`` = not asked (a drill may
    leave out on scene).  A station always has all three."""

    acknowledge_s: float | None = 60.0
    en_route_s: float | None = 180.0
    on_scene_s: float | None = 300.0
    escalation: Escalation = field(default_factory=Escalation)

    def deadline(self, kind: DeadlineKind) -> float | None:
        value: float | None = getattr(self, kind.field)
        return value


NO_DEADLINES = Deadlines(acknowledge_s=None, en_route_s=None, on_scene_s=None)
"""Nothing is asked: for measurements that only follow the ladder."""

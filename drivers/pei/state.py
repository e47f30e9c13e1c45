"""Link states, the gateway identity, and the events announcing them.

They live in the sans-I/O package because :class:`~drivers.pei.session.PeiSession` decides
them; ``drivers.link.state`` re-exports them for the shell and older imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from drivers.pei.events import PeiEvent


class LinkState(StrEnum):
    CLOSED = "closed"  # not started, or stopped on purpose
    CONNECTING = "connecting"  # opening the port / running the init sequence
    UP = "up"  # initialised, commands flow
    RECONNECTING = "reconnecting"  # lost; reopening with back-off
    DOWN = "down"  # gave up (reconnect disabled)


@dataclass(frozen=True)
class LinkStateChanged(PeiEvent):
    state: LinkState
    url: str
    detail: str = ""


@dataclass(frozen=True)
class InitWarning(PeiEvent):
    """An init command the gateway refused; the link comes up without that service."""

    command: str
    reason: str


@dataclass(frozen=True)
class GatewayIdentity:
    """What the init sequence learned about the gateway."""

    identity: str | None = None  # as reported by AT+CNUMF? (ISSI or TSI)
    num_type: int | None = None
    mode: int | None = None  # AT+CTOM? (0 = TMO)

    @property
    def ssi(self) -> str | None:
        from drivers.pei.events import short_ssi

        return short_ssi(self.identity) if self.identity else None

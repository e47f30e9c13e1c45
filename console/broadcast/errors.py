"""Errors a broadcast request can end in; each carries a hint the officer can act on.

They are :class:`~console.errors.ConsoleError` so the CLI prints one line and exits 2,
and the UI shows ``message`` and ``hint`` without a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

from console.errors import ConsoleError, did_you_mean
from console.i18n import Phrase, register

WORDS = register(
    {
        "broadcast.err.unknown_zone": (
            "没有广播分区 {zone!r}",
            "unknown loudspeaker zone {zone!r}",
        ),
        "broadcast.hint.zones": ("可用的分区：{zones}", "zones: {zones}"),
        "broadcast.hint.no_zones": (
            "请在配置文件中定义 [[zones]]",
            "define [[zones]] in the station file",
        ),
    }
)


class BroadcastError(ConsoleError):
    """Base of every broadcast failure (also wraps audio-driver errors)."""

    default_hint = "See docs/broadcast.md."


class UnknownZoneError(BroadcastError):
    """A zone id that the station file does not define."""

    def __init__(self, zone: str, suggestions: Sequence[str], known: Sequence[str]) -> None:
        self.zone = zone
        self.suggestions = tuple(suggestions)
        message = did_you_mean(Phrase("broadcast.err.unknown_zone", zone=zone), self.suggestions)
        hint = (
            Phrase("broadcast.hint.zones", zones=", ".join(known))
            if known
            else Phrase("broadcast.hint.no_zones")
        )
        super().__init__(message, hint=hint)


class DestinationNotAllowed(BroadcastError):
    """An explicit HOST:PORT that is not a speaker of this station.

    Shouting at an address nobody listed is how a console ends up on the wrong PA system
    (or someone else's network); only a technician's explicit ``--to`` may do it.
    """

    default_hint = (
        "add the speaker to a zone in the station file, or (technician) pass --to on the "
        "command line"
    )


class BadDestination(BroadcastError):
    """A ``--to`` value that is not HOST:PORT."""

    default_hint = "write the destination as HOST:PORT, e.g. 192.168.1.50:5004"


class BroadcastRefused(BroadcastError):
    """A broadcast of equal or higher priority already plays on some of the speakers."""

    def __init__(self, message: str, *, blocking: str) -> None:
        self.blocking = blocking
        super().__init__(
            message,
            hint=f"stop broadcast {blocking} first, or use a higher priority",
        )


class UnknownBroadcast(BroadcastError):
    """``stop``/``wait`` named a broadcast id the engine does not know."""

    default_hint = "list the playing broadcasts with active()"


class SourceError(BroadcastError):
    """The audio source cannot be opened (unreadable WAV, no espeak-ng, no microphone)."""

"""Values of the broadcast engine: priorities, sources, endpoints, broadcasts, events.

All frozen dataclasses of plain values, so the UI can keep, compare and render them
without locks and without being able to change the engine's state by accident.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal

Codec = Literal["pcmu", "pcma"]
Protocol = Literal["rtp", "polycom"]
SourceKind = Literal["tone", "wav", "tts", "mic", "array"]
EndState = Literal["finished", "stopped", "failed"]


class Priority(enum.IntEnum):
    """Higher wins: an emergency pre-empts urgent and routine broadcasts on shared speakers."""

    ROUTINE = 0
    URGENT = 1
    EMERGENCY = 2

    @classmethod
    def parse(cls, text: str | Priority) -> Priority:
        """``"emergency"`` / ``"URGENT"`` / a Priority -> Priority (ValueError otherwise)."""
        if isinstance(text, Priority):
            return text
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(p.name.lower() for p in cls)
            raise ValueError(f"unknown priority {text!r} (use {names})") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class SourceSpec:
    """What to play, as a value: the engine opens the actual audio source itself.

    Keeping the request a value (not an open stream) lets the engine refuse a broadcast
    on priority grounds *before* it opens a microphone or runs the TTS synthesiser.
    """

    kind: SourceKind
    value: str = ""
    """Tone name (chime/alarm), WAV path, TTS text, or microphone device name."""
    chime_first: bool = False
    """Play the attention chime before the content (default for TTS)."""
    seconds: float | None = None
    """Length of an alarm tone."""
    samples: Any = field(default=None, compare=False, repr=False)
    """For ``array``: int16 8 kHz samples (tests, UI previews)."""

    @classmethod
    def tone(cls, name: str = "chime", *, seconds: float | None = None) -> SourceSpec:
        return cls("tone", name, seconds=seconds)

    @classmethod
    def wav(cls, path: str, *, chime_first: bool = False) -> SourceSpec:
        return cls("wav", path, chime_first=chime_first)

    @classmethod
    def tts(cls, text: str, *, chime_first: bool = True) -> SourceSpec:
        return cls("tts", text, chime_first=chime_first)

    @classmethod
    def mic(cls, device: str = "", *, chime_first: bool = False) -> SourceSpec:
        return cls("mic", device, chime_first=chime_first)

    @classmethod
    def array(cls, samples: Any, *, label: str = "array") -> SourceSpec:
        return cls("array", label, samples=samples)

    def describe(self) -> str:
        """Short text for logs and the UI (TTS text is kept whole: it is the record)."""
        prefix = "chime + " if self.chime_first else ""
        if self.kind == "mic":
            return f"{prefix}mic {self.value or '(default)'}"
        return f"{prefix}{self.kind} {self.value}".rstrip()


@dataclass(frozen=True)
class Endpoint:
    """One place audio is sent: a speaker (or multicast group) and how it wants it."""

    host: str
    port: int
    codec: Codec = "pcmu"
    protocol: Protocol = "rtp"
    channel: int | None = None
    name: str = ""
    zone: str | None = None
    configured: bool = True
    """False for a technician's ``--to`` address that no zone lists."""

    @property
    def key(self) -> tuple[str, int]:
        """Two endpoints with the same address are the same speaker."""
        return (self.host, self.port)

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def to_log(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "address": self.address,
            "codec": self.codec,
            "protocol": self.protocol,
        }
        if self.channel is not None:
            out["channel"] = self.channel
        if self.name:
            out["name"] = self.name
        if self.zone:
            out["zone"] = self.zone
        if not self.configured:
            out["configured"] = False
        return out


@dataclass(frozen=True)
class Broadcast:
    """A snapshot of one broadcast; the engine hands out a new one when state changes."""

    id: str
    zones: tuple[str, ...]
    endpoints: tuple[Endpoint, ...]
    source: SourceSpec
    priority: Priority
    operator: str
    incident: str | None
    started_wall: float
    started_mono: float
    state: Literal["playing", "finished", "stopped", "failed"] = "playing"
    reason: str | None = None
    """Why it ended early: ``operator``, ``preempted by B...``, or the error text."""
    stats: dict[str, Any] | None = field(default=None, compare=False)

    def overlaps(self, endpoints: tuple[Endpoint, ...]) -> tuple[Endpoint, ...]:
        """The speakers this broadcast shares with ``endpoints``."""
        mine = {e.key for e in self.endpoints}
        return tuple(e for e in endpoints if e.key in mine)

    @property
    def playing(self) -> bool:
        return self.state == "playing"


# -- events for the UI ------------------------------------------------------------------


@dataclass(frozen=True)
class BroadcastEvent:
    """Base of what the engine tells its listeners (after it is in the event log)."""

    broadcast: Broadcast


@dataclass(frozen=True)
class BroadcastStarted(BroadcastEvent):
    """Audio is going out to every endpoint of ``broadcast``."""


@dataclass(frozen=True)
class BroadcastPreempted(BroadcastEvent):
    """``broadcast`` is being cut off for the higher-priority ``by``."""

    by: str


@dataclass(frozen=True)
class BroadcastStopped(BroadcastEvent):
    """Ended early: by an operator, or (``reason`` starts with "preempted") by pre-emption."""


@dataclass(frozen=True)
class BroadcastFinished(BroadcastEvent):
    """The source ran out: the whole message was played."""


@dataclass(frozen=True)
class BroadcastFailed(BroadcastEvent):
    """The sender or the source failed mid-way (``broadcast.reason`` says why)."""

    hint: str = ""

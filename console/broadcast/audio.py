"""The one place the broadcast engine touches ``drivers.audio``.

Imports are lazy: ``dutydesk config check`` and the UI start even where numpy's audio
helpers or PortAudio are missing, and a missing piece becomes a :class:`SourceError`
with a hint instead of an ImportError at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from console.broadcast.errors import BroadcastError, SourceError
from console.broadcast.model import Endpoint, SourceSpec
from console.config import Station
from console.errors import ConsoleError
from drivers.clock import Clock
from drivers.errors import DriverError

if TYPE_CHECKING:
    from console.broadcast.engine import Player

TONES = ("chime", "alarm")
DEFAULT_ALARM_SECONDS = 10.0


def as_broadcast_error(exc: BaseException, context: str) -> BroadcastError:
    """Any driver/OS failure as a BroadcastError that keeps the driver's hint."""
    if isinstance(exc, BroadcastError):
        return exc
    if isinstance(exc, ConsoleError):
        return BroadcastError(exc.message, hint=exc.hint)
    hint = getattr(exc, "hint", None) or None
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        message = f"{context}: {exc.strerror}"
    return (
        SourceError(str(message), hint=hint)
        if isinstance(exc, DriverError)
        else (BroadcastError(f"{context}: {message}", hint=hint))
    )


def close_source(source: Any) -> None:
    """Release a source's device/file if it holds one (best effort, never raises)."""
    close = getattr(source, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()


def open_source(spec: SourceSpec, station: Station) -> Any:
    """Open what ``spec`` describes (an ``AudioSource``: ``frames()`` of 160 samples).

    A microphone is started here, not on the first frame, so "no PortAudio" or "no such
    device" is refused before the broadcast is logged as started.  Every failure is a
    :class:`SourceError` carrying the driver's hint.
    """
    try:
        main = _open_main(spec, station)
        if spec.chime_first and not (spec.kind == "tone" and spec.value == "chime"):
            from drivers.audio.pcm import concat
            from drivers.audio.tones import chime

            return _Chained(concat(chime(), main), main)
        return main
    except (DriverError, OSError, ValueError) as exc:
        raise as_broadcast_error(exc, f"cannot open the audio source ({spec.describe()})") from None


class _Chained:
    """A concatenation that still closes its live part (the microphone)."""

    def __init__(self, joined: Any, live: Any) -> None:
        self._joined = joined
        self._live = live

    def frames(self) -> Any:
        return self._joined.frames()

    def close(self) -> None:
        close_source(self._live)


def _open_main(spec: SourceSpec, station: Station) -> Any:
    if spec.kind == "tone":
        from drivers.audio.tones import chime, two_tone_alarm

        if spec.value == "chime":
            return chime()
        if spec.value == "alarm":
            return two_tone_alarm(spec.seconds or DEFAULT_ALARM_SECONDS)
        raise SourceError(f"unknown tone {spec.value!r}", hint="use chime or alarm")
    if spec.kind == "wav":
        from drivers.audio.wavio import wav_source

        return wav_source(spec.value)
    if spec.kind == "tts":
        from drivers.audio.tts import tts_source

        return tts_source(spec.value)
    if spec.kind == "mic":
        from drivers.audio.mic import MicSource

        mic = MicSource(spec.value or station.audio.headset_input or None)
        mic.start()
        return mic
    if spec.kind == "array":
        from drivers.audio.pcm import ArraySource

        return ArraySource(spec.samples, name=spec.value or "array")
    raise SourceError(f"unknown source kind {spec.kind!r}")


def udp_sender_factory(*, ttl: int = 1) -> Callable[[Sequence[Endpoint], Clock], Player]:
    """The production sender: RTP/Polycom over UDP, DSCP EF, multicast TTL from config."""

    def make(endpoints: Sequence[Endpoint], clock: Clock) -> Player:
        return UdpPlayer(endpoints, clock, ttl=ttl)

    return make


class UdpPlayer:
    """A ``Broadcaster`` with its own UDP sockets (TTL from the station), closed after play.

    The destinations are validated here, when the engine builds the player, so a bad
    speaker entry is refused before the broadcast is logged as started.
    """

    def __init__(self, endpoints: Sequence[Endpoint], clock: Clock, *, ttl: int = 1) -> None:
        from drivers.audio.sender import Broadcaster

        self.ttl = ttl
        self.destinations = destinations(endpoints)
        self._clock = clock
        self._make = Broadcaster

    async def play(self, source: Any, *, stop: asyncio.Event | None = None) -> Any:
        from drivers.audio.sender import UdpSender

        sender = UdpSender(ttl=self.ttl)
        try:
            broadcaster = self._make(self.destinations, clock=self._clock, sender=sender)
            return await broadcaster.play(source, stop=stop)
        finally:
            sender.close()


def destinations(endpoints: Sequence[Endpoint]) -> list[Any]:
    """Endpoints as the driver's ``Destination`` values."""
    from drivers.audio.destination import Destination

    out: list[Any] = []
    for e in endpoints:
        out.append(
            Destination(
                e.host,
                e.port,
                protocol=e.protocol,
                codec=e.codec,
                channel=e.channel or 26,
                name=e.name,
            )
        )
    return out

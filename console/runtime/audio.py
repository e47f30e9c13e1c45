"""Sound: loudspeaker broadcasts to the station's zones and the radio voice path (PTT).

Both are built here for the station and report to the UI as
:class:`~console.runtime.view.ServiceEvent` s in the one feed.  A missing sound card or
PortAudio -- or a voice package that does not even import -- is a state
(:attr:`AudioDesk.voice_notice`), never a reason for the console not to start: paging
by radio works without sound.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.broadcast import Broadcast, BroadcastEvent, SenderFactory
from console.broadcast.model import Priority, SourceSpec
from console.drills.model import Announcement
from console.errors import ConsoleError
from console.incidents import IncidentBook
from console.runtime.parts import broadcast_engine
from console.runtime.shared import Shared
from console.runtime.view import ServiceEvent
from console.voice.router import AudioRouter
from drivers.gateway import Gateway

log_ = logging.getLogger(__name__)


class AudioDesk:
    """Owns :attr:`broadcast` (loudspeakers) and :attr:`voice` (the radio voice path)."""

    def __init__(
        self,
        shared: Shared,
        gateway: Gateway,
        book: IncidentBook,
        *,
        db_path: Path,
        broadcast_sender: SenderFactory | None = None,
        voice: bool = True,
        sound_loader: Callable[[], Any] | None = None,
        recordings_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.shared = shared
        self.broadcast = broadcast_engine(
            shared.station,
            shared.clock,
            shared.log,
            incidents=book,
            sender_factory=broadcast_sender,
            broadcast_ids=lambda: shared.ids.new_id("B", sequence=True),
        )
        """Loudspeaker broadcasts to the station's zones (logged, linked to incidents)."""
        self.voice: Any = None
        """The radio voice path (:class:`console.voice.VoicePath`), or None without it."""
        self.voice_notice: str | None = None
        """Why the voice path is missing or has no sound (PortAudio, devices), for the UI."""
        if voice:
            self._build_voice(gateway, db_path, sound_loader, recordings_dir)

    # --- loudspeakers ---------------------------------------------------------------------

    def start_broadcast(
        self,
        zones: list[str] | tuple[str, ...],
        source: SourceSpec,
        *,
        priority: Priority | str = Priority.ROUTINE,
        incident: str | None = None,
        operator: str | None = None,
    ) -> Broadcast:
        """Play ``source`` on the station's ``zones`` (raises ``BroadcastError`` first)."""
        broadcast = self.broadcast.start(
            zones,
            source,
            priority=priority,
            operator=operator or self.shared.operator,
            incident=incident,
        )
        self.shared.after_append()
        return broadcast

    def stop_broadcast(self, broadcast_id: str | None = None) -> None:
        """Stop one broadcast, or every broadcast playing now."""
        if broadcast_id is None:
            self.broadcast.stop_all(operator=self.shared.operator)
        else:
            self.broadcast.stop(broadcast_id, operator=self.shared.operator)
        self.shared.after_append()

    async def announce(self, announcement: Announcement) -> str:
        """A drill's ``[announcement]``: TTS with a chime on its zones; the log line."""
        broadcast = self.start_broadcast(
            list(announcement.zones), SourceSpec.tts(announcement.text), priority=Priority.URGENT
        )
        return f"started {broadcast.id}"

    def on_broadcast(self, event: BroadcastEvent) -> None:
        """The broadcast engine's listener."""
        self.shared.push(ServiceEvent("broadcast", event))

    # --- the radio voice path -------------------------------------------------------------

    def _build_voice(
        self,
        gateway: Gateway,
        db_path: Path,
        loader: Callable[[], Any] | None,
        recordings_dir: str | os.PathLike[str] | None,
    ) -> None:
        """The voice path; if it cannot even be built the console goes on without it."""
        station = self.shared.station
        folder = Path(recordings_dir or station.audio.recordings)
        if not folder.is_absolute() and recordings_dir is None:
            folder = db_path.parent / folder
        try:
            from console.voice import VoicePath, load_sounddevice

            self.voice = VoicePath.for_station(
                station,
                gateway,
                self.shared.clock,
                log=self.shared.log,
                loader=loader or load_sounddevice,
                default_group=next((g.gssi for g in station.groups if g.gssi is not None), None),
            )
            self.voice.recordings_dir = folder
            self.voice.router = _QuietRouter.like(self.voice.router)
        except Exception as exc:  # numpy/voice package broken: radio paging still works
            self.voice = None
            self.voice_notice = f"voice path unavailable: {type(exc).__name__}: {exc}"

    async def start_voice(self, unsubscribers: list[Callable[[], None]]) -> None:
        """Listen to the voice path (its unsubscriber goes on ``unsubscribers`` at once)
        and open the sound devices; a failure becomes :attr:`voice_notice`."""
        if self.voice is None:
            return
        unsubscribers.append(self.voice.subscribe(self._on_voice))
        try:
            state = await self.voice.start()
        except Exception as exc:  # a sound card that explodes on open must not stop us
            self.voice_notice = f"voice path failed to start: {type(exc).__name__}: {exc}"
            log_.exception("voice path")
        else:
            if state.problems:
                self.voice_notice = "; ".join(state.problems)
        self.shared.after_append()

    @property
    def voice_state(self) -> Any:
        """The voice path's :class:`~console.voice.VoiceState` (None without a voice path)."""
        return self.voice.state if self.voice is not None else None

    async def ptt_press(
        self, group: int | str | None = None, *, operator: str | None = None
    ) -> int:
        """Key the radio on ``group`` (default: the first talkgroup); the call number."""
        if self.voice is None:
            raise ConsoleError(self.voice_notice or "the voice path is not available")
        try:
            return int(await self.voice.ptt_press(group, operator=operator or self.shared.operator))
        finally:
            self.shared.after_append()

    async def ptt_release(self, *, operator: str | None = None) -> None:
        """Let go of PTT (harmless when not pressed)."""
        if self.voice is not None:
            await self.voice.ptt_release(operator=operator or self.shared.operator)
            self.shared.after_append()

    def _on_voice(self, event: Any) -> None:
        name = type(event).__name__
        key = "state" if name == "VoiceStateChanged" else None
        self.shared.push(ServiceEvent("voice", event, key))

    async def close(self) -> None:
        """Stop the loudspeakers, then the voice path (neither may keep the console open)."""
        with contextlib.suppress(Exception):
            await self.broadcast.close()
        if self.voice is not None:
            with contextlib.suppress(Exception):
                await self.voice.close()


class _QuietRouter(AudioRouter):
    """An audio router that does not tick when it has no device at all (no sound card):
    nothing to move, and a 50 Hz timer would only burn CPU (and virtual time in tests)."""

    @classmethod
    def like(cls, router: AudioRouter) -> _QuietRouter:
        return cls(
            router.clock,
            headset_in=router.headset_in,
            headset_out=router.headset_out,
            radio_in=router.radio_in,
            radio_out=router.radio_out,
        )

    def start(self) -> None:
        roles = (self.headset_in, self.headset_out, self.radio_in, self.radio_out)
        if any(device is not None for device in roles):
            super().start()

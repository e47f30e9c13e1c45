"""The radio voice path: PTT from the console, received audio to headset and to disk.

* **PTT**: ``ptt_press(group)`` joins the group's call (setting one up first if there is
  none) and sends ``AT+CTXD``; the headset microphone is routed to the radio's sound
  card only once the network grants the floor (``+CTXG`` grant 0), so the officer never
  talks into a call that is not carrying him.
* **Receive**: audio from the gateway's audio output is always in the headset (unless the
  officer is talking), and each transmission of another radio (grant 3 ... ``+CDTXC``)
  becomes one WAV file, logged as ``voice.recording``.
* **Instant recall**: ``recent_recordings(n)`` and ``replay(id)``.
* **No sound card**: a missing PortAudio or device is a state (``VoiceState.problems``)
  and a ``voice.device_problem`` log event, never an exception that stops the console;
  PTT still keys the radio.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from console.config import Station
from console.eventlog.sink import EventAppender
from console.i18n import Phrase
from console.voice import devices as dev
from console.voice.errors import DeviceUnavailable, PttError, VoiceError
from console.voice.recordings import (
    ActiveRecording,
    Recording,
    default_recording_ids,
    file_name,
    read_wav,
    write_wav,
)
from console.voice.router import AudioRouter
from drivers.clock import Clock
from drivers.errors import DriverError
from drivers.gateway import call_on
from drivers.listeners import Listeners
from drivers.pei import events as ev

VOICE_PTT = "voice.ptt"
VOICE_RECORDING = "voice.recording"
VOICE_RECORDING_FAILED = "voice.recording_failed"
VOICE_DEVICE_PROBLEM = "voice.device_problem"
VOICE_REPLAY = "voice.replay"

RECENT_KEEP = 200


def device_problem_data(problem: DeviceUnavailable) -> dict[str, Any]:
    """The ``voice.device_problem`` row's data: the English message and hint (for the
    technician's export), plus their words so the log says them in zh-CN too."""
    data: dict[str, Any] = {"message": str(problem.message), "hint": str(problem.hint)}
    for name, text in (("words", problem.message), ("hint_words", problem.hint)):
        if isinstance(text, Phrase):
            data[name] = text.data()
    return data


class GatewayLike(Protocol):
    """What the voice path needs of :class:`drivers.gateway.Gateway`."""

    @property
    def calls(self) -> Mapping[int, Any]: ...

    def subscribe(self, listener: Callable[[ev.PeiEvent], None]) -> Callable[[], None]: ...

    async def start_group_call(self, group: int | str) -> int: ...

    async def ptt_press(self, cc: int) -> None: ...

    async def ptt_release(self, cc: int) -> None: ...


@dataclass(frozen=True)
class VoiceState:
    """What the UI shows about the voice path."""

    problems: tuple[str, ...] = ()
    """One line per missing/failed sound device (empty when all is well)."""
    hint: str = ""
    ptt: bool = False
    """The officer holds PTT (requested; ``transmitting`` says whether it was granted)."""
    transmitting: bool = False
    ptt_group: str | None = None
    ptt_cc: int | None = None
    floor: str = "idle"
    """``idle``, ``requested``, ``granted``, ``queued``, ``refused`` or ``other``."""
    talker: str | None = None
    talker_group: str | None = None
    recording: str | None = None
    microphone: bool = False
    """The headset microphone and the radio's audio input are both open: with the floor
    ours, the officer's voice goes out (False before start or without either: keying
    still takes the floor, but nobody hears him)."""
    receive: bool = False
    """The radio's audio output reaches the console (headset, recordings)."""

    @property
    def audio_ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class VoiceEvent:
    """Base of what the voice path tells its listeners."""


@dataclass(frozen=True)
class VoiceStateChanged(VoiceEvent):
    state: VoiceState


@dataclass(frozen=True)
class RecordingSaved(VoiceEvent):
    recording: Recording


@dataclass(frozen=True)
class DeviceProblem(VoiceEvent):
    message: str
    hint: str = ""


@dataclass
class _Ptt:
    cc: int
    group: str
    operator: str | None = field(default=None)


class VoicePath:
    """PTT, received audio, recordings and instant recall for one gateway."""

    def __init__(
        self,
        gateway: GatewayLike,
        clock: Clock,
        router: AudioRouter,
        *,
        log: EventAppender | None = None,
        recordings_dir: str | Path = "recordings",
        default_group: int | str | None = None,
        recording_ids: Callable[[], str] | None = None,
        device_problems: list[DeviceUnavailable] | None = None,
    ) -> None:
        self.gateway = gateway
        self.clock = clock
        self.router = router
        self.log = log
        self.recordings_dir = Path(recordings_dir)
        self.default_group = default_group
        self._ids = recording_ids or default_recording_ids(clock.time)
        self.listeners: Listeners[VoiceEvent] = Listeners()
        self._state = VoiceState()
        self._pending_problems = list(device_problems or [])
        self._ptt: _Ptt | None = None
        self._active: ActiveRecording | None = None
        self._recent: list[Recording] = []
        self._unsubscribe: Callable[[], None] | None = None

    # -- life cycle ----------------------------------------------------------------------

    @classmethod
    def for_station(
        cls,
        station: Station,
        gateway: GatewayLike,
        clock: Clock,
        *,
        log: EventAppender | None = None,
        loader: dev.SoundDeviceLoader = dev.load_sounddevice,
        default_group: int | str | None = None,
    ) -> VoicePath:
        """Sound-card devices chosen by name from ``[audio]`` of the station file."""
        cfg = station.audio
        problems: list[DeviceUnavailable] = []
        try:
            loader()
        except DeviceUnavailable as exc:
            problems.append(exc)
            router = AudioRouter(clock)
        else:
            missing = [
                key
                for key in ("headset_input", "headset_output", "radio_input", "radio_output")
                if not getattr(cfg, key)
            ]
            if missing:
                problems.append(
                    DeviceUnavailable(
                        Phrase(
                            "voice.not_configured",
                            devices=tuple(Phrase(f"voice.device.{key}", key) for key in missing),
                        ),
                        hint=Phrase("voice.hint.name_devices"),
                    )
                )
            router = AudioRouter(
                clock,
                headset_in=dev.SoundDeviceInput(cfg.headset_input, loader=loader)
                if cfg.headset_input
                else None,
                headset_out=dev.SoundDeviceOutput(cfg.headset_output, loader=loader)
                if cfg.headset_output
                else None,
                radio_in=dev.SoundDeviceInput(cfg.radio_input, loader=loader)
                if cfg.radio_input
                else None,
                radio_out=dev.SoundDeviceOutput(cfg.radio_output, loader=loader)
                if cfg.radio_output
                else None,
            )
        return cls(
            gateway,
            clock,
            router,
            log=log,
            recordings_dir=cfg.recordings,
            default_group=default_group,
            device_problems=problems,
        )

    async def start(self) -> VoiceState:
        """Open the devices (reporting, not raising, the ones missing) and start routing."""
        problems = self._pending_problems + self.router.open()
        self._pending_problems = []
        router = self.router
        self._state = replace(
            self._state,
            microphone=router.headset_in is not None and router.radio_out is not None,
            receive=router.radio_in is not None,
        )
        if problems:
            self._state = replace(
                self._state,
                problems=tuple(p.message for p in problems),
                hint=problems[0].hint,
            )
            for p in problems:
                self._append(VOICE_DEVICE_PROBLEM, device_problem_data(p))
                self._emit(DeviceProblem(p.message, p.hint))
        self.router.radio_tap = self._on_radio_frame
        self._unsubscribe = self.gateway.subscribe(self._on_event)
        self.router.start()
        self._emit(VoiceStateChanged(self._state))
        return self._state

    async def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._active is not None:
            self._finish_recording()
        await self.router.close()

    # -- views ---------------------------------------------------------------------------

    @property
    def state(self) -> VoiceState:
        return self._state

    def subscribe(self, listener: Callable[[VoiceEvent], None]) -> Callable[[], None]:
        return self.listeners.subscribe(listener)

    def recent_recordings(self, n: int = 10) -> list[Recording]:
        """The ``n`` newest recordings, newest first."""
        return list(reversed(self._recent[-n:])) if n > 0 else []

    def recording(self, recording_id: str) -> Recording | None:
        return next((r for r in self._recent if r.id == recording_id), None)

    # -- PTT -----------------------------------------------------------------------------

    async def ptt_press(
        self, group: int | str | None = None, *, operator: str | None = None
    ) -> int:
        """Key the radio on ``group``'s call (set up first if needed); returns the CC."""
        target = group if group is not None else self.default_group
        if target is None:
            raise PttError("no talkgroup selected for PTT", hint="select a talkgroup first")
        cc = self._call_for(str(target))
        try:
            if cc is None:
                cc = await self.gateway.start_group_call(target)
            self._ptt = _Ptt(cc, str(target), operator)
            self._set(ptt=True, ptt_group=str(target), ptt_cc=cc, floor="requested")
            await self.gateway.ptt_press(cc)
        except DriverError as exc:
            self._ptt = None
            self._set(ptt=False, transmitting=False, ptt_cc=None, floor="idle")
            raise PttError(f"PTT on {target} failed: {exc}") from None
        self._append(VOICE_PTT, {"on": True, "cc": cc}, group=str(target), operator=operator)
        return cc

    async def ptt_release(self, *, operator: str | None = None) -> None:
        """Let go of PTT: the microphone leaves the radio at once, then ``AT+CUTXC``."""
        ptt = self._ptt
        self._ptt = None
        self.router.transmitting = False
        if ptt is None:
            return
        self._set(ptt=False, transmitting=False, ptt_cc=None, ptt_group=None, floor="idle")
        with contextlib.suppress(DriverError):  # the call may already be gone
            await self.gateway.ptt_release(ptt.cc)
        self._append(
            VOICE_PTT,
            {"on": False, "cc": ptt.cc},
            group=ptt.group,
            operator=operator or ptt.operator,
        )

    def _call_for(self, group: str) -> int | None:
        return call_on(self.gateway.calls, group)

    # -- gateway events ------------------------------------------------------------------

    def _on_event(self, event: ev.PeiEvent) -> None:
        if isinstance(event, ev.TxGranted):
            self._on_grant(event)
        elif isinstance(event, ev.TxCeased):
            if self._active is not None and self._active.cc == event.cc:
                self._finish_recording()
            if self._ptt is not None and self._ptt.cc == event.cc and self.router.transmitting:
                self.router.transmitting = False  # the network took the floor from us
                self._set(transmitting=False, floor="idle")
        elif isinstance(event, ev.CallReleased):
            if self._active is not None and self._active.cc == event.cc:
                self._finish_recording()
            if self._ptt is not None and self._ptt.cc == event.cc:
                self._ptt = None
                self.router.transmitting = False
                self._set(ptt=False, transmitting=False, ptt_cc=None, ptt_group=None, floor="idle")

    def _on_grant(self, event: ev.TxGranted) -> None:
        ours = self._ptt is not None and self._ptt.cc == event.cc
        if event.grant == 0:
            if ours:
                self.router.transmitting = True
                self._set(transmitting=True, floor="granted")
            return
        if event.grant in (1, 2):
            if ours:
                self._set(floor="refused" if event.grant == 1 else "queued")
            return
        if event.grant != 3:
            return
        if ours and self.router.transmitting:
            self.router.transmitting = False  # pre-empted by another radio
            self._set(transmitting=False, floor="other")
        if self._active is not None:
            self._finish_recording()  # a new talker without a cease in between
        call = self.gateway.calls.get(event.cc)
        group = str(getattr(call, "group", "") or "") if call is not None else ""
        talker = event.talker_ssi or "unknown"
        self._active = ActiveRecording(
            id=self._ids(),
            talker=talker,
            group=group,
            cc=event.cc,
            started_wall=self.clock.time(),
            started_mono=self.clock.monotonic(),
            frames=[],
        )
        self._set(talker=talker, talker_group=group, recording=self._active.id)

    def _on_radio_frame(self, frame: dev.Frame | None) -> None:
        if self._active is not None:
            self._active.add(frame)

    def _finish_recording(self) -> None:
        rec, self._active = self._active, None
        if rec is None:
            return
        self._set(talker=None, talker_group=None, recording=None)
        if not rec.heard:
            self._not_recorded(rec)
            return
        samples = np.concatenate(rec.frames) if rec.frames else np.zeros(0, np.int16)
        path = self.recordings_dir / file_name(rec)
        try:
            write_wav(path, samples)
        except OSError as exc:
            message = f"cannot save the recording of {rec.talker} to {path}: {exc.strerror or exc}"
            hint = "check the recordings folder ([audio] recordings) and free disk space"
            self._append(
                VOICE_RECORDING_FAILED,
                {"recording": rec.id, "error": message, "hint": hint},
                unit=rec.talker,
                group=rec.group or None,
            )
            self._emit(DeviceProblem(message, hint))
            return
        saved = Recording(
            id=rec.id,
            path=str(path),
            talker=rec.talker,
            group=rec.group,
            cc=rec.cc,
            started_wall=rec.started_wall,
            started_mono=rec.started_mono,
            duration_s=len(samples) / dev.RATE,
            samples=len(samples),
        )
        self._recent.append(saved)
        del self._recent[:-RECENT_KEEP]
        self._append(
            VOICE_RECORDING,
            {
                "recording": saved.id,
                "talker": saved.talker,
                "group": saved.group,
                "path": saved.path,
                "duration_s": round(saved.duration_s, 3),
                "started_wall": saved.started_wall,
                "cc": saved.cc,
            },
            unit=saved.talker,
            group=saved.group or None,
        )
        self._emit(RecordingSaved(saved))

    def _not_recorded(self, rec: ActiveRecording) -> None:
        """No audio came from the radio's sound card for the whole transmission: no WAV
        of silence and no ``voice.recording`` row claiming one, but the record says the
        transmission happened and why it has no recording."""
        seconds = self.clock.monotonic() - rec.started_mono
        message = (
            f"transmission of {rec.talker} ({seconds:.1f} s) not recorded: "
            "no audio from the radio's sound card"
        )
        hint = "connect the gateway's audio output and name it in [audio] radio_input"
        self._append(
            VOICE_RECORDING_FAILED,
            {"recording": rec.id, "error": message, "hint": hint, "samples": 0},
            unit=rec.talker,
            group=rec.group or None,
        )

    # -- instant recall ------------------------------------------------------------------

    async def replay(self, recording_id: str, *, operator: str | None = None) -> None:
        """Play a recording in the officer's headset; returns when it has been played."""
        rec = self.recording(recording_id)
        if rec is None:
            raise VoiceError(
                f"no recording {recording_id!r}", hint="pick one from recent_recordings()"
            )
        if self.router.headset_out is None:
            raise DeviceUnavailable("no headset to replay to: " + "; ".join(self._state.problems))
        try:
            samples = read_wav(rec.path)
        except (OSError, ValueError, EOFError) as exc:
            raise VoiceError(f"cannot read recording {rec.path}: {exc}") from None
        self._append(VOICE_REPLAY, {"recording": rec.id, "path": rec.path}, operator=operator)
        await self.router.play_to_headset(samples)

    # -- helpers -------------------------------------------------------------------------

    def _set(self, **changes: Any) -> None:
        new = replace(self._state, **changes)
        if new != self._state:
            self._state = new
            self._emit(VoiceStateChanged(new))

    def _append(
        self,
        kind: str,
        data: dict[str, Any],
        *,
        unit: str | None = None,
        group: str | None = None,
        operator: str | None = None,
    ) -> None:
        if self.log is not None:
            self.log.append(kind, data=data, unit=unit, group=group, operator=operator)

    def _emit(self, event: VoiceEvent) -> None:
        self.listeners.emit(event)


__all__ = ["VoicePath", "VoiceState"]

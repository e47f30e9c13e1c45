"""The radio voice path: PTT routing, one WAV per received transmission, instant recall,
and missing sound devices -- with numpy array devices on virtual time (no sleeping)."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.config import AudioConfig, demo_station
from console.voice import (
    VOICE_DEVICE_PROBLEM,
    VOICE_PTT,
    VOICE_RECORDING,
    ArrayInput,
    ArraySink,
    AudioRouter,
    DeviceProblem,
    PortAudioMissing,
    PttError,
    RecordingSaved,
    VoiceEvent,
    VoicePath,
    load_sounddevice,
    read_wav,
)
from drivers.clock import VirtualClock
from drivers.errors import CommandError
from drivers.gateway import CallState
from drivers.pei import events as ev

TICK = 0.02


@dataclass
class FakeGateway:
    """The Gateway surface the voice path uses; records the commands it would send."""

    calls: dict[int, CallState] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    listeners: list[Callable[[ev.PeiEvent], None]] = field(default_factory=list)
    fail: bool = False
    next_cc: int = 5

    def subscribe(self, listener: Callable[[ev.PeiEvent], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def emit(self, event: ev.PeiEvent) -> None:
        if isinstance(event, ev.CallReleased):
            self.calls.pop(event.cc, None)
        for listener in list(self.listeners):
            listener(event)

    async def start_group_call(self, group: int | str) -> int:
        if self.fail:
            raise CommandError("no network", hint="try again")
        cc = self.next_cc
        self.next_cc += 1
        self.commands.append(f"ATD{group}")
        self.calls[cc] = CallState(cc, str(group), incoming=False)
        return cc

    async def ptt_press(self, cc: int) -> None:
        self.commands.append(f"AT+CTXD={cc},1")

    async def ptt_release(self, cc: int) -> None:
        self.commands.append(f"AT+CUTXC={cc}")


class MemLog:
    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any]]] = []

    def append(self, kind: str, *, data: Any = None, **fields: Any) -> int:
        self.records.append((kind, {"data": dict(data or {}), **fields}))
        return len(self.records)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [r for k, r in self.records if k == kind]


def tone(freq: float, seconds: float, amp: int = 8000) -> np.ndarray:
    t = np.arange(int(8000 * seconds)) / 8000
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.int16)


@dataclass
class Bench:
    clock: VirtualClock
    gateway: FakeGateway
    log: MemLog
    mic: ArrayInput
    radio_in: ArrayInput
    headset: ArraySink
    radio_out: ArraySink
    voice: VoicePath
    events: list[VoiceEvent]

    async def ticks(self, n: int) -> None:
        await self.clock.advance(n * TICK + 1e-6)


@pytest.fixture
async def bench(tmp_path: Path) -> Any:
    clock = VirtualClock()
    gateway = FakeGateway()
    log = MemLog()
    mic = ArrayInput(tone(440, 5.0), "headset-mic")
    rng = np.random.default_rng(3)
    radio_in = ArrayInput(rng.integers(-9000, 9000, 8000 * 10, dtype=np.int16), "radio-in")
    headset, radio_out = ArraySink("headset"), ArraySink("radio-out")
    router = AudioRouter(
        clock, headset_in=mic, headset_out=headset, radio_in=radio_in, radio_out=radio_out
    )
    voice = VoicePath(
        gateway, clock, router, log=log, recordings_dir=tmp_path / "rec", default_group=9001
    )
    events: list[VoiceEvent] = []
    voice.subscribe(events.append)
    await voice.start()
    yield Bench(clock, gateway, log, mic, radio_in, headset, radio_out, voice, events)
    await voice.close()


async def test_ptt_sets_up_a_group_call_then_routes_the_mic_only_once_granted(
    bench: Bench,
) -> None:
    cc = await bench.voice.ptt_press(operator="张警官")
    assert bench.gateway.commands == ["ATD9001", f"AT+CTXD={cc},1"]
    assert bench.voice.state.ptt and bench.voice.state.floor == "requested"
    await bench.ticks(3)
    assert bench.radio_out.frames == []  # floor not granted yet: nothing into the radio
    bench.gateway.emit(ev.TxGranted(cc, 0))
    assert bench.voice.state.transmitting
    before = len(bench.mic.produced)
    await bench.ticks(10)
    sent = bench.mic.produced[before:]
    assert len(bench.radio_out.frames) == len(sent) == 10
    assert np.array_equal(np.concatenate(bench.radio_out.frames), np.concatenate(sent))
    await bench.voice.ptt_release(operator="张警官")
    assert bench.gateway.commands[-1] == f"AT+CUTXC={cc}"
    await bench.ticks(5)
    assert len(bench.radio_out.frames) == 10  # released: the mic no longer reaches the radio
    ptt = bench.log.of(VOICE_PTT)
    assert [r["data"]["on"] for r in ptt] == [True, False]
    assert ptt[0]["group"] == "9001" and ptt[0]["operator"] == "张警官"


async def test_ptt_joins_an_existing_call_instead_of_dialling(bench: Bench) -> None:
    bench.gateway.calls[7] = CallState(7, "9011", incoming=True)
    cc = await bench.voice.ptt_press(9011)
    assert cc == 7 and bench.gateway.commands == ["AT+CTXD=7,1"]


async def test_ptt_failure_is_a_clear_error_and_leaves_the_floor_idle(bench: Bench) -> None:
    bench.gateway.fail = True
    with pytest.raises(PttError, match="9001"):
        await bench.voice.ptt_press()
    assert not bench.voice.state.ptt and bench.voice.state.floor == "idle"


async def test_a_radio_talker_becomes_one_wav_with_exactly_the_received_samples(
    bench: Bench,
) -> None:
    bench.gateway.calls[3] = CallState(3, "9001", incoming=True)
    await bench.ticks(4)  # audio before the transmission is not recorded
    start = len(bench.radio_in.produced)
    bench.gateway.emit(ev.TxGranted(3, 3, "2003"))
    assert bench.voice.state.talker == "2003"
    await bench.ticks(50)  # one second of speech
    bench.gateway.emit(ev.TxCeased(3))
    end = len(bench.radio_in.produced)
    await bench.ticks(4)
    expected = np.concatenate(bench.radio_in.produced[start:end])
    [rec] = bench.voice.recent_recordings(5)
    assert rec.talker == "2003" and rec.group == "9001"
    assert rec.samples == len(expected) == 8000 and rec.duration_s == pytest.approx(1.0)
    assert np.array_equal(read_wav(rec.path), expected)
    [logged] = bench.log.of(VOICE_RECORDING)
    assert logged["unit"] == "2003" and logged["group"] == "9001"
    assert logged["data"]["path"] == rec.path and logged["data"]["duration_s"] == 1.0
    assert logged["data"]["started_wall"] == pytest.approx(bench.clock.time() - 1.08)
    assert any(isinstance(e, RecordingSaved) and e.recording == rec for e in bench.events)
    assert bench.voice.state.talker is None
    # Received audio also went to the officer's headset.
    heard = np.concatenate(bench.headset.frames)
    assert np.array_equal(heard[start * 160 : end * 160], expected)


async def test_each_transmission_is_its_own_file_and_call_release_ends_one(
    bench: Bench,
) -> None:
    bench.gateway.calls[3] = CallState(3, "9001", incoming=True)
    bench.gateway.emit(ev.TxGranted(3, 3, "2001"))
    await bench.ticks(10)
    bench.gateway.emit(ev.TxGranted(3, 3, "2002"))  # a new talker, no cease in between
    await bench.ticks(20)
    bench.gateway.emit(ev.CallReleased(3, 13))
    await bench.ticks(2)
    newest, oldest = bench.voice.recent_recordings(10)
    assert (oldest.talker, newest.talker) == ("2001", "2002")
    assert (oldest.samples, newest.samples) == (1600, 3200)
    assert oldest.path != newest.path and Path(oldest.path).is_file()
    assert bench.voice.recent_recordings(1) == [newest]


async def test_instant_recall_replays_a_recording_into_the_headset(bench: Bench) -> None:
    bench.gateway.calls[3] = CallState(3, "9001", incoming=True)
    bench.gateway.emit(ev.TxGranted(3, 3, "2003"))
    await bench.ticks(25)
    bench.gateway.emit(ev.TxCeased(3))
    [rec] = bench.voice.recent_recordings()
    bench.radio_in.close()  # the radio goes quiet: only the replay is in the headset
    before = len(bench.headset.frames)
    task = asyncio.ensure_future(bench.voice.replay(rec.id))
    await bench.clock.run_until(task.done, limit=5.0)
    await task
    played = np.concatenate(bench.headset.frames[before:])[: rec.samples]
    assert np.array_equal(played, read_wav(rec.path))


async def test_replay_of_unknown_recording_is_a_clear_error(bench: Bench) -> None:
    with pytest.raises(Exception, match="no recording"):
        await bench.voice.replay("R-nope")


async def test_unsaveable_recording_is_reported_not_raised(bench: Bench, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bench.voice.recordings_dir = blocker / "sub"  # a folder under a file: cannot exist
    bench.gateway.emit(ev.TxGranted(4, 3, "2005"))
    await bench.ticks(3)
    bench.gateway.emit(ev.TxCeased(4))
    assert bench.voice.recent_recordings() == []
    assert bench.log.of("voice.recording_failed")
    assert any(isinstance(e, DeviceProblem) for e in bench.events)


# -- missing sound devices ---------------------------------------------------------------


def _stub_sounddevice(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "stub").mkdir(exist_ok=True)
    (tmp_path / "stub" / "sounddevice.py").write_text(textwrap.dedent(body))
    monkeypatch.syspath_prepend(str(tmp_path / "stub"))
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)


def test_no_portaudio_is_a_typed_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _stub_sounddevice(tmp_path, "raise OSError('PortAudio library not found')\n", monkeypatch)
    with pytest.raises(PortAudioMissing, match="PortAudio library not found") as info:
        load_sounddevice()
    assert "libportaudio2" in info.value.hint


async def test_without_portaudio_the_voice_path_reports_and_ptt_still_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stub_sounddevice(tmp_path, "raise OSError('PortAudio library not found')\n", monkeypatch)
    station = replace(demo_station(), audio=AudioConfig(headset_input="USB Headset"))
    clock, gateway, log = VirtualClock(), FakeGateway(), MemLog()
    voice = VoicePath.for_station(station, gateway, clock, log=log, default_group=9001)
    seen: list[VoiceEvent] = []
    voice.subscribe(seen.append)
    state = await voice.start()
    assert not state.audio_ok and "PortAudio" in state.problems[0]
    assert "libportaudio2" in state.hint
    assert log.of(VOICE_DEVICE_PROBLEM) and any(isinstance(e, DeviceProblem) for e in seen)
    cc = await voice.ptt_press()  # the radio is still keyed (silence), nothing crashes
    gateway.emit(ev.TxGranted(cc, 0))
    await clock.advance(0.2)
    assert voice.state.transmitting
    await voice.ptt_release()
    assert gateway.commands == ["ATD9001", f"AT+CTXD={cc},1", f"AT+CUTXC={cc}"]
    await voice.close()


async def test_a_device_name_that_does_not_exist_is_reported_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stub_sounddevice(
        tmp_path,
        """
        CARDS = [
            {"name": "HDA Intel PCH: ALC892 Analog (hw:0,0)", "max_input_channels": 2,
             "max_output_channels": 2, "default_samplerate": 44100.0},
            {"name": "Radio Card", "max_input_channels": 1, "max_output_channels": 1,
             "default_samplerate": 48000.0},
        ]

        def query_devices(device=None, kind=None):
            return CARDS if device is None and kind is None else CARDS[0]

        class _Stream:
            def __init__(self, **kw): self.kw = kw
            def start(self): pass
            def stop(self): pass
            def close(self): pass

        InputStream = OutputStream = _Stream
        """,
        monkeypatch,
    )
    audio = AudioConfig(
        headset_input="Jabra",
        headset_output="Jabra",
        radio_input="Radio Card",
        radio_output="Radio Card",
    )
    station = replace(demo_station(), audio=audio)
    clock, gateway = VirtualClock(), FakeGateway()
    voice = VoicePath.for_station(station, gateway, clock)
    state = await voice.start()
    assert len(state.problems) == 2 and all("'Jabra'" in p for p in state.problems)
    assert voice.router.radio_in is not None and voice.router.headset_in is None
    assert voice.router.headset_out is None  # the rest of the path keeps running
    await voice.close()


async def test_unconfigured_devices_are_a_state_not_an_error() -> None:
    clock, gateway = VirtualClock(), FakeGateway()
    voice = VoicePath.for_station(demo_station(), gateway, clock, loader=lambda: sys)
    state = await voice.start()
    assert not state.audio_ok and "no sound device configured" in state.problems[0]
    await voice.close()

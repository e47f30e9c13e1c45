"""MicSource with an injected fake ``sounddevice`` module, and a missing PortAudio."""

from __future__ import annotations

import asyncio
import importlib.abc
import random
import subprocess
import sys
import threading
import types
from collections.abc import Callable, Generator, Sequence
from typing import Any

import numpy as np
import pytest

from drivers.audio.errors import AudioBackendMissing, AudioDeviceError
from drivers.audio.g711 import ulaw_decode
from drivers.audio.mic import MicSource, input_devices, load_sounddevice
from drivers.audio.rtp import RtpPacket
from drivers.audio.sender import Broadcaster, Destination
from drivers.clock import VirtualClock

DEVICES = [
    {"name": "HDA Intel PCH: ALC892 Analog (hw:0,0)", "max_input_channels": 2,
     "default_samplerate": 44100.0},
    {"name": "HDMI 0", "max_input_channels": 0, "default_samplerate": 48000.0},
    {"name": "USB Headset: Audio (hw:2,0)", "max_input_channels": 1,
     "default_samplerate": 48000.0},
]  # fmt: skip


class FakePortAudioError(Exception):
    pass


class FakeStream:
    def __init__(self, module: FakeSoundDevice, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.callback: Callable[..., None] = kwargs["callback"]
        self.started = self.stopped = self.closed = False
        module.streams.append(self)

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    def close(self) -> None:
        self.closed = True

    def deliver(self, block: np.ndarray, status: int = 0) -> None:
        """What PortAudio does on its own thread: call back with a (frames, 1) buffer."""
        self.callback(block.reshape(-1, 1), len(block), None, status)


class FakeSoundDevice(types.ModuleType):
    """The part of python-sounddevice MicSource uses."""

    PortAudioError = FakePortAudioError

    def __init__(self, devices: Sequence[dict[str, Any]] = DEVICES, default: int | None = 0):
        super().__init__("sounddevice")
        self.devices = list(devices)
        self.default = default
        self.streams: list[FakeStream] = []
        self.fail_open: str | None = None

    def query_devices(self, kind: str | None = None) -> Any:
        if kind == "input":
            if self.default is None:
                raise FakePortAudioError("Error querying device -1")
            return self.devices[self.default]
        return self.devices

    def InputStream(self, **kwargs: Any) -> FakeStream:
        if self.fail_open:
            raise FakePortAudioError(self.fail_open)
        return FakeStream(self, **kwargs)


def sine(rate: int, freq: float, n: int, start: int = 0, amp: float = 0.5) -> np.ndarray:
    t = (np.arange(n) + start) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_device_by_name_substring_at_native_rate() -> None:
    sd = FakeSoundDevice()
    mic = MicSource("usb headset", sounddevice=sd)
    mic.start()
    [stream] = sd.streams
    assert stream.kwargs["device"] == 2 and stream.kwargs["samplerate"] == 48000
    assert stream.kwargs["channels"] == 1 and stream.kwargs["blocksize"] == 0
    assert stream.started and mic.device_name and "USB Headset" in mic.device_name
    mic.close()
    assert stream.stopped and stream.closed
    assert input_devices(sd) == [(0, DEVICES[0]["name"]), (2, DEVICES[2]["name"])]


def test_callback_only_copies_and_consumer_resamples_48k_to_8k() -> None:
    sd = FakeSoundDevice()
    mic = MicSource("USB", sounddevice=sd, max_latency=2.0)
    frames_iter = mic.frames()
    assert isinstance(frames_iter, Generator)
    assert next(frames_iter).tolist() == [0] * 160  # nothing captured yet: silence
    stream = sd.streams[0]
    block = np.zeros(480, dtype=np.float32)
    stream.deliver(block)
    block[:] = 1.0  # PortAudio reuses its buffer: the queued copy must not change
    assert mic.blocks == 0  # the callback did no work beyond queueing

    # Deliver 1 s of 1 kHz in 10 ms blocks from a real thread, like PortAudio.
    def produce() -> None:
        for k in range(100):
            stream.deliver(sine(48000, 1000, 480, start=k * 480))

    worker = threading.Thread(target=produce)
    worker.start()
    worker.join()
    out = np.concatenate([next(frames_iter) for _ in range(50)])
    assert mic.blocks == 101 and mic.samplerate == 48000
    assert np.max(np.abs(out[:80])) < 200  # the copied zero block came first, untouched
    spec = np.abs(np.fft.rfft(out[800:] * np.hanning(len(out) - 800)))
    assert np.argmax(spec) * 8000 / (len(out) - 800) == pytest.approx(1000, abs=10)
    assert np.max(np.abs(out[1000:])) / 32767 == pytest.approx(0.5, abs=0.02)
    frames_iter.close()
    assert stream.closed  # frames() opened the stream, so it closed it


def test_underrun_gives_silence_and_runaway_card_is_trimmed() -> None:
    sd = FakeSoundDevice()
    mic = MicSource(None, sounddevice=sd, prefill=0.02, max_latency=0.06)
    mic.start()
    stream = sd.streams[0]
    assert stream.kwargs["samplerate"] == 44100 and stream.kwargs["device"] is None
    stream.deliver(sine(44100, 500, 441 * 3))  # 30 ms: less than a frame + the prefill
    assert not np.any(mic.next_frame()) and mic.underruns == 0
    stream.deliver(sine(44100, 500, 441 * 2, start=441 * 3))  # 50 ms in all: primed
    assert np.any(mic.next_frame()) and np.any(mic.next_frame())
    third = mic.next_frame()  # only 10 ms left: silence, counted as an underrun
    assert not np.any(third) and mic.underruns == 1
    stream.deliver(sine(44100, 500, 44100))  # the card ran 1 s ahead
    mic.next_frame()
    assert mic.dropped_samples > 7000
    assert len(mic._fifo) <= mic.max_samples
    stream.deliver(np.zeros(441, np.float32), status=1)
    mic.next_frame()
    assert mic.status_flags == 1
    mic.close()


def test_missing_device_and_no_default_are_typed_errors() -> None:
    with pytest.raises(AudioDeviceError) as info:
        MicSource("Jabra", sounddevice=FakeSoundDevice()).start()
    text = str(info.value)
    assert "'Jabra'" in text and "USB Headset" in text and "HDMI" not in text and "hint" in text
    with pytest.raises(AudioDeviceError, match="no default microphone"):
        MicSource(sounddevice=FakeSoundDevice(default=None)).start()
    with pytest.raises(AudioDeviceError, match="#1 is not a microphone"):
        MicSource(1, sounddevice=FakeSoundDevice()).start()
    sd = FakeSoundDevice()
    sd.fail_open = "Invalid sample rate [PaErrorCode -9997]"
    with pytest.raises(AudioDeviceError, match="Invalid sample rate"):
        MicSource("USB", sounddevice=sd).start()


class _NoPortAudio(importlib.abc.MetaPathFinder):
    """Makes ``import sounddevice`` fail the way it does on Linux without libportaudio2."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def test_missing_portaudio_is_a_typed_error_with_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoPortAudio(), *sys.meta_path])
    with pytest.raises(AudioBackendMissing) as info:
        load_sounddevice()
    assert "PortAudio library not found" in str(info.value)
    assert "apt-get install libportaudio2" in str(info.value)
    with pytest.raises(AudioBackendMissing):
        MicSource("USB").start()


def test_sounddevice_is_imported_lazily() -> None:
    code = (
        "import sys, drivers.audio, drivers.audio.sources as s\n"
        "m = s.MicSource('USB')\n"
        "assert 'sounddevice' not in sys.modules, 'imported too early'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


async def test_broadcaster_paces_a_live_mic_on_its_own_clock() -> None:
    sd = FakeSoundDevice()
    mic = MicSource("USB", sounddevice=sd)
    clock = VirtualClock()
    sent: list[bytes] = []

    class Sender:
        def send(self, dest: Destination, data: bytes) -> None:
            sent.append(data)

        def close(self) -> None:
            pass

    stop = asyncio.Event()
    bc = Broadcaster(
        [Destination("192.0.2.9", 5004)], clock=clock, sender=Sender(), rng=random.Random(1)
    )
    task = asyncio.create_task(bc.play(mic, stop=stop))
    await clock.advance(0)
    stream = sd.streams[0]
    for k in range(10):  # the card delivers 20 ms per 20 ms
        stream.deliver(sine(48000, 1000, 960, start=k * 960))
        await clock.advance(0.02)
    stop.set()
    await clock.advance(0.02)
    stats = await task
    assert stats.frames_sent == len(sent) >= 10
    levels = [np.max(np.abs(ulaw_decode(RtpPacket.parse(p).payload))) for p in sent]
    assert max(levels) > 10000  # real audio went out
    assert stream.closed  # the mic closed when the broadcast ended

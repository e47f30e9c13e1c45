"""One sound-card stack: the voice path's devices open cards at their own rate and resample.

A fake ``sounddevice`` module stands in for PortAudio (no sound card on CI); the numbers
checked are the ones a technician would hear: a 1 kHz tone stays 1 kHz at the card's rate,
and the queue never grows past its latency cap.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from console.voice.devices import SoundDeviceInput, SoundDeviceOutput
from console.voice.errors import DeviceUnavailable
from drivers.audio.cards import CardOutput, find_device
from drivers.audio.errors import AudioDeviceError

CARDS = [
    {"name": "HDA Intel PCH: ALC892 Analog (hw:0,0)", "max_input_channels": 2,
     "max_output_channels": 2, "default_samplerate": 44100.0},
    {"name": "HDMI 0", "max_input_channels": 0, "max_output_channels": 8,
     "default_samplerate": 48000.0},
    {"name": "USB Headset: Audio (hw:2,0)", "max_input_channels": 1,
     "max_output_channels": 0, "default_samplerate": 48000.0},
]  # fmt: skip


class Stream:
    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.callback: Callable[..., None] = kwargs["callback"]

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class FakeCards(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("sounddevice")
        self.streams: list[Stream] = []

    def query_devices(self, kind: str | None = None) -> Any:
        return CARDS[0] if kind else CARDS

    def InputStream(self, **kwargs: Any) -> Stream:
        self.streams.append(Stream(**kwargs))
        return self.streams[-1]

    OutputStream = InputStream


def tone(rate: int, n: int, freq: float = 1000.0, amp: float = 8000.0) -> np.ndarray:
    return (amp * np.sin(2 * np.pi * freq * np.arange(n) / rate)).astype(np.int16)


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def pull(stream: Stream, frames: int) -> np.ndarray:
    out = np.zeros((frames, 1), np.int16)
    stream.callback(out, frames, None, 0)
    return out[:, 0].copy()


def test_output_plays_at_the_cards_own_rate_with_the_tone_intact() -> None:
    sd = FakeCards()
    card = CardOutput("alc892", sounddevice=sd)
    card.start()
    [stream] = sd.streams
    assert stream.kwargs["samplerate"] == 44100 and card.samplerate == 44100  # not forced
    for i in range(25):  # 0.5 s of a 1 kHz tone at 8 kHz
        card.write_frame(tone(8000, 4000)[i * 160 : (i + 1) * 160])
    played = pull(stream, 22050)
    assert abs(peak_hz(played[2000:20000], 44100) - 1000.0) < 10
    # samples out = samples in x 44100/8000, less the filter's few-sample delay
    assert np.count_nonzero(played) > 0.99 * 22050 - 100
    assert not pull(stream, 441).any()  # nothing queued: silence, never stale audio
    card.close()


def test_output_queue_is_capped_so_a_slow_card_cannot_build_delay() -> None:
    sd = FakeCards()
    card = CardOutput("alc892", max_latency=0.2, sounddevice=sd)
    card.start()
    for _ in range(100):  # 2 s written, nothing played
        card.write_frame(tone(8000, 160))
    assert card.dropped_samples > 0
    assert card._queued <= 0.2 * 44100


def test_input_is_resampled_not_averaged_and_none_until_a_frame_is_in() -> None:
    sd = FakeCards()
    device = SoundDeviceInput("ALC892", loader=lambda: sd)
    device.open()
    [stream] = sd.streams
    assert stream.kwargs["samplerate"] == 44100
    assert device.read_frame() is None
    block = (tone(44100, 44100) / 32768.0).astype(np.float32).reshape(-1, 1)
    frames = []
    for i in range(0, 44100, 441):  # 10 ms blocks from the card, a pull every 10 ms
        stream.callback(block[i : i + 441], 441, None, 0)
        frame = device.read_frame()
        if frame is not None:
            frames.append(frame)
    assert all(len(f) == 160 for f in frames) and len(frames) >= 48  # ~1 s of 20 ms frames
    assert abs(peak_hz(np.concatenate(frames), 8000) - 1000.0) < 30
    device.close()


def test_devices_are_found_by_part_of_their_name_and_kind() -> None:
    sd = FakeCards()
    assert find_device(sd, "hdmi", "output")[0] == 1
    with pytest.raises(AudioDeviceError, match="no microphone whose name contains 'hdmi'"):
        find_device(sd, "hdmi", "input")
    with pytest.raises(AudioDeviceError, match="#2 is not an output device"):
        find_device(sd, 2, "output")
    out = SoundDeviceOutput("Jabra", loader=lambda: sd)
    with pytest.raises(DeviceUnavailable, match="'Jabra'"):
        out.open()

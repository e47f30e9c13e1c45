"""The radio voice path: PTT from the console, received radio audio, recordings, recall.

Import from here; see :class:`VoicePath` and ``docs/broadcast.md``.
"""

from __future__ import annotations

from console.voice.devices import (
    ArrayInput,
    ArraySink,
    InputDevice,
    OutputDevice,
    SoundDeviceInput,
    SoundDeviceOutput,
    load_sounddevice,
)
from console.voice.errors import DeviceUnavailable, PortAudioMissing, PttError, VoiceError
from console.voice.path import (
    VOICE_DEVICE_PROBLEM,
    VOICE_PTT,
    VOICE_RECORDING,
    VOICE_RECORDING_FAILED,
    VOICE_REPLAY,
    DeviceProblem,
    RecordingSaved,
    VoiceEvent,
    VoicePath,
    VoiceState,
    VoiceStateChanged,
)
from console.voice.recordings import Recording, read_wav
from console.voice.router import AudioRouter

__all__ = [
    "VOICE_DEVICE_PROBLEM",
    "VOICE_PTT",
    "VOICE_RECORDING",
    "VOICE_RECORDING_FAILED",
    "VOICE_REPLAY",
    "ArrayInput",
    "ArraySink",
    "AudioRouter",
    "DeviceProblem",
    "DeviceUnavailable",
    "InputDevice",
    "OutputDevice",
    "PortAudioMissing",
    "PttError",
    "Recording",
    "RecordingSaved",
    "SoundDeviceInput",
    "SoundDeviceOutput",
    "VoiceError",
    "VoiceEvent",
    "VoicePath",
    "VoiceState",
    "VoiceStateChanged",
    "load_sounddevice",
    "read_wav",
]

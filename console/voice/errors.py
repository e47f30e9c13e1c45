"""Errors of the radio voice path (sound devices, PTT)."""

from __future__ import annotations

from console.errors import ConsoleError


class VoiceError(ConsoleError):
    """Base of voice-path errors."""

    default_hint = "See docs/broadcast.md (voice path)."


class DeviceUnavailable(VoiceError):
    """PortAudio or a named sound device is missing; the rest of the console keeps working."""

    default_hint = (
        "check that the headset / sound card is plugged in and named as in [audio] of the "
        "station file; `python -m sounddevice` lists devices"
    )


class PortAudioMissing(DeviceUnavailable):
    """``import sounddevice`` failed: the PortAudio library is not installed."""

    default_hint = (
        "install PortAudio (apt-get install libportaudio2); radio paging, texts and "
        "loudspeaker tones still work without it"
    )


class PttError(VoiceError):
    """The gateway refused or failed a call set-up / PTT command."""

    default_hint = "check the gateway link; the radio network may be busy, try again"

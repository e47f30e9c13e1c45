"""Errors of the audio / IP loudspeaker drivers.

All derive from :class:`drivers.errors.DriverError`, so the console can catch one base
class and show ``str(err)`` (message plus an actionable hint) without a traceback.
"""

from __future__ import annotations

from drivers.errors import DriverError


class AudioError(DriverError):
    """Base of every audio-path error (sources, codecs, RTP, sending)."""

    default_hint = "Check the audio source and the loudspeaker settings, then try again."


class AudioConfigError(AudioError, ValueError):
    """A destination, codec or stream parameter is invalid (caught before anything is sent)."""

    default_hint = "Fix the loudspeaker entry (address, port, protocol, codec, channel)."


class RtpError(AudioError):
    """Bytes that do not form a valid RTP packet (RFC 3550 §5.1)."""

    default_hint = "The datagram is not RTP version 2; check what is sending to this port."


class PolycomError(AudioError):
    """Bytes that do not form a valid Polycom/Spectralink group paging packet."""

    default_hint = "The datagram is not a Polycom PTT/paging packet; check the sender."


class SendError(AudioError):
    """A packet could not be handed to the network for one loudspeaker."""

    default_hint = "Check the speaker's address and this PC's network connection."


class AudioFileError(AudioError):
    """An audio file is missing, unreadable or in a format we do not read."""

    default_hint = (
        "Use a WAV file (PCM or float, any rate, mono or stereo) or FLAC; without the "
        "soundfile package only integer PCM WAV (8/16/24/32-bit) is read."
    )


class TtsUnavailable(AudioError):
    """No speech synthesiser: neither the espeak-ng wheel nor the espeak-ng program."""

    default_hint = (
        "pip install espeakng-loader (the espeak-ng wheel), "
        "or install espeak-ng (apt-get install espeak-ng)"
    )


class TtsError(AudioError):
    """The synthesiser ran but did not produce audio."""

    default_hint = "Check the text and the voice name (espeak-ng --voices=zh lists them)."


class AudioBackendMissing(AudioError):
    """The sound-card library (PortAudio, via python-sounddevice) cannot be loaded."""

    default_hint = (
        "install PortAudio (apt-get install libportaudio2); files, tones and speech still work"
    )


class AudioDeviceError(AudioError):
    """A sound device is missing, ambiguous, or refused to open."""

    default_hint = (
        "Check that the microphone/headset is plugged in; `python -m sounddevice` lists devices."
    )

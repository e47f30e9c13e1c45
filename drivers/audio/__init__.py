"""The voice path to IP loudspeakers: G.711, RTP, Polycom paging, sources, pacing, UDP.

Sans-I/O cores (``g711``, ``rtp``, ``polycom``, ``resample``, ``tones``) and thin I/O
shells (``udp``, ``broadcaster``, ``mic``, ``tts``, ``wavio``).  Typical use::

    bc = Broadcaster([Destination("192.168.1.50", 5004)], clock=SystemClock())
    stats = await bc.play(concat(chime(), tts_source("河边危险，请勿游泳"), silence(0.2)))

See docs/audio.md.
"""

from __future__ import annotations

from drivers.audio.errors import (
    AudioBackendMissing,
    AudioConfigError,
    AudioDeviceError,
    AudioError,
    AudioFileError,
    PolycomError,
    RtpError,
    SendError,
    TtsError,
    TtsUnavailable,
)
from drivers.audio.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from drivers.audio.polycom import PolycomPacket, PolycomStream
from drivers.audio.rtp import PAYLOAD_TYPES, RtpPacket, RtpStream
from drivers.audio.sender import (
    Broadcaster,
    BroadcastStats,
    Destination,
    DestinationStats,
    UdpSender,
)
from drivers.audio.sources import (
    ArraySource,
    AudioSource,
    MicSource,
    chime,
    concat,
    silence,
    tone,
    tts_source,
    two_tone_alarm,
    wav_source,
)
from drivers.audio.wavio import read_wav, write_wav

__all__ = [
    "PAYLOAD_TYPES",
    "ArraySource",
    "AudioBackendMissing",
    "AudioConfigError",
    "AudioDeviceError",
    "AudioError",
    "AudioFileError",
    "AudioSource",
    "BroadcastStats",
    "Broadcaster",
    "Destination",
    "DestinationStats",
    "MicSource",
    "PolycomError",
    "PolycomPacket",
    "PolycomStream",
    "RtpError",
    "RtpPacket",
    "RtpStream",
    "SendError",
    "TtsError",
    "TtsUnavailable",
    "UdpSender",
    "alaw_decode",
    "alaw_encode",
    "chime",
    "concat",
    "read_wav",
    "silence",
    "tone",
    "tts_source",
    "two_tone_alarm",
    "ulaw_decode",
    "ulaw_encode",
    "wav_source",
    "write_wav",
]

"""Every audio source in one import; each yields 160-sample int16 frames at 8 kHz.

See :mod:`drivers.audio.pcm` for the contract (synchronous, never-blocking iterators,
paced by the Broadcaster).  Finite: ``ArraySource``, ``silence``, ``tone``, ``chime``,
``two_tone_alarm``, ``wav_source``, ``tts_source``, ``concat``.  Live: ``MicSource``.
"""

from __future__ import annotations

from drivers.audio.mic import MicSource, input_devices
from drivers.audio.pcm import ArraySource, AudioSource, ConcatSource, concat, silence
from drivers.audio.tones import chime, tone, two_tone_alarm
from drivers.audio.tts import tts_source
from drivers.audio.wavio import wav_source

__all__ = [
    "ArraySource",
    "AudioSource",
    "ConcatSource",
    "MicSource",
    "chime",
    "concat",
    "input_devices",
    "silence",
    "tone",
    "tts_source",
    "two_tone_alarm",
    "wav_source",
]

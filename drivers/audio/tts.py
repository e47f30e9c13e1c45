"""Mandarin text-to-speech through espeak-ng (a subprocess writing a temporary WAV).

Why espeak-ng: it is packaged everywhere (apt-get install espeak-ng), works offline and
speaks Mandarin (voice ``cmn``).  The quality is robotic but intelligible; a recorded
announcement (``wav_source``) is better for fixed messages.  The text goes through stdin,
never the command line, so hostile text cannot become an option.  This call blocks for
the synthesis (typically well under a second); call it via ``asyncio.to_thread`` from
the event loop.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from drivers.audio.errors import TtsError, TtsUnavailable
from drivers.audio.pcm import ArraySource
from drivers.audio.wavio import wav_source

VOICES = {"zh": "cmn", "zh-cn": "cmn", "mandarin": "cmn", "cantonese": "yue", "en": "en"}

__all__ = ["VOICES", "espeak_path", "tts_source"]


def espeak_path() -> str | None:
    """Where espeak-ng is, or None."""
    return shutil.which("espeak-ng")


def tts_source(
    text: str,
    *,
    voice: str = "zh",
    speed: int = 150,
    amplitude: int = 120,
    timeout: float = 30.0,
) -> ArraySource:
    """Synthesise ``text`` and return it as an 8 kHz source.

    ``voice`` is an espeak-ng voice or one of the aliases in ``VOICES`` (``'zh'`` maps to
    ``cmn``: the ``zh`` entry in espeak-ng is an MBROLA voice that is usually missing).
    ``speed`` is words per minute (150 is slower than the default 175: horns echo).
    """
    exe = espeak_path()
    if exe is None:
        raise TtsUnavailable("espeak-ng is not installed, so text cannot be spoken")
    if not text.strip():
        raise TtsError("nothing to say: the text is empty", hint="Type the announcement text.")
    espeak_voice = VOICES.get(voice.lower(), voice)
    with tempfile.TemporaryDirectory(prefix="dutydesk-tts-") as tmp:
        out = Path(tmp) / "speech.wav"
        cmd = [exe, "-v", espeak_voice, "-s", str(speed), "-a", str(amplitude)]
        cmd += ["-w", str(out), "--stdin"]
        try:
            proc = subprocess.run(
                cmd,
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise TtsError(f"espeak-ng took longer than {timeout:g} s") from None
        except OSError as exc:
            raise TtsUnavailable(f"espeak-ng could not be started ({exc})") from None
        if proc.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
            detail = proc.stderr.decode("utf-8", errors="replace").strip()[-200:]
            raise TtsError(
                f"espeak-ng voice {espeak_voice!r} produced no audio"
                + (f": {detail}" if detail else "")
            )
        source = wav_source(out)
    source.name = f"tts: {text[:20]}"
    return source

"""Sound checks: is PortAudio there, and do the devices named in ``[audio]`` exist?

Why by name, through the same ``query_devices(name, kind)`` the voice path uses: a device
"exists" for the doctor exactly when the console would find it, including PortAudio's
substring matching; when it does not, the useful answer is the list of names that do
exist, so the technician can copy the right one into the station file.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from console.config import AudioConfig
from console.doctor.model import Finding, Status
from console.voice.errors import DeviceUnavailable

AREA = "sound"
SoundDeviceLoader = Callable[[], ModuleType]

# [audio] key -> (what it is, PortAudio kind)
ROLES: tuple[tuple[str, str, str], ...] = (
    ("radio_input", "gateway audio in (what the radios say)", "input"),
    ("radio_output", "gateway audio out (what the officer says)", "output"),
    ("headset_input", "headset microphone", "input"),
    ("headset_output", "headset earpiece", "output"),
)


def _names(sd: ModuleType, kind: str) -> list[str]:
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    try:
        devices: Any = sd.query_devices()
    except Exception:  # PortAudioError: no host API at all
        return []
    return [str(d.get("name", "?")) for d in devices if int(d.get(key, 0) or 0) > 0]


def check_audio(audio: AudioConfig | None, loader: SoundDeviceLoader) -> list[Finding]:
    """Findings for PortAudio and each configured device (none named: PortAudio only)."""
    named = [
        (key, what, kind, getattr(audio, key))
        for key, what, kind in ROLES
        if audio is not None and getattr(audio, key)
    ]
    out: list[Finding] = []
    try:
        sd = loader()
    except DeviceUnavailable as exc:
        out.append(
            Finding(
                AREA,
                "portaudio",
                Status.FAIL if named else Status.WARN,
                exc.message,
                exc.hint or "apt-get install libportaudio2",
            )
        )
        return out
    out.append(Finding(AREA, "portaudio", Status.OK, "PortAudio is installed"))
    if not named:
        out.append(
            Finding(
                AREA,
                "devices",
                Status.SKIP,
                "no sound devices named in the station file ([audio]); voice path not checked",
            )
        )
        return out
    for key, what, kind, name in named:
        try:
            info = sd.query_devices(name, kind)
        except (ValueError, OSError, Exception) as exc:  # PortAudioError is an Exception
            present = _names(sd, kind)
            listing = "; ".join(present) if present else "none"
            out.append(
                Finding(
                    AREA,
                    key,
                    Status.FAIL,
                    f"{what}: {kind} device {name!r} not found ({exc}); {kind} devices "
                    f"present: {listing}",
                    f"Plug the device in, or copy one of the present names into [audio] {key}.",
                )
            )
            continue
        found = str(info.get("name", name)) if hasattr(info, "get") else str(name)
        out.append(Finding(AREA, key, Status.OK, f"{what}: {found!r} ({kind})"))
    return out

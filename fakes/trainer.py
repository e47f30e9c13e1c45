"""A trainer's commands to a running simulator: ``dutydesk sim`` reads them on its stdin.

One line, one command; the first word in English or Chinese, ISSIs as numbers::

    emergency 2004          紧急 2004           the radio's emergency key (status 0)
    smoke 2006 3号楼配电间    烟感 2006 3号楼配电间  a smoke detector's alarm text
    text 2002 收到，已在岗    短信 2002 ...        any text from the radio
    status 2003 32771       状态 2003 32771      any status value (decimal or 0x8003)
    off 2005 / on 2005      关机 / 开机           the radio switched off or on
    away 2007 / back 2007   离开 / 回来           out of range of the network, or back
    unplug / replug         拔线 / 插线           the gateway's serial cable
    help                    帮助

Parsing is pure (:func:`parse`: a line in, a typed :class:`TrainerCommand` or a
:class:`TrainerError` with the usage out); :func:`apply` carries one out on a
:class:`~fakes.sim.SimControl`, so a drill or a test drives the same verbs.
"""

from __future__ import annotations

from dataclasses import dataclass

from fakes.radio import RadioOff
from fakes.sim import SimControl

SMOKE_PREFIX = "烟感报警"
"""How the demo's smoke detectors word their alarm text (the console's alarm rules match it)."""

VERBS: dict[str, str] = {
    "emergency": "emergency", "紧急": "emergency",
    "smoke": "smoke", "烟感": "smoke",
    "text": "text", "短信": "text",
    "status": "status", "状态": "status",
    "off": "off", "关机": "off",
    "on": "on", "开机": "on",
    "away": "away", "离开": "away",
    "back": "back", "回来": "back",
    "unplug": "unplug", "拔线": "unplug",
    "replug": "replug", "插线": "replug",
    "help": "help", "帮助": "help", "?": "help",
}  # fmt: skip
"""Every word a trainer may start a line with, to the one verb it means."""

NEEDS_RADIO = {"emergency", "smoke", "text", "status", "off", "on", "away", "back"}

USAGE = (
    "commands: emergency ISSI | smoke ISSI [PLACE] | text ISSI TEXT | status ISSI VALUE | "
    "off ISSI | on ISSI | away ISSI | back ISSI | unplug | replug | help "
    "(中文: 紧急 烟感 短信 状态 关机 开机 离开 回来 拔线 插线 帮助)"
)


class TrainerError(ValueError):
    """A line that is not a command; the message says what was wrong and the usage."""


@dataclass(frozen=True)
class TrainerCommand:
    verb: str
    issi: int | None = None
    value: int | None = None
    text: str = ""


def _number(word: str, what: str) -> int:
    try:
        return int(word, 0)
    except ValueError:
        raise TrainerError(f"{what} must be a number, got {word!r}; {USAGE}") from None


def parse(line: str) -> TrainerCommand | None:
    """The command on ``line`` (None for a blank line or a ``#`` comment)."""
    words = line.strip().split(maxsplit=2)
    if not words or words[0].startswith("#"):
        return None
    verb = VERBS.get(words[0].lower())
    if verb is None:
        raise TrainerError(f"unknown command {words[0]!r}; {USAGE}")
    if verb not in NEEDS_RADIO:
        return TrainerCommand(verb)
    if len(words) < 2:
        raise TrainerError(f"{words[0]} needs the radio's ISSI; {USAGE}")
    issi = _number(words[1], "the ISSI")
    rest = words[2] if len(words) > 2 else ""
    if verb == "status":
        if not rest:
            raise TrainerError(f"status needs a value (e.g. 32771 or 0x8003); {USAGE}")
        return TrainerCommand(verb, issi, value=_number(rest, "the status value"))
    if verb == "text" and not rest:
        raise TrainerError(f"text needs the words the radio sends; {USAGE}")
    return TrainerCommand(verb, issi, text=rest)


def apply(command: TrainerCommand, control: SimControl) -> str:
    """Carry out ``command``; returns one line saying what happened (for the trainer).

    A radio the network does not have, or one switched off, is a :class:`TrainerError`."""
    try:
        return _apply(command, control)
    except KeyError:
        raise TrainerError(f"the network has no radio {command.issi}") from None
    except RadioOff as exc:
        raise TrainerError(f"{exc} (switch it on first: on {command.issi})") from None


def _apply(command: TrainerCommand, control: SimControl) -> str:
    issi = command.issi
    if command.verb == "help":
        return USAGE
    if command.verb == "unplug":
        control.unplug()
        return "cable pulled: the console sees the port vanish"
    if command.verb == "replug":
        control.replug()
        return "cable plugged back in"
    assert issi is not None
    if command.verb == "emergency":
        control.send_status(issi, 0)
        return f"{issi} pressed its emergency key"
    if command.verb == "smoke":
        control.send_text(issi, f"{SMOKE_PREFIX} {command.text}".strip())
        return f"{issi} sent a smoke alarm"
    if command.verb == "text":
        control.send_text(issi, command.text)
        return f"{issi} sent a text"
    if command.verb == "status":
        assert command.value is not None
        control.send_status(issi, command.value)
        return f"{issi} sent status {command.value:#x}"
    if command.verb in ("off", "on"):
        control.power(issi, command.verb == "on")
        return f"{issi} switched {command.verb}"
    control.reach(issi, command.verb == "back")
    return f"{issi} {'back in range' if command.verb == 'back' else 'out of range'}"

"""The officer's PTT key and the floor it shows: pure policy, no I/O and no Textual.

Why it lives here and not in the F8 screen: whether a press keys or lets go, when a held
key counts as released, and what the floor is (ours, another radio's, queued, refused)
are rules of the voice path.  The screen only forwards key presses with the time, runs
the radio I/O the answers ask for, schedules :meth:`PttKey.due` on the runtime's clock
(virtual in tests), and shows :meth:`PttKey.floor`.

**Toggle** (the default): a press keys the radio (``AT+CTXD``); the next one lets go
(``AT+CUTXC``).  **Hold**: terminals do not report key *release* -- they repeat the key
while it is held (after about half a second) and then stop -- so the first press keys the
radio, every auto-repeat keeps it keyed, and it is released ``hold_gap_s`` after the last
repeat or ``hold_max_s`` after the press at most (a stuck key never jams the talkgroup).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from console.config import Station
from drivers.gateway import CallState, call_on
from drivers.pei import events as ev

HOLD_GAP_S = 0.7
"""Hold mode: no auto-repeat for this long means the key was released."""
HOLD_MAX_S = 60.0
"""Hold mode: the longest a single press keeps the radio keyed."""

PttMode = Literal["toggle", "hold"]
Floor = Literal["idle", "requested", "ours", "other", "queued", "refused"]

GRANTED, REFUSED, QUEUED = 0, 1, 2
"""``+CTXG`` grant answers to our floor request."""


class KeyAction(Enum):
    """What the radio must be told after a press or a timer."""

    KEY = "key"
    RELEASE = "release"


@dataclass(frozen=True)
class AudioReach:
    """Where audio really goes, from the voice path's state: the F8 screen says "本台讲话中"
    only when the officer's voice reaches the radio, and warns when it cannot."""

    microphone: bool
    """Headset microphone and the radio's audio input are open (``VoiceState``)."""
    receive: bool
    """The radio's audio output reaches the console (heard, recorded)."""
    problems: tuple[str, ...] = ()

    @classmethod
    def of(cls, state: Any) -> AudioReach:
        """From a ``VoiceState`` (or an attached console's copy); None: no voice path at
        all, so keying goes straight to the gateway and no audio goes anywhere."""
        if state is None:
            return cls(False, False, ())
        problems = tuple(  # a Phrase stays one, said in the screen's language
            p if isinstance(p, str) else str(p) for p in getattr(state, "problems", ()) or ()
        )
        return cls(
            bool(getattr(state, "microphone", False)),
            bool(getattr(state, "receive", False)),
            problems,
        )

    def shown_floor(self, floor: Floor) -> str:
        """The floor as shown: ours without a microphone is ``ours_mute``, never "talking"."""
        return "ours_mute" if floor == "ours" and not self.microphone else floor


def configured_mode(station: Station) -> PttMode:
    """``hold`` if the station file asks for it (``[audio]``/``[ui]`` ``ptt_mode``)."""
    for table in (getattr(station, "ui", None), station.audio):
        value = getattr(table, "ptt_mode", None)
        if value is None and isinstance(table, dict):
            value = table.get("ptt_mode")
        if isinstance(value, str) and value.strip().lower() == "hold":
            return "hold"
    return "toggle"


@dataclass
class PttKey:
    """The PTT key's state: pressed or not, our call, and the gateway's grant answer."""

    mode: PttMode = "toggle"
    keyed: bool = False
    """We asked for the floor (pressed) and have not let go."""
    cc: int | None = None
    """Our call on the talkgroup, once set up."""
    grant: int | None = None
    """The last ``+CTXG`` answer to our request (0 granted, 1 refused, 2 queued)."""
    hold_gap_s: float = HOLD_GAP_S
    hold_max_s: float = HOLD_MAX_S
    _gap_until: float | None = None
    _max_until: float | None = None

    def switch_mode(self) -> None:
        self.mode = "hold" if self.mode == "toggle" else "toggle"

    def press(self, now: float) -> KeyAction | None:
        """Space/F8 at ``now``: key, let go, or (an auto-repeat in hold mode) nothing."""
        if self.mode == "toggle":
            return self.release() if self.keyed else self._key()
        action = None
        if not self.keyed:
            action = self._key()
            self._max_until = now + self.hold_max_s
        self._gap_until = now + self.hold_gap_s
        return action

    def due(self) -> float | None:
        """When :meth:`expire` next has something to decide (hold mode), else None."""
        times = [t for t in (self._gap_until, self._max_until) if t is not None]
        return min(times) if times and self.keyed else None

    def expire(self, now: float) -> KeyAction | None:
        """A held key whose repeats stopped (or that was held too long) is let go."""
        due = self.due()
        return self.release() if due is not None and now >= due else None

    def release(self) -> KeyAction | None:
        """Let go (the officer, the screen closing, or a timer); None if not keyed."""
        self._gap_until = self._max_until = None
        if not self.keyed:
            return None
        self.keyed = False
        return KeyAction.RELEASE

    def failed(self) -> None:
        """The press could not key the radio: nothing is keyed, there is no call."""
        self.keyed = False
        self.cc = None
        self._gap_until = self._max_until = None

    def released(self) -> None:
        """The release reached the radio (or gave up): the grant answer is spent."""
        self.grant = None

    def _key(self) -> KeyAction:
        self.keyed = True
        self.grant = None
        return KeyAction.KEY

    def on_radio(self, event: ev.PeiEvent) -> bool:
        """Take in a gateway event; True when the floor shown may have changed."""
        if isinstance(event, ev.TxGranted) and self.cc is not None and event.cc == self.cc:
            if event.grant in (GRANTED, REFUSED, QUEUED):
                self.grant = event.grant
        elif isinstance(event, ev.CallReleased) and event.cc == self.cc:
            self.failed()  # the network ended our call: the key is up
        return isinstance(event, ev.TxGranted | ev.TxCeased | ev.CallReleased | ev.IncomingCall)

    def call(self, calls: Mapping[int, CallState], gssi: int | None) -> CallState | None:
        """Our call if it is still up, else the gateway's call on talkgroup ``gssi``."""
        if self.cc is not None and self.cc in calls:
            return calls[self.cc]
        cc = call_on(calls, gssi) if gssi is not None else None
        return calls[cc] if cc is not None else None

    def floor(self, call: CallState | None) -> tuple[Floor, str | None]:
        """(state, talker) of the talkgroup's floor, from the gateway's call and our key."""
        if call is not None and call.ours and self.keyed:
            return "ours", None
        if call is not None and call.talker and not call.ours:
            return "other", str(call.talker)
        if self.grant == REFUSED:
            return "refused", None
        if self.keyed:
            return ("queued", None) if self.grant == QUEUED else ("requested", None)
        return "idle", None

    def service_floor(self, state: Any) -> tuple[Floor, str | None]:
        """The floor as an attached console's station service reports it (``VoiceState``)."""
        floor = getattr(state, "floor", "idle") if state is not None else "idle"
        if floor == "other":
            return "other", getattr(state, "talker", None)
        if floor == "granted":
            return ("ours", None) if self.keyed else ("idle", None)
        if floor in ("requested", "queued", "refused"):
            return floor, None  # type: ignore[return-value]
        return ("requested", None) if self.keyed else ("idle", None)

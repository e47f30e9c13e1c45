"""Group calls on the simulated network: who holds the floor, who waits, hang time.

One :class:`CallManager` per network.  It owns the floor rules so that radios keying up
(scenario injectors, voice answers, background chatter) and the TE's PTT (``ATD``,
``AT+CTXD``, ``AT+CUTXC``) contend for the same floor:

* a free floor is granted at once; a new talker cancels the hang timer;
* a busy floor queues the request (or refuses it, ``floor_policy="refuse"``), unless the
  request is pre-emptive (TxDemandPriority >= 2), which takes the floor;
* when the floor is released the first queued talker gets it, otherwise the hang timer
  starts and the call is released with cause 13 when it expires.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.clock import Clock, TimerHandle
from fakes.air import AirListener

CAUSE_USER_REQUEST = 1
CAUSE_NOT_REACHABLE = 3
CAUSE_PRE_EMPTION = 9
CAUSE_TIMER_EXPIRY = 13
CAUSE_UNKNOWN_IDENTITY = 16

PRIORITY_EMERGENCY = 15


@dataclass
class Call:
    """Mutable state of one call (internal to the manager)."""

    call_id: int
    gssi: int
    caller: int
    priority: int
    talker: int | None = None
    talk_until: TimerHandle | None = None
    hang: TimerHandle | None = None
    queue: list[tuple[int, float | None]] = field(default_factory=list)
    individual: bool = False


class CallManager:
    """Floor control and hang timers for every active call."""

    def __init__(
        self,
        clock: Clock,
        listeners: list[AirListener],
        *,
        hang_time: float,
        floor_policy: str = "queue",
        log: Callable[[str], None] | None = None,
    ) -> None:
        self._clock = clock
        self._listeners = listeners
        self.hang_time = hang_time
        self.floor_policy = floor_policy
        self._ids = itertools.count(1)
        self._calls: dict[int, Call] = {}
        self._log = log or (lambda _m: None)

    # -- queries ------------------------------------------------------------------------
    def get(self, call_id: int) -> Call | None:
        return self._calls.get(call_id)

    def find(self, gssi: int) -> Call | None:
        for call in self._calls.values():
            if call.gssi == gssi:
                return call
        return None

    @property
    def active(self) -> list[Call]:
        return list(self._calls.values())

    # -- life cycle ---------------------------------------------------------------------
    def start(
        self,
        gssi: int,
        caller: int,
        *,
        priority: int = 0,
        own_issi: int | None = None,
        individual: bool = False,
    ) -> Call:
        """Create a call; listeners hear ``on_call_started`` (``own`` when they placed it)."""
        call = Call(next(self._ids), gssi, caller, priority, individual=individual)
        self._calls[call.call_id] = call
        self._log(f"call {call.call_id} on {gssi} by {caller} priority {priority}")
        for lst in list(self._listeners):
            lst.on_call_started(call.call_id, gssi, caller, priority, caller == own_issi)
        self._start_hang(call)
        return call

    def release(self, call_id: int, cause: int) -> None:
        call = self._calls.pop(call_id, None)
        if call is None:
            return
        for timer in (call.hang, call.talk_until):
            if timer is not None:
                timer.cancel()
        self._log(f"call {call_id} on {call.gssi} released, cause {cause}")
        for lst in list(self._listeners):
            lst.on_call_released(call_id, cause)

    # -- floor ------------------------------------------------------------------------
    def request_floor(
        self, call_id: int, issi: int, *, priority: int = 0, seconds: float | None = None
    ) -> str:
        """Ask for the floor; returns ``granted``, ``queued`` or ``refused``.

        ``seconds`` makes a simulated radio release the floor by itself after talking.
        """
        call = self._calls[call_id]
        if call.talker is None or call.talker == issi:
            self._grant(call, issi, seconds)
            return "granted"
        if priority >= 2:
            self._cease(call)
            self._grant(call, issi, seconds)
            return "granted"
        if self.floor_policy == "refuse":
            return "refused"
        call.queue.append((issi, seconds))
        return "queued"

    def release_floor(self, call_id: int, issi: int) -> bool:
        """The talker lets go (or a queued request is withdrawn); False if not involved."""
        call = self._calls.get(call_id)
        if call is None:
            return False
        if call.talker != issi:
            before = len(call.queue)
            call.queue = [q for q in call.queue if q[0] != issi]
            return len(call.queue) != before
        self._cease(call)
        if call.queue:
            nxt, secs = call.queue.pop(0)
            self._grant(call, nxt, secs)
        else:
            self._start_hang(call)
        return True

    def _grant(self, call: Call, issi: int, seconds: float | None) -> None:
        if call.hang is not None:
            call.hang.cancel()
            call.hang = None
        if call.talk_until is not None:
            call.talk_until.cancel()
            call.talk_until = None
        call.talker = issi
        self._log(f"call {call.call_id} on {call.gssi}: {issi} talks")
        for lst in list(self._listeners):
            lst.on_floor_granted(call.call_id, issi)
        if seconds is not None:
            cid = call.call_id
            call.talk_until = self._clock.call_later(seconds, lambda: self.release_floor(cid, issi))

    def _cease(self, call: Call) -> None:
        talker = call.talker
        if talker is None:
            return
        if call.talk_until is not None:
            call.talk_until.cancel()
            call.talk_until = None
        call.talker = None
        for lst in list(self._listeners):
            lst.on_floor_ceased(call.call_id, talker)

    def _start_hang(self, call: Call) -> None:
        if call.hang is not None:
            call.hang.cancel()
        cid = call.call_id
        call.hang = self._clock.call_later(
            self.hang_time, lambda: self.release(cid, CAUSE_TIMER_EXPIRY)
        )

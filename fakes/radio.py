"""One simulated handheld: its identity, its person's behaviour, and scenario injectors.

A radio reacts to what the network delivers (``deliver``) according to its frozen
:class:`~fakes.behaviour.Behaviour`, and tests drive it directly with the injectors
(``send_text``, ``send_status``, ``send_location``, ``emergency_call``, ``key_up``).
All randomness comes from the radio's own ``random.Random`` seeded from the network seed
and the ISSI, so the same seed gives the same answers whatever else happens.

Each radio keeps its own record, which is where tests count the truth: ``transmitted``
(everything it put on the air, and which page an answer was for) and ``presented`` (how
often each message was shown to its person).  Like a real MS it de-duplicates SDS-TL
(EN 300 392-2 §29: the source address and message reference identify a message): a
transfer it has seen before is not shown again; it sends the requested reports again, and
repeats the answers its person already gave to that message (the callout behaviour
``docs/simulator.md`` describes, so a console that lost them in a blind window gets them
back without alerting anyone twice).
"""

from __future__ import annotations

import functools
import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drivers.clock import TimerHandle
from drivers.sds.codes import DeliveryStatus, Pid, ReportRequest
from drivers.sds.lip import LIP_SHORT_BITS, encode_lip_short
from drivers.sds.messages import encode_text
from drivers.sds.status import encode_status
from drivers.sds.tl import encode_report
from fakes.air import AI_SDS_TL, AI_STATUS, TL_TRANSFER, AirSds, TlHeader
from fakes.behaviour import AnswerMode, Behaviour
from fakes.calls import PRIORITY_EMERGENCY

if TYPE_CHECKING:
    from fakes.network import SimNetwork

REASON_LIP_REQUEST = 32  # response to an immediate location request
DEDUP_WINDOW = 600.0
"""How long a radio remembers an SDS-TL message reference (an assumption: the standard
leaves the duplicate-detection window to the implementation; 8-bit references wrap)."""

MessageKey = tuple[int, int | None]
"""(calling party, SDS-TL message reference or None): which message an answer is for."""


@dataclass(frozen=True)
class Transmission:
    """One thing this radio put on the air (its own record, whatever the console saw)."""

    mono: float
    kind: str  # "status" | "text" | "report" | "key_up" | "location"
    value: int | str
    reply_to: MessageKey | None = None  # the page this answers, if it answers one
    repeat: bool = False  # repeated because the message came again (de-duplicated)


@dataclass
class _Received:
    """What the radio remembers about one message it was given."""

    first_mono: float
    consumed: bool = False
    answers: list[tuple[str, int | str]] = field(default_factory=list)


class RadioOff(RuntimeError):
    """A scenario asked a switched-off or out-of-range radio to transmit."""


class SimRadio:
    """A subscriber radio on the simulated network."""

    def __init__(
        self,
        network: SimNetwork,
        issi: int,
        alias: str,
        kind: str,
        behaviour: Behaviour,
        rng: random.Random,
        position: tuple[float, float],
    ) -> None:
        self.network = network
        self.issi = issi
        self.alias = alias
        self.kind = kind
        self.behaviour = behaviour
        self.rng = rng
        self.position = position
        self.powered = behaviour.powered
        self.in_range = behaviour.in_range
        self._mr = rng.randrange(256)
        self._timers: dict[int, TimerHandle] = {}
        self._keys = itertools.count()
        self._answering = False
        self._answer_for: MessageKey | None = None
        self._inbox: dict[MessageKey, _Received] = {}
        self.transmitted: list[Transmission] = []
        self.presented: Counter[MessageKey] = Counter()
        self.alerted: list[tuple[float, MessageKey]] = []
        """When each message was shown to the person (the moment the radio alerts)."""
        self.duplicates = 0

    def __repr__(self) -> str:
        return f"SimRadio({self.issi}, {self.alias!r})"

    @property
    def reachable(self) -> bool:
        return self.powered and self.in_range

    @property
    def groups(self) -> list[int]:
        return [g.gssi for g in self.network.groups.values() if self.issi in g.members]

    # -- timers ---------------------------------------------------------------------------
    def _later(self, delay: float, fn: Callable[[], object]) -> None:
        key = next(self._keys)

        def fire() -> None:
            self._timers.pop(key, None)
            fn()

        self._timers[key] = self.network.clock.call_later(delay, fire)

    def cancel_pending(self) -> None:
        """Forget everything scheduled (switched off: nothing more leaves this radio)."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._answering = False

    def _next_mr(self) -> int:
        self._mr = (self._mr + 1) % 256
        return self._mr

    # -- receiving ------------------------------------------------------------------------
    def deliver(self, sds: AirSds, tl: TlHeader | None, group: int | None) -> None:
        """The network hands this radio an SDS from the gateway (already known reachable)."""
        b = self.behaviour
        delay = b.delivery.sample(self.rng)
        page = _is_page(sds, tl)
        transfer = tl is not None and tl.msg_type == TL_TRANSFER

        def arrived() -> None:
            if not self.reachable:
                return
            self.network.log(f"{self.issi} {self.alias} received SDS from {sds.calling}")
            key: MessageKey = (sds.calling, tl.message_ref if transfer and tl else None)
            now = self.network.clock.monotonic()
            seen = self._inbox.get(key) if key[1] is not None else None
            if seen is not None and now - seen.first_mono <= DEDUP_WINDOW:
                assert tl is not None
                self._duplicate(tl, key, seen)
                return
            entry = self._inbox[key] = _Received(now)
            if tl is not None and transfer:
                if tl.report_request & ReportRequest.RECEIVED:
                    self._report(DeliveryStatus.RECEIVED, tl)
                # the person reads it whether or not a report was asked for (a group SDS
                # asks none; an individual retry later may, and then hears "read")
                self._later(b.read.sample(self.rng), lambda: self._read(tl, entry))
            if sds.ai == AI_SDS_TL and sds.data[:1] == bytes((Pid.LIP,)) and not tl:
                self.send_location(*self.position, reason=REASON_LIP_REQUEST)
            elif page:
                self.presented[key] += 1
                self.alerted.append((now, key))
                self.paged(group, now=True, reply_to=key)

        self._later(delay, arrived)

    def _duplicate(self, tl: TlHeader, key: MessageKey, seen: _Received) -> None:
        """A message seen before: reports and earlier answers again, nothing shown."""
        self.duplicates += 1
        self.network.log(f"{self.issi} {self.alias} duplicate SDS-TL ref {tl.message_ref}")
        if tl.report_request & ReportRequest.RECEIVED:
            self._report(DeliveryStatus.RECEIVED, tl, repeat=True)
        if seen.consumed and tl.report_request & ReportRequest.CONSUMED:
            self._report(DeliveryStatus.CONSUMED, tl, repeat=True)
        for kind, value in list(seen.answers):
            if kind == "status":
                assert isinstance(value, int)
                self._transmit_status(value, None, key, repeat=True)
            elif kind == "text":
                assert isinstance(value, str)
                self._transmit_text(str(value), key, repeat=True)

    def _read(self, tl: TlHeader, entry: _Received) -> None:
        if self.reachable:
            entry.consumed = True
            if tl.report_request & ReportRequest.CONSUMED:
                self._report(DeliveryStatus.CONSUMED, tl)

    def _report(self, status: int, tl: TlHeader, *, repeat: bool = False) -> None:
        data = encode_report(status, tl.message_ref, pid=tl.pid)
        self._record("report", status, None, repeat)
        self.network.from_radio(AirSds(AI_SDS_TL, self.issi, self.network.gateway_issi, data, 32))

    def _record(
        self, kind: str, value: int | str, reply_to: MessageKey | None, repeat: bool
    ) -> None:
        mono = self.network.clock.monotonic()
        self.transmitted.append(Transmission(mono, kind, value, reply_to, repeat))

    def paged(
        self, group: int | None, *, now: bool = False, reply_to: MessageKey | None = None
    ) -> None:
        """A person was asked to answer (text/status SDS or a voice page on ``group``).

        A radio answers one page at a time: pages arriving while an answer is pending (the
        voice call and the text of the same incident) are not answered twice.
        """
        b = self.behaviour
        if self._answering or b.answer is AnswerMode.NEVER or not self.reachable:
            return
        self._answering = True
        self._answer_for = reply_to
        delay = b.answer_delay.sample(self.rng)
        if not now:
            delay += b.delivery.sample(self.rng)
        if b.answer is AnswerMode.STATUS:
            t = delay
            for step in b.ladder:
                t += step.delay.sample(self.rng)
                self._later(t, functools.partial(self._answer_status, step.value))
            self._later(t, self._done)
        elif b.answer is AnswerMode.TEXT:
            self._later(delay, lambda: self._answer_text(b.text_reply))
        else:
            mine = self.groups
            gssi = group if group is not None else (mine[0] if mine else None)
            if gssi is None:
                self._later(delay, lambda: self._answer_text(b.text_reply))
            else:
                talk = b.talk.sample(self.rng)
                self._later(delay, lambda: self._answer_voice(gssi, talk))

    def _done(self) -> None:
        self._answering = False

    def _answer_status(self, value: int) -> None:
        if self.reachable:
            self._remember_answer("status", value)
            self._transmit_status(value, None, self._answer_for)

    def _answer_text(self, text: str) -> None:
        self._answering = False
        if self.reachable:
            self._remember_answer("text", text)
            self._transmit_text(text, self._answer_for)

    def _remember_answer(self, kind: str, value: int | str) -> None:
        key = self._answer_for
        entry = self._inbox.get(key) if key is not None else None
        if entry is not None:
            entry.answers.append((kind, value))

    def _answer_voice(self, gssi: int, seconds: float) -> None:
        self._answering = False
        if self.reachable:
            self._transmit_key_up(gssi, seconds, 0, self._answer_for)

    # -- scenario injectors ---------------------------------------------------------------
    def _check_on(self) -> None:
        if not self.reachable:
            raise RadioOff(f"radio {self.issi} is switched off or out of range")

    def send_text(
        self,
        text: str,
        coding: int | None = None,
        *,
        to: int | None = None,
        report: ReportRequest = ReportRequest.NONE,
    ) -> int:
        """Send an SDS-TL text (PID 0x82) to the gateway (or ``to``); returns the msg ref."""
        self._check_on()
        return self._transmit_text(text, None, coding=coding, to=to, report=report)

    def _transmit_text(
        self,
        text: str,
        reply_to: MessageKey | None,
        *,
        repeat: bool = False,
        coding: int | None = None,
        to: int | None = None,
        report: ReportRequest = ReportRequest.NONE,
    ) -> int:
        mr = self._next_mr()
        data = encode_text(text, mr, report=report, coding=coding)
        dest = self.network.gateway_issi if to is None else to
        self.network.log(f"{self.issi} {self.alias} sends text {text!r}")
        self._record("text", text, reply_to, repeat)
        self.network.from_radio(AirSds(AI_SDS_TL, self.issi, dest, data, len(data) * 8))
        return mr

    def send_status(self, value: int, *, to: int | None = None) -> None:
        """Send a pre-coded status (AI service 13); 0 is emergency."""
        self._check_on()
        self._transmit_status(value, to, None)

    def _transmit_status(
        self, value: int, to: int | None, reply_to: MessageKey | None, *, repeat: bool = False
    ) -> None:
        dest = self.network.gateway_issi if to is None else to
        self.network.log(f"{self.issi} {self.alias} sends status 0x{value:04X}")
        self._record("status", value, reply_to, repeat)
        self.network.from_radio(AirSds(AI_STATUS, self.issi, dest, encode_status(value), 16))

    def send_location(self, lat: float, lon: float, reason: int = 129) -> None:
        """Send a LIP short report; the header says 84 bits while the hex has 88 (as radios do)."""
        self._check_on()
        self.position = (lat, lon)
        data = encode_lip_short(lat, lon, reason=reason)
        bits = LIP_SHORT_BITS if self.network.config.lip_bits_quirk else len(data) * 8
        self.network.from_radio(AirSds(AI_SDS_TL, self.issi, self.network.gateway_issi, data, bits))

    def key_up(self, gssi: int, seconds: float, *, priority: int = 0) -> None:
        """Talk on ``gssi`` for ``seconds`` (joins the group's call, or starts one)."""
        self._check_on()
        self._transmit_key_up(gssi, seconds, priority, None)

    def _transmit_key_up(
        self, gssi: int, seconds: float, priority: int, reply_to: MessageKey | None
    ) -> None:
        self._record("key_up", gssi, reply_to, False)
        calls = self.network.calls
        call = calls.find(gssi)
        if call is None:
            call = calls.start(gssi, self.issi, priority=priority)
        calls.request_floor(call.call_id, self.issi, priority=0, seconds=seconds)

    def emergency_call(self, gssi: int, seconds: float = 5.0) -> None:
        """A priority-15 call on ``gssi``; an ordinary call there is pre-empted (cause 9)."""
        self._check_on()
        calls = self.network.calls
        old = calls.find(gssi)
        if old is not None and old.priority < PRIORITY_EMERGENCY:
            calls.release(old.call_id, 9)
            old = None
        call = old or calls.start(gssi, self.issi, priority=PRIORITY_EMERGENCY)
        calls.request_floor(call.call_id, self.issi, priority=3, seconds=seconds)


def _is_page(sds: AirSds, tl: TlHeader | None) -> bool:
    """A text or status that a person should answer (not a report/ack, not location)."""
    if sds.ai == AI_STATUS:
        return True
    if tl is not None:
        return tl.msg_type == TL_TRANSFER and tl.pid in (Pid.TEXT, Pid.IMMEDIATE_TEXT, Pid.TEXT_UDH)
    return bool(sds.data) and sds.data[0] in (Pid.SIMPLE_TEXT, Pid.SIMPLE_IMMEDIATE_TEXT)

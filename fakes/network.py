"""The simulated trunking network: radios, talkgroups, SDS routing and group calls.

:class:`SimNetwork` is the SwMI behind the simulated gateway.  The gateway hands it what
the TE sent (``send_from_gateway``, ``dial``); radios hand it what they transmit
(``from_radio``); it routes to radios (with their behaviour) and to the gateway's
:class:`~fakes.air.AirListener`.

SDS routing rules:

* to a radio (or a talkgroup: to each member): each reachable destination receives it
  after its delivery delay and answers per its behaviour (SDS-TL reports, status ladder,
  text, voice);
* to a switched-off / out-of-range radio: nothing arrives; if a report was requested the
  network returns ``config.unreachable_report`` (default 0x5A destination not reachable)
  after ``config.failure_delay``, or nothing when that is ``None``;
* to an unknown ISSI: ``config.unknown_report`` (default 0x4B not registered).

The MT's own ``+CMGS: n,4,mr`` does not depend on any of this: it reports "sent over the
air", as real radios do.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from drivers.clock import Clock
from drivers.sds.tl import encode_report
from fakes.air import AI_SDS_TL, TL_TRANSFER, AirListener, AirSds, peek_tl
from fakes.behaviour import Behaviour, Delay, fixed, uniform
from fakes.calls import (
    CAUSE_NOT_REACHABLE,
    CAUSE_UNKNOWN_IDENTITY,
    CallManager,
)
from fakes.ids import DEFAULT_MCC, DEFAULT_MNC
from fakes.radio import SimRadio

# Around Hangzhou: somewhere plausible for demo LIP reports.
BASE_POSITION = (30.2741, 120.1551)


@dataclass(frozen=True)
class NetworkConfig:
    """Network-wide behaviour (see the module docstring)."""

    unreachable_report: int | None = 0x5A
    unknown_report: int | None = 0x4B
    failure_delay: Delay = field(default_factory=lambda: uniform(5.0, 10.0))
    unknown_delay: Delay = field(default_factory=lambda: fixed(1.0))
    hang_time: float = 5.0
    floor_policy: str = "queue"  # or "refuse"
    answer_voice_pages: bool = True
    lip_bits_quirk: bool = True


@dataclass(frozen=True)
class Talkgroup:
    gssi: int
    name: str = ""
    members: frozenset[int] = frozenset()


class SimNetwork:
    """Radios, talkgroups and the gateway's identity on one simulated network."""

    def __init__(
        self,
        clock: Clock,
        *,
        gateway_issi: int,
        seed: int = 1,
        mcc: int = DEFAULT_MCC,
        mnc: int = DEFAULT_MNC,
        config: NetworkConfig | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.clock = clock
        self.gateway_issi = gateway_issi
        self.seed = seed
        self.mcc = mcc
        self.mnc = mnc
        self.config = config or NetworkConfig()
        self.radios: dict[int, SimRadio] = {}
        self.groups: dict[int, Talkgroup] = {}
        self.listeners: list[AirListener] = []
        self._log_sink = log
        self._rng = random.Random(f"network:{seed}")
        self.calls = CallManager(
            clock,
            self.listeners,
            hang_time=self.config.hang_time,
            floor_policy=self.config.floor_policy,
            log=self.log,
        )

    # -- building -------------------------------------------------------------------------
    def add_radio(
        self,
        issi: int,
        alias: str = "",
        kind: str = "",
        *,
        behaviour: Behaviour | None = None,
        groups: Iterable[int] = (),
    ) -> SimRadio:
        """Add a radio; its RNG is seeded from (network seed, ISSI) for independence."""
        rng = random.Random(f"radio:{self.seed}:{issi}")
        pos = (
            BASE_POSITION[0] + rng.uniform(-0.05, 0.05),
            BASE_POSITION[1] + rng.uniform(-0.05, 0.05),
        )
        radio = SimRadio(self, issi, alias, kind, behaviour or Behaviour(), rng, pos)
        self.radios[issi] = radio
        for gssi in groups:
            self.join(issi, gssi)
        return radio

    def add_group(self, gssi: int, name: str = "", members: Iterable[int] = ()) -> Talkgroup:
        group = Talkgroup(gssi, name, frozenset(members))
        self.groups[gssi] = group
        return group

    def join(self, issi: int, gssi: int) -> None:
        group = self.groups.get(gssi) or Talkgroup(gssi)
        self.groups[gssi] = replace(group, members=group.members | {issi})

    def radio(self, issi: int) -> SimRadio:
        return self.radios[issi]

    def attach(self, listener: AirListener) -> None:
        self.listeners.append(listener)

    def detach(self, listener: AirListener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def log(self, message: str) -> None:
        if self._log_sink is not None:
            self._log_sink(message)

    # -- radio state ----------------------------------------------------------------------
    def switch_off(self, issi: int) -> None:
        radio = self.radios[issi]
        radio.powered = False
        radio.cancel_pending()
        self.log(f"{issi} {radio.alias} switched off")

    def switch_on(self, issi: int) -> None:
        self.radios[issi].powered = True
        self.log(f"{issi} {self.radios[issi].alias} switched on")

    def set_in_range(self, issi: int, in_range: bool) -> None:
        radio = self.radios[issi]
        radio.in_range = in_range
        if not in_range:
            radio.cancel_pending()

    # -- traffic from the gateway ----------------------------------------------------------
    def send_from_gateway(self, sds: AirSds) -> None:
        """Route an SDS the TE sent (see the module docstring for the rules)."""
        tl = peek_tl(sds.ai, sds.data)
        wants_report = tl is not None and tl.msg_type == TL_TRANSFER and tl.report_request != 0
        group = self.groups.get(sds.called)
        if group is not None:
            targets = [self.radios[i] for i in sorted(group.members) if i in self.radios]
        elif sds.called in self.radios:
            targets = [self.radios[sds.called]]
        else:
            self.log(f"SDS to unknown identity {sds.called}")
            if wants_report and tl is not None and self.config.unknown_report is not None:
                self._network_report(
                    sds.called,
                    self.config.unknown_report,
                    tl.pid,
                    tl.message_ref,
                    self.config.unknown_delay,
                )
            return
        gssi = group.gssi if group is not None else None
        for radio in targets:
            if radio.issi == self.gateway_issi:
                continue
            if radio.reachable:
                radio.deliver(sds, tl, gssi)
            elif wants_report and tl is not None and self.config.unreachable_report is not None:
                self.log(f"SDS to {radio.issi} {radio.alias}: not reachable")
                self._network_report(
                    radio.issi,
                    self.config.unreachable_report,
                    tl.pid,
                    tl.message_ref,
                    self.config.failure_delay,
                )

    def _network_report(self, source: int, status: int, pid: int, mr: int, delay: Delay) -> None:
        data = encode_report(status, mr, pid=pid)
        sds = AirSds(AI_SDS_TL, source, self.gateway_issi, data, 32)
        self.clock.call_later(delay.sample(self._rng), lambda: self.from_radio(sds))

    def dial(self, called: int, *, priority: int = 0) -> tuple[int | None, int]:
        """The gateway places a call; returns (call id or None, failure cause)."""
        calls = self.calls
        if called in self.groups:
            existing = calls.find(called)
            if existing is not None:
                return existing.call_id, 0
            call = calls.start(
                called, self.gateway_issi, priority=priority, own_issi=self.gateway_issi
            )
            if self.config.answer_voice_pages:
                for issi in sorted(self.groups[called].members):
                    radio = self.radios.get(issi)
                    if radio is not None and radio.reachable:
                        radio.paged(called)
            return call.call_id, 0
        radio = self.radios.get(called)
        if radio is None:
            return None, CAUSE_UNKNOWN_IDENTITY
        if not radio.reachable:
            return None, CAUSE_NOT_REACHABLE
        call = calls.start(
            called,
            self.gateway_issi,
            priority=priority,
            own_issi=self.gateway_issi,
            individual=True,
        )
        radio.paged(None)
        return call.call_id, 0

    # -- traffic towards the gateway --------------------------------------------------------
    def from_radio(self, sds: AirSds) -> None:
        """An SDS transmitted by a radio: to the gateway (own ISSI or a group it monitors)."""
        if sds.called != self.gateway_issi and sds.called not in self.groups:
            target = self.radios.get(sds.called)
            if target is not None and target.reachable:
                target.deliver(sds, peek_tl(sds.ai, sds.data), None)
            return
        for lst in list(self.listeners):
            lst.on_sds(sds)

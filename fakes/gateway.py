"""The simulated gateway: the MT side of PEI, bytes in from the TE, bytes out.

Sans-I/O in the h11 sense: a transport calls :meth:`SimGateway.receive` with whatever the TE
wrote and delivers what the gateway hands to its sink (``attach_link``); every delay runs
on the injected :class:`~drivers.clock.Clock`.  The command set is §12 of the PEI
reference; command handlers live in :mod:`fakes.commands`, this module holds the session
(flags, registrations, SDS and call-control state, output framing and line faults).

CTSP gating (only forwarded when the TE registered the service, profile 1 or 2):
call control = ``(p,0,*)``; status (AI 13) = ``(p,2,*)`` (20 in practice);
SDS-TL / simple PIDs (AI 12) = ``(p,3,<PID decimal>)``, e.g. 130 for 0x82 text, 10 for LIP.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.clock import Clock, TimerHandle
from fakes.air import AI_SDS_TL, AI_STATUS, AirSds
from fakes.atparse import AtCommand, AtSyntaxError, parse_line
from fakes.faults import Faults
from fakes.lineinput import CommandLine, LineInput, SdsData, StrayData
from fakes.network import SimNetwork
from fakes.output import V25Flags, frame_echo, frame_final, frame_info

DEFAULT_CTSDC = (0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0)
SDS_INSTANCE_WRAP = 1000


@dataclass(frozen=True)
class GatewayConfig:
    """Identity strings and timing of the simulated MT."""

    manufacturer: str = "DUTYDESK"
    model: str = "SIM-PEI-350"
    revision: str = "1.0.0"
    serial: str = "SIM0000001"
    atz_reboots: bool = False  # False: ATZ = OK; True: OK, then forget CTSP and reset flags
    reboot_time: float = 0.0  # input ignored for this long after a reboot
    cmgs_timeout: float = 10.0  # +CME ERROR: 37 when no Ctrl-Z within this time
    cmgs_prompt: bytes = b""  # e.g. b"\r\n> " for MTs that prompt for user data
    air_delay: float = 0.3  # "+CMGS: n" -> "+CMGS: n,4,mr" (MT processing, in parallel)
    air_time: float = 0.0  # channel time of one SDS on the air, one after another (0: off)
    max_outstanding: int = 0  # SDS accepted but not yet on the air (0: no limit)
    setup_delay: float = 0.2  # ATD OK -> +CTOCP / +CTCC
    auto_grant: bool = True  # grant the floor on ATD even without RqTx
    cnumf_short: bool = False  # +CNUMF: 0,<ISSI> instead of 6,<TSI>
    require_ctsp: bool = True  # False: forward everything (lenient dialect)
    rssi: int = 25
    location_area: int = 1001


TETRA_SDS_AIR_TIME = 0.25
"""Seconds one short SDS occupies the downlink control channel (assumption, derivation in
docs/simulator.md: a ~700-bit SDS type 4 over SCH/F bursts on one MCCH slot per 56.67 ms
TDMA frame, plus the layer-2 acknowledgement)."""
TETRA_MT_OUTSTANDING = 1
"""SDS an MT holds accepted but not yet sent (assumption: one at a time, as MTs report
each SDS's ``+CMGS: n,4`` before taking the next)."""
TETRA_MT_PROCESSING = 0.05
"""Seconds from the MT accepting an SDS to its channel request (assumption)."""


def tetra_air(config: GatewayConfig | None = None) -> GatewayConfig:
    """``config`` with the air interface modelled (serialised SDS, one outstanding)."""
    from dataclasses import replace

    return replace(
        config or GatewayConfig(),
        air_delay=TETRA_MT_PROCESSING,
        air_time=TETRA_SDS_AIR_TIME,
        max_outstanding=TETRA_MT_OUTSTANDING,
    )


@dataclass
class _Reply:
    lines: list[str] = field(default_factory=list)
    error: int | None = None  # None OK, -1 ERROR, n CME
    after: list[Callable[[], None]] = field(default_factory=list)
    final: bool = True


class SimGateway:
    """One simulated radio terminal with a PEI port (see the module docstring): the MT
    end of the link, named apart from ``drivers.gateway.Gateway``, the console's end."""

    def __init__(
        self,
        network: SimNetwork,
        clock: Clock,
        *,
        config: GatewayConfig | None = None,
        faults: Faults | None = None,
    ) -> None:
        self.network = network
        self.clock = clock
        self.config = config or GatewayConfig()
        self.faults = faults or Faults(seed=network.seed)
        self.issi = network.gateway_issi
        self._input = LineInput()
        self._sink: Callable[[bytes], None] | None = None
        self._busy: TimerHandle | None = None
        self._air_free_at = 0.0
        self._outstanding = 0
        self._held: _Reply | None = None
        """A CMGS answer held back: the MT's queue is full until one SDS goes on air."""
        self._booting_until = -1.0
        self._garbage_pending = False
        self.lines_out: list[str] = []  # every line emitted (for tests and the event log)
        self.dropped_unplugged = 0
        self._reset_session()
        network.attach(self)

    # -- session state ----------------------------------------------------------------------
    def _reset_session(self) -> None:
        self.flags = V25Flags()
        self.ctsp: set[tuple[int, int, int]] = set()
        self.ctom = 0
        self.ctgs: tuple[int, int] | None = None
        self.ctsds: tuple[int, ...] = (AI_SDS_TL, 0)
        self.ctsdc: tuple[int, ...] = DEFAULT_CTSDC
        self.cscs = "8859-1"
        self._cmgs_dest: int | None = None
        self._cmgs_timer: TimerHandle | None = None
        self._sds_instances = itertools.count()
        self._ccs = itertools.count(1)
        self.cc_of_call: dict[int, int] = {}
        self.call_of_cc: dict[int, int] = {}
        self.own_ccs: set[int] = set()
        self._input.clear()

    # -- link ---------------------------------------------------------------------------
    def attach_link(self, sink: Callable[[bytes], None]) -> None:
        """A TE is connected: output goes to ``sink``.

        Start-up garbage (fault) is sent just before the reply to the first bytes the TE
        writes after the plug: a pty cannot tell when the driver opens it, and pyserial
        flushes its input on open, so garbage sent at plug time would never be seen.
        """
        self._sink = sink
        self._input.clear()
        self._garbage_pending = bool(self.faults.plan.startup_garbage)

    def detach_link(self) -> None:
        """The cable is out: the MT keeps running, its output goes nowhere."""
        self._sink = None
        self._input.clear()

    @property
    def linked(self) -> bool:
        return self._sink is not None

    @property
    def busy(self) -> bool:
        """A response is being held back (latency fault) or user data is awaited."""
        return self._busy is not None or self._held is not None

    def _write(self, data: bytes) -> None:
        if not data:
            return
        if self._sink is None:
            self.dropped_unplugged += len(data)
            return
        self._sink(data)

    def _line(self, text: str) -> None:
        """Emit one information/URC line, subject to line faults."""
        if self.faults.should_drop(text):
            self.network.log(f"fault: dropped line {text!r}")
            return
        self.lines_out.append(text)
        self._write(self.faults.noise() + frame_info(self.flags, text))

    def urc(self, text: str) -> None:
        """Send an unsolicited result code now (also used by tests to inject odd URCs)."""
        self._line(text)

    # -- TE input -----------------------------------------------------------------------
    def receive(self, data: bytes) -> None:
        """Bytes from the TE."""
        if self.clock.monotonic() < self._booting_until:
            return
        if self._garbage_pending:
            self._garbage_pending = False
            self._write(self.faults.plan.startup_garbage)
        self._input.feed(data)
        self._pump()

    def _pump(self) -> None:
        while self._busy is None and self._held is None:
            ev = self._input.next_event()
            if ev is None:
                return
            if isinstance(ev, CommandLine):
                self._write(frame_echo(self.flags, ev.text))
                self._command_line(ev.text)
            elif isinstance(ev, SdsData):
                self._sds_data(ev)
            elif isinstance(ev, StrayData):
                self._finish(_Reply(error=36), [])

    def _command_line(self, text: str) -> None:
        from fakes.commands import dispatch

        try:
            cmds = parse_line(text)
        except AtSyntaxError:
            self._finish(_Reply(error=35), [])
            return
        reply = _Reply()
        for cmd in cmds:
            part = dispatch(self, cmd)
            reply.lines += part.lines
            reply.after += part.after
            if not part.final:  # AT+CMGS: wait for user data
                return
            if part.error is not None:
                reply.error = part.error
                break
        self._finish(reply, [c.name for c in cmds])

    def _finish(self, reply: _Reply, names: list[str]) -> None:
        latency = self.faults.latency(names)
        if latency <= 0:
            self._emit_reply(reply)
            return

        def done() -> None:
            self._busy = None
            self._emit_reply(reply)
            self._pump()

        self._busy = self.clock.call_later(latency, done)

    def _emit_reply(self, reply: _Reply) -> None:
        for line in reply.lines:
            self._line(line)
        if reply.lines:
            for urc in self.faults.take_before_final():
                self._line(urc)
        self._write(frame_final(self.flags, reply.error))
        for action in reply.after:
            action()

    # -- AT+CMGS data mode ----------------------------------------------------------------
    def begin_cmgs(self, dest: int) -> None:
        self._cmgs_dest = dest
        self._input.enter_data_mode()
        self._write(self.config.cmgs_prompt)
        self._cmgs_timer = self.clock.call_later(self.config.cmgs_timeout, self._cmgs_timeout)

    def _cmgs_timeout(self) -> None:
        self._cmgs_timer = None
        self._cmgs_dest = None
        self._input.data_mode = False
        self._emit_reply(_Reply(error=37))
        self._pump()

    def _sds_data(self, ev: SdsData) -> None:
        if self._cmgs_timer is not None:
            self._cmgs_timer.cancel()
            self._cmgs_timer = None
        dest, self._cmgs_dest = self._cmgs_dest, None
        if ev.aborted or dest is None:
            self._finish(_Reply(), ["+CMGS"])
            return
        try:
            data = bytes.fromhex(ev.hex)
        except ValueError:
            data = b""
        if not data:
            self._finish(_Reply(error=32), ["+CMGS"])
            return
        instance = next(self._sds_instances) % SDS_INSTANCE_WRAP
        ai = self.ctsds[0] if self.ctsds else AI_SDS_TL
        sds = AirSds(ai, self.issi, dest, data, len(data) * 8)
        reply = _Reply(lines=[f"+CMGS: {instance}"])
        reply.after.append(lambda: self._schedule_air(instance, sds))
        limit = self.config.max_outstanding
        if limit and self._outstanding >= limit:
            self._held = reply  # answered once one of ours has gone on the air
            return
        self._finish(reply, ["+CMGS"])

    def _schedule_air(self, instance: int, sds: AirSds) -> None:
        """Put one SDS on the air: after ``air_delay``, and with ``air_time`` set, one
        after another on the channel (a group SDS is one transmission for every member)."""
        from fakes.air import peek_tl

        tl = peek_tl(sds.ai, sds.data)
        mr = tl.message_ref if tl is not None else 0
        now = self.clock.monotonic()
        at = now + self.config.air_delay
        if self.config.air_time > 0:
            at = max(at, self._air_free_at) + self.config.air_time
            self._air_free_at = at
        self._outstanding += 1

        def on_air() -> None:
            self._outstanding -= 1
            held, self._held = self._held, None
            if held is not None:
                self._emit_reply(held)
                self._pump()
            if self.faults.send_fails():
                self.network.log(f"SDS {instance} to {sds.called}: failed over the air")
                self._line(f"+CMGS: {instance},5,{mr}")
                return
            self.network.log(f"SDS {instance} to {sds.called}: {sds.data.hex().upper()}")
            self._line(f"+CMGS: {instance},4,{mr}")
            self.network.send_from_gateway(sds)

        self.clock.call_later(at - now, on_air)

    # -- reboot ---------------------------------------------------------------------------
    def reboot(self) -> None:
        """What a Sepura does on ATZ: registrations and flags are gone, echo is back on."""
        self.network.log("gateway reboots")
        self._reset_session()
        self._booting_until = self.clock.monotonic() + self.config.reboot_time

    # -- CTSP gating ----------------------------------------------------------------------
    def registered(self, layer1: int, layer2: int | None = None) -> bool:
        if not self.config.require_ctsp:
            return True
        return any(
            p in (1, 2) and l1 == layer1 and (layer2 is None or l2 == layer2)
            for p, l1, l2 in self.ctsp
        )

    def _monitors(self, called: int) -> bool:
        return called == self.issi or called in self.network.groups

    # -- AirListener ----------------------------------------------------------------------
    def on_sds(self, sds: AirSds) -> None:
        if not self._monitors(sds.called):
            return
        if sds.ai == AI_STATUS:
            ok = self.registered(2)
        else:
            ok = self.registered(3, sds.data[0] if sds.data else -1)
        if not ok:
            self.network.log(f"SDS from {sds.calling} not forwarded (no CTSP registration)")
            return
        self._line(f"+CTSDSR: {sds.ai},{sds.calling},0,{sds.called},0,{sds.bits}")
        interject = self.faults.take_sds_interject()
        if interject:
            self._line(interject)
        self._line(sds.data.hex().upper())

    def _call_urc(self, cc: int, text: str) -> None:
        if cc in self.own_ccs or self.registered(0):
            self._line(text)

    def on_call_started(
        self, call_id: int, gssi: int, caller: int, priority: int, own: bool
    ) -> None:
        cc = next(self._ccs)
        self.cc_of_call[call_id] = cc
        self.call_of_cc[cc] = call_id
        v = self.ctsdc
        if own:
            self.own_ccs.add(cc)
            self._line(f"+CTOCP: {cc},0,0")
            self._line(f"+CTCC: {cc},{v[3]},{v[4]},0,{v[5]},{v[6]},{v[7]}")
            return
        self._call_urc(cc, f"+CTICN: {cc},0,0,0,{caller},1,1,0,1,1,0,{gssi},{priority}")
        self._call_urc(cc, f"+CTCC: {cc},1,1,0,0,1,1")

    def on_floor_granted(self, call_id: int, talker: int) -> None:
        cc = self.cc_of_call.get(call_id)
        if cc is None:
            return
        if talker == self.issi:
            self._line(f"+CTXG: {cc},0,0,0")
        else:
            self._call_urc(cc, f"+CTXG: {cc},3,0,0,0,{talker}")

    def on_floor_ceased(self, call_id: int, talker: int) -> None:
        cc = self.cc_of_call.get(call_id)
        if cc is not None:
            self._call_urc(cc, f"+CDTXC: {cc},0")

    def on_call_released(self, call_id: int, cause: int) -> None:
        cc = self.cc_of_call.pop(call_id, None)
        if cc is None:
            return
        self._call_urc(cc, f"+CTCR: {cc},{cause}")
        self.call_of_cc.pop(cc, None)
        self.own_ccs.discard(cc)

    # -- helpers for command handlers --------------------------------------------------------
    def new_failed_cc(self, cause: int) -> None:
        """An own call that never got through: progress, then release with ``cause``."""
        cc = next(self._ccs)
        self._line(f"+CTOCP: {cc},0,0")
        self._line(f"+CTCR: {cc},{cause}")

    @staticmethod
    def reply(
        lines: list[str] | None = None,
        error: int | None = None,
        after: list[Callable[[], None]] | None = None,
        *,
        final: bool = True,
    ) -> _Reply:
        return _Reply(lines or [], error, after or [], final)


__all__ = ["AtCommand", "GatewayConfig", "SimGateway"]

"""The PEI command table of the simulated MT (reference §12), one handler per command.

Handlers return a reply (information lines, final result, actions to run after the final
result so that URCs such as ``+CTOCP`` follow the ``OK`` as on a real MT).  Anything not in
the table is ``+CME ERROR: 4``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fakes.atparse import AtCommand
from fakes.ids import format_tsi, parse_identity

if TYPE_CHECKING:
    from fakes.gateway import SimGateway, _Reply

Handler = Callable[["SimGateway", AtCommand], "_Reply"]

CME_STATE = 3
CME_UNSUPPORTED = 4
CME_DIAL_CHARS = 27
CME_RANGE = 34
CME_SYNTAX = 35


def _ints(cmd: AtCommand) -> list[int] | None:
    try:
        return [int(f) for f in cmd.fields()]
    except ValueError:
        return None


def _flag(gw: SimGateway, cmd: AtCommand) -> _Reply:
    value = cmd.args or "0"
    if value not in ("0", "1"):
        return gw.reply(error=CME_RANGE)
    on = value == "1"
    if cmd.name == "E":
        gw.flags.echo = on
    elif cmd.name == "V":
        gw.flags.verbose = on
    else:
        gw.flags.quiet = on
    return gw.reply()


def _at(gw: SimGateway, cmd: AtCommand) -> _Reply:
    return gw.reply()


def _atz(gw: SimGateway, cmd: AtCommand) -> _Reply:
    if gw.config.atz_reboots:
        return gw.reply(after=[gw.reboot])
    gw.flags.echo, gw.flags.verbose, gw.flags.quiet = True, True, False
    return gw.reply()


def _ati(gw: SimGateway, cmd: AtCommand) -> _Reply:
    c = gw.config
    return gw.reply([f"{c.manufacturer} {c.model}", f"Revision {c.revision}"])


def _ident(gw: SimGateway, cmd: AtCommand) -> _Reply:
    c = gw.config
    value = {"+GMI": c.manufacturer, "+GMM": c.model, "+GMR": c.revision, "+GSN": c.serial}
    if cmd.op not in ("?", ""):
        return gw.reply() if cmd.op == "=?" else gw.reply(error=CME_SYNTAX)
    return gw.reply([f"{cmd.name}: {value[cmd.name]}"])


def _simple_setting(gw: SimGateway, cmd: AtCommand) -> _Reply:
    """CSCS, CMEE, IFC, CREG: store/acknowledge; read returns the stored value."""
    if cmd.name == "+CMEE" and cmd.op == "=":
        ints = _ints(cmd)
        if not ints or ints[0] not in (0, 1, 2):
            return gw.reply(error=CME_RANGE)
        gw.flags.cmee = ints[0]
    elif cmd.name == "+CSCS" and cmd.op == "=":
        gw.cscs = cmd.fields()[0] if cmd.fields() else gw.cscs
    if cmd.op == "?":
        if cmd.name == "+CREG":
            mni = f"{gw.network.mcc:04d}{gw.network.mnc:05d}"
            return gw.reply([f"+CREG: 1,{gw.config.location_area},{mni}"])
        value = {"+CSCS": f'"{gw.cscs}"', "+CMEE": str(gw.flags.cmee), "+IFC": "0,0"}
        return gw.reply([f"{cmd.name}: {value[cmd.name]}"])
    return gw.reply()


def _csq(gw: SimGateway, cmd: AtCommand) -> _Reply:
    return gw.reply([f"+CSQ: {gw.config.rssi},99"])


def _ctom(gw: SimGateway, cmd: AtCommand) -> _Reply:
    if cmd.op == "?":
        return gw.reply([f"+CTOM: {gw.ctom}"])
    if cmd.op == "=?":
        return gw.reply(["+CTOM: (0-6)"])
    ints = _ints(cmd)
    if not ints or not 0 <= ints[0] <= 6:
        return gw.reply(error=CME_RANGE)
    mode = ints[0]
    if mode == gw.ctom:
        return gw.reply()
    gw.ctom = mode
    return gw.reply(after=[lambda: gw.urc(f"+CTOM: {mode}")])


def _ctsp(gw: SimGateway, cmd: AtCommand) -> _Reply:
    if cmd.op == "?":
        return gw.reply([f"+CTSP: {p},{a},{b}" for p, a, b in sorted(gw.ctsp)])
    ints = _ints(cmd)
    if cmd.op != "=" or ints is None or len(ints) < 2:
        return gw.reply(error=CME_SYNTAX)
    profile, l1 = ints[0], ints[1]
    l2 = ints[2] if len(ints) > 2 else 0
    if not (0 <= profile <= 2 and 0 <= l1 <= 3):
        return gw.reply(error=CME_RANGE)
    gw.ctsp = {r for r in gw.ctsp if (r[1], r[2]) != (l1, l2)} | {(profile, l1, l2)}
    return gw.reply()


def _cnumf(gw: SimGateway, cmd: AtCommand) -> _Reply:
    if gw.config.cnumf_short:
        return gw.reply([f"+CNUMF: 0,{gw.issi}"])
    return gw.reply([f"+CNUMF: 6,{format_tsi(gw.network.mcc, gw.network.mnc, gw.issi)}"])


def _ctgs(gw: SimGateway, cmd: AtCommand) -> _Reply:
    net = gw.network
    if cmd.op == "?":
        if gw.ctgs is None:
            return gw.reply(["+CTGS: 0"])
        gtype, gssi = gw.ctgs
        return gw.reply([f"+CTGS: {gtype},{format_tsi(net.mcc, net.mnc, gssi)}"])
    f = cmd.fields()
    if cmd.op != "=" or not f or not f[0].isdigit():
        return gw.reply(error=CME_SYNTAX)
    gtype = int(f[0])
    if gtype == 0:
        gw.ctgs = None
        return gw.reply()
    selected = parse_identity(f[1]) if len(f) > 1 else None
    if selected is None:
        return gw.reply(error=CME_SYNTAX)
    if selected not in net.groups:
        return gw.reply(error=CME_STATE)
    gw.ctgs = (gtype, selected)
    return gw.reply()


def _ctsds(gw: SimGateway, cmd: AtCommand) -> _Reply:
    if cmd.op == "?":
        return gw.reply([f"+CTSDS: {','.join(str(v) for v in gw.ctsds)}"])
    ints = _ints(cmd)
    if cmd.op != "=" or not ints or len(ints) < 2:
        return gw.reply(error=CME_SYNTAX)
    if not 9 <= ints[0] <= 13:
        return gw.reply(error=CME_RANGE)
    gw.ctsds = tuple(ints)
    return gw.reply()


def _cmgs(gw: SimGateway, cmd: AtCommand) -> _Reply:
    if cmd.op == "=?":
        return gw.reply(["+CMGS: (0-16777214,00000001-10231638316777214,1-255),(8-1184)"])
    f = cmd.fields()
    if cmd.op != "=" or len(f) < 2 or not f[1].isdigit():
        return gw.reply(error=CME_SYNTAX)
    dest = parse_identity(f[0])
    if dest is None:
        return gw.reply(error=CME_SYNTAX)
    gw.begin_cmgs(dest)
    return gw.reply(final=False)


def _ctsdc(gw: SimGateway, cmd: AtCommand) -> _Reply:
    if cmd.op == "?":
        return gw.reply([f"+CTSDC: {','.join(str(v) for v in gw.ctsdc)}"])
    ints = _ints(cmd)
    if cmd.op != "=" or ints is None:
        return gw.reply(error=CME_SYNTAX)
    merged = list(ints) + list(gw.ctsdc[len(ints) :])
    gw.ctsdc = tuple(merged)
    return gw.reply()


def _dial(gw: SimGateway, cmd: AtCommand) -> _Reply:
    dial = cmd.args.strip().rstrip(";#").strip()
    called = parse_identity(dial)
    if called is None:
        return gw.reply(error=CME_DIAL_CHARS)
    v = gw.ctsdc
    rqtx = len(v) > 8 and v[8] == 1
    prio = v[9] if len(v) > 9 else 0

    def setup() -> None:
        net = gw.network
        call_id, cause = net.dial(called, priority=prio)
        if call_id is None:
            gw.new_failed_cc(cause)
            return
        if rqtx or gw.config.auto_grant:
            _floor_request(gw, call_id, 1)

    def later() -> None:
        gw.clock.call_later(gw.config.setup_delay, setup)

    return gw.reply(after=[later])


def _floor_request(gw: SimGateway, call_id: int, prio: int) -> None:
    cc = gw.cc_of_call.get(call_id)
    result = gw.network.calls.request_floor(call_id, gw.issi, priority=prio)
    if cc is None:
        return
    if result == "queued":
        gw.urc(f"+CTXG: {cc},2,0,0")
    elif result == "refused":
        gw.urc(f"+CTXG: {cc},1,0,0")


def _cc_call(gw: SimGateway, cmd: AtCommand) -> tuple[int, int, list[int]] | None:
    ints = _ints(cmd)
    if cmd.op != "=" or not ints:
        return None
    call_id = gw.call_of_cc.get(ints[0])
    if call_id is None:
        return None
    return ints[0], call_id, ints


def _ctxd(gw: SimGateway, cmd: AtCommand) -> _Reply:
    found = _cc_call(gw, cmd)
    if found is None:
        return gw.reply(error=CME_STATE)
    _, call_id, ints = found
    prio = ints[1] if len(ints) > 1 else 0
    return gw.reply(after=[lambda: _floor_request(gw, call_id, prio)])


def _cutxc(gw: SimGateway, cmd: AtCommand) -> _Reply:
    found = _cc_call(gw, cmd)
    if found is None:
        return gw.reply(error=CME_STATE)
    _, call_id, _ = found

    def release() -> None:
        gw.network.calls.release_floor(call_id, gw.issi)

    return gw.reply(after=[release])


def _ath(gw: SimGateway, cmd: AtCommand) -> _Reply:
    calls = gw.network.calls
    own = [gw.call_of_cc[cc] for cc in sorted(gw.own_ccs) if cc in gw.call_of_cc]
    target = own[-1] if own else (max(gw.call_of_cc.values()) if gw.call_of_cc else None)
    if target is None:
        return gw.reply()
    return gw.reply(after=[lambda: calls.release(target, 1)])


def _ata(gw: SimGateway, cmd: AtCommand) -> _Reply:
    return gw.reply()


HANDLERS: dict[str, Handler] = {
    "": _at,
    "E": _flag,
    "V": _flag,
    "Q": _flag,
    "Z": _atz,
    "I": _ati,
    "D": _dial,
    "H": _ath,
    "A": _ata,
    "+GMI": _ident,
    "+GMM": _ident,
    "+GMR": _ident,
    "+GSN": _ident,
    "+CSCS": _simple_setting,
    "+CMEE": _simple_setting,
    "+IFC": _simple_setting,
    "+CREG": _simple_setting,
    "+CSQ": _csq,
    "+CTOM": _ctom,
    "+CTSP": _ctsp,
    "+CNUMF": _cnumf,
    "+CTGS": _ctgs,
    "+CTSDS": _ctsds,
    "+CMGS": _cmgs,
    "+CTSDC": _ctsdc,
    "+CTXD": _ctxd,
    "+CUTXC": _cutxc,
}


def dispatch(gw: SimGateway, cmd: AtCommand) -> _Reply:
    handler = HANDLERS.get(cmd.name)
    if handler is None:
        return gw.reply(error=CME_UNSUPPORTED)
    return handler(gw, cmd)

"""The MT command set over a real pty: framing, flags, identity, errors."""

from __future__ import annotations

from drivers.clock import VirtualClock
from tests.fakes.simhelpers import TE, OpenSim, OpenTe, lines


async def test_echo_is_on_at_start_and_atE0_turns_it_off(te: TE) -> None:
    assert await te.cmd("AT") == b"AT\r\r\nOK\r\n"
    assert await te.cmd("ATE0") == b"ATE0\r\r\nOK\r\n"
    assert await te.cmd("AT") == b"\r\nOK\r\n"
    assert await te.cmd("ATE1") == b"\r\nOK\r\n"
    assert await te.cmd("AT") == b"AT\r\r\nOK\r\n"


async def test_identity_and_status_queries(te: TE) -> None:
    await te.init()
    assert await te.cmd("AT+GMI?") == b"\r\n+GMI: DUTYDESK\r\n\r\nOK\r\n"
    assert lines(await te.cmd("ATI"))[-1] == "OK"
    assert await te.cmd("AT+GMM?") == b"\r\n+GMM: SIM-PEI-350\r\n\r\nOK\r\n"
    assert await te.cmd("AT+CNUMF?") == b"\r\n+CNUMF: 6,04600000000001000\r\n\r\nOK\r\n"
    assert await te.cmd("AT+CSQ?") == b"\r\n+CSQ: 25,99\r\n\r\nOK\r\n"
    assert await te.cmd("AT+CTOM?") == b"\r\n+CTOM: 0\r\n\r\nOK\r\n"
    assert await te.cmd("AT+CREG?") == b"\r\n+CREG: 1,1001,046000000\r\n\r\nOK\r\n"
    assert await te.cmd("AT+CSCS=8859-1") == b"\r\nOK\r\n"
    assert await te.cmd("AT+IFC=0,0") == b"\r\nOK\r\n"
    assert await te.cmd("AT+CMEE=1") == b"\r\nOK\r\n"
    ctsp = lines(await te.cmd("AT+CTSP?"))
    assert ctsp == ["+CTSP: 1,2,20", "+CTSP: 1,3,10", "+CTSP: 1,3,130", "+CTSP: 2,0,0", "OK"]


async def test_terminators_case_and_spaces(te: TE) -> None:
    await te.init()
    te.write(b"at+ctom= 1\n")
    assert await te.wait_for(b"+CTOM: 1\r\n") == b"\r\nOK\r\n\r\n+CTOM: 1\r\n"
    te.write(b"aT+cToM?\r\n")
    assert await te.wait_for(b"OK\r\n") == b"\r\n+CTOM: 1\r\n\r\nOK\r\n"
    te.write(b"AT+CTOM=1\r")  # no change: no unsolicited +CTOM
    assert await te.wait_for(b"OK\r\n") == b"\r\nOK\r\n"
    assert await te.cmd("AT+CTGS=1, 9002") == b"\r\nOK\r\n"
    assert await te.cmd("AT+CTGS?") == b"\r\n+CTGS: 1,04600000000009002\r\n\r\nOK\r\n"


async def test_numeric_and_quiet_results(te: TE) -> None:
    await te.init()
    te.write(b"ATV0\r")
    assert await te.wait_for(b"0\r") == b"0\r"
    te.write(b"AT+CSQ?\r")
    assert await te.wait_for(b"0\r") == b"+CSQ: 25,99\r\n0\r"
    te.write(b"AT+NOPE\r")
    assert await te.wait_for(b"\r") == b"+CME ERROR: 4\r"
    te.write(b"ATV1Q1\r")
    te.write(b"AT+CSQ?\r")
    assert await te.wait_for(b"99\r\n") == b"\r\n+CSQ: 25,99\r\n"
    te.write(b"ATQ0\r")
    assert await te.wait_for(b"OK\r\n") == b"\r\nOK\r\n"


async def test_cmee_zero_and_two(te: TE) -> None:
    await te.init()
    await te.cmd("AT+CMEE=0")
    assert await te.cmd("AT+NOPE") == b"\r\nERROR\r\n"
    await te.cmd("AT+CMEE=2")
    assert await te.cmd("AT+NOPE") == b"\r\n+CME ERROR: operation not supported\r\n"


async def test_errors(te: TE, clock: VirtualClock) -> None:
    await te.init()
    assert await te.cmd("HELLO") == b"\r\n+CME ERROR: 35\r\n"
    assert await te.cmd("AT+FOO=1") == b"\r\n+CME ERROR: 4\r\n"
    assert await te.cmd("AT+CTXD=7,1") == b"\r\n+CME ERROR: 3\r\n"
    assert await te.cmd("AT+CUTXC=7") == b"\r\n+CME ERROR: 3\r\n"
    te.write(b"8204070148\x1a")
    assert await te.wait_for(b"36\r\n") == b"\r\n+CME ERROR: 36\r\n"
    te.write(b"AT+CMGS=2001,16\r\nXYZ1\x1a")
    assert await te.wait_for(b"32\r\n") == b"\r\n+CME ERROR: 32\r\n"
    te.write(b"AT+CMGS=2001,16\r\n80")
    await te.drain()
    await clock.advance(10.0)
    assert await te.wait_for(b"37\r\n") == b"\r\n+CME ERROR: 37\r\n"
    # the late rest arrives in command mode
    te.write(b"02\x1a")
    assert await te.wait_for(b"36\r\n") == b"\r\n+CME ERROR: 36\r\n"
    te.write(b"AT+CMGS=2001,16\r\n8002\x1b")  # ESC aborts quietly
    assert await te.wait_for(b"OK\r\n") == b"\r\nOK\r\n"
    assert await te.cmd("AT") == b"\r\nOK\r\n"


async def test_atz_ok_by_default(te: TE) -> None:
    await te.init()
    assert await te.cmd("ATZ") == b"\r\nOK\r\n"
    assert await te.cmd("AT") == b"AT\r\r\nOK\r\n"  # echo back on


async def test_atz_reboot_forgets_registrations(open_sim: OpenSim, open_te: OpenTe) -> None:
    from fakes.gateway import GatewayConfig

    sim = await open_sim(gateway_config=GatewayConfig(atz_reboots=True))
    te = open_te(sim.url)
    await te.init()
    assert sim.gateway.ctsp
    assert await te.cmd("ATZ") == b"\r\nOK\r\n"
    assert sim.gateway.ctsp == set()
    assert await te.cmd("AT") == b"AT\r\r\nOK\r\n"

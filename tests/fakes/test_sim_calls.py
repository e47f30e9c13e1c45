"""Group calls: out (ATD, PTT, hang time, ATH) and in (key_up, emergency, voice answers)."""

from __future__ import annotations

from drivers.clock import VirtualClock
from fakes.sim import Simulation
from tests.fakes.simhelpers import TE, OpenSim, OpenTe, lines


async def test_group_call_out_ptt_and_hang_time(te: TE, clock: VirtualClock) -> None:
    await te.init("2,0,0")
    assert await te.cmd("AT+CTSDC=0,0,0,1,1,0,1,1,0,0,0") == b"\r\nOK\r\n"
    assert await te.cmd("ATD9002") == b"\r\nOK\r\n"
    await clock.advance(0.2)
    out = await te.wait_for(b"+CTXG: 1,0,0,0\r\n")
    assert lines(out) == ["+CTOCP: 1,0,0", "+CTCC: 1,1,1,0,0,1,1", "+CTXG: 1,0,0,0"]
    assert await te.cmd("AT+CUTXC=1") == b"\r\nOK\r\n"
    assert await te.wait_for(b"\r\n+CDTXC: 1,0\r\n") == b"\r\n+CDTXC: 1,0\r\n"
    await clock.advance(4.9)
    assert await te.drain() == b""
    assert await te.cmd("AT+CTXD=1,1") == b"\r\nOK\r\n"
    assert await te.wait_for(b"\r\n+CTXG: 1,0,0,0\r\n") == b"\r\n+CTXG: 1,0,0,0\r\n"
    assert await te.cmd("AT+CUTXC=1") == b"\r\nOK\r\n"
    assert await te.wait_for(b"\r\n+CDTXC: 1,0\r\n") == b"\r\n+CDTXC: 1,0\r\n"
    await clock.advance(5.0)
    assert await te.wait_for(b"+CTCR: 1,13\r\n") == b"\r\n+CTCR: 1,13\r\n"
    assert await te.cmd("AT+CTXD=1,1") == b"\r\n+CME ERROR: 3\r\n"


async def test_voice_page_answered_by_key_up_and_ath(te: TE, clock: VirtualClock) -> None:
    await te.init("2,0,0")
    await te.cmd("ATD9001")
    await clock.advance(0.2)
    await te.wait_for(b"+CTXG: 1,0,0,0\r\n")
    # 2004 answers by voice 1 s + 10 s after the page; the officer still talks: it waits
    await clock.advance(11.5)
    assert await te.drain() == b""
    assert await te.cmd("AT+CUTXC=1") == b"\r\nOK\r\n"
    out = lines(await te.wait_for(b"+CTXG: 1,3,0,0,0,2004\r\n"))
    assert out == ["+CDTXC: 1,0", "+CTXG: 1,3,0,0,0,2004"]
    await clock.advance(3.0)
    assert await te.wait_for(b"+CDTXC: 1,0\r\n")
    assert await te.cmd("ATH") == b"\r\nOK\r\n"
    assert await te.wait_for(b"+CTCR: 1,1\r\n") == b"\r\n+CTCR: 1,1\r\n"


async def test_dial_unknown_identity_fails(te: TE, clock: VirtualClock) -> None:
    await te.init("2,0,0")
    assert await te.cmd("ATD4444") == b"\r\nOK\r\n"
    await clock.advance(0.2)
    assert lines(await te.wait_for(b"+CTCR: 1,16\r\n")) == ["+CTOCP: 1,0,0", "+CTCR: 1,16"]
    assert await te.cmd("ATDabc") == b"\r\n+CME ERROR: 27\r\n"


async def test_incoming_call_with_talkers(te: TE, sim: Simulation, clock: VirtualClock) -> None:
    await te.init("2,0,0")
    sim.radio(2001).key_up(9002, 2.0)
    out = await te.wait_for(b"+CTXG: 1,3,0,0,0,2001\r\n")
    assert lines(out) == [
        "+CTICN: 1,0,0,0,2001,1,1,0,1,1,0,9002,0",
        "+CTCC: 1,1,1,0,0,1,1",
        "+CTXG: 1,3,0,0,0,2001",
    ]
    sim.radio(2002).key_up(9002, 1.0)  # waits for the floor
    # the TE asks while 2001 talks: queued
    assert await te.cmd("AT+CTXD=1,0") == b"\r\nOK\r\n"
    assert await te.wait_for(b"\r\n+CTXG: 1,2,0,0\r\n") == b"\r\n+CTXG: 1,2,0,0\r\n"
    await clock.advance(2.0)
    out = await te.wait_for(b"+CTXG: 1,3,0,0,0,2002\r\n")
    assert lines(out) == ["+CDTXC: 1,0", "+CTXG: 1,3,0,0,0,2002"]
    await clock.advance(1.0)
    assert lines(await te.wait_for(b"+CTXG: 1,0,0,0\r\n")) == ["+CDTXC: 1,0", "+CTXG: 1,0,0,0"]
    await te.cmd("AT+CUTXC=1")
    await clock.advance(5.0)
    assert await te.wait_for(b"+CTCR: 1,13\r\n")


async def test_emergency_call_preempts(te: TE, sim: Simulation) -> None:
    await te.init("2,0,0")
    sim.radio(2001).key_up(9001, 10.0)
    await te.wait_for(b"+CTXG: 1,3,0,0,0,2001\r\n")
    sim.radio(2003).emergency_call(9001, seconds=2.0)
    out = lines(await te.wait_for(b"+CTXG: 2,3,0,0,0,2003\r\n"))
    assert out == [
        "+CTCR: 1,9",
        "+CTICN: 2,0,0,0,2003,1,1,0,1,1,0,9001,15",
        "+CTCC: 2,1,1,0,0,1,1",
        "+CTXG: 2,3,0,0,0,2003",
    ]


async def test_refuse_policy(open_sim: OpenSim, open_te: OpenTe) -> None:
    from fakes.network import NetworkConfig

    sim = await open_sim(network_config=NetworkConfig(floor_policy="refuse"))
    te = open_te(sim.url)
    await te.init("2,0,0")
    sim.radio(2001).key_up(9002, 2.0)
    await te.wait_for(b"+CTXG: 1,3,0,0,0,2001\r\n")
    assert await te.cmd("AT+CTXD=1,0") == b"\r\nOK\r\n"
    assert await te.wait_for(b"\r\n+CTXG: 1,1,0,0\r\n") == b"\r\n+CTXG: 1,1,0,0\r\n"
    assert await te.cmd("AT+CTXD=1,3") == b"\r\nOK\r\n"
    assert (
        await te.wait_for(b"\r\n+CDTXC: 1,0\r\n\r\n+CTXG: 1,0,0,0\r\n")
        == b"\r\n+CDTXC: 1,0\r\n\r\n+CTXG: 1,0,0,0\r\n"
    )

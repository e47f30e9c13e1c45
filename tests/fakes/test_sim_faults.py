"""Fault injection: garbage, split output, slow responses, interleaved URCs, drops, failures."""

from __future__ import annotations

from drivers.clock import VirtualClock
from fakes.faults import STARTUP_CME35, FaultPlan
from fakes.sim import Simulation
from tests.fakes.simhelpers import TE, OpenSim, OpenTe, lines

HALLO = "8204070148616C6C6F"


async def test_startup_garbage_then_clean_at(open_sim: OpenSim, open_te: OpenTe) -> None:
    sim = await open_sim(faults=FaultPlan(startup_garbage=STARTUP_CME35))
    te = open_te(sim.url)
    te.write(b"AT\r")  # the first bytes after the plug meet line noise
    assert await te.wait_for(STARTUP_CME35) == STARTUP_CME35
    assert await te.wait_for(b"OK\r\n") == b"AT\r\r\nOK\r\n"


async def test_one_byte_writes_same_bytes(
    clock: VirtualClock, open_sim: OpenSim, open_te: OpenTe
) -> None:
    sim = await open_sim(faults=FaultPlan(chunk_min=1, chunk_max=1, chunk_gap=0.001))
    te = open_te(sim.url)
    te.write(b"ATE0\r")
    # Each byte needs 1 ms of virtual time (11 bytes: ~11 ms); on a loaded machine the
    # command may reach the simulator a few steps late, so step until the answer is
    # in (bounded), rather than a fixed 40 steps.
    for _ in range(1000):
        await clock.advance(0.001)
        if b"OK\r\n" in te.buf:
            break
    assert await te.wait_for(b"OK\r\n") == b"ATE0\r\r\nOK\r\n"
    assert sim.transport.bytes_out == len(b"ATE0\r\r\nOK\r\n")
    assert sim.transport.idle()


async def test_random_garbage_and_drops_are_seeded(open_sim: OpenSim) -> None:
    plan = FaultPlan(garbage_rate=0.5, drop_rate=0.2)
    sim = await open_sim(faults=plan)
    noise = [sim.faults.noise() for _ in range(10)]
    assert any(noise) and not all(noise)
    sim2 = await open_sim(faults=plan)
    assert [sim2.faults.noise() for _ in range(10)] == noise


async def test_latency_holds_response_and_next_command(
    clock: VirtualClock, open_sim: OpenSim, open_te: OpenTe
) -> None:
    plan = FaultPlan(command_latency=0.5, latency_by_command={"+CNUMF": 2.0})
    sim = await open_sim(faults=plan)
    te = open_te(sim.url)
    te.write(b"AT+CNUMF?\rAT\r")
    assert await te.wait_for(b"\r") == b"AT+CNUMF?\r"  # echo is immediate
    await clock.advance(2.49)
    assert await te.drain() == b""
    assert not sim.idle()
    await clock.advance(0.01)
    out = await te.wait_for(b"OK\r\n")
    assert out == b"\r\n+CNUMF: 6,04600000000001000\r\n\r\nOK\r\n"
    await clock.advance(0.5)
    assert await te.wait_for(b"OK\r\n") == b"AT\r\r\nOK\r\n"
    assert sim.idle()


async def test_urc_between_response_and_ok(te: TE, sim: Simulation) -> None:
    await te.init()
    sim.faults.inject_before_final("+CTOM: 0")
    assert lines(await te.cmd("AT+CSQ?")) == ["+CSQ: 25,99", "+CTOM: 0", "OK"]
    assert lines(await te.cmd("AT+CSQ?")) == ["+CSQ: 25,99", "OK"]


async def test_urc_between_ctsdsr_header_and_hex(te: TE, sim: Simulation) -> None:
    await te.init()
    sim.faults.interject_next_sds("+CTXG: 1,3,0,0,0,2002")
    sim.radio(2001).send_status(0x8002)
    out = lines(await te.wait_for(b"8002\r\n"))
    assert out == ["+CTSDSR: 13,2001,0,1000,0,16", "+CTXG: 1,3,0,0,0,2002", "8002"]


async def test_dropped_delivery_urc_and_failed_send(
    te: TE, sim: Simulation, clock: VirtualClock
) -> None:
    await te.init()
    sim.faults.drop_next("+CMGS: 0,")
    te.write(f"AT+CMGS=2001,72\r\n{HALLO}\x1a".encode())
    await te.wait_for(b"OK\r\n")
    await clock.advance(0.5)
    assert await te.drain() == b""
    assert sim.faults.dropped == ["+CMGS: 0,4,7"]
    sim.faults.fail_next_sends()
    te.write(f"AT+CMGS=2001,72\r\n{HALLO}\x1a".encode())
    await te.wait_for(b"OK\r\n")
    await clock.advance(0.3)
    assert await te.wait_for(b"+CMGS: 1,5,7\r\n")
    await clock.advance(30.0)
    # one received report: for the first SDS (its +CMGS URC was lost, the SDS was not);
    # the failed one never left the MT
    assert await te.wait_for(b"\r\n82100007\r\n")
    assert b"82100007" not in await te.drain()


async def test_standing_urc_before_final(open_sim: OpenSim, open_te: OpenTe) -> None:
    sim = await open_sim(faults=FaultPlan(urc_before_final="+CREG: 1"))
    te = open_te(sim.url)
    await te.cmd("ATE0")
    assert lines(await te.cmd("AT+GMR?")) == ["+GMR: 1.0.0", "+CREG: 1", "OK"]

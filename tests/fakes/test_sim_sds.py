"""SDS over the pty: AT+CMGS framing, delivery reports, answers, gating, failures."""

from __future__ import annotations

import re

from drivers.clock import VirtualClock
from drivers.sds.messages import encode_text
from fakes.sim import Simulation
from tests.fakes.simhelpers import TE, OpenSim, OpenTe, lines

HALLO = "8204070148616C6C6F"  # "Hallo", MR 7, received report requested
CTSDSR = re.compile(rb"\+CTSDSR: [^\r]*\r\n\r\n[0-9A-F]+\r\n")


async def test_cmgs_one_write_then_unsolicited_status(te: TE, clock: VirtualClock) -> None:
    await te.init()
    assert await te.cmd("AT+CTSDS=12,0,0,0") == b"\r\nOK\r\n"
    te.write(f"AT+CMGS=2001,72\r\n{HALLO}\x1a".encode())
    assert await te.wait_for(b"OK\r\n") == b"\r\n+CMGS: 0\r\n\r\nOK\r\n"
    await clock.advance(0.3)
    assert await te.wait_for(b"+CMGS: 0,4,7\r\n") == b"\r\n+CMGS: 0,4,7\r\n"
    te.write(f"AT+CMGS=2002,72\r\n{HALLO}\x1a".encode())
    assert await te.wait_for(b"OK\r\n") == b"\r\n+CMGS: 1\r\n\r\nOK\r\n"  # instance counts


async def test_cmgs_hex_split_with_whitespace_and_wrong_bits(
    te: TE, sim: Simulation, clock: VirtualClock
) -> None:
    await te.init()
    te.write(b"AT+CMGS=2001,8\r")  # bits disagree with the hex: the hex wins
    await te.drain()
    for part in (b"\n8204", b"07 01\r\n4861", b"6C6C", b"6F"):
        te.write(part)
        assert await te.drain() == b""
    te.write(b"\x1a")
    assert await te.wait_for(b"OK\r\n") == b"\r\n+CMGS: 0\r\n\r\nOK\r\n"
    await clock.advance(0.3)
    assert await te.wait_for(b"+CMGS: 0,4,7\r\n")


async def test_delivery_report_and_status_ladder_at_virtual_times(
    te: TE, clock: VirtualClock
) -> None:
    await te.init()
    pdu = encode_text("到岗点名", 0x21, report=3).hex().upper()  # both reports
    te.write(f"AT+CMGS=2001,{len(pdu) * 4}\r\n{pdu}\x1a".encode())
    await te.wait_for(b"OK\r\n")
    await clock.advance(0.3)  # on air at t=0.3
    await te.wait_for(b"+CMGS: 0,4,33\r\n")
    await clock.advance(0.99)
    assert await te.drain() == b""
    await clock.advance(0.01)  # delivered at t=1.3
    assert await te.wait_for(CTSDSR) == b"\r\n+CTSDSR: 12,2001,0,1000,0,32\r\n\r\n82100021\r\n"
    await clock.advance(4.0)  # consumed at 5.3
    assert await te.wait_for(CTSDSR) == b"\r\n+CTSDSR: 12,2001,0,1000,0,32\r\n\r\n82100221\r\n"
    await clock.advance(6.0)  # answered at 1.3 + 10 = 11.3
    assert await te.wait_for(CTSDSR) == b"\r\n+CTSDSR: 13,2001,0,1000,0,16\r\n\r\n8002\r\n"
    await clock.advance(19.9)
    assert await te.drain() == b""
    await clock.advance(0.1)  # en route at 31.3
    assert (await te.wait_for(CTSDSR)).endswith(b"\r\n8003\r\n")
    await clock.advance(60.0)  # on scene at 91.3
    assert (await te.wait_for(CTSDSR)).endswith(b"\r\n8004\r\n")
    assert clock.monotonic() == 91.3 or abs(clock.monotonic() - 91.3) < 1e-9


async def test_status_poll_by_status_sds(te: TE, clock: VirtualClock) -> None:
    await te.init()
    await te.cmd("AT+CTSDS=13,0")
    te.write(b"AT+CMGS=2001,16\r\n800B\x1a")
    await te.wait_for(b"OK\r\n")
    await clock.advance(0.3)
    assert await te.wait_for(b"+CMGS: 0,4,0\r\n")
    await clock.advance(11.0)
    assert (await te.wait_for(CTSDSR)).endswith(b"8002\r\n")


async def test_text_reply_to_group_page(te: TE, clock: VirtualClock) -> None:
    await te.init()
    pdu = encode_text("集合", 5, report=0).hex().upper()
    te.write(f"AT+CMGS=9002,{len(pdu) * 4}\r\n{pdu}\x1a".encode())
    await te.wait_for(b"OK\r\n")
    await clock.advance(12.0)
    # 2001 (status) and 2002 (text "收到", UTF-16BE coding 26) both answer
    assert await te.wait_for(b"+CTSDSR: 13,2001,0,1000,0,16\r\n\r\n8002\r\n")
    reply = encode_text("收到", 0, report=0, coding=26).hex().upper()[6:]
    rx = re.compile(rb"\+CTSDSR: 12,2002,0,1000,0,\d+\r\n\r\n8202[0-9A-F]{2}" + reply.encode())
    assert await te.wait_for(rx)


async def test_ctsp_gating(te: TE, sim: Simulation, clock: VirtualClock) -> None:
    await te.cmd("ATE0")
    sim.radio(2001).send_status(0x8005)
    sim.radio(2001).send_text("hi")
    sim.radio(2001).emergency_call(9001, seconds=1.0)
    await clock.advance(10.0)
    assert await te.drain() == b""
    await te.cmd("AT+CTSP=1,2,20")
    sim.radio(2001).send_status(0x8005)
    sim.radio(2001).send_text("hi")
    assert await te.wait_for(b"8005\r\n") == b"\r\n+CTSDSR: 13,2001,0,1000,0,16\r\n\r\n8005\r\n"
    await te.cmd("AT+CTSP=1,3,130")
    sim.radio(2001).send_text("hi")
    assert await te.wait_for(b"+CTSDSR: 12,2001")


async def test_switched_off_radio_reports_not_reachable(
    te: TE, sim: Simulation, clock: VirtualClock
) -> None:
    await te.init()
    sim.network.switch_off(2001)
    te.write(f"AT+CMGS=2001,72\r\n{HALLO}\x1a".encode())
    await te.wait_for(b"OK\r\n")
    await clock.advance(0.3)
    assert await te.wait_for(b"+CMGS: 0,4,7\r\n")  # "sent", as real radios say
    await clock.advance(4.9)
    assert await te.drain() == b""
    await clock.advance(10.0)
    assert await te.wait_for(CTSDSR) == b"\r\n+CTSDSR: 12,2001,0,1000,0,32\r\n\r\n82105A07\r\n"
    sim.network.switch_on(2001)
    te.write(f"AT+CMGS=2001,72\r\n{HALLO}\x1a".encode())
    await te.wait_for(b"OK\r\n")
    await clock.advance(1.3)
    assert (await te.wait_for(CTSDSR)).endswith(b"82100007\r\n")


async def test_unknown_issi_not_registered(te: TE, clock: VirtualClock) -> None:
    await te.init()
    te.write(f"AT+CMGS=7777,72\r\n{HALLO}\x1a".encode())
    await te.wait_for(b"OK\r\n")
    await clock.advance(1.3)
    out = await te.wait_for(CTSDSR)
    assert out.endswith(b"+CTSDSR: 12,7777,0,1000,0,32\r\n\r\n82104B07\r\n")


async def test_location_report_header_says_84_bits(te: TE, sim: Simulation) -> None:
    await te.init()
    sim.radio(2004).send_location(30.25, 120.17)
    out = await te.wait_for(CTSDSR)
    header, hexline = lines(out)
    assert header == "+CTSDSR: 12,2004,0,1000,0,84"
    assert len(hexline) == 22 and hexline.startswith("0A")


async def test_emergency_status_and_unreachable_injector(sim: Simulation, te: TE) -> None:
    await te.init()
    sim.radio(2003).send_status(0)
    assert (await te.wait_for(CTSDSR)).endswith(b"0000\r\n")
    sim.network.switch_off(2003)
    try:
        sim.radio(2003).send_text("x")
    except RuntimeError:
        pass
    else:
        raise AssertionError("a switched-off radio must not transmit")


async def test_no_report_when_failure_report_disabled(
    clock: VirtualClock, open_sim: OpenSim, open_te: OpenTe
) -> None:
    from fakes.network import NetworkConfig

    sim = await open_sim(network_config=NetworkConfig(unreachable_report=None))
    te = open_te(sim.url)
    await te.init()
    sim.network.switch_off(2001)
    te.write(f"AT+CMGS=2001,72\r\n{HALLO}\x1a".encode())
    await te.wait_for(b"OK\r\n")
    await clock.advance(60.0)
    assert await te.wait_for(b"+CMGS: 0,4,7\r\n") == b"\r\n+CMGS: 0,4,7\r\n"
    assert await te.drain() == b""

"""Transports: cable pulled and put back, TCP, pacing on virtual time, quiescence."""

from __future__ import annotations

import asyncio
import os

import pytest
import serial

from drivers.clock import VirtualClock
from fakes.pacing import line_time
from fakes.sim import Simulation
from tests.fakes.simhelpers import TE, OpenSim, OpenTe


async def test_cable_pulled_and_put_back(te: TE, sim: Simulation, open_te: OpenTe) -> None:
    await te.init()
    path = sim.url
    old_target = os.readlink(path)
    sim.unplug()
    assert not os.path.exists(path)
    await asyncio.wait_for(_until(lambda: te.eof), 5)
    assert isinstance(te.error, OSError) or te.eof  # EIO: the "unplugged" signal
    te.close()
    sim.radio(2001).send_status(0x8002)  # lost: nobody on the line
    assert sim.gateway.dropped_unplugged > 0
    sim.replug()
    assert os.path.islink(path) and os.readlink(path) == sim.transport.slave_name
    assert old_target  # the new slave may reuse the pts number; the path is what counts
    te2 = open_te(path)
    assert await te2.cmd("AT") == b"\r\nOK\r\n"  # registrations and E0 survived
    sim.radio(2001).send_status(0x8003)
    assert await te2.wait_for(b"8003\r\n")


async def test_pyserial_read_fails_after_unplug(sim: Simulation) -> None:
    with serial.serial_for_url(sim.url, timeout=1) as ser:
        ser.write(b"AT\r")
        await asyncio.wait_for(_until(lambda: ser.in_waiting >= 9), 5)
        assert ser.read(ser.in_waiting) == b"AT\r\r\nOK\r\n"
        sim.unplug()
        with pytest.raises((serial.SerialException, OSError)):
            ser.read(1)


async def test_tcp_transport(open_sim: OpenSim) -> None:
    sim = await open_sim(tcp_port=0)
    assert sim.url.startswith("socket://127.0.0.1:")
    port = int(sim.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"ATE0\rAT+CNUMF?\r")
    data = b""
    while b"CNUMF" not in data or not data.endswith(b"OK\r\n"):
        data += await asyncio.wait_for(reader.read(100), 5)
    assert data == b"ATE0\r\r\nOK\r\n\r\n+CNUMF: 6,04600000000001000\r\n\r\nOK\r\n"
    sim.unplug()
    assert await asyncio.wait_for(reader.read(100), 5) == b""
    writer.close()
    r2, w2 = await asyncio.open_connection("127.0.0.1", port)
    assert await asyncio.wait_for(r2.read(100), 5) == b""  # refused while unplugged
    w2.close()
    sim.replug()
    r3, w3 = await asyncio.open_connection("127.0.0.1", port)
    w3.write(b"AT\r")
    assert await asyncio.wait_for(r3.readuntil(b"OK\r\n"), 5) == b"\r\nOK\r\n"
    w3.close()


async def test_tcp_with_pyserial_socket_url(open_sim: OpenSim) -> None:
    sim = await open_sim(tcp_port=0)
    ser = serial.serial_for_url(sim.url, timeout=2)
    ser.write(b"ATE0\r")
    out = await asyncio.to_thread(ser.read_until, b"OK\r\n")
    assert out == b"ATE0\r\r\nOK\r\n"
    ser.close()


async def test_output_pacing_on_virtual_time(
    clock: VirtualClock, open_sim: OpenSim, open_te: OpenTe
) -> None:
    baud = 115200
    sim = await open_sim(baud=baud, pace_input=False)
    te = open_te(sim.url)
    te.write(b"AT+CNUMF?\r")
    await asyncio.wait_for(_until(lambda: sim.transport.bytes_in == 10), 5)
    expected = b"AT+CNUMF?\r\r\n+CNUMF: 6,04600000000001000\r\n\r\nOK\r\n"
    n = len(expected)
    total = line_time(n, baud)
    assert abs(total - n * 10 / baud) < 1e-12
    assert sim.transport.bytes_out == 0 and not sim.idle()
    await clock.advance(total - 1e-7)
    assert 0 < sim.transport.bytes_out < n  # 16-byte chunks leave on their deadlines
    await clock.advance(1e-7)
    assert sim.transport.bytes_out == n
    assert sim.idle()
    assert await te.wait_for(b"OK\r\n") == expected


async def test_input_pacing(clock: VirtualClock, open_sim: OpenSim, open_te: OpenTe) -> None:
    sim = await open_sim(baud=9600)
    te = open_te(sim.url)
    te.write(b"ATE0\r")
    await asyncio.wait_for(_until(lambda: sim.transport.bytes_in == 5), 5)
    await clock.advance(line_time(5, 9600) - 1e-6)
    assert sim.transport.bytes_out == 0  # the command has not arrived yet
    await clock.advance(1e-6 + line_time(len(b"ATE0\r\r\nOK\r\n"), 9600) + 1e-9)
    assert await te.wait_for(b"OK\r\n") == b"ATE0\r\r\nOK\r\n"


async def _until(predicate: object) -> None:
    assert callable(predicate)
    while not predicate():
        await asyncio.sleep(0.001)

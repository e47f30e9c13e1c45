"""Helpers for the simulator tests: a VirtualClock simulation and a pyserial TE on its pty."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import serial

from drivers.clock import VirtualClock
from fakes.behaviour import AnswerMode, Behaviour
from fakes.sim import Simulation, start_simulation

GW = 1000
UNITS: list[dict[str, Any]] = [
    {"issi": 2001, "alias": "实验小学", "kind": "school"},
    {"issi": 2002, "alias": "第一中学", "kind": "school"},
    {"issi": 2003, "alias": "人民医院", "kind": "hospital"},
    {"issi": 2004, "alias": "巡逻一组", "kind": "patrol"},
]
GROUPS: list[dict[str, Any]] = [
    {"gssi": 9001, "name": "全体", "members": [2001, 2002, 2003, 2004]},
    {"gssi": 9002, "name": "学校", "members": [2001, 2002]},
]


def fixed_behaviours() -> dict[int, Behaviour]:
    """Exact delays so tests can assert virtual times."""
    return {
        2001: Behaviour.exact(),
        2002: Behaviour.exact(AnswerMode.TEXT),
        2003: Behaviour.exact(AnswerMode.NEVER),
        2004: Behaviour.exact(AnswerMode.VOICE),
    }


FINAL = re.compile(rb"(\r\nOK\r\n|\r\nERROR\r\n|\r\n\+CME ERROR: [^\r]*\r\n)")


class TE:
    """A terminal on the pty, through pyserial, read asynchronously (no sleeping)."""

    def __init__(self, url: str) -> None:
        self.ser = serial.serial_for_url(url, timeout=0)
        self.fd = self.ser.fileno()
        self.buf = bytearray()
        self.received = bytearray()  # everything ever read
        self.eof = False
        self.error: Exception | None = None
        self._event = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self.fd, self._readable)

    def _readable(self) -> None:
        try:
            data = os.read(self.fd, 4096)
        except OSError as exc:
            data = b""
            self.error = exc
        if not data:
            self.eof = True
            self._loop.remove_reader(self.fd)
        self.buf += data
        self.received += data
        self._event.set()

    def write(self, data: bytes | str) -> None:
        self.ser.write(data.encode() if isinstance(data, str) else data)

    async def wait_for(self, pattern: bytes | re.Pattern[bytes], timeout: float = 5.0) -> bytes:
        """Bytes up to and including the first match (consumed). Real I/O safety net only."""
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))

        async def loop() -> bytes:
            while True:
                m = rx.search(self.buf)
                if m:
                    out = bytes(self.buf[: m.end()])
                    del self.buf[: m.end()]
                    return out
                if self.eof:
                    raise EOFError(bytes(self.buf))
                self._event.clear()
                await self._event.wait()

        return await asyncio.wait_for(loop(), timeout)

    async def cmd(self, line: str) -> bytes:
        self.write(line + "\r")
        return await self.wait_for(FINAL)

    async def init(self, *registrations: str) -> None:
        assert (await self.cmd("ATE0")).endswith(b"OK\r\n")
        for reg in registrations or ("2,0,0", "1,2,20", "1,3,130", "1,3,10"):
            assert (await self.cmd(f"AT+CTSP={reg}")) == b"\r\nOK\r\n"

    async def drain(self) -> bytes:
        """What is buffered now, after letting the loop and the kernel catch up."""
        for _ in range(20):
            await asyncio.sleep(0.001)
        out = bytes(self.buf)
        self.buf.clear()
        return out

    def close(self) -> None:
        if not self.eof:
            self._loop.remove_reader(self.fd)
        self.ser.close()


async def make_sim(clock: VirtualClock, **kwargs: Any) -> Simulation:
    kwargs.setdefault("behaviours", fixed_behaviours())
    sim = await start_simulation(clock, UNITS, GROUPS, gateway_issi=GW, **kwargs)
    clock.settle = sim.transport.settle
    return sim


OpenSim = Callable[..., Awaitable[Simulation]]
"""The ``open_sim`` fixture: :func:`make_sim` on the test's clock, closed after the test."""
OpenTe = Callable[[str], TE]
"""The ``open_te`` fixture: a :class:`TE` on a URL, closed after the test."""


def lines(data: bytes) -> list[str]:
    return [x for x in data.decode("latin-1").replace("\r", "\n").split("\n") if x]


def kw(**kwargs: Any) -> Mapping[str, Any]:
    return kwargs

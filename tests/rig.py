"""A test rig: the production link and gateway service against the simulated network.

The fake gateway speaks PEI on a real pseudo-terminal (or TCP); the driver opens it with
pyserial exactly as it would open ``/dev/ttyUSB0``.  Time is a :class:`VirtualClock`:
command deadlines, keep-alives, responder delays and back-off only move when the test
advances the clock.  Bytes still cross the kernel in real time, so between clock steps
:meth:`Rig.settle` waits (bounded) until both directions are drained: everything the
driver wrote has reached the fake and everything the fake wrote has been read and parsed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from drivers.clock import VirtualClock
from drivers.gateway import Gateway
from drivers.link import LinkState, PeiLink, WireTrace
from drivers.pei.events import PeiEvent
from fakes.sim import Simulation, start_simulation

E = TypeVar("E", bound=PeiEvent)
T = TypeVar("T")

UNITS: list[dict[str, Any]] = [
    {"issi": 2001, "alias": "星海实验小学", "kind": "school", "behaviour": "status"},
    {"issi": 2002, "alias": "Harbour Bank", "kind": "bank", "behaviour": "text"},
    {"issi": 2003, "alias": "人民医院", "kind": "hospital", "behaviour": "voice"},
    {"issi": 2004, "alias": "Riverside Estate", "kind": "community", "behaviour": "never"},
    {"issi": 2005, "alias": "关机单位", "kind": "enterprise", "behaviour": "off"},
]
GROUPS: list[dict[str, Any]] = [
    {"gssi": 9001, "name": "全体", "members": [2001, 2002, 2003, 2004, 2005]},
]
GATEWAY_ISSI = 1000


@dataclass
class Rig:
    clock: VirtualClock
    sim: Simulation
    link: PeiLink
    gateway: Gateway
    events: list[PeiEvent] = field(default_factory=list)

    async def settle(self, limit: float = 5.0) -> None:
        """Wait (real time, bounded) until no bytes are in flight either way.

        Drained means the byte totals on both sides match.  After a cable pull they never
        match again (bytes died with the old pty), so "no counter moved for a few checks and
        nothing is left unread on the pty" counts as drained too.
        """
        loop = asyncio.get_running_loop()
        end = loop.time() + limit
        transport = self.sim.transport
        stable = 0
        last: tuple[int, int, int, int] | None = None
        while loop.time() < end:
            await transport.settle()
            counts = (
                self.link.bytes_in,
                self.link.bytes_out,
                transport.bytes_in,
                transport.bytes_out,
            )
            matched = counts[0] == counts[3] and counts[1] == counts[2]
            unread = getattr(transport, "unread_by_driver", lambda: 0)()
            quiet = counts == last and unread == 0
            stable = stable + 1 if (matched or quiet) else 0
            last = counts
            if stable >= 3:
                return
            await asyncio.sleep(0.001)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(
        self, predicate: Callable[[], bool], *, virtual: float = 60.0, step: float = 0.5
    ) -> None:
        """Advance virtual time (in steps, settling I/O) until ``predicate()`` holds."""
        if predicate():
            return
        ok = await self.clock.run_until(predicate, limit=virtual, step=step)
        assert ok, f"condition not met within {virtual} virtual seconds"

    async def run(self, coro: Coroutine[Any, Any, T], *, virtual: float = 60.0) -> T:
        """Await ``coro`` while driving virtual time (for operations the network times)."""
        task = asyncio.ensure_future(coro)
        await self.wait_for(task.done, virtual=virtual, step=0.1)
        return task.result()

    async def close(self) -> None:
        await self.link.close()
        await self.sim.close()

    async def __aenter__(self) -> Rig:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def make_rig(
    units: Sequence[Mapping[str, Any]] = UNITS,
    groups: Sequence[Mapping[str, Any]] = GROUPS,
    *,
    seed: int = 7,
    trace: bool = False,
    tcp: bool = False,
    start: bool = True,
    **sim_kwargs: Any,
) -> Rig:
    clock = VirtualClock()
    sim = await start_simulation(
        clock,
        units,
        groups,
        gateway_issi=GATEWAY_ISSI,
        seed=seed,
        tcp_port=0 if tcp else None,
        **sim_kwargs,
    )
    link = PeiLink(
        sim.url,
        clock=clock,
        trace=WireTrace(clock) if trace else None,
        backoff=(0.5, 1.0, 2.0),
    )
    gateway = Gateway(link)
    rig = Rig(clock, sim, link, gateway)
    clock.settle = rig.settle
    gateway.subscribe(rig.events.append)
    if start:
        await link.start()
        await rig.wait_for(lambda: link.state is LinkState.UP, virtual=30)
    return rig


OpenRig = Callable[..., Awaitable[Rig]]
"""The ``open_rig`` fixture: :func:`make_rig`'s signature; the rig is closed after the test."""

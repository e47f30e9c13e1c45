"""Shared rig for the paging tests: engine + real PeiLink/Gateway + the simulated network.

Imported by the other ``test_paging*`` modules; holds a few self-checks of its own.
The link runs over a real pty; time is a VirtualClock; the event log is a real SQLite
file committed by the engine's own timer (``drive_log``), so nothing sleeps.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.deadlines import Deadlines
from console.eventlog import EventLog
from console.paging.engine import PagingEngine
from console.paging.model import (
    OfficerAlert,
    PageChanged,
    PagingUpdate,
    Recipient,
)
from fakes.air import AirSds, peek_tl
from fakes.behaviour import Behaviour
from fakes.transport import PtyTransport
from tests.rig import Rig, make_rig

behaviour = Behaviour.exact
"""Fixed delays so virtual times are exact: delivered +1 s, read +4 s, answer +answer_s."""


OFF = Behaviour(powered=False)


@dataclass
class PagingRig:
    rig: Rig
    log: EventLog
    engine: PagingEngine
    updates: list[PagingUpdate] = field(default_factory=list)
    aired: Counter[tuple[int, int]] = field(default_factory=Counter)

    @property
    def clock(self) -> Any:
        return self.rig.clock

    @property
    def alerts(self) -> list[OfficerAlert]:
        return [u for u in self.updates if isinstance(u, OfficerAlert)]

    @property
    def changes(self) -> list[PageChanged]:
        return [u for u in self.updates if isinstance(u, PageChanged)]

    async def run(self, seconds: float, step: float = 0.5) -> None:
        await self.clock.run_until(lambda: False, limit=seconds, step=step)

    async def close(self) -> None:
        await self.engine.close()
        await self.rig.close()
        self.log.close()

    async def __aenter__(self) -> PagingRig:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def make_paging_rig(
    tmp_path: Path,
    units: Sequence[Mapping[str, Any]],
    behaviours: Mapping[int, Behaviour],
    *,
    groups: Sequence[Mapping[str, Any]] = (),
    deadlines: Deadlines | None = None,
    directory: Mapping[int, Recipient] | None = None,
    drive_log: bool = True,
    **sim_kwargs: Any,
) -> PagingRig:
    rig = await make_rig(units, groups, behaviours=behaviours, **sim_kwargs)
    log = EventLog.open(
        tmp_path / "events.db",
        clock=rig.clock,
        background=False,
        durability="normal",
        record_sessions=False,
    )
    found = dict(directory or {})
    engine = PagingEngine(
        rig.gateway,
        log,
        clock=rig.clock,
        deadlines=deadlines,
        operator="值班民警",
        directory=found.get,
        drive_log=drive_log,
        page_ids=iter(f"P{i}" for i in range(1, 1000)).__next__,
    )
    prig = PagingRig(rig, log, engine)
    engine.subscribe(prig.updates.append)
    original = rig.sim.network.send_from_gateway

    def count(sds: AirSds) -> None:
        tl = peek_tl(sds.ai, sds.data)
        if tl is not None and tl.msg_type == 0:
            prig.aired[(sds.called, tl.message_ref)] += 1
        original(sds)

    rig.sim.network.send_from_gateway = count  # type: ignore[method-assign]
    rig.clock.settle = lambda: settle(rig)
    await engine.start()
    return prig


OpenPagingRig = Callable[..., Awaitable[PagingRig]]
"""The ``open_paging_rig`` fixture: :func:`make_paging_rig` on the test's ``tmp_path``
(its event log is ``events.db`` there); the rig is closed after the test."""


async def settle(rig: Rig, limit: float = 5.0) -> None:
    """Wait (real time, bounded) until no bytes are in flight either way.

    Unlike ``Rig.settle`` this looks for counters that stopped moving rather than the
    link's totals equal to the transport's: after a cable pull the fake's lost output makes
    those totals differ for ever, and every settle would then wait its whole limit.
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    transport = rig.sim.transport
    last: tuple[int, ...] = ()
    stable = 0
    while loop.time() < end:
        await transport.settle()
        unread = transport.unread_by_driver() if isinstance(transport, PtyTransport) else 0
        if rig.link._port is None:  # reconnecting: nobody reads the pty until time passes
            unread = 0
        snap = (rig.link.bytes_in, rig.link.bytes_out, transport.bytes_in, transport.bytes_out)
        # Not transport.idle(): a response held back by a latency fault waits for virtual
        # time, which only the clock can give it.
        stable = stable + 1 if unread == 0 and snap == last else 0
        last = snap
        if stable >= 3:
            return
        await asyncio.sleep(0.0005)


def units(issis: Sequence[int]) -> list[dict[str, Any]]:
    return [{"issi": i, "alias": f"单元{i}", "kind": "school"} for i in issis]


async def test_rig_brings_the_link_up(open_paging_rig: OpenPagingRig) -> None:
    prig = await open_paging_rig(units([2001]), {2001: behaviour()})
    assert prig.rig.link.state.value == "up"
    assert prig.engine.queued_sends == 0

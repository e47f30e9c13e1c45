"""Headless plumbing for ``dutydesk drill`` / ``dutydesk rollcall``: the station's root.

Both build the whole station through the one composition root
(:class:`~console.runtime.Runtime`): the event log first (so a locked or broken log stops
us before a radio is touched), the gateway at the station's baud and dialect (or the
in-process simulated network for ``sim``, scripted by the drill), the paging engine with
the station's status plan, targets and backups -- and the alarm board, so an emergency
button pressed during a headless drill or roll call is logged and raised, not dropped.
Real time: ``SystemClock`` and the log's background writer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.config import Station, is_simulated
from console.drills.model import Simulation
from console.drills.simulated import start_scripted
from console.errors import ConsoleError
from console.eventlog import EventLog, EventLogError
from console.paging.engine import PagingEngine
from console.simulator import inject, register_running, stop_network
from drivers.clock import Clock, SystemClock
from drivers.gateway import Gateway
from drivers.link import LinkState, LinkStateChanged
from drivers.pei import events as ev


@dataclass
class Session:
    engine: PagingEngine
    log: EventLog
    gateway: Gateway
    clock: Clock
    url: str
    simulated: bool
    runtime: Any = None
    """The :class:`~console.runtime.Runtime` that built all of the above."""


def open_log(db: Path) -> EventLog:
    try:
        return EventLog.open(db)
    except EventLogError as exc:
        raise ConsoleError(exc.message, hint=exc.hint) from None


class ScriptedSimulator:
    """The runtime's simulator launcher for a drill: the station's simulated network with
    the drill's ``[simulation]`` script, in this loop on the session's clock."""

    def __init__(self, simulation: Simulation | None, clock: Clock) -> None:
        self.simulation = simulation
        self.clock = clock
        self.sim: Any = None
        self.url = f"sim://drill-{id(self):x}"
        """The name the link opens it by (one per session: drills may run side by side)."""

    async def launch(self, station: Station) -> str:
        self.sim = await start_scripted(station, self.simulation, self.clock)
        return register_running(self.url, self.sim)

    async def inject(self, command: str) -> str:
        """A drill's timed event, on the network in this loop."""
        return inject(self.url, command)

    async def stop(self) -> None:
        if self.sim is not None:
            stop_network(self.url)
            await self.sim.close()


@contextlib.asynccontextmanager
async def open_session(
    url: str,
    db: Path,
    station: Station,
    *,
    simulation: Simulation | None = None,
    connect_timeout: float = 20.0,
) -> AsyncIterator[Session]:
    from console.runtime import Runtime

    clock = SystemClock()
    simulated = is_simulated(url)
    launcher = ScriptedSimulator(simulation, clock) if simulated else None
    db.parent.mkdir(parents=True, exist_ok=True)
    runtime = Runtime(
        station,
        gateway_url="sim://drill" if simulated else url,
        db_path=db,
        clock=clock,
        simulator=launcher,
        voice=False,
    )
    try:
        up = asyncio.Event()

        def on_event(event: ev.PeiEvent) -> None:
            if isinstance(event, LinkStateChanged) and event.state is LinkState.UP:
                up.set()

        runtime.gateway.subscribe(on_event)
        await runtime.start()
        if runtime.notice is not None:
            raise ConsoleError(runtime.notice)
        if runtime.link.state is not LinkState.UP:
            try:
                await asyncio.wait_for(up.wait(), connect_timeout)
            except TimeoutError:
                raise ConsoleError(
                    f"cannot reach the gateway at {url} (no answer in {connect_timeout:g} s)",
                    hint="check the cable / device path, or use --gateway sim to rehearse",
                ) from None
        target = runtime.port
        yield Session(runtime.paging, runtime.log, runtime.gateway, clock, target, simulated,
                      runtime)  # fmt: skip
    finally:
        await runtime.close()

"""Headless plumbing for ``dutydesk drill`` / ``dutydesk rollcall``: log, link, engine.

Opens the event log first (so a locked or broken log stops us before a radio is
touched), then the gateway (or the in-process simulated network for ``sim``), then the
paging engine with the station's status plan, targets and backup directory.  Real time:
``SystemClock`` and the log's background writer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.config import Station
from console.drills.model import Simulation
from console.drills.simulated import is_simulated_url, start_scripted
from console.errors import ConsoleError
from console.eventlog import EventLog, EventLogError
from console.paging.engine import PagingEngine
from console.paging.targets import directory, page_targets
from drivers.clock import Clock, SystemClock
from drivers.errors import DriverError
from drivers.gateway import Gateway
from drivers.link import LinkState, LinkStateChanged, PeiLink
from drivers.pei import events as ev
from drivers.pei.dialect import load_dialect


@dataclass
class Session:
    engine: PagingEngine
    log: EventLog
    gateway: Gateway
    clock: Clock
    url: str
    simulated: bool


def open_log(db: Path) -> EventLog:
    try:
        return EventLog.open(db)
    except EventLogError as exc:
        raise ConsoleError(exc.message, hint=exc.hint) from None


@contextlib.asynccontextmanager
async def open_session(
    url: str,
    db: Path,
    station: Station,
    *,
    simulation: Simulation | None = None,
    connect_timeout: float = 20.0,
) -> AsyncIterator[Session]:
    clock = SystemClock()
    log = open_log(db)
    sim: Any = None
    link: PeiLink | None = None
    engine: PagingEngine | None = None
    try:
        simulated = is_simulated_url(url)
        if simulated:
            sim = await start_scripted(station, simulation, clock)
        target = sim.url if sim is not None else url
        try:
            dialect = load_dialect(station.gateway.dialect)
        except Exception as exc:
            raise ConsoleError(
                f"unknown gateway dialect {station.gateway.dialect!r}: {exc}"
            ) from None
        link = PeiLink(target, dialect=dialect, clock=clock)
        gateway = Gateway(link)
        up = asyncio.Event()

        def on_event(event: ev.PeiEvent) -> None:
            if isinstance(event, LinkStateChanged) and event.state is LinkState.UP:
                up.set()

        gateway.subscribe(on_event)
        await link.start()
        if link.state is not LinkState.UP:
            try:
                await asyncio.wait_for(up.wait(), connect_timeout)
            except TimeoutError:
                raise ConsoleError(
                    f"cannot reach the gateway at {url} (no answer in {connect_timeout:g} s)",
                    hint="check the cable / device path, or use --gateway sim to rehearse",
                ) from None
        engine = PagingEngine(
            gateway,
            log,
            clock=clock,
            status_plan=station.status_plan,
            targets=page_targets(station.targets),
            operator=station.operator,
            directory=directory(station).get,
        )
        await engine.start()
        yield Session(engine, log, gateway, clock, target, simulated)
    finally:
        if engine is not None:
            await engine.close()
        if link is not None:
            with contextlib.suppress(DriverError, OSError):
                await link.close()
        if sim is not None:
            await sim.close()
        with contextlib.suppress(EventLogError):
            log.close()

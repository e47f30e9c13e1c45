"""Runtime + simulated network on virtual time, for the TUI tests and snapshots.

The simulator runs in the test's (the app's) own loop on the same :class:`VirtualClock`
as the runtime, through :class:`LoopSimulator`, the runtime's ``SimulatorLauncher``
extension point -- so ``snap_compare`` (which starts the app on its own loop) gets the
whole network without a thread.  Only the demo station's first units are simulated with
fixed behaviours, so every screenshot is the same on every machine.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

from console.config import Station, demo_station
from console.runtime import Runtime
from console.simulator import (
    gateway_issi,
    register_running,
    station_groups,
    station_units,
    stop_network,
)
from console.tui.app import DutyDeskApp
from drivers.clock import VirtualClock
from fakes.behaviour import Behaviour
from fakes.sim import Simulation, start_simulation
from fakes.transport import PtyTransport

CST = timezone(timedelta(hours=8))
SEED = 7


def behaviour(answer_s: float) -> Behaviour:
    """Delivered after 1 s, acknowledges after ``answer_s``, en route +20 s, on scene +60 s."""
    return Behaviour.exact(answer_s=answer_s)


def small_station(units: int = 8) -> Station:
    """The demo station cut to its first ``units`` units (and the groups they are in)."""
    station = demo_station()
    kept = station.units[:units]
    issis = {u.issi for u in kept}
    groups = tuple(
        replace(g, members=tuple(m for m in g.members if m in issis))
        for g in station.groups
        if any(m in issis for m in g.members)
    )
    return replace(station, units=kept, groups=groups)


class LoopSimulator:
    """Starts ``fakes.sim`` in the running loop on the runtime's virtual clock."""

    def __init__(self, clock: VirtualClock, behaviours: dict[int, Behaviour] | None = None) -> None:
        self.clock = clock
        self.behaviours = behaviours or {}
        self.sim: Simulation | None = None
        self.runtime: Runtime | None = None
        self.url = f"sim://tui-{id(self):x}"

    async def launch(self, station: Station) -> str:
        self.sim = await start_simulation(
            self.clock,
            station_units(station),
            station_groups(station),
            gateway_issi=gateway_issi(station),
            seed=SEED,
            behaviours={**{u.issi: behaviour(10.0) for u in station.units}, **self.behaviours},
        )
        self.clock.settle = self.settle
        # The link opens it by name through pyserial's sim:// handler, as the shipped
        # console opens its simulator.
        return register_running(self.url, self.sim)

    async def stop(self) -> None:
        if self.sim is not None:
            stop_network(self.url)
            await self.sim.close()

    async def settle(self, limit: float = 5.0) -> None:
        """Wait (real time, bounded) until no bytes are in flight between link and fake."""
        sim, runtime = self.sim, self.runtime
        if sim is None or runtime is None:
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + limit
        transport = sim.transport
        last: tuple[int, ...] = ()
        stable = 0
        link = runtime.link
        while loop.time() < end:
            await transport.settle()
            unread = transport.unread_by_driver() if isinstance(transport, PtyTransport) else 0
            snap = (link.bytes_in, link.bytes_out, transport.bytes_in, transport.bytes_out)
            quiet = transport.idle() and unread == 0 and link.bytes_out == transport.bytes_in
            stable = stable + 1 if quiet and snap == last else 0
            last = snap
            if stable >= 2:
                return
            await asyncio.sleep(0.001)


def no_portaudio() -> Any:
    """The sound-card loader of the tests: PortAudio is "missing" on every machine, so the
    voice path's state (and its one ``voice.device_problem`` log line) is the same on all."""
    from console.voice import PortAudioMissing

    raise PortAudioMissing("sound cards unavailable: PortAudio not loaded in tests")


def make_runtime(
    tmp_path: Path,
    *,
    units: int = 8,
    behaviours: dict[int, Behaviour] | None = None,
    station: Station | None = None,
    broadcast_sender: Any = None,
    clock: VirtualClock | None = None,
) -> tuple[Runtime, VirtualClock, LoopSimulator]:
    clock = clock or VirtualClock()
    sim = LoopSimulator(clock, behaviours)
    runtime = Runtime(
        station or small_station(units),
        db_path=tmp_path / "events.db",
        clock=clock,
        operator="张警官",
        simulator=sim,
        log_background=False,
        signal_every=None,
        link_options={"backoff": (0.5, 1.0, 2.0)},
        tz=CST,
        sound_loader=no_portaudio,
        broadcast_sender=broadcast_sender,
    )
    sim.runtime = runtime
    return runtime, clock, sim


def make_app(tmp_path: Path, lang: str = "zh-CN", **kwargs: Any) -> DutyDeskApp:
    runtime, _, _ = make_runtime(tmp_path, **kwargs)
    return DutyDeskApp(runtime, lang=lang, live_clock=False)


async def until_up(app: DutyDeskApp) -> None:
    """Advance virtual time until the link is up, then let the screen catch up."""
    runtime = app.runtime
    clock = runtime.clock
    assert isinstance(clock, VirtualClock)
    ok = await clock.run_until(lambda: runtime.link.state.value == "up", limit=30, step=0.5)
    assert ok, "link did not come up"
    await settle_screen(app)


async def settle_screen(app: DutyDeskApp) -> None:
    """Flush the runtime's feed now (instead of waiting for its timer) and repaint."""
    app.runtime.flush()
    await asyncio.sleep(0)
    app.main.tick()
    await app.workers.wait_for_complete()
    for _ in range(3):
        await asyncio.sleep(0.01)


async def advance(app: DutyDeskApp, seconds: float, step: float = 0.5) -> None:
    clock = app.runtime.clock
    assert isinstance(clock, VirtualClock)
    await clock.run_until(lambda: False, limit=seconds, step=step)
    await settle_screen(app)


def sim_of(app: DutyDeskApp) -> Simulation:
    """The simulated network the app's runtime started (radios by ISSI)."""
    sim = app.runtime._simulator.sim  # type: ignore[union-attr]
    assert sim is not None
    return sim


async def emergency(app: DutyDeskApp, issi: int, after: float = 1.0) -> None:
    """Radio ``issi`` presses its emergency key (status 0); ``after`` seconds pass."""
    sim_of(app).radio(issi).send_status(0)
    await advance(app, after)


def ring_counter(app: DutyDeskApp) -> list[int]:
    """Count the App's bells (one entry per ring) instead of ringing."""
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    return bells


def screen_text(app: DutyDeskApp) -> str:
    """The whole screen as plain text, one line per row (for asserting what is shown)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)

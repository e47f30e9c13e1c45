"""Where the gateway link connects: a real port, or the built-in simulator for ``sim://``.

Kept apart because it is the one place that knows the simulator exists: the launcher
interface (:class:`SimulatorLauncher`, which tests fill with a simulator on their own
loop), the demo's threaded one (loaded by module name, so the console never imports
``fakes``), and :class:`Endpoint`, which turns the configured URL into the port the link
really opens -- or into a :attr:`~Endpoint.notice` saying why there is none.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from console.config import Station
from console.errors import SimulatorUnavailable
from drivers.errors import PortError
from drivers.link import open_serial
from drivers.link.port import Port


class SimulatorLauncher(Protocol):
    """Starts a simulated gateway for a ``sim://`` station and says where to connect."""

    async def launch(self, station: Station) -> str: ...

    async def stop(self) -> None: ...


class ThreadedSimulator:
    """The demo's simulator: ``console.simulator.start_in_process`` (own thread, real time,
    background traffic on), loaded by module name so the console never imports ``fakes``."""

    def __init__(self, seed: int = 1, background_traffic: bool = True) -> None:
        self.seed = seed
        self.background_traffic = background_traffic
        self._handle: Any = None

    async def launch(self, station: Station) -> str:
        from console.simulator import start_in_process

        self._handle = await asyncio.to_thread(
            start_in_process, station, self.seed, self.background_traffic
        )
        return str(self._handle.url)

    async def stop(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            await asyncio.to_thread(handle.stop)

    async def script(self, behaviours: dict[int, Any]) -> dict[int, Any]:
        """Give some simulated radios new behaviours (a drill's ``[simulation]``); returns
        the behaviours they had, to put back afterwards."""
        handle = self._handle
        if handle is None:
            raise SimulatorUnavailable("the simulated network is not running")
        return await asyncio.to_thread(handle.call, lambda sim: script_radios(sim, behaviours))


def script_radios(sim: Any, behaviours: dict[int, Any]) -> dict[int, Any]:
    """Swap the behaviour of simulated radios (``fakes.sim.Simulation``, duck-typed so the
    console never imports ``fakes``); a switched-off script also switches the radio off."""
    previous: dict[int, Any] = {}
    for issi, behaviour in behaviours.items():
        try:
            radio = sim.radio(issi)
        except KeyError:
            continue
        previous[issi] = radio.behaviour
        radio.behaviour = behaviour
        radio.powered = bool(getattr(behaviour, "powered", True))
        radio.in_range = bool(getattr(behaviour, "in_range", True))
    return previous


class Endpoint:
    """The gateway as configured and where the link really connects.

    For a ``sim://`` URL the simulator (``launcher``, default :class:`ThreadedSimulator`)
    is started by :meth:`launch` and :attr:`port` becomes its pty; if it cannot start,
    :attr:`notice` says why and :meth:`open_port` refuses, so the link reports it as a
    link failure instead of the console not starting.
    """

    def __init__(self, url: str, launcher: SimulatorLauncher | None = None) -> None:
        self.url = url
        """The gateway as configured (``sim://demo``, ``/dev/ttyUSB0``): shown to the officer."""
        self.port = url
        """Where the link really connects (the simulator's pty once started): for the log."""
        self.notice: str | None = None
        """Why the gateway cannot be reached at all (simulator missing ...), for the UI."""
        self.simulated = url.startswith("sim://")
        self.launcher = launcher or (ThreadedSimulator() if self.simulated else None)

    async def launch(self, station: Station) -> None:
        """Start the simulator, if there is one (its failure becomes :attr:`notice`)."""
        if self.launcher is None:
            return
        try:
            self.port = await self.launcher.launch(station)
        except SimulatorUnavailable as exc:
            self.notice = str(exc)

    async def stop(self) -> None:
        if self.launcher is not None:
            await self.launcher.stop()

    def open_port(self, _url: str, baud: int) -> Port:
        """The link's opener: the real port (or the simulator's), or the notice as an error."""
        if self.notice is not None:
            raise PortError(self.notice)
        return open_serial(self.port, baud)

    def scripting(self) -> Any:
        """The launcher's ``script(behaviours)`` if this is a simulator that can change its
        radios (a drill's ``[simulation]``), else None."""
        if not self.simulated:
            return None
        return getattr(self.launcher, "script", None)

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

from console.config import Station, is_simulated
from console.errors import SimulatorUnavailable
from drivers.errors import PortError
from drivers.link import open_serial
from drivers.link.port import Port


class SimulatorLauncher(Protocol):
    """Starts a simulated gateway for a ``sim://`` station and says where to connect."""

    async def launch(self, station: Station) -> str: ...

    async def stop(self) -> None: ...


class ThreadedSimulator:
    """The demo's simulator: the station's network defined behind its ``sim://`` URL; the
    link's first open starts it on a background thread (real time, background traffic)."""

    def __init__(self, seed: int = 1, background_traffic: bool = True) -> None:
        self.seed = seed
        self.background_traffic = background_traffic
        self._url: str | None = None

    async def launch(self, station: Station) -> str:
        from console.simulator import define_network

        url = station.gateway.url if station.gateway.is_simulated else "sim://demo"
        self._url = define_network(
            station, url, seed=self.seed, background_traffic=self.background_traffic
        )
        return self._url

    async def stop(self) -> None:
        url, self._url = self._url, None
        if url is not None:
            from console.simulator import stop_network

            await asyncio.to_thread(stop_network, url)

    async def script(self, behaviours: dict[int, Any]) -> dict[int, Any]:
        """Give some simulated radios new behaviours (a drill's ``[simulation]``); returns
        the behaviours they had, to put back afterwards."""
        from console.simulator import control

        if self._url is None:
            raise SimulatorUnavailable("the simulated network is not running")
        return await asyncio.to_thread(control(self._url).script, behaviours)

    async def inject(self, command: str) -> str:
        """A drill's ``[[simulation.events]]`` command, on the simulator's own thread."""
        from console.simulator import inject

        if self._url is None:
            raise SimulatorUnavailable("the simulated network is not running")
        return await asyncio.to_thread(inject, self._url, command)


class Endpoint:
    """The gateway as configured and where the link really connects.

    For a ``sim://`` URL the simulator (``launcher``, default :class:`ThreadedSimulator`)
    is put behind a ``sim://`` name by :meth:`launch`, and :attr:`port` becomes that URL;
    the link opens it through pyserial like any port.  If it cannot start, :attr:`notice`
    says why and :meth:`open_port` refuses, so the link reports it as a link failure
    instead of the console not starting.
    """

    def __init__(self, url: str, launcher: SimulatorLauncher | None = None) -> None:
        self.url = url
        """The gateway as configured (``sim://demo``, ``/dev/ttyUSB0``): shown to the officer."""
        self.port = url
        """What the link opens (``sim://NAME`` once a simulator is behind it): for the log."""
        self.notice: str | None = None
        """Why the gateway cannot be reached at all (simulator missing ...), for the UI."""
        self.simulated = is_simulated(url)
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

    def injecting(self) -> Any:
        """The launcher's ``inject(command)`` (a drill's timed events), else None."""
        if not self.simulated:
            return None
        return getattr(self.launcher, "inject", None)

"""Bridge to the simulated gateway in ``fakes``, loaded by name only.

The simulator is reached as a URL, ``sim://NAME?seed=&baud=``, through pyserial's URL
handlers (``fakes.urlhandler``): this module installs the handler, puts the station's
network behind the name (:func:`define_network`) or a running simulation
(:func:`register_running`), and gives the typed control (:func:`control`).  The link
then opens the URL like a device path.

The import rule is ``console.tui -> console -> drivers <- fakes``: the console must not
depend on the simulator, which is test/bench equipment.  So the plugin is looked up with
:func:`importlib.import_module` at run time, and the station is handed over as plain
lists of dicts (the plugin never sees console types).  If ``fakes`` is missing or broken
the user gets a :class:`~console.errors.SimulatorUnavailable`, not a traceback.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any, Protocol

from console.config import Station
from console.errors import SimulatorUnavailable

PLUGIN_MODULE = "fakes.plugin"


def station_units(station: Station) -> list[dict[str, Any]]:
    """Units as the plugin expects them: ``{"issi", "alias", "kind"}``."""
    return [{"issi": u.issi, "alias": u.alias, "kind": u.kind} for u in station.units]


def station_groups(station: Station) -> list[dict[str, Any]]:
    """Talkgroups only (console-side lists are not known to the radio network)."""
    return [
        {"gssi": g.gssi, "name": g.name, "members": list(g.members)}
        for g in station.groups
        if g.gssi is not None
    ]


def gateway_issi(station: Station) -> int:
    """The simulated gateway's own ISSI (1000 if the station file names none)."""
    return station.gateway.issi if station.gateway.issi is not None else 1000


def load_plugin(name: str | None = None) -> ModuleType:
    """Import a ``fakes`` module by name (default :data:`PLUGIN_MODULE`); a clear error if
    it is absent or broken."""
    name = name or PLUGIN_MODULE
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise SimulatorUnavailable(f"the simulated gateway is not available ({exc})") from None
    except Exception as exc:  # a half-written plugin must not crash the console
        raise SimulatorUnavailable(
            f"the simulated gateway failed to load: {type(exc).__name__}: {exc}",
            hint="the simulator ('fakes' package) is broken; use a real gateway with --config",
        ) from None


def _entry(plugin: ModuleType, name: str) -> Callable[..., Any]:
    func = getattr(plugin, name, None)
    if not callable(func):
        raise SimulatorUnavailable(f"{plugin.__name__} has no {name}() (simulator too old/new?)")
    return func  # type: ignore[no-any-return]


def run_sim_command(
    station: Station,
    tcp_port: int | None = None,
    baud: int | None = None,
    seed: int = 1,
    announce: Callable[[str], None] = print,
) -> int:
    """Run the simulator in the foreground (``dutydesk sim``); returns its exit code.

    The plugin announces the pty path or ``socket://`` URL first, so scripts can read the
    first line of output and connect to it.
    """
    serve = _entry(load_plugin(), "serve")
    result = serve(
        station_units(station),
        station_groups(station),
        gateway_issi=gateway_issi(station),
        seed=seed,
        tcp_port=tcp_port,
        baud=baud,
        announce=announce,
        background_traffic=False,
    )
    return int(result) if isinstance(result, int) else 0


HANDLER_MODULE = "fakes.urlhandler"
REGISTRY_MODULE = "fakes.urlhandler.registry"


class SimControl(Protocol):
    """What the console may change in a running simulation (``fakes.sim.SimControl``)."""

    def script(self, behaviours: dict[int, Any]) -> dict[int, Any]: ...


def _registry() -> ModuleType:
    """``fakes.urlhandler.registry``, with ``sim://`` installed in pyserial (by name)."""
    load_plugin(HANDLER_MODULE).install()
    return load_plugin(REGISTRY_MODULE)


def sim_name(url: str) -> str:
    """The simulation a ``sim://NAME?...`` URL names (a clear error for a bad URL)."""
    try:
        return str(_registry().parse(url).name)
    except ValueError as exc:  # SimUrlError
        raise SimulatorUnavailable(str(exc), hint="write the gateway as sim://demo") from None


def define_network(
    station: Station, url: str, *, seed: int = 1, background_traffic: bool = True
) -> str:
    """Put the station's simulated network behind ``url`` (``sim://NAME``): the first
    ``serial_for_url(url)`` starts it on a background thread.  Returns ``url``."""
    _registry().define(
        sim_name(url),
        station_units(station),
        station_groups(station),
        gateway_issi=gateway_issi(station),
        seed=seed,
        background_traffic=background_traffic,
    )
    return url


def device_path(url: str) -> str:
    """The pseudo-terminal serving ``url``, starting a defined network now if needed (the
    doctor checks that device as it would a real port)."""
    registry = _registry()
    try:
        return str(registry.resolve(registry.parse(url)))
    except ValueError as exc:  # SimUrlError
        raise SimulatorUnavailable(str(exc)) from None


def register_running(url: str, simulation: Any) -> str:
    """Put a simulation already running in this loop (``fakes.sim.Simulation``) behind
    ``url``, so the link opens it through ``sim://`` like any other.  Returns ``url``."""
    _registry().register(sim_name(url), simulation)
    return url


def stop_network(url: str) -> None:
    """Stop what serves ``url`` (a background network) and free the name."""
    _registry().stop(sim_name(url))


def inject(url: str, command: str) -> str:
    """Carry out a trainer's ``command`` (``fakes.trainer``: ``emergency 2004`` ...) on the
    simulation behind ``url``; returns what happened (raises ``SimulatorUnavailable``)."""
    trainer = load_plugin("fakes.trainer")
    try:
        parsed = trainer.parse(command)
        return str(trainer.apply(parsed, control(url))) if parsed is not None else ""
    except ValueError as exc:  # TrainerError
        raise SimulatorUnavailable(str(exc)) from None


def control(url: str) -> SimControl:
    """The typed control of the simulation behind ``url`` (raises if none runs)."""
    try:
        return _registry().control(sim_name(url))  # type: ignore[no-any-return]
    except ValueError as exc:
        raise SimulatorUnavailable(str(exc)) from None

"""Bridge to the simulated gateway in ``fakes.plugin``, loaded by name only.

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


class SimHandle(Protocol):
    """What :func:`start_in_process` returns: where to connect, and how to stop."""

    url: str

    def stop(self) -> None: ...


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


def load_plugin() -> ModuleType:
    """Import ``fakes.plugin`` by name; a clear error if it is absent or broken."""
    try:
        return importlib.import_module(PLUGIN_MODULE)
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
        raise SimulatorUnavailable(f"{PLUGIN_MODULE} has no {name}() (simulator too old/new?)")
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


def start_in_process(station: Station, seed: int = 1, background_traffic: bool = True) -> SimHandle:
    """Start the simulator on a background thread for the console to connect to."""
    start = _entry(load_plugin(), "start_background")
    try:
        handle = start(
            station_units(station),
            station_groups(station),
            gateway_issi=gateway_issi(station),
            seed=seed,
            background_traffic=background_traffic,
        )
    except SimulatorUnavailable:
        raise
    except Exception as exc:
        raise SimulatorUnavailable(
            f"the simulated gateway did not start: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(getattr(handle, "url", None), str):
        raise SimulatorUnavailable(f"{PLUGIN_MODULE}.start_background returned no url")
    return handle  # type: ignore[no-any-return]

"""Which simulation a ``sim://NAME`` URL means, and starting it when it is only defined.

Two ways to put a simulation behind a name:

* :func:`register` -- a simulation already running in the caller's loop (a test's, on a
  virtual clock; a drill's scripted network).  Opening the URL opens its pty.
* :func:`define` -- the units and talkgroups of a network; the first open starts it on a
  background thread with the system clock (the demo console), with the URL's ``seed``
  and ``baud`` if it gives them.

:func:`control` returns the typed :class:`~fakes.sim.SimControl` of a name's simulation
(behaviour, power, range, the cable), which runs each change on the simulation's own loop.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from fakes.sim import SimControl, Simulation

if TYPE_CHECKING:
    from fakes.plugin import SimHandle

SCHEME = "sim"


class SimUrlError(ValueError):
    """A ``sim://`` URL that names nothing, or asks for something unknown."""


@dataclass(frozen=True)
class SimUrl:
    name: str
    seed: int | None = None
    baud: int | None = None


@dataclass
class Definition:
    units: Sequence[Mapping[str, Any]]
    groups: Sequence[Mapping[str, Any]]
    gateway_issi: int
    seed: int = 1
    background_traffic: bool = True
    started: SimHandle | None = None
    """The background simulator once the first open started it."""
    lock: threading.Lock = field(default_factory=threading.Lock)


_registered: dict[str, Simulation] = {}
_defined: dict[str, Definition] = {}
_lock = threading.Lock()


def parse(url: str) -> SimUrl:
    """``sim://NAME?seed=N&baud=B`` (``sim:NAME`` too); unknown options are refused."""
    parts = urlsplit(url)
    if parts.scheme != SCHEME:
        raise SimUrlError(f"not a sim:// URL: {url!r}")
    name = (parts.netloc or parts.path).strip("/")
    if not name:
        raise SimUrlError(f"{url!r} names no simulation (write sim://demo)")
    options: dict[str, int] = {}
    for key, values in parse_qs(parts.query, keep_blank_values=True).items():
        if key not in ("seed", "baud"):
            raise SimUrlError(f"{url!r}: unknown option {key!r} (seed and baud are known)")
        try:
            options[key] = int(values[-1])
        except ValueError:
            raise SimUrlError(f"{url!r}: {key} must be a whole number") from None
    return SimUrl(name, options.get("seed"), options.get("baud"))


def register(name: str, simulation: Simulation) -> None:
    """Put a running simulation behind ``sim://name`` (replacing an earlier one)."""
    with _lock:
        _registered[name] = simulation


def unregister(name: str) -> None:
    with _lock:
        _registered.pop(name, None)


def define(
    name: str,
    units: Sequence[Mapping[str, Any]],
    groups: Sequence[Mapping[str, Any]],
    *,
    gateway_issi: int,
    seed: int = 1,
    background_traffic: bool = True,
) -> None:
    """Describe the network ``sim://name`` starts on its first open (replacing an earlier,
    not yet started definition)."""
    with _lock:
        old = _defined.get(name)
        if old is not None and old.started is not None:
            return  # the running network keeps serving; its definition is the same station
        _defined[name] = Definition(units, groups, gateway_issi, seed, background_traffic)


def stop(name: str) -> None:
    """Stop a background network started for ``name`` and forget the name."""
    with _lock:
        definition = _defined.pop(name, None)
        _registered.pop(name, None)
    if definition is not None and definition.started is not None:
        definition.started.stop()


def resolve(url: SimUrl) -> str:
    """The pty path of the simulation ``url`` names, starting a defined one if needed."""
    with _lock:
        running = _registered.get(url.name)
        definition = _defined.get(url.name)
    if running is not None:
        return running.url
    if definition is None:
        known = ", ".join(sorted({*_registered, *_defined})) or "none"
        raise SimUrlError(
            f"no simulation called {url.name!r} (known: {known}); the console starts the "
            "station's own when its gateway url is sim://NAME"
        )
    with definition.lock:
        if definition.started is None:
            from fakes.plugin import start_background

            definition.started = start_background(
                definition.units,
                definition.groups,
                gateway_issi=definition.gateway_issi,
                seed=definition.seed if url.seed is None else url.seed,
                baud=url.baud,
                background_traffic=definition.background_traffic,
            )
        return str(definition.started.url)


def control(name: str) -> SimControl:
    """The typed control of ``sim://name``'s simulation (running or started)."""
    with _lock:
        running = _registered.get(name)
        definition = _defined.get(name)
    if running is not None:
        return SimControl(running)
    if definition is not None and definition.started is not None:
        return definition.started.control()
    raise SimUrlError(f"no running simulation called {name!r}")

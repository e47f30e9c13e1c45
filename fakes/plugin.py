"""Entry points the console loads by name (``importlib.import_module("fakes.plugin")``).

``serve`` runs the simulator in the foreground (``dutydesk sim``); ``start_background``
runs it in a daemon thread with its own asyncio loop (demo console, integration tests on
real time).  Both use :class:`~drivers.clock.SystemClock`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from drivers.clock import SystemClock
from fakes.sim import SimControl, Simulation, start_simulation
from fakes.traffic import BackgroundTraffic
from fakes.trainer import TrainerError, apply, parse

T = TypeVar("T")


def _stamp(message: str) -> str:
    return f"{time.strftime('%H:%M:%S')} {message}"


def serve(
    units: Sequence[Mapping[str, Any]],
    groups: Sequence[Mapping[str, Any]],
    *,
    gateway_issi: int,
    seed: int = 1,
    tcp_port: int | None = None,
    baud: int | None = None,
    announce: Callable[[str], None] = print,
    background_traffic: bool = False,
) -> int:
    """Run the simulated network until Ctrl-C/SIGTERM; returns the exit code.

    ``announce`` gets the device path (pty symlink) or ``socket://`` URL before anything
    else is printed; then one line per notable event goes to stdout.
    """
    try:
        return asyncio.run(
            _serve(
                units,
                groups,
                gateway_issi=gateway_issi,
                seed=seed,
                tcp_port=tcp_port,
                baud=baud,
                announce=announce,
                background_traffic=background_traffic,
            )
        )
    except KeyboardInterrupt:
        return 0
    except (KeyError, TypeError, ValueError) as exc:
        print(
            f"simulator: bad unit/group list: {exc!r} (each unit needs an integer "
            f"'issi', each group an integer 'gssi')",
            file=sys.stderr,
        )
        return 2
    except OSError as exc:
        print(f"simulator: cannot open the simulated port: {exc}", file=sys.stderr)
        return 1


async def _serve(
    units: Sequence[Mapping[str, Any]],
    groups: Sequence[Mapping[str, Any]],
    *,
    gateway_issi: int,
    seed: int,
    tcp_port: int | None,
    baud: int | None,
    announce: Callable[[str], None],
    background_traffic: bool,
) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    early: list[str] = []
    announced = False

    def log(message: str) -> None:
        if announced:
            print(_stamp(message), flush=True)
        else:
            early.append(message)

    sim = await start_simulation(
        SystemClock(),
        units,
        groups,
        gateway_issi=gateway_issi,
        seed=seed,
        tcp_port=tcp_port,
        baud=baud,
        log=log,
    )
    announce(sim.url)
    sys.stdout.flush()
    announced = True
    for message in early:
        log(message)
    traffic = BackgroundTraffic(sim.network, seed=seed)
    if background_traffic:
        traffic.start()
    if commands_wanted():
        control = SimControl(sim)
        reader = threading.Thread(
            target=read_commands,
            args=(loop, lambda line: obey(line, control, log)),
            name="dutydesk-sim-commands",
            daemon=True,
        )
        reader.start()
    try:
        await stop.wait()
    finally:
        traffic.stop()
        await sim.close()
    log("simulator stopped")
    return 0


def commands_wanted() -> bool:
    """Read a trainer's commands on stdin unless that would steal a terminal from the
    foreground job (a background ``dutydesk sim &`` must not stop on SIGTTIN)."""
    stdin = sys.stdin
    if stdin is None or stdin.closed:
        return False
    try:
        fd = stdin.fileno()
        return not os.isatty(fd) or os.tcgetpgrp(fd) == os.getpgrp()
    except (OSError, ValueError):
        return False


def read_commands(loop: asyncio.AbstractEventLoop, handle: Callable[[str], None]) -> None:
    """Hand every stdin line to ``handle`` on ``loop`` (a thread: stdin blocks); EOF ends it."""
    with contextlib.suppress(OSError, ValueError, RuntimeError):
        for line in sys.stdin:
            loop.call_soon_threadsafe(handle, line)


def obey(line: str, control: SimControl, log: Callable[[str], None]) -> None:
    """One trainer's line (``fakes.trainer``): done and logged, or why not on stderr."""
    try:
        command = parse(line)
        if command is not None:
            log(apply(command, control))
    except TrainerError as exc:
        print(f"simulator: {exc}", file=sys.stderr, flush=True)


class SimHandle:
    """A simulator running in a daemon thread; ``call`` runs code in its loop."""

    def __init__(self) -> None:
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sim: Simulation | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None

    def call(self, fn: Callable[[Simulation], T], timeout: float = 10.0) -> T:
        """Run ``fn(simulation)`` in the simulator's loop and return its result."""
        loop, sim = self._loop, self._sim
        if loop is None or sim is None:
            raise RuntimeError("simulator is not running")

        async def run() -> T:
            return fn(sim)

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout)

    def control(self) -> SimControl:
        """The typed control of this simulator; every change runs on its loop."""
        if self._sim is None:
            raise RuntimeError("simulator is not running")
        return SimControl(self._sim, self.call)

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and loop.is_running():
            loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = self._sim = None


def start_background(
    units: Sequence[Mapping[str, Any]],
    groups: Sequence[Mapping[str, Any]],
    *,
    gateway_issi: int,
    seed: int = 1,
    baud: int | None = None,
    background_traffic: bool = True,
    log: Callable[[str], None] | None = None,
) -> SimHandle:
    """Start the simulator in a daemon thread; returns once ``handle.url`` can be opened."""
    handle = SimHandle()
    ready = threading.Event()
    failure: list[BaseException] = []

    async def main() -> None:
        handle._loop = asyncio.get_running_loop()
        handle._stop = asyncio.Event()
        try:
            sim = await start_simulation(
                SystemClock(),
                units,
                groups,
                gateway_issi=gateway_issi,
                seed=seed,
                baud=baud,
                log=log,
            )
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            return
        handle._sim = sim
        handle.url = sim.url
        traffic = BackgroundTraffic(sim.network, seed=seed)
        if background_traffic:
            traffic.start()
        ready.set()
        try:
            await handle._stop.wait()
        finally:
            traffic.stop()
            await sim.close()

    thread = threading.Thread(target=lambda: asyncio.run(main()), name="dutydesk-sim", daemon=True)
    handle._thread = thread
    thread.start()
    ready.wait(10)
    if failure:
        raise failure[0]
    return handle

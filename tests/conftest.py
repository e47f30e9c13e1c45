"""Shared pytest setup: station-file helpers and the hardware-in-the-loop switches.

Tests marked ``hil`` talk to real equipment on the bench; they run only when the
technician names that equipment (``--hil-gateway /dev/ttyUSB0`` and/or
``--hil-speaker 192.168.1.50:5004``) and are skipped otherwise, so CI never needs a radio.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.factories import Reaped

if TYPE_CHECKING:  # the rigs are imported by the fixtures that use them: collection stays quick
    from console.runtime import Runtime
    from drivers.clock import VirtualClock
    from fakes.speaker import FakeSpeaker
    from tests.factories import OpenFaultRig, OpenRuntime, StartSpeaker
    from tests.reliability.reliability_harness import FaultRig
    from tests.rig import OpenRig, Rig
    from tests.tui.harness import LoopSimulator


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hil", "hardware-in-the-loop")
    group.addoption("--hil-gateway", metavar="URL", help="real gateway (device path or URL)")
    group.addoption("--hil-speaker", metavar="HOST:PORT", help="real IP loudspeaker")
    soak = parser.getgroup("soak", "reliability soak")
    soak.addoption(
        "--soak",
        action="store_true",
        default=False,
        help="run the fault and fuzz suites (tests/reliability) at soak size, not CI size",
    )
    # The bench radio set-up (docs/bench.md); used by tests/hil/.
    group.addoption("--hil-baud", type=int, metavar="N", help="gateway PEI baud (default: dialect)")
    group.addoption("--hil-dialect", default="etsi", metavar="D", help="dialect table (etsi)")
    group.addoption("--hil-unit", type=int, metavar="ISSI", help="the test radio's ISSI")
    group.addoption("--hil-group", type=int, metavar="GSSI", help="talkgroup for the call test")
    group.addoption(
        "--hil-interactive",
        action="store_true",
        help="prompt the technician for radio-side actions (send status 8002 from the radio ...)",
    )
    group.addoption(
        "--hil-timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds to wait for the radio network / the technician (default 60)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--hil-gateway") or config.getoption("--hil-speaker"):
        return
    skip = pytest.mark.skip(reason="hardware test: pass --hil-gateway/--hil-speaker to run")
    for item in items:
        # The marker, not ``"hil" in item.keywords``: keywords also hold folder names, and
        # the simulator half of tests/hil/ must run in CI.
        if item.get_closest_marker("hil") is not None:
            item.add_marker(skip)


@pytest.fixture
def hil_gateway(request: pytest.FixtureRequest) -> str:
    """The bench gateway URL; skips the test when none was given."""
    value = request.config.getoption("--hil-gateway")
    if not value:
        pytest.skip("no --hil-gateway given")
    return str(value)


@pytest.fixture
def hil_speaker(request: pytest.FixtureRequest) -> str:
    """The bench loudspeaker HOST:PORT; skips the test when none was given."""
    value = request.config.getoption("--hil-speaker")
    if not value:
        pytest.skip("no --hil-speaker given")
    return str(value)


@pytest.fixture
def write_station(tmp_path: Path) -> Callable[[str], Path]:
    """Write TOML text to ``<tmp>/station.toml`` and return the path."""

    def write(text: str, name: str = "station.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_demo_station(write_station: Callable[[str], Path]) -> Callable[[int], Path]:
    """``write_demo_station(port)``: the demo station file as shipped, written to
    ``<tmp>/station.toml`` with every loudspeaker moved to ``port`` (a fake one)."""
    import re
    from importlib import resources

    def write(speaker_port: int) -> Path:
        text = resources.files("console.data").joinpath("demo_station.toml").read_text("utf-8")
        return write_station(re.sub(r"(?m)^port = \d+$", f"port = {speaker_port}", text))

    return write


@pytest.fixture
def soak(request: pytest.FixtureRequest) -> bool:
    """True when ``--soak`` was given: reliability suites run many more seeds/examples."""
    return bool(request.config.getoption("--soak"))


@pytest.fixture(autouse=True)
def own_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own per-user data, config, log and runtime folders, so nothing
    writes the technician's real log or attaches to a station service running on this
    PC, and no test picks up this PC's station file (``$DUTYDESK_CONFIG``, the user's or
    the system's config folder) in place of the demo.  The runtime folder is short (Unix
    socket paths are limited to ~107 bytes)."""
    run = Path(tempfile.mkdtemp(prefix="dd-"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg-config-system"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.delenv("DUTYDESK_CONFIG", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    yield
    shutil.rmtree(run, ignore_errors=True)


@pytest.fixture
def radios() -> Iterator[Any]:
    """The demo station's simulated gateway and radios in this process (on a pty): a test
    points a real service or console at ``radios.url`` and presses a radio's keys with
    ``radios.call(lambda sim: sim.radio(2003).send_status(0))``."""
    from console.config import demo_station
    from console.simulator import gateway_issi, station_groups, station_units
    from fakes.plugin import start_background

    st = demo_station()
    handle = start_background(
        station_units(st), station_groups(st), gateway_issi=gateway_issi(st),
        background_traffic=False,
    )  # fmt: skip
    yield handle
    handle.stop()


@pytest.fixture
async def open_rig() -> AsyncIterator[OpenRig]:
    """``await open_rig(**make_rig_options)``: a link + gateway on the simulated network
    (:func:`tests.rig.make_rig`), closed after the test, newest first."""
    from tests.rig import make_rig

    async with contextlib.AsyncExitStack() as stack:

        async def open_(*args: Any, **kwargs: Any) -> Rig:
            return await stack.enter_async_context(await make_rig(*args, **kwargs))

        yield open_


@pytest.fixture
async def rig(open_rig: OpenRig) -> Rig:
    """The default rig (five demo units, link up), closed after the test."""
    return await open_rig()


@pytest.fixture
def reaped() -> Iterator[Reaped]:
    """Register the processes a test starts (``reaped(Popen(...))``); any still running
    after the test is killed."""
    reaper = Reaped()
    yield reaper
    reaper.reap()


@pytest.fixture
async def start_speaker() -> AsyncIterator[StartSpeaker]:
    """``await start_speaker(port, **options)``: a :class:`FakeSpeaker` listening on
    loopback; every one started is closed after the test."""
    from fakes.speaker import FakeSpeaker

    async with contextlib.AsyncExitStack() as stack:

        async def start(*args: Any, **kwargs: Any) -> FakeSpeaker:
            return await stack.enter_async_context(FakeSpeaker(*args, **kwargs))

        yield start


@pytest.fixture
async def open_fault_rig() -> AsyncIterator[OpenFaultRig]:
    """``await open_fault_rig(db, seed=..., **options)``: the reliability rig (paging engine
    on a recorded simulated network, :func:`make_fault_rig`), closed after the test."""
    from tests.reliability.reliability_harness import make_fault_rig

    async with contextlib.AsyncExitStack() as stack:

        async def open_(*args: Any, **kwargs: Any) -> FaultRig:
            return await stack.enter_async_context(await make_fault_rig(*args, **kwargs))

        yield open_


@pytest.fixture
async def open_runtime(tmp_path: Path) -> AsyncIterator[OpenRuntime]:
    """``open_runtime(**options)``: a :class:`Runtime` on a small simulated station in this
    loop (:func:`tests.tui.harness.make_runtime`, its log in ``tmp_path``), not yet started;
    closed after the test.  Returns ``(runtime, clock, simulator)``."""
    from tests.tui.harness import make_runtime

    async with contextlib.AsyncExitStack() as stack:

        def open_(**kwargs: Any) -> tuple[Runtime, VirtualClock, LoopSimulator]:
            made = make_runtime(tmp_path, **kwargs)
            stack.push_async_callback(made[0].close)
            return made

        yield open_

"""The "bench": what a scenario runs against -- the simulated network or real hardware.

Scenarios in :mod:`hil_scenarios` are written once against the :class:`Bench` protocol.
:class:`SimBench` wraps ``tests/rig.py`` (production link over a pty, virtual time), so the
CI run proves the scenario code itself; :class:`HardwareBench` opens the gateway named by
``--hil-gateway`` with the same production link on real time.

The two differ only where the world differs:

* waiting: the simulator advances virtual time; hardware waits (bounded) on real I/O;
* the radio side: the simulator makes the test radio act; on hardware a person must press
  the buttons, so with ``--hil-interactive`` the technician is prompted ("send status 8002
  from the test radio now") and the test waits up to ``--hil-timeout``; without it those
  tests are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import pytest

from drivers.clock import Clock, SystemClock
from drivers.gateway import Gateway
from drivers.link import LinkState, LinkStateChanged, PeiLink
from drivers.pei.dialect import load_dialect
from drivers.pei.events import PeiEvent
from tests.rig import GATEWAY_ISSI, Rig, make_rig

E = TypeVar("E", bound=PeiEvent)
T = TypeVar("T")

SIM_UNIT = 2001  # behaviour "status": delivers, reports, answers a page with 8002...
SIM_GROUP = 9001
INTERACTIVE_HINT = "needs the technician at the test radio: run with --hil-interactive"


@dataclass(frozen=True)
class HilOptions:
    """The ``--hil-*`` command-line options (tests/conftest.py)."""

    gateway: str | None
    speaker: str | None
    baud: int | None
    dialect: str
    unit: int | None
    group: int | None
    interactive: bool
    timeout: float

    @classmethod
    def from_config(cls, config: pytest.Config) -> HilOptions:
        get = config.getoption
        return cls(
            gateway=get("--hil-gateway"),
            speaker=get("--hil-speaker"),
            baud=get("--hil-baud"),
            dialect=get("--hil-dialect") or "etsi",
            unit=get("--hil-unit"),
            group=get("--hil-group"),
            interactive=bool(get("--hil-interactive")),
            timeout=float(get("--hil-timeout") or 60.0),
        )


class Bench(Protocol):
    """What a scenario may use."""

    kind: str
    gateway: Gateway
    clock: Clock
    events: list[PeiEvent]
    expected_identity: str | None  # the gateway's own ISSI, when known

    @property
    def network_time(self) -> float:
        """How long the radio network may take to answer (virtual or real seconds)."""

    @property
    def radio_can_act(self) -> bool:
        """Whether the radio side can be made to act (simulator, or a technician)."""

    @property
    def link(self) -> PeiLink: ...

    def unit(self) -> int: ...
    def group(self) -> int: ...
    def of(self, kind: type[E]) -> list[E]: ...
    async def wait_for(self, predicate: Callable[[], bool], seconds: float, what: str) -> None: ...
    async def run(self, coro: Awaitable[T], seconds: float = 30.0) -> T: ...
    async def radio_sends_status(self, value: int) -> None: ...
    async def radio_sends_text(self, text: str) -> None: ...
    async def close(self) -> None: ...


class SimBench:
    """The simulated network (tests/rig.py): virtual time, the radio acts on request."""

    kind = "sim"

    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self.gateway = rig.gateway
        self.clock: Clock = rig.clock
        self.events = rig.events
        self.expected_identity: str | None = str(GATEWAY_ISSI)

    @classmethod
    async def start(cls) -> SimBench:
        return cls(await make_rig())

    @property
    def network_time(self) -> float:
        return 60.0

    @property
    def link(self) -> PeiLink:
        link: PeiLink = self.rig.link
        return link

    @property
    def radio_can_act(self) -> bool:
        return True

    def unit(self) -> int:
        return SIM_UNIT

    def group(self) -> int:
        return SIM_GROUP

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, predicate: Callable[[], bool], seconds: float, what: str) -> None:
        if predicate():
            return
        ok = await self.rig.clock.run_until(predicate, limit=seconds, step=0.5)
        assert ok, f"sim: {what} not seen within {seconds:g} virtual seconds"

    async def run(self, coro: Awaitable[T], seconds: float = 30.0) -> T:
        task = asyncio.ensure_future(coro)
        await self.wait_for(task.done, seconds, "operation finished")
        return task.result()

    async def radio_sends_status(self, value: int) -> None:
        self.rig.sim.radio(SIM_UNIT).send_status(value)

    async def radio_sends_text(self, text: str) -> None:
        self.rig.sim.radio(SIM_UNIT).send_text(text)

    async def close(self) -> None:
        await self.rig.close()


@dataclass
class HardwareBench:
    """The real gateway on the bench, on real time; the technician plays the radio side."""

    options: HilOptions
    link_: PeiLink
    gateway: Gateway
    say: Callable[[str], None]
    clock: Clock = field(default_factory=SystemClock)
    events: list[PeiEvent] = field(default_factory=list)
    kind: str = "hardware"
    expected_identity: str | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def network_time(self) -> float:
        return self.options.timeout

    @classmethod
    async def start(cls, options: HilOptions, say: Callable[[str], None]) -> HardwareBench:
        assert options.gateway
        clock = SystemClock()
        link = PeiLink(
            options.gateway,
            dialect=load_dialect(options.dialect),
            baud=options.baud,
            clock=clock,
            reconnect=False,
        )
        bench = cls(options, link, Gateway(link), say, clock)
        bench.gateway.subscribe(bench._on_event)
        await link.start()
        await bench.wait_for(
            lambda: link.state in (LinkState.UP, LinkState.DOWN), 20.0, "gateway link up"
        )
        if link.state is not LinkState.UP:
            await link.close()
            pytest.fail(
                f"bench gateway {options.gateway} did not come up: {link.last_error}; "
                "run `dutydesk doctor --gateway ...` (docs/bench.md)"
            )
        return bench

    def _on_event(self, event: PeiEvent) -> None:
        self.events.append(event)
        self._changed.set()

    @property
    def link(self) -> PeiLink:
        return self.link_

    @property
    def radio_can_act(self) -> bool:
        return self.options.interactive

    def unit(self) -> int:
        if self.options.unit is None:
            pytest.skip("no --hil-unit ISSI of the test radio given")
        return self.options.unit

    def group(self) -> int:
        if self.options.group is None:
            pytest.skip("no --hil-group GSSI given for the group call test")
        return self.options.group

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, predicate: Callable[[], bool], seconds: float, what: str) -> None:
        """Bounded real-time wait: woken by every event, re-checked at least every 0.1 s
        (paging rungs arrive through the event log, not as gateway events)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while not predicate():
            remaining = end - loop.time()
            assert remaining > 0, f"hardware: {what} not seen within {seconds:g} s"
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(0.1, remaining))

    async def run(self, coro: Awaitable[T], seconds: float = 30.0) -> T:
        return await asyncio.wait_for(coro, seconds)

    def _ask(self, request: str) -> None:
        if not self.options.interactive:
            pytest.skip(f"{INTERACTIVE_HINT} (it would ask: {request})")
        self.say(f"\n>>> TECHNICIAN: {request} (waiting up to {self.options.timeout:g} s)")

    async def radio_sends_status(self, value: int) -> None:
        self._ask(f"send status {value:04X} from the test radio (ISSI {self.unit()}) now")

    async def radio_sends_text(self, text: str) -> None:
        self._ask(f"send a text message '{text}' from the test radio (ISSI {self.unit()}) now")

    async def close(self) -> None:
        await self.link_.close()


@contextlib.contextmanager
def terminal(config: pytest.Config) -> Iterator[Callable[[str], None]]:
    """Print to the real terminal even while pytest captures output (prompts)."""
    capman: Any = config.pluginmanager.getplugin("capturemanager")

    def say(text: str) -> None:
        if capman is not None:
            with capman.global_and_fixture_disabled():
                print(text, flush=True)
        else:
            print(text, flush=True)

    yield say


def link_states(bench: Bench) -> list[LinkState]:
    return [e.state for e in bench.of(LinkStateChanged)]

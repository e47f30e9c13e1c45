"""Parts plugged into the runtime with ``add``: only a declared :class:`Service` lives with it.

The reported bug: ``runtime.add("broadcast", engine)`` made ``Runtime.start()`` fail,
because ``add`` called ``start()`` on whatever it got and ``BroadcastEngine.start`` starts
a *broadcast*.  These run the real runtime on virtual time with no gateway at all (the
"simulator" refuses to start, so the link never comes up and nothing else happens).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.broadcast import BroadcastEngine
from console.config import Station, demo_station
from console.errors import SimulatorUnavailable
from console.eventlog import EventLog, kinds
from console.eventlog.errors import LogClosed
from console.runtime import Runtime, Service
from console.runtime.services import close_services, lifecycled, start_services
from drivers.clock import VirtualClock
from drivers.link import LinkState


class NoSimulator:
    """A launcher whose simulator never starts: the runtime runs without a gateway."""

    async def launch(self, station: Station) -> str:
        raise SimulatorUnavailable("no simulator in this test")

    async def stop(self) -> None:
        pass


class Recorder(Service):
    """A service that writes down when it is started and closed."""

    def __init__(self, name: str, calls: list[str], *, fail_close: bool = False) -> None:
        self.name = name
        self.calls = calls
        self.fail_close = fail_close

    async def start_service(self) -> None:
        self.calls.append(f"start {self.name}")

    async def close_service(self) -> None:
        self.calls.append(f"close {self.name}")
        if self.fail_close:
            raise RuntimeError("cannot close")


class LooksLikeAService:
    """``start``/``close`` of its own, but not the runtime's life cycle: never called."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def start(self) -> None:
        self.calls.append("start")

    async def close(self) -> None:
        self.calls.append("close")


def make_runtime(tmp_path: Path) -> Runtime:
    return Runtime(
        demo_station(),
        gateway_url="sim://test",
        db_path=tmp_path / "events.db",
        clock=VirtualClock(),
        operator="张警官",
        simulator=NoSimulator(),
        log_background=False,
        signal_every=None,
        voice=False,
    )


async def test_the_broadcast_engine_can_be_registered_and_the_runtime_still_starts(
    tmp_path: Path,
) -> None:
    runtime = make_runtime(tmp_path)
    runtime.add("broadcast", runtime.broadcast)
    await runtime.start()
    try:  # kept: the test asserts what close() leaves (the link down) after it
        assert runtime.services["broadcast"] is runtime.broadcast
        assert isinstance(runtime.services["broadcast"], BroadcastEngine)
        assert runtime.broadcast.active() == []  # registering it played nothing
        assert (runtime.notice or "").startswith("no simulator in this test")
        assert runtime.link_status.detail == runtime.notice
    finally:
        await runtime.close()
    assert runtime.link.state is not LinkState.UP


async def test_a_second_broadcast_engine_is_only_registered(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path)
    engine = BroadcastEngine(runtime.station, runtime.clock, runtime.log, runtime.book)
    runtime.add("broadcast", engine)
    await runtime.start()
    await runtime.close()
    assert engine.active() == []


async def test_services_start_in_order_before_the_link_and_close_newest_first(
    tmp_path: Path,
) -> None:
    calls: list[str] = []
    runtime = make_runtime(tmp_path)
    runtime.add("first", Recorder("first", calls))
    runtime.add("plain", LooksLikeAService())
    runtime.add("second", Recorder("second", calls))
    await runtime.start()
    assert calls == ["start first", "start second"]
    await runtime.close()
    assert calls == ["start first", "start second", "close second", "close first"]


async def test_start_and_close_of_a_part_that_is_no_service_are_not_called(
    tmp_path: Path,
) -> None:
    part = LooksLikeAService()
    runtime = make_runtime(tmp_path)
    runtime.add("voice", part)
    await runtime.start()
    await runtime.close()
    assert part.calls == []
    assert runtime.services["voice"] is part


async def test_a_service_failing_to_close_does_not_keep_the_others_or_the_log_open(
    tmp_path: Path,
) -> None:
    calls: list[str] = []
    runtime = make_runtime(tmp_path)
    runtime.add("a", Recorder("a", calls))
    runtime.add("b", Recorder("b", calls, fail_close=True))
    await runtime.start()
    await runtime.close()
    assert calls[-2:] == ["close b", "close a"]
    with pytest.raises(LogClosed):  # closed, last of all
        list(runtime.log.query())
    with EventLog.open_readonly(tmp_path / "events.db") as log:
        assert kinds.OPERATOR_LOGOUT in [r.kind for r in log.query()]


def test_only_declared_services_have_a_life_cycle() -> None:
    calls: list[str] = []
    service = Recorder("s", calls)
    parts: dict[str, object] = {"plain": LooksLikeAService(), "s": service, "n": None}
    assert lifecycled(parts) == [service]
    assert not isinstance(LooksLikeAService(), Service)


async def test_a_service_failing_to_start_stops_the_start() -> None:
    class Broken(Recorder):
        async def start_service(self) -> None:
            raise RuntimeError("no")

    calls: list[str] = []
    parts: dict[str, object] = {"broken": Broken("b", calls), "next": Recorder("n", calls)}
    with pytest.raises(RuntimeError):
        await start_services(parts)
    assert calls == []
    await close_services(parts)
    assert calls == ["close n", "close b"]

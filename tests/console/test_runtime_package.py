"""``console.runtime`` is a package now; what importers use is still importable from it."""

from __future__ import annotations

from datetime import UTC, datetime

import console.runtime as runtime_pkg
from console.ids import IdMaker
from drivers.clock import VirtualClock


def test_the_names_importers_use_are_re_exported() -> None:
    from console.runtime import (  # noqa: F401
        BUSY_BATCH,
        BatchListener,
        Runtime,
        Service,
        SimulatorLauncher,
        ThreadedSimulator,
        default_db_path,
    )

    assert set(runtime_pkg.__all__) >= {"Runtime", "ThreadedSimulator"}
    for name in runtime_pkg.__all__:
        assert hasattr(runtime_pkg, name), name
    # reached by the TUI tests and the TUI benchmark
    assert isinstance(Runtime.__dict__["_simulator"], property)
    assert callable(Runtime._on_radio)


def _clock_at(when: datetime) -> VirtualClock:
    return VirtualClock(epoch=when.timestamp())


def test_ids_are_wall_time_in_the_consoles_zone() -> None:
    ids = IdMaker(_clock_at(datetime(2026, 1, 1, 8, 0, 0, tzinfo=UTC)), UTC)
    assert ids.page_id() == "P20260101-080000-001"
    assert ids.page_id() == "P20260101-080000-002"
    assert ids.new_id("B", sequence=True) == "B20260101-080000-001"
    assert ids.new_id("RC") == "RC20260101-080000"
    assert ids.new_id("RC", taken={"RC20260101-080000"}) == "RC20260101-080000-2"
    assert ids.new_id("RC", taken={"RC20260101-080000", "RC20260101-080000-2"}) == (
        "RC20260101-080000-3"
    )

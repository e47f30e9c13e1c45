"""Fixtures for the simulator tests (helpers live in ``simhelpers``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from drivers.clock import VirtualClock
from fakes.sim import Simulation
from tests.fakes.simhelpers import TE, make_sim


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def sim(clock: VirtualClock) -> AsyncIterator[Simulation]:
    s = await make_sim(clock)
    yield s
    await s.close()


@pytest.fixture
async def te(sim: Simulation) -> AsyncIterator[TE]:
    t = TE(sim.url)
    yield t
    t.close()

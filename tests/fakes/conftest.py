"""Fixtures for the simulator tests (helpers live in ``simhelpers``).

``open_sim`` and ``open_te`` are factories for tests that need their own options or more
than one; whatever they opened is closed after the test (terminals before simulations)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from drivers.clock import VirtualClock
from fakes.sim import Simulation
from tests.fakes.simhelpers import TE, OpenSim, OpenTe, make_sim


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def open_sim(clock: VirtualClock) -> AsyncIterator[OpenSim]:
    """``await open_sim(**make_sim_options)``: a simulation on the test's ``clock``."""
    async with contextlib.AsyncExitStack() as stack:

        async def open_(**kwargs: Any) -> Simulation:
            s = await make_sim(clock, **kwargs)
            stack.push_async_callback(s.close)
            return s

        yield open_


@pytest.fixture
async def open_te(open_sim: OpenSim) -> AsyncIterator[OpenTe]:
    """``open_te(url)``: a pyserial terminal on a simulation's port, read on the test's loop
    (after ``open_sim``, so it is closed before the simulations)."""
    with contextlib.ExitStack() as stack:
        yield lambda url: stack.enter_context(contextlib.closing(TE(url)))


@pytest.fixture
async def sim(open_sim: OpenSim) -> Simulation:
    return await open_sim()


@pytest.fixture
async def te(sim: Simulation, open_te: OpenTe) -> TE:
    return open_te(sim.url)

"""Fixtures shared by the console tests: the paging rig (engine + real link + simulated
network, :mod:`tests.console.test_paging_rig`) and an event log on a virtual clock."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from console.eventlog import EventLog
from console.incidents import IncidentBook
from drivers.clock import Clock
from tests.console.eventlogs import OpenLog, open_event_log
from tests.console.test_paging_rig import OpenPagingRig, PagingRig, make_paging_rig


@pytest.fixture
async def open_paging_rig(tmp_path: Path) -> AsyncIterator[OpenPagingRig]:
    """``await open_paging_rig(units, behaviours, **options)``: closed after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def open_(*args: Any, **kwargs: Any) -> PagingRig:
            prig = await make_paging_rig(tmp_path, *args, **kwargs)
            stack.push_async_callback(prig.close)
            return prig

        yield open_


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "events.db"


@pytest.fixture
def open_log(db: Path) -> Iterator[OpenLog]:
    """``open_log(clock)``: the event log at ``db`` on that clock, committed in the
    foreground (the test flushes); closed after the test.  Opening it again on a new clock
    is a restart of the console."""
    with contextlib.ExitStack() as stack:

        def open_(clock: Clock) -> EventLog:
            return stack.enter_context(open_event_log(db, clock))

        yield open_


@pytest.fixture
def log(open_log: OpenLog, clock: Clock) -> EventLog:
    """The event log on the module's ``clock`` fixture."""
    return open_log(clock)


@pytest.fixture
def book(clock: Clock, log: EventLog) -> IncidentBook:
    return IncidentBook(clock, log)

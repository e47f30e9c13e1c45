"""Screenshots of the main screen (pytest-textual-snapshot), in zh-CN and English.

Deterministic by construction: the runtime and the simulator share a VirtualClock with a
fixed epoch (2026-01-01 08:00 CST), the simulator a fixed seed and fixed per-unit
behaviours, the status bar shows virtual time in a fixed zone, and the app runs with no
live refresh timer.  Update with ``pytest tests/tui --snapshot-update`` after a
deliberate change of the screen, and look at the report before committing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from console.paging.selection import build_request
from console.tui.app import DutyDeskApp
from fakes.behaviour import Behaviour

from .harness import advance, make_app, until_up

LANGS = ("zh-CN", "en")
Steps = Callable[[Pilot[Any]], Awaitable[None]]


def _app(pilot: Pilot[Any]) -> DutyDeskApp:
    app = pilot.app
    assert isinstance(app, DutyDeskApp)
    return app


async def idle_with_traffic(pilot: Pilot[Any]) -> None:
    app = _app(pilot)
    await until_up(app)
    sim = app.runtime._simulator.sim  # type: ignore[union-attr]
    sim.radio(2002).send_text("收到，已在岗")
    sim.radio(2003).key_up(9001, 20.0)
    await advance(app, 3.0)


async def mid_page(pilot: Pilot[Any]) -> None:
    app = _app(pilot)
    await until_up(app)
    runtime = app.runtime
    request = build_request(
        runtime.station, ["学校组"], text="XX路发生交通事故，附近队员立即前往处置"
    )
    runtime.page(request)
    await advance(app, 70.0)  # past the 1-minute target: two are late, one is off


async def alarm(pilot: Pilot[Any]) -> None:
    app = _app(pilot)
    await until_up(app)
    sim = app.runtime._simulator.sim  # type: ignore[union-attr]
    sim.radio(2004).send_status(0)
    await arrived(app, 1)
    await advance(app, 0.5)
    sim.radio(2006).send_text("烟感报警 3号楼配电间")
    await arrived(app, 2)
    await advance(app, 1.0)


async def arrived(app: DutyDeskApp, count: int, limit: float = 10.0) -> None:
    """Wait in real time, with virtual time standing still, for ``count`` alarms.

    The radio's bytes need no virtual time to cross the pty, only real time; letting
    virtual time run meanwhile (as a loaded CI machine did) stamped the smoke alarm later
    and the snapshot's "最近" column read 0s instead of 1s."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while len(app.runtime.alarms.unacknowledged()) < count:
        assert loop.time() < end, f"{count} alarm(s) did not reach the board in {limit} s"
        await asyncio.sleep(0.005)


BEHAVIOURS = {2004: Behaviour.never(), 2007: Behaviour.never(), 2008: Behaviour.switched_off()}
CASES: dict[str, tuple[tuple[int, int], Steps, dict[str, Any]]] = {
    "main_80x24": ((80, 24), idle_with_traffic, {}),
    "main_160x48": ((160, 48), idle_with_traffic, {"units": 30}),
    "board_mid_page": ((100, 30), mid_page, {"behaviours": BEHAVIOURS}),
    "alarm_80x24": ((80, 24), alarm, {}),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", list(CASES))
def test_main_snapshot(snap_compare: Any, tmp_path: Path, case: str, lang: str) -> None:
    """The main screen in each situation and language looks as recorded."""
    size, steps, kwargs = CASES[case]
    app = make_app(tmp_path, lang=lang, **kwargs)
    assert snap_compare(app, terminal_size=size, run_before=steps)

"""Screenshots of the page screen and of an incident's timeline, in zh-CN and English.

Deterministic like the main screen's (``test_main_snapshots``): virtual clock with a fixed
epoch and zone, fixed simulator seed and behaviours, no live refresh timer, toasts
cleared before the shot, focus on a list (no blinking text cursor).  Update with
``pytest tests/tui/test_screens_snapshots.py --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from console.paging.selection import build_request
from console.tui.app import DutyDeskApp
from console.tui.screens.incidents import IncidentsScreen
from console.tui.screens.page import PageScreen
from fakes.behaviour import Behaviour

from .harness import advance, make_app, settle_screen, until_up

LANGS = ("zh-CN", "en")
Steps = Callable[[Pilot[Any]], Awaitable[None]]


def _app(pilot: Pilot[Any]) -> DutyDeskApp:
    app = pilot.app
    assert isinstance(app, DutyDeskApp)
    return app


async def page_composed(pilot: Pilot[Any]) -> None:
    """F2, type 学校 in the filter, pick two units and the school group, a template."""
    app = _app(pilot)
    await until_up(app)
    await pilot.press("f2")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, PageScreen)
    for ch in "学校":
        await pilot.press(ch)
    await pilot.pause()
    screen.select(["u:2001", "u:2002", "g:学校组"])
    screen.use_template("accident")
    screen.query_one("#page-targets").focus()
    await pilot.pause()
    assert screen.query_one("#page-text", Input).value
    app.clear_notifications()
    await pilot.pause()


async def incident_timeline(pilot: Pilot[Any]) -> None:
    """An incident paged, answered, noted and moved along; F4 shows its timeline."""
    app = _app(pilot)
    await until_up(app)
    runtime = app.runtime
    book = runtime.book
    inc = book.open_incident(
        "traffic", "滨江路交通事故", operator="张警官", priority="urgent", location="滨江路"
    )
    request = build_request(
        runtime.station, ["2001", "2002", "2004"], text="XX路发生交通事故，附近队员立即前往处置"
    )
    runtime.page(request, incident_id=inc.id)
    await advance(app, 12.0)
    book.transition(inc.id, "handling", operator="张警官", note="巡逻组已到场")
    book.add_note(inc.id, "伤者已送医", operator="张警官")
    await advance(app, 1.0)
    await pilot.press("f4")
    await pilot.pause()
    assert isinstance(app.screen, IncidentsScreen)
    await settle_screen(app)
    app.clear_notifications()
    await pilot.pause()


CASES: dict[str, tuple[tuple[int, int], Steps, dict[str, Any]]] = {
    "page_100x30": ((100, 30), page_composed, {"units": 12}),
    "page_80x24": ((80, 24), page_composed, {"units": 12}),
    "incident_timeline_120x32": (
        (120, 32),
        incident_timeline,
        {"units": 4, "behaviours": {2004: Behaviour.never()}},
    ),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", list(CASES))
def test_screen_snapshot(snap_compare: Any, tmp_path: Path, case: str, lang: str) -> None:
    """The page screen and the incident timeline look as recorded."""
    size, steps, kwargs = CASES[case]
    app = make_app(tmp_path, lang=lang, **kwargs)
    assert snap_compare(app, terminal_size=size, run_before=steps)

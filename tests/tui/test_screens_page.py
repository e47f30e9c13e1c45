"""The F2 page screen against the simulated network, through the Runtime, on virtual time.

Filter by typing (Chinese alias, ISSI), multi-select units and a group, pick a prepared
message, confirm, send -- and the page is in the engine, on the response board, and its
``AT+CMGS`` went over the pty to the fake gateway (the link's wire trace shows it).
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from console.tui.app import DutyDeskApp
from console.tui.screens.page import PageScreen
from console.tui.widgets.board import ResponseBoard
from console.tui.widgets.dialogs import ConfirmDialog
from drivers.clock import VirtualClock
from drivers.link import WireTrace

from .harness import advance, make_app, screen_text, until_up

ACCIDENT = "XX路发生交通事故，附近队员立即前往处置"


def traced(app: DutyDeskApp) -> WireTrace:
    """Record every byte between the console's link and the fake gateway."""
    clock = app.runtime.clock
    assert isinstance(clock, VirtualClock)
    trace = WireTrace(clock)
    app.runtime.link.trace = trace
    return trace


def sent_lines(trace: WireTrace) -> list[str]:
    data = b"".join(r.data for r in trace.records if r.direction == "tx")
    text = data.decode("latin-1").replace("\x1a", "\r").replace("\n", "\r")
    return [line for line in text.split("\r") if line]


async def type_text(pilot: Pilot[None], text: str) -> None:
    for ch in text:
        await pilot.press(ch)


async def open_page(app: DutyDeskApp, pilot: Pilot[None]) -> PageScreen:
    await until_up(app)
    await pilot.press("f2")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, PageScreen)
    return screen


async def filter_and_pick(pilot: Pilot[None], screen: PageScreen, query: str) -> None:
    """Type ``query`` in the filter (focused first), Enter to the list, Space on row 1."""
    field = screen.query_one("#page-filter", Input)
    field.focus()
    field.value = ""
    await type_text(pilot, query)
    await pilot.press("enter")
    await pilot.press("space")
    await pilot.pause()


async def test_filter_multiselect_template_confirm_and_send(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=12)
    async with app.run_test(size=(100, 30)) as pilot:
        trace = traced(app)
        screen = await open_page(app, pilot)
        await filter_and_pick(pilot, screen, "星海")  # a Chinese alias
        await filter_and_pick(pilot, screen, "2002")  # an ISSI
        await filter_and_pick(pilot, screen, "学校组")  # a talkgroup
        assert screen.selected == {"u:2001", "u:2002", "g:学校组"}
        # Tab to the prepared messages, pick the second (traffic accident).
        screen.query_one("#page-templates").focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.query_one("#page-text", Input).value == ACCIDENT
        request = screen.build()
        assert request is not None and request.talkgroups == (9011,)
        count = len(request.recipients)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        shown = screen_text(app)
        assert f"向 {count} 个单元发送" in shown and ACCIDENT in shown
        await pilot.press("enter")
        await advance(app, 3.0)
        assert not isinstance(app.screen, PageScreen | ConfirmDialog)  # back on the main screen
        view = app.runtime.current_page()
        assert view is not None and view.text == ACCIDENT
        assert {r.issi for r in view.responders} >= {2001, 2002}
        assert len(view.responders) == count
        board = app.query_one(ResponseBoard)
        assert board.view is not None and board.view.page_id == view.page_id
        await advance(app, 12.0)  # one SDS at a time: every responder's turn comes
        cmgs = [line for line in sent_lines(trace) if line.startswith("AT+CMGS=")]
        destinations = {line.removeprefix("AT+CMGS=").split(",")[0] for line in cmgs}
        assert {"2001", "2002"} <= destinations
        assert len(destinations) == count
        assert "XX路发生交通事故" in screen_text(app)  # the board's head line


async def test_cancel_at_the_confirmation_sends_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        trace = traced(app)
        screen = await open_page(app, pilot)
        await filter_and_pick(pilot, screen, "2001")
        await filter_and_pick(pilot, screen, "2003")
        screen.use_template("helmet")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await advance(app, 5.0)
        assert app.screen is screen  # still composing
        assert app.runtime.paging.pages == {}
        assert not [line for line in sent_lines(trace) if line.startswith("AT+CMGS")]
        assert any("未发送" in str(n.message) for n in app._notifications)

"""The F4 incidents screen: raise, move along the loop, note, close, reopen, timeline.

Every action goes through the IncidentBook of a Runtime on virtual time; the timeline is
read back from the event log, so it shows the page sent for the incident and the units'
answers from the simulated network too.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from console.incidents import IncidentState
from console.paging.selection import build_request
from console.tui.app import DutyDeskApp
from console.tui.screens.incidents import IncidentsScreen, NewIncidentDialog
from console.tui.widgets.dialogs import ChoiceDialog, PromptDialog

from .harness import advance, emergency, make_app, screen_text, settle_screen, until_up


async def type_text(pilot: Pilot[None], text: str) -> None:
    for ch in text:
        await pilot.press(ch)


async def open_incidents(app: DutyDeskApp, pilot: Pilot[None]) -> IncidentsScreen:
    await until_up(app)
    await pilot.press("f4")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, IncidentsScreen)
    return screen


async def raise_incident(pilot: Pilot[None], title: str, priority_steps: int = 0) -> None:
    app = pilot.app
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, NewIncidentDialog)
    await type_text(pilot, title)
    if priority_steps:
        app.screen.query_one("#new-priority").focus()
        for _ in range(priority_steps):
            await pilot.press("right")
        await pilot.press("enter")
    await pilot.press("ctrl+s")
    await pilot.pause()


def timeline(screen: IncidentsScreen) -> str:
    rendered = screen.query_one("#inc-timeline", Static).render()
    return str(rendered)


async def test_raise_transition_note_close_and_timeline(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        screen = await open_incidents(app, pilot)
        assert "没有事件" in screen_text(app)
        await raise_incident(pilot, "滨江路交通事故", priority_steps=1)
        await settle_screen(app)
        book = app.runtime.book
        (inc,) = book.active()
        assert inc.title == "滨江路交通事故" and inc.priority == "urgent"
        assert inc.state is IncidentState.RAISED and inc.opened_by == "张警官"
        assert screen.incident_id == inc.id
        # Only the allowed moves are offered: raised → dispatched / handling / closed.
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert [v for v, _ in dialog.choices] == ["dispatched", "handling", "closed"]
        await pilot.press("down", "enter")  # handling
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        await type_text(pilot, "巡逻组已到场")
        await pilot.press("enter")
        await pilot.pause()
        assert book.require(inc.id).state is IncidentState.HANDLING
        # A note.
        await pilot.press("m")
        await pilot.pause()
        await type_text(pilot, "伤者已送医")
        await pilot.press("enter")
        await advance(app, 1.0)
        assert [n.text for n in book.require(inc.id).notes] == ["伤者已送医"]
        # Close (handling → closed is allowed), with an optional note left empty.
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")
        await advance(app, 1.0)
        assert book.require(inc.id).state is IncidentState.CLOSED
        assert book.active() == []
        # The closed incident is under "all" (v), with its timeline from the log.
        await pilot.press("v")
        await pilot.pause()
        assert screen.show_all and screen.incident_id == inc.id
        shown = timeline(screen)
        for part in ("08:0", "上报", "滨江路交通事故", "状态→处置", "巡逻组已到场",
                     "备注", "伤者已送医", "状态→办结"):  # fmt: skip
            assert part in shown, part
        # Reopening needs a reason.
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter")  # empty: refused, the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        await type_text(pilot, "家属反映伤者仍未处理")
        await pilot.press("enter")
        await advance(app, 1.0)
        assert book.require(inc.id).state is IncidentState.HANDLING
        assert "重开→处置" in timeline(screen)


async def test_invalid_move_is_not_offered_and_close_refused_from_assessed(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_incidents(app, pilot)
        book = app.runtime.book
        inc = book.open_incident("fire", "3号楼烟感报警", operator="张警官")
        book.transition(inc.id, "closed", operator="张警官")
        book.transition(inc.id, "assessed", operator="张警官")
        screen.show_all = True
        screen.refresh_list()
        await pilot.press("s")  # nothing allowed from assessed: a notice, no dialog
        await pilot.pause()
        assert isinstance(app.screen, IncidentsScreen)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, IncidentsScreen)
        messages = [str(n.message) for n in app._notifications]
        assert any("重开" in m for m in messages) and any("不能办结" in m for m in messages)


async def test_timeline_shows_the_page_and_the_units_answers(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=3)
    async with app.run_test(size=(140, 36)) as pilot:
        await until_up(app)
        runtime = app.runtime
        inc = runtime.book.open_incident("traffic", "XX路交通事故", operator="张警官",
                                         priority="emergency")  # fmt: skip
        request = build_request(runtime.station, ["2001", "2002"], text="XX路发生交通事故")
        runtime.page(request, incident_id=inc.id)
        await advance(app, 15.0)  # delivered at +1 s, 收到 at +10 s
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IncidentsScreen)
        shown = timeline(screen)
        assert "状态→派发" in shown  # paging the units dispatched it
        assert "发出呼叫(2个单元)" in shown and "XX路发生交通事故" in shown
        assert "回执:收到 星海实验小学保安队" in shown
        assert "回执:收到 滨江第一中学保安队" in shown
        # The page screen opens for the selected incident with p.
        await pilot.press("p")
        await pilot.pause()
        assert getattr(app.screen, "incident_id", None) == inc.id
        assert inc.id in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert isinstance(screen.query_one("#inc-info", Static), Static)


async def test_an_alarm_s_incident_names_the_officer_and_the_radio(tmp_path: Path) -> None:
    """上报 is the officer on duty (not "console"), and both the header and the timeline
    say the incident came from the radio's alarm."""
    app = make_app(tmp_path, units=4)
    async with app.run_test(size=(140, 36)) as pilot:
        await until_up(app)
        await emergency(app, 2003)
        (inc,) = app.runtime.book.active()
        assert inc.opened_by == "张警官"
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IncidentsScreen)
        await settle_screen(app)
        info = str(screen.query_one("#inc-info", Static).render())
        assert "张警官（电台 2003 报警）" in info and "console" not in info
        assert "上报（电台 2003 报警）" in timeline(screen)

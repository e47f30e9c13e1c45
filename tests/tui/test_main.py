"""The main screen against the simulated network, through the Runtime, on virtual time.

Each test runs the real wiring -- pty, PeiLink, Gateway, event log, incident book, alarm
board, paging engine -- with the simulator in the app's own loop; time only moves when
the test advances the :class:`VirtualClock`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.screen import Screen
from textual.widgets import DataTable, Static

from console.paging.model import Rung
from console.paging.selection import build_request
from console.runtime.view import Standing
from console.tui.widgets.alarm import AlarmBanner
from console.tui.widgets.board import ResponseBoard
from console.tui.widgets.statusbar import StatusBar
from console.tui.widgets.units import UnitsTable
from fakes.behaviour import Behaviour

from .harness import (
    advance,
    make_app,
    ring_counter,
    screen_text,
    settle_screen,
    sim_of,
    until_up,
)

SCHOOL, MIDDLE, LANG_SCHOOL, KINDER = 2001, 2002, 2003, 2004


async def test_main_screen_shows_units_and_link_up_80x24(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_up(app)
        status = app.query_one(StatusBar).status_line().plain
        assert "已连接" in status and "sim://demo" in status and "张警官" in status
        assert "01-01 08:00" in status  # the virtual clock, in the console's zone
        table = app.query_one(UnitsTable)
        assert table.row_count == 2 + 8  # two talkgroups, eight units
        text = screen_text(app)
        assert "单元与通话组" in text and "应答看板" in text and "事件日志" in text
        assert "星海实验小" in text
        await pilot.press("q")
    assert app.return_code == 0
    assert app.runtime.link.state.value == "closed"  # the app closed the runtime


async def test_large_terminal_in_english_uses_the_space(tmp_path: Path) -> None:
    app = make_app(tmp_path, lang="en", units=30)
    async with app.run_test(size=(160, 48)):
        await until_up(app)
        text = screen_text(app)
        assert "Units & groups" in text and "connected" in text
        # Wide: the ISSI column is shown and English names are not cut to a stub.
        assert "Xinghai Experimental Prim" in text and "2001" in text
        assert app.query_one(UnitsTable).with_id


async def test_talker_appears_in_activity_and_group_row(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)):
        await until_up(app)
        sim_of(app).radio(LANG_SCHOOL).key_up(9001, 6.0)
        await advance(app, 2.0)
        text = screen_text(app)
        assert "▶ 全体单元: 高新外国语学校保安队" in text
        assert "讲话 高新外国语学校保安队→全体单元" in text
        table = app.query_one(UnitsTable)
        state = table.get_cell(f"u{LANG_SCHOOL}", "state")
        assert isinstance(state, Text) and state.plain == "通话"
        await advance(app, 6.0)
        assert "讲话结束" in screen_text(app)
        state = table.get_cell(f"u{LANG_SCHOOL}", "state")
        assert state.plain == "在线"


async def test_emergency_raises_banner_and_bell_until_acknowledged(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        bells = ring_counter(app)
        await until_up(app)
        sim_of(app).radio(KINDER).send_status(0)
        await advance(app, 1.0)
        banner = app.query_one(AlarmBanner)
        assert banner.has_class("-active") and banner.alarm_ids == ("ALM-0001",)
        assert "江畔幼儿园保安队" in screen_text(app) and "紧急状态" in screen_text(app)
        assert len(bells) == 1
        assert app.query_one(StatusBar).alarms == 1
        await pilot.press("f12", "enter")  # asks, naming it (tests/tui/test_alarms_everywhere)
        await settle_screen(app)
        assert not banner.has_class("-active")
        assert app.runtime.alarms.unacknowledged() == []
        assert "紧急状态" not in screen_text(app).splitlines()[0]


async def test_several_alarms_queue_in_order_and_remind(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        bells = ring_counter(app)
        await until_up(app)
        sim_of(app).radio(KINDER).send_status(0)
        await advance(app, 0.5)
        sim_of(app).radio(MIDDLE).emergency_call(9001, 3.0)
        await advance(app, 1.0)
        banner = app.query_one(AlarmBanner)
        assert banner.alarm_ids == ("ALM-0001", "ALM-0002")
        assert "另有 1 条待确认" in screen_text(app)
        before = len(bells)
        await advance(app, 30.0)  # unacknowledged alarms remind, and each reminder rings
        assert len(bells) > before
        await pilot.press("a", "enter")
        await settle_screen(app)
        assert banner.alarm_ids == ("ALM-0002",)
        assert "紧急呼叫" in screen_text(app)
        await pilot.press("a", "enter")
        await settle_screen(app)
        assert banner.alarm_ids == () and not banner.has_class("-active")


HOSTILE = "ESC\x1b[2J [bold red]markup[/] \x1b]0;title\x07 \u202eevil NUL\x00 end"


async def test_hostile_sds_text_is_shown_literally(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(240, 30)):
        await until_up(app)
        before = screen_text(app).splitlines()
        sim_of(app).radio(MIDDLE).send_text(HOSTILE)
        await advance(app, 1.0)
        text = screen_text(app)
        shown = "ESC\\x1b[2J [bold red]markup[/] \\x1b]0;title\\x07 \\u202eevil NUL\\x00 end"
        assert shown in text  # in the activity panel, verbatim and escaped
        for bad in ("\x1b", "\x07", "\u202e", "\x00"):
            assert bad not in text
        after = text.splitlines()
        assert len(after) == len(before)  # no line was cleared, added or re-ordered
        assert after[0] == before[0]  # the top border is where it was
        assert any("已连接" in line for line in after[-3:])  # and the status bar too
        assert app.title == "滨江高新区派出所"  # the terminal title escape changed nothing
        # The log keeps the bytes as data; the screen's log pane shows them escaped.
        records = [r for r in app.runtime.log.tail(20) if r.kind == "wire.sds_in"]
        assert records[-1].data["text"] == HOSTILE


async def test_response_board_rungs_turn_as_answers_arrive(tmp_path: Path) -> None:
    never = Behaviour.never()
    app = make_app(tmp_path, units=4, behaviours={KINDER: never})
    async with app.run_test(size=(100, 30)):
        await until_up(app)
        runtime = app.runtime
        request = build_request(runtime.station, ["2001", "2002", "2003", "2004"],
                                text="XX路发生交通事故，附近队员立即前往处置")  # fmt: skip
        page_id = runtime.page(request)
        await advance(app, 2.0)
        board = app.query_one(ResponseBoard)
        assert board.view is not None and board.view.page_id == page_id
        assert {c.issi for c in board.cells} == {SCHOOL, MIDDLE, LANG_SCHOOL, KINDER}
        assert all(c.rung in (Rung.DELIVERED, Rung.SENT) for c in board.cells)
        await advance(app, 10.0)  # the responders' status 收到 arrives at +10 s
        cells = {c.issi: c for c in board.cells}
        assert cells[SCHOOL].rung is Rung.ACKNOWLEDGED
        assert cells[KINDER].rung in (Rung.DELIVERED, Rung.READ)
        assert "收到" in screen_text(app)
        await advance(app, 50.0)  # the 1-minute target passes
        cells = {c.issi: c for c in board.cells}
        assert cells[KINDER].standing is Standing.LATE
        assert cells[SCHOOL].standing in (Standing.ON_TIME, Standing.DUE)
        assert "（1 个已过时限）" in screen_text(app)
        await advance(app, 90.0)  # en route at +30 s, on scene at +90 s
        cells = {c.issi: c for c in board.cells}
        assert cells[SCHOOL].rung is Rung.ON_SCENE and cells[SCHOOL].standing is Standing.DONE


async def test_repage_silent_key_calls_the_engine(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=3, behaviours={MIDDLE: Behaviour.never()})
    async with app.run_test(size=(80, 24)) as pilot:
        await until_up(app)
        runtime = app.runtime
        await pilot.press("f3")  # no page yet: a notice, nothing sent
        runtime.page(build_request(runtime.station, ["2001", "2002"], text="点名测试"))
        await advance(app, 15.0)
        await pilot.press("f3")  # names the one it will re-page, and asks
        await settle_screen(app)
        assert "重呼 1 个单元" in screen_text(app) and "滨江第一中学" in screen_text(app)
        await pilot.press("enter")
        await advance(app, 2.0)
        view = runtime.current_page()
        assert view is not None
        assert view.responder(MIDDLE).attempts == 2  # type: ignore[union-attr]
        assert view.responder(SCHOOL).attempts == 1  # type: ignore[union-attr]


class _Stub(Screen[None]):
    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("stub page dialog", markup=False)


async def test_function_keys_open_named_screens_or_say_not_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_up(app)
        if app.find_screen("page") is None:
            await pilot.press("f2")
            await pilot.pause()
            assert any("新建呼叫" in str(n.message) for n in app._notifications)
        with monkeypatch.context() as patch:
            patch.setitem(app.screen_factories, "page", lambda desk: _Stub())
            await pilot.press("f2")
            await pilot.pause()
            assert isinstance(app.screen, _Stub)
            app.pop_screen()
        await pilot.press("f1")
        await pilot.pause()
        assert "按键说明" in screen_text(app)
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("帮助", "新建呼叫", "重呼未应答", "事件", "点名", "演练", "日志", "讲话"):
            assert title in titles


async def test_theme_toggle_and_english_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await until_up(app)
        dark = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != dark
        await pilot.press("ctrl+t")
        assert app.theme == dark
        descriptions = {b.description for _, b in app._bindings}
        assert {"Help", "New page", "Acknowledge alarm"} <= descriptions


async def test_untrusted_alias_from_the_station_file_is_inert(tmp_path: Path) -> None:
    from dataclasses import replace

    from console.config import Unit

    from .harness import small_station

    station = small_station(2)
    evil = Unit(issi=2999, alias="[red]坏\x1b[2J人[/red]", kind="other")
    station = replace(station, units=(*station.units, evil))
    app = make_app(tmp_path, station=station)
    async with app.run_test(size=(100, 24)):
        await until_up(app)
        table: DataTable[Text] = app.query_one(UnitsTable)
        cell = table.get_cell("u2999", "name")
        assert cell.plain.startswith("[red]坏\\x1b[2J人[/r")

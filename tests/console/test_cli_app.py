"""The placeholder Textual console starts, shows the station, and quits on q."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from rich.text import Text
from textual.widgets import DataTable, Static

from console.config import Unit, demo_station
from console.tui.app import DutyDeskApp, inert


def _fixed_clock() -> datetime:
    return datetime(2024, 6, 1, 8, 30, 0)


async def test_app_shows_station_and_units() -> None:
    app = DutyDeskApp(demo_station(), "socket://127.0.0.1:4001", "zh-CN", clock=_fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        title = app.query_one("#station", Static)
        assert "滨江高新区派出所" in str(title.content)
        table = app.query_one("#units", DataTable)
        assert table.row_count == 50
        assert str(table.get_row_at(0)[0]) == "星海实验小学保安队"
        status = str(app.query_one("#statusbar", Static).content)
        assert "socket://127.0.0.1:4001" in status and "值班民警" in status
        assert "2024-06-01 08:30:00" in status
        await pilot.press("q")
    assert app.return_code == 0


async def test_app_in_english_with_simulator_error() -> None:
    app = DutyDeskApp(demo_station(), None, "en", notice="simulator missing [bold]x[/]")
    async with app.run_test(size=(120, 40)) as pilot:
        assert "Binjiang Hi-Tech Park Police Station" in str(
            app.query_one("#station", Static).content
        )
        status = app.query_one("#statusbar", Static).content
        assert isinstance(status, Text)
        assert "simulator unavailable: simulator missing [bold]x[/]" in status.plain
        await pilot.press("ctrl+q")


async def test_untrusted_alias_is_inert() -> None:
    station = demo_station()
    evil = Unit(issi=2999, alias="[red]坏\x1b[2J人[/red]", kind="other")
    station = replace(station, units=(evil,))
    app = DutyDeskApp(station, None, "zh-CN")
    async with app.run_test(size=(100, 20)):
        cell = app.query_one("#units", DataTable).get_row_at(0)[0]
        assert isinstance(cell, Text)
        assert cell.plain == "[red]坏\\x1b[2J人[/red]"


def test_inert_escapes_controls() -> None:
    assert inert("a\x07b\u202ec").plain == "a\\x07b\\u202ec"

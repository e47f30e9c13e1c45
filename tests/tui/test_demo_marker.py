"""With no station file the demo runs, and says so where nobody can miss it: first on the
status bar and in the terminal's title (issue 14: a real desk never silently pages a
simulator).  With a station file neither says DEMO."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.tui import app as app_module
from console.tui.app import DutyDeskApp
from console.tui.widgets.statusbar import StatusBar

from .harness import make_runtime, screen_text, until_up


@pytest.mark.parametrize(("lang", "marker"), [("zh-CN", "演示 DEMO"), ("en", "DEMO 演示")])
async def test_demo_marker_on_status_bar_and_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, marker: str
) -> None:
    written: list[str] = []
    monkeypatch.setattr(app_module, "write_to_terminal", lambda _app, data: written.append(data))
    runtime, _, _ = make_runtime(tmp_path, units=3)
    app = DutyDeskApp(runtime, lang=lang, live_clock=False, demo=True)
    async with app.run_test(size=(80, 24)):
        await until_up(app)
        status_row = screen_text(app).splitlines()[-2]
        assert app.main.query_one(StatusBar).status_line().plain.startswith(f" {marker} ")
        assert marker in status_row
        assert app.title.startswith(marker)
        assert any(marker in data and data.startswith("\x1b]2;") for data in written)


async def test_no_marker_with_a_station_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[Any] = []
    monkeypatch.setattr(app_module, "write_to_terminal", lambda _app, data: written.append(data))
    runtime, _, _ = make_runtime(tmp_path, units=3)
    app = DutyDeskApp(runtime, lang="zh-CN", live_clock=False)
    async with app.run_test(size=(80, 24)):
        await until_up(app)
        assert "DEMO" not in screen_text(app) and "演示" not in app.title
        assert written and not any("DEMO" in data for data in written)

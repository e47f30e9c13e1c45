"""The F7 log screen: filters, Chinese text search, paging, and export in a worker."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from console.tui.app import DutyDeskApp
from console.tui.screens import log as log_screen
from console.tui.screens.log import LogScreen, export_format, parse_when
from console.tui.widgets.dialogs import PromptDialog

from .harness import CST, advance, make_app, screen_text, until_up

SMOKE = "东门发现可疑人员，已跟进"


async def type_text(pilot: Pilot[None], text: str) -> None:
    for ch in text:
        await pilot.press(ch)


async def with_traffic(app: DutyDeskApp) -> None:
    await until_up(app)
    sim = app.runtime._simulator.sim  # type: ignore[union-attr]
    sim.radio(2002).send_text("收到，已在岗")
    await advance(app, 1.0)
    sim.radio(2003).send_text(SMOKE)
    await advance(app, 1.0)
    sim.radio(2002).send_text("巡查完毕")
    await advance(app, 1.0)


async def open_log(app: DutyDeskApp, pilot: Pilot[None]) -> LogScreen:
    await pilot.press("f7")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, LogScreen)
    return screen


async def set_field(pilot: Pilot[None], screen: LogScreen, field_id: str, text: str) -> None:
    field = screen.query_one(f"#{field_id}", Input)
    field.focus()
    field.value = ""
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


async def test_search_finds_chinese_text_and_filters_narrow(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        await with_traffic(app)
        screen = await open_log(app, pilot)
        everything = len(screen.records)
        assert everything > 5 and screen.exhausted
        await set_field(pilot, screen, "f-text", "可疑")
        assert [r.data.get("text") for r in screen.records] == [SMOKE]
        assert SMOKE in screen_text(app)
        assert screen.query_one("#log-table", DataTable).row_count == 1
        # Unit by alias: only 滨江第一中学's two texts (and nothing of 2003).
        await set_field(pilot, screen, "f-text", "")
        await set_field(pilot, screen, "f-unit", "滨江第一中学保安队")
        assert {r.unit for r in screen.records} == {"2002"}
        assert {r.data.get("text") for r in screen.records} == {"收到，已在岗", "巡查完毕"}
        # Newest first.
        assert screen.records[0].data.get("text") == "巡查完毕"
        # A time range in the console's zone: only what came after the second text.
        since = screen.records[0].wall - 0.5
        stamp = __import__("datetime").datetime.fromtimestamp(since, CST).strftime("%H:%M:%S.%f")
        await set_field(pilot, screen, "f-since", stamp)
        assert [r.data.get("text") for r in screen.records] == ["巡查完毕"]
        # Kind family: operator records only (login), no unit filter.
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert len(screen.records) == everything
        screen.query_one("#f-family", Select).value = "operator"
        await pilot.pause()
        assert screen.records and all(r.kind.startswith("operator.") for r in screen.records)


async def test_unknown_unit_and_bad_time_are_told_not_raised(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_up(app)
        screen = await open_log(app, pilot)
        await set_field(pilot, screen, "f-unit", "不存在的单位")
        await set_field(pilot, screen, "f-unit", "")
        await set_field(pilot, screen, "f-since", "昨天")
        messages = [str(n.message) for n in app._notifications]
        assert any("不存在的单位" in m for m in messages)
        assert any("昨天" in m for m in messages)


async def test_results_come_a_page_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_screen, "PAGE_SIZE", 4)
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await with_traffic(app)
        screen = await open_log(app, pilot)
        assert len(screen.records) == 4 and not screen.exhausted
        assert "Ctrl+N" in str(screen.query_one("#log-status", Static).render())
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert len(screen.records) == 8
        ids = [r.id for r in screen.records]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 8


async def test_export_writes_csv_in_a_worker_and_says_where(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    out = tmp_path / "exports" / "suspect.csv"
    async with app.run_test(size=(120, 32)) as pilot:
        await with_traffic(app)
        screen = await open_log(app, pilot)
        await set_field(pilot, screen, "f-text", "可疑")
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PromptDialog)
        field = dialog.query_one(Input)
        assert field.value.endswith(".csv")  # a default path is offered
        field.value = str(out)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.last_export == (out, 1)
        rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0][:5] == ["id", "wall_utc", "wall_local", "mono", "kind"]
        assert len(rows) == 2 and rows[1][4] == "wire.sds_in"
        assert json.loads(rows[1][10])["text"] == SMOKE
        assert str(out) in screen_text(app)
        assert any(str(out) in str(n.message) for n in app._notifications)


async def test_export_to_jsonl_and_a_failing_path(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 32)) as pilot:
        await with_traffic(app)
        screen = await open_log(app, pilot)
        out = tmp_path / "all.jsonl"
        screen.export_to(out)
        await app.workers.wait_for_complete()
        await pilot.pause()
        lines = out.read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(screen.records)
        assert any(json.loads(line)["data"].get("text") == SMOKE for line in lines)
        blocker = tmp_path / "file"
        blocker.write_text("x")
        screen.export_to(blocker / "x.csv")  # a file is in the way: told, not raised
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("失败" in str(n.message) for n in app._notifications)


def test_time_and_format_parsing() -> None:
    now = 1767225600.0  # 2026-01-01 08:00 CST
    assert parse_when("", CST, now) is None
    assert parse_when("08:30", CST, now) == now + 1800
    assert parse_when("2026-01-01 09:00", CST, now) == now + 3600
    assert parse_when("2026-01-01T01:00Z", CST, now) == now + 3600
    assert export_format(Path("a.JSONL")) == "jsonl" and export_format(Path("b.csv")) == "csv"

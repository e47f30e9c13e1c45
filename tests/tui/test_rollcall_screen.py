"""F5 roll-call screen against the simulated network, through the Runtime, on virtual time.

Behaviours (harness): every unit acknowledges 11 s after the call (1 s delivery + 10 s),
except 2004 (never answers -> absent) and 2008 (switched off -> unreachable).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select, Static

from console.rollcall import Attendance
from console.tui.app import DutyDeskApp
from console.tui.screens.rollcall import RollCallScreen
from console.tui.widgets.runs import ConfirmRun, ExportDialog, PickTable, ReportView
from fakes.behaviour import Behaviour

from .harness import advance, make_app, screen_text, settle_screen, until_up

BEHAVIOURS = {2004: Behaviour.never(), 2008: Behaviour.switched_off()}


def rollcall_screen(app: DutyDeskApp) -> RollCallScreen:
    screen = app.screen
    assert isinstance(screen, RollCallScreen), type(screen)
    return screen


def status(app: DutyDeskApp) -> str:
    return str(rollcall_screen(app).query_one("#rc-status", Static).render())


def results(app: DutyDeskApp) -> dict[int, str]:
    table = rollcall_screen(app).query_one("#rc-table", DataTable)
    out: dict[int, str] = {}
    for row_key in table.rows:
        row = table.get_row(row_key)
        out[int(str(row[0]))] = str(row[2])
    return out


async def open_and_start(app: DutyDeskApp, pilot: object, *, deadline: str = "20") -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await until_up(app)
    await pilot.press("f5")
    screen = rollcall_screen(app)
    screen.query_one("#rc-group", Select).value = "学校组"
    screen.query_one("#rc-deadline", Input).value = deadline
    await pilot.press("f9")
    assert isinstance(app.screen, ConfirmRun)
    assert "8" in str(app.screen.body) and "学校组" in app.screen.body
    await pilot.press("enter")
    await settle_screen(app)


async def test_start_needs_confirmation_and_esc_sends_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path, behaviours=BEHAVIOURS)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_up(app)
        await pilot.press("f5")
        assert isinstance(app.screen, RollCallScreen)
        await pilot.press("f9")
        assert isinstance(app.screen, ConfirmRun)
        await pilot.press("escape")
        assert isinstance(app.screen, RollCallScreen)
        assert app.runtime.rollcall is None
        assert app.runtime.rollcalls() == []


async def test_live_table_then_final_result(tmp_path: Path) -> None:
    app = make_app(tmp_path, behaviours=BEHAVIOURS)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_start(app, pilot)
        call = app.runtime.rollcall
        assert call is not None and app.runtime.rollcall_running
        assert set(results(app).values()) == {"等待"}
        assert "点名中" in status(app) and "8 人" in status(app)
        await advance(app, 5.0)
        rollcall_screen(app).tick()  # the live clock's once-a-second refresh
        assert "已用 0:05 / 时限 0:20" in status(app)
        await advance(app, 10.0)
        live = results(app)
        # Answers and the network's "not reachable" come in; the silent one still waits.
        assert live[2001] == "到" and live[2008] == "不可达" and live[2004] == "等待"
        text = screen_text(app)
        assert "11.3 s" in text
        await advance(app, 30.0)  # deadline 20 s + late window 20 s
        assert not app.runtime.rollcall_running
        final = results(app)
        assert final[2004] == "未到" and final[2008] == "不可达"
        assert sum(1 for v in final.values() if v == "到") == 6
        assert "已结束" in status(app)
        assert "到 6 · 迟到 0 · 未到 1 · 不可达 1" in status(app)


async def test_recall_absent_with_one_key(tmp_path: Path) -> None:
    app = make_app(tmp_path, behaviours=BEHAVIOURS)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_start(app, pilot)
        first = app.runtime.rollcall
        assert first is not None
        await advance(app, 45.0)
        await pilot.press("f3")
        await settle_screen(app)
        again = app.runtime.rollcall
        assert again is not None and again is not first
        assert again.spec.recall_of == first.rollcall_id
        assert [m.issi for m in again.spec.members] == [2004]
        assert list(results(app)) == [2004]
        assert f"补点 {first.rollcall_id}" in status(app)
        await advance(app, 45.0)
        assert results(app) == {2004: Attendance.ABSENT.label("zh-CN")}


async def test_recall_while_running_is_refused_and_stop_ends_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, behaviours=BEHAVIOURS)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_start(app, pilot, deadline="60")
        await advance(app, 2.0)
        await pilot.press("f3")
        assert len(app.runtime.rollcalls()) == 1  # nothing new while one runs
        await pilot.press("f10")
        await settle_screen(app)
        assert not app.runtime.rollcall_running
        final = results(app)
        assert set(final.values()) == {"未到"}  # stopped after 2 s: nobody had answered
        summary = app.runtime.rollcalls()[0]
        assert summary.counts == {"present": 0, "late": 0, "absent": 8, "unreachable": 0}


async def test_report_opens_as_terminal_text(tmp_path: Path) -> None:
    app = make_app(tmp_path, behaviours=BEHAVIOURS)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_and_start(app, pilot)
        await advance(app, 45.0)
        await pilot.press("ctrl+o")
        view = app.screen
        assert isinstance(view, ReportView)
        call = app.runtime.rollcall
        assert call is not None and call.rollcall_id in view.shown
        assert "点名 学校组" in view.shown and "江畔幼儿园保安队" in view.shown
        assert "响应时间" in screen_text(app) and "Response times" not in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, RollCallScreen)


async def test_export_writes_the_file_in_a_worker(tmp_path: Path) -> None:
    app = make_app(tmp_path, behaviours=BEHAVIOURS)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_start(app, pilot)
        await advance(app, 45.0)
        call = app.runtime.rollcall
        assert call is not None
        await pilot.press("ctrl+e")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.default == tmp_path / "reports" / f"{call.rollcall_id}.md"
        field = dialog.query_one(Input)
        field.value = str(tmp_path / "out" / "rc.txt")
        await pilot.press("enter")
        assert isinstance(app.screen, ExportDialog)  # unknown ending: asks again
        assert "未知格式" in str(dialog.query_one("#export-error", Static).render())
        field.value = str(tmp_path / "out" / "rc.json")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        data = json.loads((tmp_path / "out" / "rc.json").read_text(encoding="utf-8"))
        assert data["id"] == call.rollcall_id and data["kind"] == "rollcall"
        for ending, marker in ((".md", "# "), (".csv", "issi"), (".html", "<html")):
            await pilot.press("ctrl+e")
            export = app.screen
            assert isinstance(export, ExportDialog)
            export.query_one(Input).value = str(tmp_path / "out" / f"rc{ending}")
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            text = (tmp_path / "out" / f"rc{ending}").read_text(encoding="utf-8")
            assert marker in text.lower()


async def test_history_reopens_and_compares(tmp_path: Path) -> None:
    app = make_app(tmp_path, behaviours=BEHAVIOURS)
    async with app.run_test(size=(110, 30)) as pilot:
        await open_and_start(app, pilot)
        await advance(app, 45.0)
        first = app.runtime.rollcall
        assert first is not None
        # The unit that never answered wakes up before the re-call.
        sim = app.runtime._simulator.sim  # type: ignore[attr-defined]
        sim.radio(2004).behaviour = Behaviour.prompt()
        await pilot.press("f3")
        await advance(app, 45.0)
        second = app.runtime.rollcall
        assert second is not None and results(app) == {2004: "到"}
        await pilot.press("ctrl+l")
        picker = app.screen
        assert isinstance(picker, PickTable)
        assert [key for key, _ in picker.rows] == [first.rollcall_id, second.rollcall_id]
        await pilot.press("up", "enter")  # the cursor starts on the newest
        await settle_screen(app)
        assert isinstance(app.screen, RollCallScreen)
        assert len(results(app)) == 8 and "历史记录" in status(app)
        await pilot.press("ctrl+l")
        await pilot.press("down", "c")  # compare the newest with the one shown
        view = app.screen
        assert isinstance(view, ReportView)
        assert "2004" in view.shown and "未到 → 到" in view.shown


async def test_english_labels(tmp_path: Path) -> None:
    app = make_app(tmp_path, lang="en", behaviours=BEHAVIOURS)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_up(app)
        await pilot.press("f5")
        screen = rollcall_screen(app)
        assert screen.query_one("#rc-mode", Select).value == "status"
        screen.query_one("#rc-deadline", Input).value = "0"
        await pilot.press("f9")
        assert isinstance(app.screen, RollCallScreen)  # refused: bad deadline
        screen.query_one("#rc-deadline", Input).value = "20"
        await pilot.press("f9", "enter")
        await advance(app, 45.0)
        assert results(app)[2004] == "absent" and results(app)[2001] == "present"
        assert "present 6 · late 0 · absent 1 · unreachable 1" in status(app)


# --- snapshots (zh-CN and English; virtual time, fixed behaviours) -----------------------


async def _rollcall_at(pilot: Any, seconds: float) -> None:
    app = pilot.app
    assert isinstance(app, DutyDeskApp)
    await until_up(app)
    app.runtime.start_rollcall(app.runtime.rollcall_spec("学校组", deadline_s=20))
    await pilot.press("f5")
    await advance(app, seconds)
    rollcall_screen(app).tick()
    app.clear_notifications()  # toasts expire on real time: keep them out of the picture
    await pilot.pause()


async def mid_rollcall(pilot: Any) -> None:
    await _rollcall_at(pilot, 15.0)


async def finished_rollcall(pilot: Any) -> None:
    await _rollcall_at(pilot, 45.0)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("case", ["mid", "finished"])
def test_rollcall_snapshot(snap_compare: Any, tmp_path: Path, case: str, lang: str) -> None:
    """The roll-call screen while members answer, and when it has closed."""
    app = make_app(tmp_path, lang=lang, behaviours=BEHAVIOURS)
    steps = mid_rollcall if case == "mid" else finished_rollcall
    assert snap_compare(app, terminal_size=(100, 30), run_before=steps)

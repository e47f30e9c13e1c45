"""Recording from the response board a unit heard by phone or in person (issue 14).

A page to four units, one of whose radios never answers.  The officer Tabs to the board,
selects that unit's cell, presses Enter and picks 电话收到: the runtime records it as the
operator's action, the cell shows the mark 电 and counts as answered, and the log row of
the rung names the officer.  Then 当面到场 on the same cell.
"""

from __future__ import annotations

from pathlib import Path

from console.paging.model import AnswerMethod, Rung, Source
from console.paging.selection import build_request
from console.tui.widgets.board import ResponseBoard
from console.tui.widgets.dialogs import ChoiceDialog
from console.tui.widgets.timeline import record_line
from fakes.behaviour import Behaviour

from .harness import advance, make_app, screen_text, settle_screen, until_up


async def pick(pilot: object, app: object, wanted: str) -> None:
    """Choose the option whose label is ``wanted`` in the open ChoiceDialog."""
    from textual.widgets import OptionList

    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ChoiceDialog)
    labels = [label for _, label in screen.choices]
    options = screen.query_one(OptionList)
    options.highlighted = labels.index(wanted)
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_enter_on_a_board_cell_records_a_phone_answer(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=4)
    silent = app.runtime.station.units[2].issi
    app.runtime._simulator.behaviours[silent] = Behaviour.never()  # type: ignore[union-attr]
    async with app.run_test(size=(100, 30)) as pilot:
        await until_up(app)
        runtime = app.runtime
        units = [str(u.issi) for u in runtime.station.units]
        page_id = runtime.page(build_request(runtime.station, units, text="XX路交通事故"))
        await advance(app, 15.0)
        board = app.query_one(ResponseBoard)
        view = runtime.current_page()
        assert view is not None
        index = [r.issi for r in view.responders].index(silent)
        assert not view.responder(silent).acknowledged  # type: ignore[union-attr]
        answered_before = sum(1 for r in view.responders if r.acknowledged)

        board.focus()
        await pilot.pause()
        for _ in range(index):
            await pilot.press("right")
        assert board.selected is not None and board.selected.issi == silent
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        name = board.names[silent]
        assert name in dialog.title_text
        labels = [label for _, label in dialog.choices]
        assert labels == ["电话收到", "电话出发", "电话到场", "当面收到", "当面出发", "当面到场"]
        await pick(pilot, app, "电话收到")
        await settle_screen(app)
        await advance(app, 1.0)

        resp = runtime.current_page().responder(silent)  # type: ignore[union-attr]
        assert resp is not None and resp.acknowledged and resp.manual is AnswerMethod.PHONE
        assert resp.first(Rung.ACKNOWLEDGED).source is Source.OPERATOR  # type: ignore[union-attr]
        cells = {c.issi: c for c in board.cells}
        assert cells[silent].manual == "phone"
        text = screen_text(app)
        assert f"{answered_before + 1}/4 已应答" in text
        assert "电" + name[:2] in text  # the mark before the unit's name

        # The same cell again: only what is above 收到 is offered; 当面到场.
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert [label for _, label in dialog.choices] == [
            "电话出发",
            "电话到场",
            "当面出发",
            "当面到场",
        ]
        await pick(pilot, app, "当面到场")
        await advance(app, 1.0)
        resp = runtime.current_page().responder(silent)  # type: ignore[union-attr]
        assert resp is not None and resp.top is Rung.ON_SCENE
        assert resp.manual is AnswerMethod.IN_PERSON

        runtime.flush_log()
        actions = [
            (r.operator, r.data["method"], r.data["rung"], r.unit)
            for r in runtime.log.query(kinds=["operator.action"])
            if r.page == page_id
        ]
        assert actions == [
            ("张警官", "phone", "acknowledged", str(silent)),
            ("张警官", "in_person", "on_scene", str(silent)),
        ]
        # The incident's timeline says how and who.
        (ack,) = [
            r for r in runtime.log.query(kinds=["ladder.acknowledged"]) if r.unit == str(silent)
        ]
        line = record_line(ack, "zh-CN", None, {}).plain
        assert "回执:收到" in line and "电话（人工登记）" in line and "(张警官)" in line

"""``q`` quits at once when nothing is live, and asks first while a page is still waiting
for answers (or a roll call or drill runs), naming what is live (issue 14)."""

from __future__ import annotations

from pathlib import Path

from console.paging.selection import build_request
from console.tui.widgets.dialogs import QuitDialog
from fakes.behaviour import Behaviour

from .harness import advance, make_app, screen_text, settle_screen
from .harness import until_up as link_up


async def test_q_asks_while_a_page_waits_for_answers(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=3, behaviours={2002: Behaviour.never()})
    async with app.run_test(size=(80, 24)) as pilot:
        await link_up(app)
        runtime = app.runtime
        page_id = runtime.page(build_request(runtime.station, ["2001", "2002"], text="集合"))
        await advance(app, 20.0)
        await pilot.press("q")
        await settle_screen(app)
        dialog = app.screen
        assert isinstance(dialog, QuitDialog)
        text = screen_text(app)
        assert "仍有工作在进行" in text and page_id in text and "1 个呼叫仍有单元未应答" in text
        assert "不再跟进" in text  # this console runs the station itself
        await pilot.press("q")  # q again inside the question does not quit
        await pilot.press("escape")
        await settle_screen(app)
        assert app.return_code is None and app.screen is app.main
        await pilot.press("q")
        await settle_screen(app)
        await pilot.press("enter")
        await settle_screen(app)
    assert app.return_code == 0


async def test_q_quits_at_once_once_everyone_answered(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await link_up(app)
        runtime = app.runtime
        runtime.page(build_request(runtime.station, ["2001", "2002"], text="集合"))
        await advance(app, 20.0)  # both acknowledge after 10 s
        assert app.live_work() == []
        await pilot.press("q")
        assert app.return_code == 0  # no question: it quit at once

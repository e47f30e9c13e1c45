"""The board says who was reached again after the link came back (issue 12).

The cable is pulled right after a page went out, while the units answer; when the link is
back the recovery sends each unfinished unit its message again (same reference), and the
board marks them with ↻ and counts them in its head line.
"""

from __future__ import annotations

from pathlib import Path

from console.paging.model import Rung
from console.paging.selection import build_request
from console.tui.widgets.board import RECOVERED_MARK

from .harness import advance, make_app, screen_text, until_up


async def test_units_reached_again_after_a_cable_pull_are_marked(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=4)
    async with app.run_test(size=(100, 30)):
        await until_up(app)
        runtime = app.runtime
        request = build_request(runtime.station, ["学校组"], text="XX路交通事故，收到请回复")
        page_id = runtime.page(request)
        clock = runtime.clock
        engine = runtime.paging
        page = engine.pages[page_id]
        assert await clock.run_until(  # type: ignore[attr-defined]
            lambda: all(r.has(Rung.ACCEPTED) for r in page.responders.values()),
            limit=20,
            step=0.1,
        )
        sim = runtime._simulator.sim  # type: ignore[union-attr]
        sim.unplug()
        await advance(app, 3.0)
        sim.replug()
        assert await clock.run_until(  # type: ignore[attr-defined]
            lambda: runtime.link.state.value == "up", limit=30, step=0.25
        )
        await advance(app, 3.0)
        text = screen_text(app)
        assert RECOVERED_MARK in text
        assert "断线恢复后补发" in text

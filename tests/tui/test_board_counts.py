"""The response board: whole names, each unit's own answer time, counts that add up."""

from __future__ import annotations

from pathlib import Path

from console.paging.selection import build_request
from console.runtime.view import BoardCounts
from console.tui.widgets.board import ResponseBoard
from fakes.behaviour import Behaviour

from .harness import advance, make_app, until_up

FAST, SLOW, OFF, SILENT = 2001, 2002, 2003, 2004


async def test_own_answer_times_whole_names_and_counts_that_add_up(tmp_path: Path) -> None:
    behaviours = {
        FAST: Behaviour.exact(answer_s=5.0),
        SLOW: Behaviour.exact(answer_s=35.0),
        OFF: Behaviour.switched_off(),
        SILENT: Behaviour.never(),
    }
    app = make_app(tmp_path, units=4, behaviours=behaviours)
    async with app.run_test(size=(100, 30)):
        await until_up(app)
        runtime = app.runtime
        tokens = [str(i) for i in (FAST, SLOW, OFF, SILENT)]
        runtime.page(build_request(runtime.station, tokens, text="集合"))
        await advance(app, 40.0)  # FAST is en route (+26 s), SLOW just acknowledged (+36 s)
        board = app.query_one(ResponseBoard)
        cells = {c.issi: c for c in board.cells}
        # Each answered unit shows when it reached its rung; the silent ones' clocks run on.
        fast, slow = cells[FAST].answered_s, cells[SLOW].answered_s
        assert fast is not None and slow is not None and 25.0 < fast < slow < 40.0
        assert cells[SILENT].answered_s is None and cells[SILENT].elapsed_s > slow
        counts = BoardCounts.of(board.cells)
        assert (counts.answered, counts.waiting, counts.unreachable) == (2, 1, 1)
        assert counts.answered + counts.waiting + counts.unreachable == counts.total == 4
        # A name longer than its cell is wrapped whole, never cut.
        name = board.names.get(SLOW, cells[SLOW].alias)
        shown = board.cell_text(cells[SLOW], 12).plain
        assert "…" not in shown and name in shown.replace("\n", "")

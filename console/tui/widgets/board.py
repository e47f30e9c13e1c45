"""The response board of the current page: one cell per responder.

Each cell shows the responder, the highest rung of its acknowledgement ladder the log has
committed, and its stopwatch since it was paged; the colour says where it stands
against the 1 / 3 / 5 minute targets (:func:`console.runtime_view.board_cells` decides,
this widget only paints).  The grid reflows to the width: 80 columns give three cells a
row, 160 give six.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from console.paging.model import PageView
from console.paging.summary import RepagePlan, TargetSummary, repage_candidates, summarise
from console.runtime_view import BoardCell, Standing, board_cells
from console.tui.render import clock_text, fit, inert
from console.tui.strings import tr

RECOVERED_MARK = "↻"
"""Marks a unit whose message was sent again after the link came back (cable, reboot)."""

NARROW_CELL, WIDE_CELL = 20, 26
STANDING_STYLES = {
    Standing.DONE: "bold green",
    Standing.ON_TIME: "",
    Standing.DUE: "bold yellow",
    Standing.LATE: "bold white on red",
    Standing.FAILED: "red strike",
}


class ResponseBoard(Static):
    """Re-rendered when the page view changes and once a second (the stopwatches)."""

    def __init__(self, lang: str, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.view: PageView | None = None
        self.now = 0.0
        self.cells: tuple[BoardCell, ...] = ()
        self.summaries: tuple[TargetSummary, ...] = ()
        """One lasting line per target passed (instead of a toast per late unit)."""
        self.plan = RepagePlan((), ())
        """Whom F3 would re-page now."""
        self.names: dict[int, str] = {}
        """ISSI → name in the officer's language (the page carries the Chinese alias)."""
        self._shown: object = None

    def show(self, view: PageView | None, now: float) -> None:
        """The page at ``now``; redrawn only if a cell, the head or the width changed."""
        self.view = view
        self.now = now
        self.cells = board_cells(view, now) if view is not None else ()
        self.summaries = summarise(view) if view is not None else ()
        self.plan = repage_candidates(view, now)
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        # What the board shows, at the stopwatches' one-second resolution.
        view = self.view
        shown = (
            None if view is None else (view.page_id, view.closed, view.text),
            tuple(
                (c.issi, c.alias, c.rung, c.standing, c.failure, int(c.elapsed_s))
                for c in self.cells
            ),
            self.content_size.width,
            self.summaries,
            self.plan.units,
        )
        if shown != self._shown:
            self._shown = shown
            # The board's height is set by the layout (1fr), not by what it shows.
            self.update(self.render_board(), layout=False)

    def cell_text(self, cell: BoardCell, width: int) -> Text:
        lang = self.lang
        style = STANDING_STYLES[cell.standing]
        rung = tr(f"rung.{cell.rung.value}" if cell.rung is not None else "board.waiting", lang)
        if cell.standing is Standing.FAILED and cell.failure:
            rung = tr(f"cause.{cell.failure}", lang)
        text = Text(no_wrap=True)
        rung_width = 7 if lang == "en" else 6
        alias = self.names.get(cell.issi, cell.alias)
        room = width - rung_width - 7
        if cell.recovered:  # its message went again after a blind window (recovery.py)
            text.append(RECOVERED_MARK, style="bold cyan")
            room -= 1
        text.append_text(fit(alias, room, style))
        text.append(" ")
        text.append_text(fit(rung, rung_width, style))
        text.append(f" {clock_text(cell.elapsed_s):>5}", style=style)
        return text

    def render_board(self) -> RenderableType:
        lang, view = self.lang, self.view
        if view is None:
            return Text(tr("board.none", lang), style="dim")
        answered = sum(1 for c in self.cells if c.rung is not None and c.rung.is_answer)
        late = sum(1 for c in self.cells if c.standing is Standing.LATE)
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append_text(inert(view.page_id, "bold"))
        head.append(" ")
        head.append(tr("board.answered", lang, n=answered, total=len(self.cells)))
        if late:
            head.append("  ")
            head.append(tr("board.late", lang, n=late), style="bold red")
        recovered = sum(1 for c in self.cells if c.recovered)
        if recovered:
            head.append("  ")
            head.append(RECOVERED_MARK + tr("board.recovered", lang, n=recovered), style="cyan")
        if view.closed:
            head.append(f"  {tr('board.closed', lang)}", style="dim")
        head.append("  ")
        head.append_text(inert(view.text))
        lines = [head, *self.summary_lines()]
        width = max(NARROW_CELL, self.content_size.width or NARROW_CELL)
        cell_width = WIDE_CELL if width >= 3 * WIDE_CELL + 2 else NARROW_CELL
        columns = max(1, (width + 1) // (cell_width + 1))
        grid = Table.grid(padding=(0, 1, 0, 0))
        for _ in range(columns):
            grid.add_column(width=cell_width, no_wrap=True)
        row: list[Text] = []
        for cell in self.cells:
            row.append(self.cell_text(cell, cell_width))
            if len(row) == columns:
                grid.add_row(*row)
                row = []
        if row:
            grid.add_row(*row)
        return Group(*lines, grid)

    def summary_lines(self) -> list[Text]:
        """ "3分钟出发超时 9 个 [F3 重呼这 9 个]": one line per target passed; F3's offer
        goes on the newest line whose late units it would re-page (else the newest)."""
        lang, plan, summaries = self.lang, self.plan, self.summaries
        these = [i for i, s in enumerate(summaries) if set(s.still_late) == set(plan.units)]
        offer_at = (these or [len(summaries) - 1])[-1] if plan.units else -1
        lines: list[Text] = []
        for i, summary in enumerate(summaries):
            line = Text(no_wrap=True, overflow="ellipsis")
            label = summary.target.label(lang)
            line.append(
                tr("board.summary", lang, target=label, n=len(summary.late)), style="bold red"
            )
            caught_up = len(summary.late) - len(summary.still_late)
            if caught_up:
                line.append(tr("board.caught_up", lang, n=caught_up))
            if i == offer_at:
                key = "board.repage_these" if these else "board.repage_silent"
                line.append("  ")
                line.append(f"[{tr(key, lang, n=len(plan.units))}]", style="reverse")
            lines.append(line)
        return lines

"""The response board of the current page: one cell per responder.

Each cell shows the responder, the highest rung of its acknowledgement ladder the log has
committed, and its stopwatch since it was paged; the colour says where it stands
against the 1 / 3 / 5 minute targets (:func:`console.runtime.view.board_cells` decides,
this widget only paints).  The grid reflows to the width: 80 columns give three cells a
row, 160 give six.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from console.paging.model import PageView, ResponderView
from console.paging.summary import DeadlineSummary, RepagePlan, repage_candidates, summarise
from console.runtime.view import BoardCell, BoardCounts, Standing, board_cells
from console.tui.render import clean, clock_text, fit, inert
from console.tui.strings import BOARD_KEYS, tr
from console.tui.widgets.screenkeys import bind_keys


def _chunks(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells (CJK counts 2): broken at
    spaces where there are any, inside a word only when the word alone is too long."""
    width = max(1, width)
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:  # a word (or a run of CJK) longer than the cell
            if line and cell_len(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    return [*lines, line] if line else lines


def _as_shown(cell: BoardCell) -> tuple[object, ...]:
    """What of a cell reaches the screen, at the stopwatches' one-second resolution."""
    answered = None if cell.answered_s is None else int(cell.answered_s)
    return (cell.issi, cell.alias, cell.rung, cell.standing, cell.failure,
            int(cell.elapsed_s), cell.manual, answered, cell.recovered)  # fmt: skip


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


class ResponseBoard(Static, can_focus=True):
    """Re-rendered when the page view changes and once a second (the stopwatches).

    Focused (Tab), the arrows select a cell and Enter asks the App to record that unit's
    answer heard another way (:class:`MarkAnswered`); the board itself decides nothing.
    The selection is drawn only while the board has the focus."""

    class MarkAnswered(Message):
        """The officer wants to record the selected unit's answer (phone, in person)."""

        def __init__(self, page_id: str, responder: ResponderView, name: str) -> None:
            super().__init__()
            self.page_id = page_id
            self.responder = responder
            self.name = name
            """The unit's name in the officer's language."""

    def __init__(self, lang: str, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        bind_keys(self, BOARD_KEYS, lang)
        self.cursor = 0
        """Index of the selected cell (kept within the cells on every redraw)."""
        self.columns = 1
        """Cells a row in the last drawing (the arrows up and down move by this)."""
        self.lang = lang
        self.view: PageView | None = None
        self.now = 0.0
        self.cells: tuple[BoardCell, ...] = ()
        self.summaries: tuple[DeadlineSummary, ...] = ()
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

    def on_focus(self) -> None:
        self._redraw()

    def on_blur(self) -> None:
        self._redraw()

    @property
    def selected(self) -> BoardCell | None:
        """The cell the arrows selected (None without a page)."""
        return self.cells[self.cursor] if self.cells else None

    def action_move(self, step: str) -> None:
        """``left``/``right`` by one cell, ``up``/``down`` by one row of the grid."""
        delta = {"left": -1, "right": 1, "up": -self.columns, "down": self.columns}[step]
        if self.cells:
            self.cursor = min(max(0, self.cursor + delta), len(self.cells) - 1)
            self._redraw()

    def action_mark_answered(self) -> None:
        cell, view = self.selected, self.view
        responder = view.responder(cell.issi) if cell is not None and view is not None else None
        if view is not None and responder is not None:
            name = self.names.get(responder.issi) or responder.alias or str(responder.issi)
            self.post_message(self.MarkAnswered(view.page_id, responder, name))

    def _redraw(self) -> None:
        # What the board shows, at the stopwatches' one-second resolution.
        view = self.view
        self.cursor = min(self.cursor, max(0, len(self.cells) - 1))
        shown = (
            None if view is None else (view.page_id, view.closed, view.text),
            tuple(_as_shown(c) for c in self.cells),
            self.content_size.width,
            self.summaries,
            self.plan.units,
            self.cursor if self.has_focus else None,
        )
        if shown != self._shown:
            self._shown = shown
            # The board's height is set by the layout (1fr), not by what it shows.
            self.update(self.render_board(), layout=False)

    def cell_text(self, cell: BoardCell, width: int, *, selected: bool = False) -> Text:
        """One responder: marks, the full name (wrapped onto more lines when it does not
        fit, never cut), its rung, and its own answer time (a running stopwatch while it
        has not answered)."""
        lang = self.lang
        style = STANDING_STYLES[cell.standing]
        rung = tr(f"rung.{cell.rung.value}" if cell.rung is not None else "board.waiting", lang)
        if cell.standing is Standing.FAILED and cell.failure:
            rung = tr(f"cause.{cell.failure}", lang)
        rung_width = 7 if lang == "en" else 6
        head = Text(no_wrap=True)
        if cell.recovered:  # its message went again after a blind window (recovery.py)
            head.append(RECOVERED_MARK, style="bold cyan")
        if cell.manual:  # the officer recorded it: 电 by phone, 面 in person
            head.append(tr(f"board.manual.{cell.manual}", lang), style="bold magenta")
        alias = clean(self.names.get(cell.issi, cell.alias))
        seconds = cell.answered_s if cell.answered_s is not None else cell.elapsed_s
        tail = Text(no_wrap=True)
        tail.append_text(fit(rung, rung_width, style))
        tail.append(f" {clock_text(seconds):>5}", style=style if cell.answered else "dim")
        room = width - head.cell_len - tail.cell_len - 1
        text = Text(no_wrap=True)
        text.append_text(head)
        if cell_len(alias) <= room:
            text.append_text(fit(alias, room, style))
            text.append(" ")
        else:  # the whole name, then the rung and time right-aligned below it
            for i, part in enumerate(_chunks(alias, width - head.cell_len)):
                text.append("\n" if i else "")
                text.append(part, style=style)
            text.append("\n" + " " * max(0, width - tail.cell_len))
        text.append_text(tail)
        if selected:
            text.stylize("reverse")
        return text

    def render_board(self) -> RenderableType:
        lang, view = self.lang, self.view
        if view is None:
            return Text(tr("board.none", lang), style="dim")
        counts = BoardCounts.of(self.cells)
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append_text(inert(view.page_id, "bold"))
        if view.closed:
            head.append(f"  {tr('board.closed', lang)}", style="dim")
        head.append("  ")
        head.append_text(inert(view.text))
        # The counts on their own line, adding up: answered + waiting + unreachable = total.
        tally = Text(no_wrap=True, overflow="ellipsis")
        tally.append(tr("board.answered", lang, n=counts.answered, total=counts.total))
        tally.append(tr("board.waiting_n", lang, n=counts.waiting))
        if counts.unreachable:
            tally.append(tr("board.unreachable_n", lang, n=counts.unreachable), style="red")
        if counts.late:
            tally.append(tr("board.late", lang, n=counts.late), style="bold red")
        if counts.recovered:
            tally.append("  ")
            tally.append(
                RECOVERED_MARK + tr("board.recovered", lang, n=counts.recovered), style="cyan"
            )
        lines = [head, tally, *self.summary_lines()]
        width = max(NARROW_CELL, self.content_size.width or NARROW_CELL)
        cell_width = WIDE_CELL if width >= 3 * WIDE_CELL + 2 else NARROW_CELL
        columns = self.columns = max(1, (width + 1) // (cell_width + 1))
        grid = Table.grid(padding=(0, 1, 0, 0))
        for _ in range(columns):
            grid.add_column(width=cell_width, no_wrap=True)
        row: list[Text] = []
        chosen = self.cursor if self.has_focus else -1
        for i, cell in enumerate(self.cells):
            row.append(self.cell_text(cell, cell_width, selected=i == chosen))
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
            label = summary.deadline.label(lang)
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

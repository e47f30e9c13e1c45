"""Dialogs shared by the roll-call (F5) and drill (F6) screens.

* :class:`ConfirmRun` -- "this transmits to N units": Enter starts, Esc does not.
* :class:`ReportView` -- a report rendered as terminal text, scrollable.
* :class:`ExportDialog` -- a path whose ending picks the format; the file is written by
  the screen in a worker thread (:func:`write_report`), never on the UI loop.
* :class:`PickTable` -- a modal list (history) that returns the chosen row key.

Everything shown that came from a radio, a station or a drill file goes through
:func:`~console.tui.render.clean` / :func:`~console.tui.render.inert` first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from console.reports import Report, render
from console.tui.render import clean
from console.tui.strings import Key, tr
from console.tui.widgets.dialogs import ConfirmDialog

EXPORT_FORMATS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
}
"""File ending → report format (``console.reports.render``)."""


def bind_keys(node: DOMNode, keys: Iterable[Key], lang: str) -> None:
    """Bind ``keys`` on ``node`` with descriptions in ``lang`` (footer shows them)."""
    for key in keys:
        node._bindings.bind(key.key, key.action, key.description(lang), show=key.show)


def export_format(path: str | Path) -> str | None:
    """The report format a file name asks for, or None for an unknown ending."""
    return EXPORT_FORMATS.get(Path(path).suffix.lower())


def write_report(report: Report, path: str | Path, lang: str = "zh-CN", station: str = "") -> Path:
    """Render ``report`` in the format of ``path``'s ending, in ``lang`` naming ``station``,
    and write it (worker thread)."""
    target = Path(path).expanduser()
    fmt = export_format(target)
    if fmt is None:
        raise ValueError(f"unknown report format for {target.name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(report, fmt, lang, station), encoding="utf-8")
    return target


def plain_block(text: str) -> Text:
    """Multi-line text made inert line by line (newlines kept, controls escaped)."""
    return Text("\n".join(clean(line) for line in text.splitlines()), no_wrap=True)


class ConfirmRun(ConfirmDialog):
    """ "This transmits to many units": the shared confirmation, with plain-text title/body
    (made inert here) and the run screens' key hint."""

    DEFAULT_CSS = """
    ConfirmRun > Vertical { max-width: 96; }
    """

    def __init__(self, title: str, body: str, lang: str) -> None:
        super().__init__(clean(title), Text(clean(body)), lang, keys="run.confirm_keys")


class ReportView(ModalScreen[None]):
    """A report (or any long text) as it prints on a terminal; Esc closes."""

    DEFAULT_CSS = """
    ReportView { align: center middle; }
    ReportView > VerticalScroll { width: 96%; height: 92%; border: round $accent;
                                  background: $panel; padding: 0 1; }
    ReportView Static { width: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", show=False),
        Binding("q", "dismiss", show=False),
    ]

    def __init__(self, title: str, text: str, lang: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.lang = lang

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="report-scroll") as box:
            box.border_title = clean(self.title_text)
            box.border_subtitle = tr("run.report.close", self.lang)
            yield Static(plain_block(self.text), markup=False, id="report-text")

    @property
    def shown(self) -> str:
        """The text on show (for tests)."""
        return self.text


class ExportDialog(ModalScreen[Path | None]):
    """Ask where to save a report; the ending (.md/.csv/.json/.html) picks the format."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical { width: 80%; max-width: 110; height: auto; padding: 1 2;
                              border: round $accent; background: $panel; }
    ExportDialog #export-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, default: Path, lang: str) -> None:
        super().__init__()
        self.default = default
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = tr("run.export.title", self.lang)
            yield Static(tr("run.export.label", self.lang), markup=False)
            yield Input(str(self.default), id="export-path")
            yield Static("", id="export-error", markup=False)
            yield Static(tr("run.prompt_keys", self.lang), markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value or export_format(value) is None:
            self.query_one("#export-error", Static).update(tr("run.export.bad_ext", self.lang))
            return
        self.dismiss(Path(value).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickTable(ModalScreen[tuple[str, str] | None]):
    """A modal table of past runs: returns ``(action, row key)`` or None (Esc).

    Enter returns ``("open", key)``; any key in ``extra`` returns ``(that key, key)``.
    """

    DEFAULT_CSS = """
    PickTable { align: center middle; }
    PickTable > Vertical { width: 96%; height: 80%; border: round $accent;
                           background: $panel; }
    PickTable DataTable { height: 1fr; }
    PickTable .keys { height: 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[tuple[str, Sequence[Text | str]]],
        keys_text: str,
        *,
        extra: Sequence[str] = (),
        empty: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.columns = columns
        self.rows = rows
        self.keys_text = keys_text
        self.extra = tuple(extra)
        self.empty = empty
        for key in self.extra:
            self._bindings.bind(key, f"pick('{key}')", show=False)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = clean(self.title_text)
            table: DataTable[Text | str] = DataTable(cursor_type="row", id="pick-table")
            yield table
            yield Static(self.empty if not self.rows else "", markup=False, id="pick-empty")
            yield Static(self.keys_text, markup=False, classes="keys")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.columns)
        for key, cells in self.rows:
            table.add_row(*cells, key=key)
        if self.rows:
            table.move_cursor(row=len(self.rows) - 1)
        table.focus()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.dismiss(("open", str(event.row_key.value)))

    def action_pick(self, action: str) -> None:
        table = self.query_one(DataTable)
        if not self.rows:
            return
        row = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        if row.value is not None:
            self.dismiss((action, str(row.value)))

    def action_cancel(self) -> None:
        self.dismiss(None)

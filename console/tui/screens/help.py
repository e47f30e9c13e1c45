"""F1: the key table in the officer's language (the same table the footer uses)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

from console.tui.strings import KEYS, tr


class HelpScreen(ModalScreen[None]):
    """A modal list of every key; Esc or F1 closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Static { width: auto; max-width: 90%; height: auto; padding: 1 2;
                          border: round $accent; background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", show=False),
        Binding("f1", "dismiss", show=False),
    ]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key in KEYS:
            table.add_row(key.key.upper(), key.description(self.lang))
        widget = Static(table, markup=False)
        widget.border_title = tr("help.title", self.lang)
        widget.border_subtitle = tr("help.close", self.lang)
        yield widget

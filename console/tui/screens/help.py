"""F1: the key table in the officer's language (the same table the footer uses).

The global keys come from :data:`console.tui.strings.KEYS`; when help is opened over
another screen (page, incidents, log, PTT) that screen's own keys (its ``screen_keys``)
are listed too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from console.tui.strings import KEYS, Key, tr

if TYPE_CHECKING:
    from console.tui.app import DutyDeskApp


def key_label(key: str) -> str:
    """``f2`` → ``F2``, ``ctrl+s`` → ``Ctrl+S``, ``escape`` → ``Esc``, ``space`` → ``Space``."""
    names = {"escape": "Esc", "space": "Space", "enter": "Enter"}
    parts = key.split("+")
    return "+".join(names.get(p, p.capitalize() if len(p) > 2 else p.upper()) for p in parts)


def key_table(keys: Sequence[Key], lang: str) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for key in keys:
        table.add_row(key_label(key.key), key.description(lang))
    return table


_TINTS: dict[tuple[Style | None, Color], Style] = {}
"""Tinted style per (style, tint): a whole screen uses a few dozen styles."""


class DimmedScreen(BackgroundScreen):
    """Textual's dimmed screen behind a modal, with the tint worked out once per style.

    Textual computes the tint for every segment of the screen below each time the modal
    is drawn -- about half of the time F1 took to show help over a busy main screen.
    """

    @classmethod
    def process_segments(cls, segments: Iterable[Segment], color: Color) -> Iterable[Segment]:
        if len(_TINTS) > 4096:
            _TINTS.clear()
        for segment in segments:
            text, style, control = segment
            if control:
                yield segment
                continue
            tinted = _TINTS.get((style, color))
            if tinted is None:
                [probe] = BackgroundScreen.process_segments([Segment("", style)], color)
                tinted = probe.style or Style()
                _TINTS[style, color] = tinted
            yield Segment(text, tinted)


class HelpScreen(ModalScreen[None]):
    """A modal list of every key; Esc or F1 closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Static { width: auto; max-width: 90%; height: auto; max-height: 95%;
                          padding: 1 2; border: round $accent; background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", show=False),
        Binding("f1", "dismiss", show=False),
    ]

    def __init__(self, lang: str, screen_keys: Sequence[Key] | None = None) -> None:
        super().__init__()
        self.lang = lang
        self.screen_keys = screen_keys

    def render(self) -> RenderableType:
        renderable = super().render()
        if isinstance(renderable, BackgroundScreen):
            return DimmedScreen(renderable.screen, renderable.color)
        return renderable

    def _keys_here(self) -> Sequence[Key]:
        """The keys of the screen help was opened over (none for the main screen)."""
        if self.screen_keys is not None:
            return self.screen_keys
        below = [s for s in self.app.screen_stack if s is not self]
        keys = getattr(below[-1], "screen_keys", ()) if below else ()
        return tuple(k for k in keys if isinstance(k, Key))

    def compose(self) -> ComposeResult:
        lang = self.lang
        parts: list[Table | Text] = [key_table(KEYS, lang)]
        here = self._keys_here()
        if here:
            parts += [Text(""), Text(tr("help.here", lang), style="bold underline")]
            parts.append(key_table(here, lang))
        widget = Static(Group(*parts), markup=False)
        widget.border_title = tr("help.title", lang)
        widget.border_subtitle = tr("help.close", lang)
        yield widget


def make_screen(app: DutyDeskApp) -> Screen[None]:
    """Help by name (``open_screen('help')``), same as F1."""
    return HelpScreen(app.lang)

"""Small modal dialogs shared by the page, incidents and log screens.

Each is keyboard-only: Enter accepts, Esc cancels, and the result comes back through
``push_screen(dialog, callback)`` (Textual's ``dismiss``).  Whatever they show that came
from a radio or a station file is passed in as already-inert :class:`rich.text.Text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from console.tui.strings import tr


class ConfirmDialog(ModalScreen[bool]):
    """ "Really send this?": Enter confirms (``True``), Esc cancels (``False``)."""

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical { width: 80%; max-width: 100; height: auto; padding: 1 2;
                               border: heavy $warning; background: $panel; }
    ConfirmDialog #confirm-keys { margin-top: 1; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", show=False, priority=True),
        Binding("escape", "cancel", show=False, priority=True),
    ]

    def __init__(
        self, title: str, body: Text, lang: str, *, keys: str = "dlg.confirm_keys"
    ) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.lang = lang
        self.keys_key = keys

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Static(self.body, id="confirm-body", markup=False)
            yield Static(tr(self.keys_key, self.lang), id="confirm-keys", markup=False)

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class PromptDialog(ModalScreen[str | None]):
    """One line of text (a note, a reason, a path); ``None`` when cancelled."""

    DEFAULT_CSS = """
    PromptDialog { align: center middle; }
    PromptDialog > Vertical { width: 80%; max-width: 100; height: auto; padding: 1 2;
                              border: round $accent; background: $panel; }
    PromptDialog #prompt-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(
        self,
        title: str,
        label: str,
        lang: str,
        *,
        value: str = "",
        required: bool = True,
        placeholder: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.label = label
        self.lang = lang
        self.value = value
        self.required = required
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            box.border_subtitle = tr("dlg.prompt_keys", self.lang)
            yield Label(self.label, markup=False)
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if self.required and not text:
            self.query_one("#prompt-error", Static).update(tr("dlg.required", self.lang))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of a few values (arrows + Enter); ``None`` when cancelled."""

    DEFAULT_CSS = """
    ChoiceDialog { align: center middle; }
    ChoiceDialog > OptionList { width: auto; min-width: 30; max-width: 80%; height: auto;
                                max-height: 80%; border: round $accent; background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], lang: str) -> None:
        """``choices`` are (value, label) pairs, in the order shown."""
        super().__init__()
        self.title_text = title
        self.choices = tuple(choices)
        self.lang = lang

    def compose(self) -> ComposeResult:
        options = OptionList(*(Option(Text(label), id=value) for value, label in self.choices))
        options.border_title = self.title_text
        options.border_subtitle = tr("dlg.choice_keys", self.lang)
        yield options

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class QuitDialog(ConfirmDialog):
    """ "Quit with this still running?": names what is live; Enter quits, Esc stays."""

    def __init__(self, live: Sequence[str], lang: str, *, local: bool) -> None:
        body = Text("\n".join(f"• {line}" for line in live))
        body.append("\n\n")
        body.append(tr("quit.local" if local else "quit.service", lang))
        super().__init__(tr("quit.title", lang), body, lang, keys="quit.keys")
        self.live = tuple(live)

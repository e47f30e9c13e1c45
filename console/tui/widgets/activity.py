"""Live radio activity: who holds which group's floor now, and the latest texts/statuses.

The runtime bounds the history per flush (a flood shows its newest lines and a count of
the rest); the log here keeps the last few hundred lines and renders only those on
screen (:class:`~console.tui.widgets.lines.LineLog`).  Radio text is rendered inert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from console.runtime.view import Activity, GroupState
from console.tui.render import clock_text, inert, local_time
from console.tui.strings import tr
from console.tui.widgets.lines import LineLog

_DIGITS = re.compile(r"\d")
ROWS = 500
"""Lines of history the panel keeps."""

KIND_STYLES = {
    "talk": "cyan",
    "talk_end": "dim",
    "text": "",
    "status": "green",
    "call": "cyan",
    "undecodable": "yellow",
}


class ActivityPanel(Vertical):
    """Current talkers on top, history below."""

    DEFAULT_CSS = """
    ActivityPanel > #talkers { height: auto; max-height: 3; }
    ActivityPanel > RichLog { height: 1fr; scrollbar-size-vertical: 1; }
    """

    def __init__(self, lang: str, tz: tzinfo | None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.tz = tz
        self.names: dict[str, str] = {}
        self.talkers: dict[int, GroupState] = {}
        self._talkers_shown: tuple[str, tuple[object, ...]] | None = None
        """What the talkers line shows now (plain text and spans): unchanged, not redrawn."""

    def compose(self) -> ComposeResult:
        text = self.talkers_text(0.0)
        self._talkers_shown = (text.plain, tuple(text.spans))
        yield Static(text, id="talkers", markup=False)
        yield LineLog(max_lines=ROWS, formatter=self.line)

    def name_of(self, ssi: str, fallback: str = "") -> str:
        return self.names.get(ssi) or fallback or ssi

    def show_talkers(self, groups: Iterable[GroupState], now: float) -> None:
        changed = False
        for group in groups:
            if group.talker is not None:
                changed = changed or self.talkers.get(group.gssi) != group
                self.talkers[group.gssi] = group
            elif self.talkers.pop(group.gssi, None) is not None:
                changed = True
        if changed:
            self.refresh_talkers(now)

    def refresh_talkers(self, now: float) -> None:
        """Redraw the talkers line if its text changed.  A layout pass (its height may
        change: lines, wrapping) only if more than the stopwatches' digits changed."""
        text = self.talkers_text(now)
        shown = (text.plain, tuple(text.spans))
        if shown == self._talkers_shown:
            return
        before = self._talkers_shown
        self._talkers_shown = shown
        relayout = before is None or _DIGITS.sub("0", before[0]) != _DIGITS.sub("0", text.plain)
        self.query_one("#talkers", Static).update(text, layout=relayout)

    def talkers_text(self, now: float) -> Text:
        if not self.talkers:
            return Text(tr("act.nobody", self.lang), style="dim")
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, group in enumerate(self.talkers.values()):
            if i:
                text.append("\n")
            talker = group.talker or ""
            since = group.talker_since_mono
            text.append("▶ ", style="bold cyan")
            text.append_text(inert(self.name_of(str(group.gssi), group.name), "bold"))
            text.append(": ")
            text.append_text(inert(self.name_of(talker), "cyan"))
            if since is not None:
                text.append(f" {clock_text(now - since)}")
            if group.emergency:
                text.stylize("bold white on red")
        return text

    def add(self, items: Iterable[Activity], dropped: int = 0) -> None:
        """Append one batch's lines in one write (formatted when they are on screen)."""
        rows: list[object] = []
        if dropped:
            rows.append(Text(tr("act.dropped", self.lang, n=dropped), style="dim italic"))
        rows.extend(items)
        self.query_one(LineLog).write_rows(rows)

    def line(self, item: Activity) -> Text:
        """The row of one :class:`Activity` (called when the row is first on screen)."""
        lang = self.lang
        style = "bold white on red" if item.emergency else KIND_STYLES.get(item.kind, "")
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(local_time(item.wall, self.tz), style="dim")
        kind = "emergency_call" if item.kind == "call" and item.emergency else item.kind
        text.append(f" {tr('act.' + kind, lang)} ", style=style)
        text.append_text(inert(self.name_of(item.sender, item.alias), "bold"))
        if item.called and item.kind in ("talk", "talk_end", "call"):
            text.append("→")
            text.append_text(inert(self.name_of(item.called, item.called_name)))
        if item.kind == "status":
            label = item.label or (f"0x{item.value:04X}" if item.value is not None else "")
            text.append(" ")
            text.append_text(inert(label, style))
        if item.kind in ("text", "undecodable"):
            text.append(": ")
            text.append_text(inert(item.text))
        return text

"""Live radio activity: who holds which group's floor now, and the latest texts/statuses.

The runtime bounds the history per flush (a flood shows its newest lines and a count of
the rest); the log here keeps the last few hundred lines.  Radio text is rendered inert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from console.runtime_view import Activity, GroupState
from console.tui.render import clock_text, inert, local_time
from console.tui.strings import tr

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

    def compose(self) -> ComposeResult:
        yield Static(Text(tr("act.nobody", self.lang), style="dim"), id="talkers", markup=False)
        yield RichLog(max_lines=500, wrap=False, markup=False, auto_scroll=True)

    def name_of(self, ssi: str, fallback: str = "") -> str:
        return self.names.get(ssi) or fallback or ssi

    def show_talkers(self, groups: Iterable[GroupState], now: float) -> None:
        for group in groups:
            if group.talker is not None:
                self.talkers[group.gssi] = group
            else:
                self.talkers.pop(group.gssi, None)
        self.refresh_talkers(now)

    def refresh_talkers(self, now: float) -> None:
        static = self.query_one("#talkers", Static)
        if not self.talkers:
            static.update(Text(tr("act.nobody", self.lang), style="dim"))
            return
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
        static.update(text)

    def add(self, items: Iterable[Activity], dropped: int = 0) -> None:
        log = self.query_one(RichLog)
        if dropped:
            log.write(Text(tr("act.dropped", self.lang, n=dropped), style="dim italic"))
        width = max(20, log.scrollable_content_region.width)
        for item in items:
            log.write(self.line(item), width=width)

    def line(self, item: Activity) -> Text:
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

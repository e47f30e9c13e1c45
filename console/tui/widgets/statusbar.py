"""The status bar: gateway link, network mode, signal, operator on duty, the clock (and
演示 DEMO first when the demo station runs)."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual.widgets import Static

from console.runtime.view import LinkStatus
from console.tui.render import inert, local_time
from console.tui.strings import tr

LINK_STYLES = {
    "up": "bold green",
    "connecting": "bold yellow",
    "reconnecting": "bold yellow",
    "down": "bold white on red",
    "closed": "bold red",
    "service": "bold white on red",
}


DEMO_STYLE = "bold black on yellow"
"""The demo marker: first on the line, in the colours of a warning sign."""


def signal_bars(rssi: int | None) -> str:
    """``+CSQ`` RSSI (0..31, 99 unknown) as four bars."""
    if rssi is None or rssi == 99:
        return "····"
    level = 0 if rssi <= 0 else min(4, 1 + rssi // 8)
    return "▂▄▆█"[:level] + "·" * (4 - level)


class StatusBar(Static):
    """One line at the bottom; re-rendered when the link changes and once a second."""

    DEFAULT_CSS = "StatusBar { height: 1; padding: 0 1; }"

    def __init__(
        self,
        lang: str,
        operator: str,
        tz: tzinfo | None,
        *,
        demo: bool = False,
        **kwargs: object,
    ) -> None:
        """``demo``: the line starts with 演示 DEMO (no station file; the simulator)."""
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.demo = demo
        self.operator = operator
        self.tz = tz
        self.link = LinkStatus("closed", "")
        self.wall = 0.0
        self.alarms = 0
        self.replication: object | None = None
        """The station's shipping to the centre (``ReplicationStatus``), when it has one."""
        self._shown: tuple[str, tuple[object, ...]] | None = None

    def show(self, link: LinkStatus | None = None, wall: float | None = None) -> None:
        """Redraw with the new values, if the line changed (always one row: no layout)."""
        if link is not None:
            self.link = link
        if wall is not None:
            self.wall = wall
        line = self.status_line()
        shown = (line.plain, tuple(line.spans))
        if shown != self._shown:
            self._shown = shown
            self.update(line, layout=False)

    def status_line(self) -> Text:
        lang, link = self.lang, self.link
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.demo:
            text.append(f" {tr('status.demo', lang)} ", style=DEMO_STYLE)
            text.append(" ")
        text.append(f"● {tr('link.' + link.state, lang)}", style=LINK_STYLES.get(link.state, ""))
        text.append(" ")
        text.append_text(inert(link.port))
        if link.detail and link.state != "up":
            text.append(" ")
            text.append_text(inert(link.detail, "italic"))
        if link.mode is not None:
            text.append(f" │ {tr(f'mode.{link.mode}', lang)}")
        if link.signal is not None:
            text.append(f" │ {tr('status.signal', lang)} {signal_bars(link.signal)}")
        rep = self.replication
        if rep is not None:
            text.append(" │ ")
            backlog, lag = getattr(rep, "backlog", 0), getattr(rep, "lag_s", 0.0)
            if getattr(rep, "connected", False):
                key = "status.centre.lag" if backlog else "status.centre.ok"
                text.append(tr(key, lang, n=backlog, lag=f"{lag:.0f}"))
            else:
                text.append(tr("status.centre.down", lang, n=backlog), style="bold yellow")
        if self.alarms:
            text.append(" │ ")
            text.append(tr("status.alarms", lang, n=self.alarms), style="bold white on red")
        text.append(f" │ {tr('status.operator', lang)} ")
        text.append_text(inert(self.operator, "bold"))
        text.append(f" │ {local_time(self.wall, self.tz, '%m-%d %H:%M:%S')}")
        return text

"""The alarm banner: the oldest unacknowledged alarm, across the top, until acknowledged.

The queue itself is the :class:`~console.incidents.AlarmBoard`'s (oldest first); the
banner shows its head and how many wait behind it.  Text from the radio (a detector's
message) is rendered inert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich.text import Text
from textual.widgets import Static

from console.incidents import Alarm
from console.tui.render import inert, local_time
from console.tui.strings import tr


class AlarmBanner(Static):
    """Hidden while no alarm waits; takes the top of the screen while one does."""

    DEFAULT_CSS = """
    AlarmBanner { display: none; height: auto; padding: 0 1; }
    AlarmBanner.-active { display: block; }
    """

    def __init__(self, lang: str, tz: tzinfo | None, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.tz = tz
        self.alarm_ids: tuple[str, ...] = ()
        self.names: dict[str, str] = {}
        """SSI → name in the officer's language (alarms carry the Chinese alias)."""

    def show(self, pending: Sequence[Alarm]) -> None:
        """Show the head of ``pending`` (or hide when it is empty)."""
        self.alarm_ids = tuple(a.id for a in pending)
        self.set_class(bool(pending), "-active")
        self.update(self.render_alarm(pending) if pending else "")

    def render_alarm(self, pending: Sequence[Alarm]) -> Text:
        lang = self.lang
        alarm = pending[0]
        text = Text(no_wrap=False)
        text.append(f"⚠ {tr('alarm.title', lang)} ", style="bold")
        text.append_text(inert(alarm.id, "bold"))
        text.append("  ")
        text.append(tr(f"alarm.source.{alarm.source}", lang))
        if alarm.kind not in ("emergency",):
            text.append(" ")
            text.append_text(inert(alarm.kind))
        text.append("  ")
        text.append_text(inert(self.names.get(alarm.sender) or alarm.alias or alarm.sender, "bold"))
        text.append_text(inert(f" ({alarm.sender})"))
        if alarm.count > 1:
            text.append(f" ×{alarm.count}", style="bold")
        text.append(f"  {local_time(alarm.received_wall, self.tz)}")
        if alarm.text:
            text.append("\n")
            text.append_text(inert(alarm.text))
        text.append("\n")
        text.append(f"[{tr('alarm.ack_hint', lang)}]", style="reverse")
        if len(pending) > 1:
            text.append("  ")
            text.append(tr("alarm.queued", lang, n=len(pending) - 1), style="bold")
        return text

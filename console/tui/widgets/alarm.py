"""The alarm banner and the acknowledgement dialog.

The banner shows the oldest unacknowledged alarm across the top of the screen, until it
is acknowledged.  The main screen composes one; the App mounts another on whatever screen
or dialog is on top (:meth:`~console.tui.app.DutyDeskApp.sync_alarm_overlay`), so an
alarm is never hidden behind the page screen, the log or a confirmation.

The queue itself is the :class:`~console.incidents.AlarmBoard`'s (oldest first); the
banner shows its head, how long it has waited and how many wait behind it.  Text from the
radio (a detector's message) is rendered inert.

F12 acknowledges through :class:`AcknowledgeDialog`, which names the alarm (unit, kind,
time) and asks once: a second F12 while it is open does nothing, so two quick presses can
never clear two alarms nobody read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Protocol

from rich.text import Text
from textual.widgets import Static

from console.incidents import Alarm
from console.incidents.rules import EMERGENCY_KIND
from console.tui.render import inert, local_time
from console.tui.strings import tr
from console.tui.widgets.dialogs import ConfirmDialog

WAITING_SHOWN_S = 10.0
"""The banner says how long an alarm has waited from the first reminder on (the board's
default interval); redrawn on every reminder and, on the main screen, every second."""


class KindLabels(Protocol):
    """What names an alarm's kind: the station's :class:`~console.incidents.AlarmRules`."""

    def label_for(self, kind: str, lang: str = ...) -> str: ...


def kind_label(alarm: Alarm, lang: str, rules: KindLabels | None = None) -> str:
    """The alarm's kind as the station names it ("烟感告警"), else the screen's word for
    it, else the kind itself (a rule added in a newer station file)."""
    if rules is not None:
        label = rules.label_for(alarm.kind, lang)
        if label != alarm.kind:
            return label
    key = f"alarm.kind.{alarm.kind}"
    label = tr(key, lang)
    return alarm.kind if label == key else label


def describe(
    alarm: Alarm,
    lang: str,
    names: dict[str, str],
    rules: KindLabels | None = None,
    tz: tzinfo | None = None,
    *,
    short: bool = False,
) -> Text:
    """The alarm named: how it came, what it is, who sent it (inert); unless ``short``,
    also how often, when, and the detector's text on a line of its own."""
    text = Text(no_wrap=False)
    text.append(tr(f"alarm.source.{alarm.source}", lang))
    if alarm.kind != EMERGENCY_KIND:  # "紧急状态" says it already
        text.append(" ")
        text.append_text(inert(kind_label(alarm, lang, rules)))
    text.append("  ")
    text.append_text(inert(names.get(alarm.sender) or alarm.alias or alarm.sender, "bold"))
    text.append_text(inert(f" ({alarm.sender})"))
    if short:
        return text
    if alarm.count > 1:
        text.append(f" ×{alarm.count}", style="bold")
    text.append(f"  {local_time(alarm.received_wall, tz)}")
    if alarm.text:
        text.append("\n")
        text.append_text(inert(alarm.text))
    return text


class AlarmBanner(Static):
    """Hidden while no alarm waits; takes the top of the screen while one does."""

    DEFAULT_CSS = """
    AlarmBanner { display: none; height: auto; padding: 0 1; }
    AlarmBanner.-active { display: block; }
    """

    def __init__(
        self,
        lang: str,
        tz: tzinfo | None,
        rules: KindLabels | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.tz = tz
        self.rules = rules
        self.alarm_ids: tuple[str, ...] = ()
        self.names: dict[str, str] = {}
        """SSI → name in the officer's language (alarms carry the Chinese alias)."""

    def show(self, pending: Sequence[Alarm], wall: float | None = None) -> None:
        """Show the head of ``pending`` (or hide when it is empty); ``wall``: now, for
        how long it has waited (redrawn on every reminder)."""
        self.alarm_ids = tuple(a.id for a in pending)
        self.set_class(bool(pending), "-active")
        self.update(self.render_alarm(pending, wall) if pending else "")

    def render_alarm(self, pending: Sequence[Alarm], wall: float | None = None) -> Text:
        lang = self.lang
        alarm = pending[0]
        text = Text(no_wrap=False)
        text.append(f"⚠ {tr('alarm.title', lang)} ", style="bold")
        text.append_text(inert(alarm.id, "bold"))
        text.append("  ")
        text.append_text(describe(alarm, lang, self.names, self.rules, self.tz))
        text.append("\n")
        text.append(f"[{tr('alarm.ack_hint', lang)}]", style="reverse")
        if wall is not None and wall - alarm.received_wall >= WAITING_SHOWN_S:
            text.append("  ")
            text.append(tr("alarm.waiting", lang, s=int(wall - alarm.received_wall)), style="bold")
        if len(pending) > 1:
            text.append("  ")
            text.append(tr("alarm.queued", lang, n=len(pending) - 1), style="bold")
        return text


class AcknowledgeDialog(ConfirmDialog):
    """ "Acknowledge this alarm?" naming it; Enter takes it, Esc leaves it waiting."""

    def __init__(
        self,
        alarm: Alarm,
        lang: str,
        tz: tzinfo | None,
        names: dict[str, str],
        rules: KindLabels | None = None,
    ) -> None:
        body = describe(alarm, lang, names, rules, tz)
        body.append("\n\n")
        body.append(tr("alarm.confirm.body", lang))
        super().__init__(
            tr("alarm.confirm.title", lang, id=alarm.id), body, lang, keys="run.confirm_keys"
        )
        self.alarm = alarm

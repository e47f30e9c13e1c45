"""Placeholder Textual console: station name, unit table, status bar.

The real console comes later; this keeps the shape it will have -- the station and the
gateway URL are passed *into* the App (no globals, no hardware access here), and every
string that comes from a station file or a radio is shown as inert data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from console.config import Station
from console.i18n import normalise_lang, t


def inert(value: object, style: str = "") -> Text:
    """Text that cannot move the cursor, change colours or smuggle markup.

    Control and format characters (ESC, BEL, bidi overrides ...) are shown as ``\\xNN``
    escapes; ``Text(...)`` is never parsed as markup.
    """
    out = []
    for ch in str(value):
        if unicodedata.category(ch) in ("Cc", "Cf"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return Text("".join(out), style=style)


class DutyDeskApp(App[None]):
    """The duty officer's screen (placeholder)."""

    TITLE = "DutyDesk"
    CSS = """
    #station { height: 1; padding: 0 1; text-style: bold; background: $primary; }
    #units { height: 1fr; }
    #statusbar { height: 1; padding: 0 1; background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", show=False),
    ]

    def __init__(
        self,
        station: Station,
        gateway_url: str | None,
        lang: str = "zh-CN",
        *,
        notice: str | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__()
        self.station = station
        self.gateway_url = gateway_url
        self.lang = normalise_lang(lang)
        self.notice = notice
        self._clock = clock
        self.title = t("app.title", self.lang)

    def compose(self) -> ComposeResult:
        yield Static(inert(self.station.display_name(self.lang)), id="station", markup=False)
        yield DataTable(id="units", cursor_type="row", zebra_stripes=True)
        yield Static(self._status_text(), id="statusbar", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#units", DataTable)
        table.add_column(inert(t("col.alias", self.lang)), key="alias")
        table.add_column(inert(t("col.issi", self.lang)), key="issi")
        table.add_column(inert(t("col.kind", self.lang)), key="kind")
        table.add_column(inert(t("col.groups", self.lang)), key="groups")
        for unit in self.station.units:
            table.add_row(
                inert(unit.display_name(self.lang)),
                Text(str(unit.issi), justify="right"),
                inert(t(f"kind.{unit.kind}", self.lang)),
                inert(" ".join(unit.groups)),
                key=str(unit.issi),
            )
        self.set_interval(1.0, self._refresh_status)

    def _status_text(self) -> Text:
        lang = self.lang
        text = Text()
        text.append(f"{t('status.gateway', lang)}: ", style="bold")
        if self.gateway_url:
            text.append_text(inert(self.gateway_url))
        elif self.notice:
            text.append_text(inert(f"{t('status.sim_failed', lang)}: {self.notice}", "red"))
        else:
            text.append("-")
        text.append(f"   {t('status.operator', lang)}: ", style="bold")
        text.append_text(inert(self.station.operator))
        text.append(f"   {len(self.station.units)} {t('status.units', lang)}")
        text.append(f"   {self._clock():%Y-%m-%d %H:%M:%S}")
        return text

    def _refresh_status(self) -> None:
        self.query_one("#statusbar", Static).update(self._status_text())

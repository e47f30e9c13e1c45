"""F7: the event log -- filter, search, page through, export.

Filters are the :meth:`EventLog.query` filters: kind family, unit (ISSI or alias),
incident id, a time range (``08:30``, ``2026-01-01 08:30`` or ISO-8601 with an offset;
times without a date are today's, in the console's time zone) and a free-text search
(a substring of the record's text, Chinese included).  Results come newest first, a page
at a time from the query's iterator (Ctrl+N fetches the next page), so a year of records
is never loaded at once.

Ctrl+S exports what the filters select to a CSV or JSON Lines file (by the name's
ending) at a path the officer types; the export runs in a thread worker so the screen
never blocks, and the notice says where it was written and how many records.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, Static

from console.config import Unit
from console.errors import ConsoleError, say_message
from console.eventlog import EventLogError, EventRecord, LogBadQuery, parse_time, write_records
from console.logwords import FAMILIES, family_label
from console.tui.offloop import read_in_thread
from console.tui.render import inert, local_time
from console.tui.strings import Key, tr
from console.tui.widgets.dialogs import PromptDialog
from console.tui.widgets.footer import DeskFooter
from console.tui.widgets.screenkeys import bind_keys
from console.tui.widgets.timeline import describe

if TYPE_CHECKING:
    from console.tui.app import DutyDeskApp

LOG_KEYS: tuple[Key, ...] = (
    Key("ctrl+n", "more", "下一页", "More"),
    Key("ctrl+s", "export", "导出", "Export"),
    Key("ctrl+l", "clear", "清除筛选", "Clear filters"),
    Key("escape", "close", "返回", "Back"),
)
"""Keys of the log screen (Enter in a filter field applies the filters)."""

PAGE_SIZE = 100


@dataclass(frozen=True)
class Filters:
    """What the officer asked for, already turned into query arguments."""

    kinds: tuple[str, ...] | None = None
    unit: str | None = None
    incident: str | None = None
    since: float | None = None
    until: float | None = None
    text: str | None = None

    def query_args(self) -> dict[str, Any]:
        return {
            "kinds": self.kinds,
            "unit": self.unit,
            "incident": self.incident,
            "since": self.since,
            "until": self.until,
            "text": self.text,
        }


def parse_when(text: str, tz: tzinfo | None, now_wall: float) -> float | None:
    """A time the officer typed, as unix seconds (``None`` for an empty field):
    :func:`~console.eventlog.parse_time` in the console's zone and on its clock
    (``12:28`` today, ``-2h`` ago, ISO-8601 dates and times)."""
    text = text.strip()
    return parse_time(text, now=now_wall, tz=tz) if text else None


def export_format(path: Path) -> str:
    """``jsonl`` for ``.jsonl`` / ``.json`` / ``.ndjson``, otherwise ``csv``."""
    return "jsonl" if path.suffix.lower() in (".jsonl", ".json", ".ndjson") else "csv"


def export_records(log_query: Iterator[EventRecord], path: Path, fmt: str) -> int:
    """Write the records to ``path`` (CSV with a BOM for Excel on a Chinese PC)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as out:
        return write_records(log_query, out, fmt, bom=fmt == "csv")


class LogScreen(Screen[None]):
    """Filters on top, results in the middle, where the export went at the bottom."""

    DEFAULT_CSS = """
    LogScreen #log-head { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    LogScreen .log-filters { height: 1; margin: 0 0; }
    LogScreen .log-filters > * { width: 1fr; margin-right: 1; }
    LogScreen #f-family { width: 1fr; }
    LogScreen #log-table { height: 1fr; border: round $primary-lighten-1; }
    LogScreen #log-status { height: auto; padding: 0 1; background: $panel; }
    """

    def __init__(self, desk: DutyDeskApp) -> None:
        super().__init__(id="log-screen")
        bind_keys(self, LOG_KEYS, desk.lang)
        self.screen_keys = LOG_KEYS
        self.desk = desk
        self.runtime = desk.runtime
        self.lang = desk.lang
        self.filters = Filters()
        self.records: list[EventRecord] = []
        self.exhausted = False
        self.last_export: tuple[Path, int] | None = None
        self._results: Iterator[EventRecord] | None = None
        self._reading = False
        """A page is being read (Ctrl+N waits for it: one reader per result at a time)."""
        self.names: dict[str, str] = {
            str(u.issi): u.display_name(self.lang) for u in self.runtime.station.units
        }
        self.names |= {
            str(g.gssi): g.display_name(self.lang)
            for g in self.runtime.station.groups
            if g.gssi is not None
        }

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(Text(tr("log.title", lang), no_wrap=True), id="log-head", markup=False)
        families = [(self._family_label(f), f) for f in FAMILIES]
        with Horizontal(classes="log-filters"):
            yield Select(families, prompt=tr("log.f.family", lang), id="f-family", compact=True)
            yield Input(placeholder=tr("log.f.unit", lang), id="f-unit", compact=True)
            yield Input(placeholder=tr("log.f.incident", lang), id="f-incident", compact=True)
        with Horizontal(classes="log-filters"):
            yield Input(placeholder=tr("log.f.since", lang), id="f-since", compact=True)
            yield Input(placeholder=tr("log.f.until", lang), id="f-until", compact=True)
            yield Input(placeholder=tr("log.f.text", lang), id="f-text", compact=True)
        table: DataTable[Text] = DataTable(cursor_type="row", id="log-table")
        for key in ("time", "kind", "unit", "detail"):
            table.add_column(tr(f"log.col.{key}", lang), key=key)
        yield table
        yield Static("", id="log-status", markup=False)
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self.run_query()
        self.query_one("#f-text", Input).focus()

    def _family_label(self, family: str) -> str:
        return family_label(family, self.lang)

    # --- filtering and paging -----------------------------------------------------------

    def read_filters(self) -> Filters:
        """The fields as query arguments; raises ConsoleError naming what is wrong."""
        lang, runtime = self.lang, self.runtime
        family = self.query_one("#f-family", Select).value
        kinds = (f"{family}.*",) if isinstance(family, str) else None
        unit_text = self.query_one("#f-unit", Input).value.strip()
        unit: str | None = None
        if unit_text:
            if unit_text.isdigit():
                unit = unit_text
            else:
                found = runtime.station.lookup(unit_text)
                if not isinstance(found[0], Unit):
                    raise ConsoleError(tr("log.err.unit", lang, value=unit_text))
                unit = str(found[0].issi)
        incident = self.query_one("#f-incident", Input).value.strip() or None
        now = runtime.clock.time()
        since = parse_when(self.query_one("#f-since", Input).value, self.desk.tz, now)
        until = parse_when(self.query_one("#f-until", Input).value, self.desk.tz, now)
        text = self.query_one("#f-text", Input).value.strip() or None
        return Filters(kinds, unit, incident, since, until, text)

    def apply_filters(self) -> None:
        try:
            self.filters = self.read_filters()
        except (ConsoleError, LogBadQuery) as exc:
            self.notify(say_message(exc, self.lang), severity="warning", markup=False)
            return
        self.run_query()

    def run_query(self) -> None:
        """Start over with the current filters and show the first page (read off the UI
        loop; a newer query drops the page of an older one still being read)."""
        self.query_one("#log-table", DataTable).clear()
        self.records = []
        self.exhausted = False
        self._results = None
        log, args = self.runtime.log, self.filters.query_args()
        self._read_page(lambda: log.query(descending=True, **args))

    def action_more(self) -> None:
        """The next page of results (nothing is read beyond it)."""
        results = self._results
        if results is None or self.exhausted or self._reading:
            self.show_status()
            return
        self._read_page(lambda: results)

    def _read_page(self, source: Callable[[], Iterator[EventRecord]]) -> None:
        def read() -> tuple[Iterator[EventRecord], list[EventRecord]]:
            results = source()
            return results, list(itertools.islice(results, PAGE_SIZE))

        self._reading = True
        read_in_thread(
            self, read, self._show_page, self._read_failed, (EventLogError,), group="log-page"
        )

    def _show_page(self, got: tuple[Iterator[EventRecord], list[EventRecord]]) -> None:
        self._results, page = got
        self._reading = False
        self.exhausted = len(page) < PAGE_SIZE
        table: DataTable[Text] = self.query_one("#log-table", DataTable)
        for record in page:
            table.add_row(*self.row(record), key=str(record.id))
        self.records += page
        self.show_status()

    def _read_failed(self, exc: Exception) -> None:
        self._reading = False
        self.notify(say_message(exc, self.lang), severity="error", markup=False)
        self.show_status()

    def row(self, record: EventRecord) -> tuple[Text, Text, Text, Text]:
        what, detail = describe(record, self.lang, self.runtime.station.status_plan)
        unit = record.unit or ""
        return (
            Text(local_time(record.wall, self.desk.tz, "%m-%d %H:%M:%S"), style="dim"),
            inert(what),
            inert(self.names.get(unit, unit)),
            inert(detail),
        )

    def show_status(self) -> None:
        lang = self.lang
        text = Text(no_wrap=False)
        more = "" if self.exhausted else tr("log.more", lang)
        text.append(tr("log.count", lang, n=len(self.records)) + more)
        if self.last_export is not None:
            path, n = self.last_export
            text.append("  ")
            text.append(tr("log.exported", lang, n=n), style="bold green")
            text.append(" ")
            text.append_text(inert(str(path), "bold"))
        self.query_one("#log-status", Static).update(text)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id is not None and event.input.id.startswith("f-"):
            event.stop()
            self.apply_filters()

    @on(Select.Changed, "#f-family")
    def _family(self) -> None:
        self.apply_filters()

    def action_clear(self) -> None:
        for field in self.query(Input):
            if field.id is not None and field.id.startswith("f-"):
                field.value = ""
        self.query_one("#f-family", Select).clear()
        self.apply_filters()

    # --- export -------------------------------------------------------------------------

    def default_export_path(self) -> Path:
        stamp = datetime.fromtimestamp(self.runtime.clock.time(), self.desk.tz)
        return Path.cwd() / f"dutydesk-log-{stamp:%Y%m%d-%H%M%S}.csv"

    def action_export(self) -> None:
        lang = self.lang

        def chosen(value: str | None) -> None:
            if value:
                self.export_to(Path(value).expanduser())

        self.app.push_screen(
            PromptDialog(
                tr("log.export.title", lang),
                tr("log.export.label", lang),
                lang,
                value=str(self.default_export_path()),
            ),
            chosen,
        )

    def export_to(self, path: Path) -> None:
        """Export what the filters select to ``path`` in a thread worker."""
        try:
            filters = self.read_filters()
        except (ConsoleError, LogBadQuery) as exc:
            self.notify(say_message(exc, self.lang), severity="warning", markup=False)
            return
        fmt = export_format(path)
        self.query_one("#log-status", Static).update(
            Text(tr("log.exporting", self.lang, path=str(path)), style="italic")
        )
        log = self.runtime.log

        def work() -> None:
            try:
                n = export_records(log.query(**filters.query_args()), path, fmt)
            except (OSError, EventLogError) as exc:
                message = say_message(exc, self.lang)
                self.app.call_from_thread(self._export_failed, path, message)
            else:
                self.app.call_from_thread(self._exported, path, n)

        self.run_worker(work, thread=True, name="log-export", group="log-export")

    def _exported(self, path: Path, n: int) -> None:
        self.last_export = (path, n)
        self.show_status()
        self.notify(tr("log.exported.notice", self.lang, n=n, path=str(path)), markup=False)

    def _export_failed(self, path: Path, message: str) -> None:
        self.show_status()
        self.notify(
            tr("log.export.failed", self.lang, path=str(path), error=message),
            severity="error",
            markup=False,
        )

    def action_close(self) -> None:
        self.dismiss()


def make_screen(app: DutyDeskApp) -> Screen[None]:
    """F7 from the main screen."""
    return LogScreen(app)

"""``dutydesk centre``: every station on one screen, live, read-only (issue 11).

The app holds no SQL and no business rules: a :class:`~console.centre.source.CentreSource`
is passed in; snapshots are taken on a thread worker and come back with
``call_from_thread``; an async worker listens for PostgreSQL notifications and asks for
a new snapshot (coalesced: while one is being taken, further notifications only mark it
stale).  Every station name, unit and detail came from a station and is shown inert.

Read-only, unless a dispatch book is given: then ``d`` pages through the selected
station's own API with that station's token (:mod:`console.centre.dispatch`); the
central database is still only read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import ClassVar, Final

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Static

from console.centre.connect import first_line
from console.centre.dispatch import DispatchBook, dispatch, split_names
from console.centre.errors import CentreError
from console.centre.overview import StationOverview, TimelineRow
from console.centre.source import CentreSnapshot, CentreSource, TimelineFilter
from console.eventlog import EventRecord
from console.paging.model import Rung
from console.tui.render import age, clean, inert, local_time
from console.tui.strings import tr
from console.tui.widgets.dialogs import PromptDialog
from console.tui.widgets.timeline import describe

RETRY_S: Final = (1.0, 2.0, 5.0, 10.0)


def ladder_text(station: StationOverview, lang: str, most: int = 3) -> str:
    """``P3: queued 1 acknowledged 4`` for the newest ``most`` pages in flight (rung words
    in ``lang``), then ``+N`` for the others: one row per station stays readable."""
    parts = []
    newest = station.pages[-most:]
    for page in reversed(newest):
        rungs = " ".join(f"{_rung_label(r, lang)} {n}" for r, n in page.ladder)
        parts.append(f"{page.page}: {rungs}")
    more = len(station.pages) - len(newest)
    return " | ".join(parts) + (f" | +{more}" if more else "")


def lag_text(seconds: float) -> str:
    """Sub-minute lags to a tenth of a second (what replication normally shows); longer
    ones (a station that was cut off) as an age."""
    return f"{seconds:.1f} s" if seconds < 60 else age(seconds)


def _rung_label(name: str, lang: str) -> str:
    try:
        return Rung(name).label(lang)
    except ValueError:
        return name


def as_record(row: TimelineRow) -> EventRecord:
    return EventRecord(
        row.seq, row.wall, 0.0, row.kind, row.incident, row.page, row.unit, None, None,
        row.data_json,
    )  # fmt: skip


class CentreApp(App[None]):
    """The centre screen.  ``snapshots`` counts the snapshots shown (tests wait on it)."""

    TITLE = "dutydesk centre"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", show=False),
        Binding("d", "dispatch", "Dispatch", show=False),
        Binding("q", "quit", "Quit", show=False),
    ]
    CSS = """
    #head { height: 1; padding: 0 1; }
    #stations { height: auto; max-height: 50%; }
    #filters { height: 3; }
    #filters Input { width: 1fr; }
    #timeline { height: 1fr; }
    #status { height: 1; padding: 0 1; color: $warning; }
    #keys { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(
        self,
        source: CentreSource,
        lang: str = "zh-CN",
        *,
        min_interval_s: float = 1.0,
        dispatch: DispatchBook | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.lang = lang
        self.book = dispatch
        """Stations the centre may page through (their APIs and tokens); None: read-only."""
        self.dispatched: list[str] = []
        """Page ids the stations answered for pages sent from here (tests wait on it)."""
        self.min_interval_s = min_interval_s
        """Notifications come with every shipped batch of every station (tens a second
        in a busy city); one snapshot costs the centre ~0.3 s at 10 M events, so they are
        taken at most this often.  The officer's own refresh and filters do not wait."""
        self._last_start = float("-inf")
        self._timer_armed = False
        self.filters = TimelineFilter()
        self.snapshot: CentreSnapshot | None = None
        self.snapshots = 0
        self.notifications = 0
        self.listening = False
        self._loading = False
        self._stale = False

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(tr("centre.title", lang), id="head")
        yield DataTable(id="stations", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="filters"):
            yield Input(placeholder=tr("centre.filter.station", lang), id="f-station")
            yield Input(placeholder=tr("centre.filter.kind", lang), id="f-kind")
            yield Input(placeholder=tr("centre.filter.window", lang), id="f-window")
        yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        keys = "centre.keys.dispatch" if self.book and self.book.stations else "centre.keys"
        yield Static(tr(keys, lang), id="keys")

    def on_mount(self) -> None:
        lang = self.lang
        stations = self.query_one("#stations", DataTable)
        for key in ("station", "incidents", "pages", "ladder", "alarms", "last", "lag", "backlog"):
            stations.add_column(tr(f"centre.col.{key}", lang), key=key)
        timeline = self.query_one("#timeline", DataTable)
        timeline.border_title = tr("centre.timeline", lang)
        for key in ("time", "station", "what", "unit", "ref", "detail"):
            timeline.add_column(tr(f"centre.col.{key}", lang), key=key)
        self.request_snapshot()
        self.listen()

    # -- data in ----------------------------------------------------------------------

    def request_snapshot(self, *, now: bool = False) -> None:
        """Take a snapshot: right after the one being taken, and (unless ``now``) no
        sooner than ``min_interval_s`` after the previous one started."""
        if self._loading or (self._timer_armed and not now):
            self._stale = True
            return
        wait = self._last_start + self.min_interval_s - time.monotonic()
        if wait > 0 and not now:
            self._timer_armed = True
            self.set_timer(wait, self._timer_fired)
            return
        self._loading = True
        self._stale = False
        self._last_start = time.monotonic()
        self._take(self.filters)

    def _timer_fired(self) -> None:
        self._timer_armed = False
        self.request_snapshot()

    @work(thread=True, group="snapshot")
    def _take(self, filters: TimelineFilter) -> None:
        try:
            snap = self.source.snapshot(filters)
        except Exception as exc:
            self.call_from_thread(self._failed, first_line(exc))
            return
        self.call_from_thread(self._show, snap)

    @work(group="listen")
    async def listen(self) -> None:
        """LISTEN for inserts at the centre; reconnects (with a pause) when cut off."""
        failures = 0
        while True:
            try:
                async for station in self.source.changes():
                    self.listening = True
                    failures = 0
                    if station:
                        self.notifications += 1
                    self.request_snapshot()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.listening = False
                self._status(tr("centre.live.lost", self.lang, error=first_line(exc)))
                await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])
                failures += 1
                self.request_snapshot()

    def _failed(self, error: str) -> None:
        self._loading = False
        self._status(tr("centre.error", self.lang, error=error))

    def _show(self, snap: CentreSnapshot) -> None:
        self._loading = False
        self.snapshot = snap
        self._fill_stations(snap)
        self._fill_timeline(snap)
        head = self.query_one("#head", Static)
        head.update(
            Text(
                f"{tr('centre.title', self.lang)} · "
                f"{tr('centre.stations', self.lang, n=len(snap.stations))} · "
                f"{tr('centre.updated', self.lang, time=local_time(snap.taken_wall, None))} · "
                f"{self._mode()}"
            )
        )
        self._status("")
        self.snapshots += 1
        if self._stale:
            self.request_snapshot()

    def _fill_stations(self, snap: CentreSnapshot) -> None:
        table = self.query_one("#stations", DataTable)
        table.clear()
        for st in snap.stations:
            h = st.health
            last = (
                age(snap.taken_wall - h.last_wall)
                if h.last_wall is not None
                else tr("centre.never", self.lang)
            )
            lag = "-" if h.lag_s is None else lag_text(h.lag_s)
            alarms = Text(str(len(st.alarms)), style="bold red" if st.alarms else "")
            table.add_row(
                inert(st.station, "bold"),
                str(len(st.incidents)),
                str(len(st.pages)),
                inert(ladder_text(st, self.lang)),
                alarms,
                last,
                lag,
                "-",
                key=st.station,
            )

    def _fill_timeline(self, snap: CentreSnapshot) -> None:
        table = self.query_one("#timeline", DataTable)
        table.clear()
        for row in snap.timeline:
            what, detail = describe(as_record(row), self.lang)
            table.add_row(
                local_time(row.wall, None, "%m-%d %H:%M:%S"),
                inert(row.station, "bold"),
                inert(what),
                inert(row.unit or ""),
                inert(row.incident or row.page or ""),
                inert(detail),
                key=f"{row.station}:{row.seq}",
            )

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

    # -- the officer's filters --------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.filters = self.read_filters()
        self.request_snapshot(now=True)

    def read_filters(self) -> TimelineFilter:
        stations = self.query_one("#f-station", Input).value
        kind = self.query_one("#f-kind", Input).value.strip()
        window = self.query_one("#f-window", Input).value.strip()
        names = tuple(s.strip() for s in stations.replace("，", ",").split(",") if s.strip())
        try:
            minutes = float(window) if window else self.filters.window_s / 60
        except ValueError:
            minutes = self.filters.window_s / 60
        return TimelineFilter(
            stations=names or None,
            unit_kind=kind or None,
            window_s=max(1.0, minutes) * 60,
            limit=self.filters.limit,
        )

    def action_refresh(self) -> None:
        self.request_snapshot(now=True)

    def _mode(self) -> str:
        if self.book and self.book.stations:
            return tr("centre.dispatch.enabled", self.lang, n=len(self.book.stations))
        return tr("centre.read_only", self.lang)

    # -- dispatch through a station's own API -----------------------------------------

    def action_dispatch(self) -> None:
        table = self.query_one("#stations", DataTable)
        if table.row_count == 0:
            return
        station = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        api = self.book.get(station) if self.book else None
        if api is None:
            self._status(tr("centre.dispatch.none", self.lang, station=station))
            return
        lang = self.lang
        title = tr("centre.dispatch.title", lang, station=escape(clean(station)))

        def ask(label: str, then: Callable[[str | None], None]) -> None:
            self.push_screen(PromptDialog(title, tr(label, lang), lang), then)

        def got_text(text: str | None) -> None:
            if text:
                self._status(tr("centre.dispatch.sending", lang, station=station))
                self._send(station, names, text)

        def got_names(value: str | None) -> None:
            names[:] = split_names(value or "")
            if names:
                ask("centre.dispatch.text", got_text)

        names: list[str] = []
        ask("centre.dispatch.names", got_names)

    @work(group="dispatch")
    async def _send(self, station: str, names: list[str], text: str) -> None:
        api = self.book.get(station) if self.book else None
        if api is None:
            return
        try:
            page = await dispatch(api, names, text)
        except CentreError as exc:
            self._status(tr("centre.dispatch.failed", self.lang, error=str(exc)))
            return
        self.dispatched.append(page)
        self._status(tr("centre.dispatch.sent", self.lang, station=station, page=page))

    def on_unmount(self) -> None:
        self.source.close()

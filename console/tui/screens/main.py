"""The main screen: units and groups, incidents, response board, activity, log, status.

It composes the panels and routes each batch from the runtime to the panel that shows
it (attributes down).  It reads the engines' state (alarm queue, active incidents, the
current page) but decides nothing itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from console.incidents import (
    AlarmAcknowledged,
    AlarmRaised,
    AlarmReminder,
    AlarmRepeated,
    IncidentChanged,
)
from console.paging.model import PageChanged
from console.runtime_view import Activity, Batch, LinkStatus, LogTail, RosterChanged
from console.tui.render import inert
from console.tui.strings import tr
from console.tui.widgets.activity import ActivityPanel
from console.tui.widgets.alarm import AlarmBanner
from console.tui.widgets.board import ResponseBoard
from console.tui.widgets.incidents import IncidentsTable
from console.tui.widgets.logtail import LogTail as LogTailWidget
from console.tui.widgets.statusbar import StatusBar
from console.tui.widgets.units import UnitsTable

if TYPE_CHECKING:
    from console.tui.app import DutyDeskApp

ALARM_EVENTS = (AlarmRaised, AlarmRepeated, AlarmReminder, AlarmAcknowledged)


class MainScreen(Screen[None]):
    """The duty officer's overview; everything else opens on top of it."""

    def __init__(self, app: DutyDeskApp) -> None:
        super().__init__(id="main")
        self.desk = app
        self.runtime = app.runtime
        self.lang = app.lang
        self._ready = False
        self._backlog: list[Batch] = []

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang, desk = self.lang, self.desk
        yield AlarmBanner(lang, desk.tz, id="alarm")
        with Horizontal(id="body"):
            units = UnitsTable(lang, id="units")
            units.border_title = tr("panel.units", lang)
            yield units
            with Vertical(id="right"):
                incidents = IncidentsTable(lang, id="incidents")
                incidents.border_title = tr("panel.incidents", lang)
                yield incidents
                board = ResponseBoard(lang, id="board")
                board.border_title = tr("panel.board", lang)
                yield board
        with Horizontal(id="bottom"):
            activity = ActivityPanel(lang, desk.tz, id="activity")
            activity.border_title = tr("panel.activity", lang)
            yield activity
            log = LogTailWidget(lang, desk.tz, id="logtail")
            log.border_title = tr("panel.log", lang)
            yield log
        yield StatusBar(lang, self.runtime.operator, desk.tz, id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        runtime, lang = self.runtime, self.lang
        station = runtime.station
        names: dict[int, str] = {u.issi: u.display_name(lang) for u in station.units}
        names |= {g.gssi: g.display_name(lang) for g in station.groups if g.gssi is not None}
        ssi_names = {str(k): v for k, v in names.items()}
        units = self.query_one(UnitsTable)
        units.setup(runtime.groups.values(), runtime.units.values(), names)
        self.query_one(ActivityPanel).names = ssi_names
        self.query_one(LogTailWidget).names = ssi_names
        self.query_one(AlarmBanner).names = ssi_names
        self.query_one(ResponseBoard).names = {u.issi: u.display_name(lang) for u in station.units}
        self.query_one(IncidentsTable).setup(
            (tr("col.incident", lang), tr("col.priority", lang), tr("col.state", lang),
             tr("col.title", lang))
        )  # fmt: skip
        self.query_one("#incidents", IncidentsTable).show(runtime.book.active())
        self._ready = True
        self.show_alarms()
        self.tick()
        for batch in self._backlog:
            self.apply(batch)
        self._backlog.clear()
        self.query_one(UnitsTable).focus()

    @property
    def title_text(self) -> str:
        return inert(self.runtime.station.display_name(self.lang)).plain

    # --- attributes down ----------------------------------------------------------------

    def apply(self, batch: Batch) -> None:
        """Route one coalesced batch from the runtime to the panels."""
        if not self._ready:  # batches that arrive while the panels are being built
            self._backlog.append(batch)
            return
        now = self.runtime.clock.monotonic()
        activity: list[Activity] = []
        alarms = incidents = page = False
        for event in batch.events:
            if isinstance(event, Activity):
                activity.append(event)
            elif isinstance(event, RosterChanged):
                self.query_one(UnitsTable).apply(event.units, event.groups, now)
                self.query_one(ActivityPanel).show_talkers(event.groups, now)
            elif isinstance(event, LinkStatus):
                self.query_one(StatusBar).show(link=event)
            elif isinstance(event, LogTail):
                self.query_one(LogTailWidget).show(event.records)
            elif isinstance(event, IncidentChanged):
                incidents = True
            elif isinstance(event, PageChanged):
                page = True
            elif isinstance(event, ALARM_EVENTS):
                alarms = True
        if activity or batch.dropped_activity:
            self.query_one(ActivityPanel).add(activity, batch.dropped_activity)
        if incidents:
            self.query_one(IncidentsTable).show(self.runtime.book.active())
        if page:
            self.query_one(ResponseBoard).show(self.runtime.current_page(), now)
        if alarms:
            self.show_alarms()

    def show_alarms(self) -> None:
        pending = self.runtime.alarms.unacknowledged()
        self.query_one(AlarmBanner).show(pending)
        self.set_class(bool(pending), "-alarm")
        status = self.query_one(StatusBar)
        status.alarms = len(pending)
        status.show()

    def tick(self) -> None:
        """Once a second: clocks, ages and stopwatches move on."""
        if not self._ready:
            return
        runtime = self.runtime
        now = runtime.clock.monotonic()
        self.query_one(StatusBar).show(link=runtime.link_status, wall=runtime.clock.time())
        self.query_one(UnitsTable).refresh_ages(now)
        self.query_one(ActivityPanel).refresh_talkers(now)
        self.query_one(ResponseBoard).show(runtime.current_page(), now)

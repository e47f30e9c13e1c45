"""The main screen: units and groups, incidents, response board, activity, log, status.

It composes the panels and routes each batch from the runtime to the panel that shows
it (attributes down).  It reads the engines' state (alarm queue, active incidents, the
current page) but decides nothing itself.

Cheap per batch by design, so a key press never waits long behind one: every panel
redraws only what changed (and asks for a layout pass only when its height can change),
the logs render only the rows on screen, and the panels are looked up once.
"""

from __future__ import annotations

from dataclasses import replace
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
        lang, tz = self.lang, app.tz
        self.alarm = AlarmBanner(lang, tz, id="alarm")
        self.units = UnitsTable(lang, id="units")
        self.incidents = IncidentsTable(lang, id="incidents")
        self.board = ResponseBoard(lang, id="board")
        self.activity = ActivityPanel(lang, tz, id="activity")
        self.logtail = LogTailWidget(lang, tz, max_lines=self.runtime.tail_size, id="logtail")
        self.status = StatusBar(lang, self.runtime.operator, tz, id="status")

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield self.alarm
        with Horizontal(id="body"):
            self.units.border_title = tr("panel.units", lang)
            yield self.units
            with Vertical(id="right"):
                self.incidents.border_title = tr("panel.incidents", lang)
                yield self.incidents
                self.board.border_title = tr("panel.board", lang)
                yield self.board
        with Horizontal(id="bottom"):
            self.activity.border_title = tr("panel.activity", lang)
            yield self.activity
            self.logtail.border_title = tr("panel.log", lang)
            yield self.logtail
        yield self.status
        yield Footer(compact=True)

    def on_mount(self) -> None:
        runtime, lang = self.runtime, self.lang
        station = runtime.station
        names: dict[int, str] = {u.issi: u.display_name(lang) for u in station.units}
        names |= {g.gssi: g.display_name(lang) for g in station.groups if g.gssi is not None}
        ssi_names = {str(k): v for k, v in names.items()}
        self.units.setup(runtime.groups.values(), runtime.units.values(), names)
        self.activity.names = ssi_names
        self.logtail.names = ssi_names
        self.alarm.names = ssi_names
        self.board.names = {u.issi: u.display_name(lang) for u in station.units}
        self.incidents.setup(
            (tr("col.incident", lang), tr("col.priority", lang), tr("col.state", lang),
             tr("col.title", lang))
        )  # fmt: skip
        self.incidents.show(runtime.book.active())
        self._ready = True
        self.show_alarms()
        self.tick()
        for batch in self._backlog:
            self.apply(batch)
        self._backlog.clear()
        self.units.focus()

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
                self.units.apply(event.units, event.groups, now)
                self.activity.show_talkers(event.groups, now)
            elif isinstance(event, LinkStatus):
                self.status.show(link=event)
            elif isinstance(event, LogTail):
                self.logtail.show(event.records)
            elif isinstance(event, IncidentChanged):
                incidents = True
            elif isinstance(event, PageChanged):
                page = True
            elif isinstance(event, ALARM_EVENTS):
                alarms = True
        if activity or batch.dropped_activity:
            self.activity.add(activity, batch.dropped_activity)
        if incidents:
            self.incidents.show(self.runtime.book.active())
        if page:
            self.board.show(self.runtime.current_page(), now)
        if alarms:
            self.show_alarms()

    def show_alarms(self) -> None:
        pending = self.runtime.alarms.unacknowledged()
        self.alarm.show(pending)
        if self.has_class("-alarm") != bool(pending):
            self.set_class(bool(pending), "-alarm")
        self.status.alarms = len(pending)
        self.status.show()

    def link_status(self) -> LinkStatus:
        """The runtime's link, or "connecting" while the App is still starting it."""
        link = self.runtime.link_status
        if not self.desk.started and link.state == "closed":
            return replace(link, state="connecting")
        return link

    def tick(self) -> None:
        """Once a second: clocks, ages and stopwatches move on."""
        if not self._ready:
            return
        runtime = self.runtime
        now = runtime.clock.monotonic()
        self.status.show(link=self.link_status(), wall=runtime.clock.time())
        self.units.refresh_ages(now)
        self.activity.refresh_talkers(now)
        self.board.show(runtime.current_page(), now)

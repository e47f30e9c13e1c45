"""The main screen: units and groups, incidents, response board, activity, log, status.

It composes the panels and routes each batch from the runtime to the panel that shows
it (attributes down).  It reads the engines' state (alarm queue, active incidents, the
current page) but decides nothing itself.

Cheap per batch by design, so a key press never waits long behind one: every panel
redraws only what changed (and asks for a layout pass only when its height can change),
the logs render only the rows on screen, and the panels are looked up once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from console.incidents import (
    AlarmAcknowledged,
    AlarmRaised,
    AlarmReminder,
    AlarmRepeated,
    IncidentChanged,
)
from console.paging.model import PageChanged
from console.runtime.view import (
    Activity,
    Batch,
    GroupState,
    LinkStatus,
    LogTail,
    RosterChanged,
    ServiceEvent,
    UnitState,
)
from console.tui.render import inert
from console.tui.strings import tr
from console.tui.textual_private import forget_colour_memo
from console.tui.widgets.activity import ROWS, ActivityPanel
from console.tui.widgets.alarm import AlarmBanner
from console.tui.widgets.board import ResponseBoard
from console.tui.widgets.footer import DeskFooter
from console.tui.widgets.incidents import IncidentsTable
from console.tui.widgets.logtail import LogTail as LogTailWidget
from console.tui.widgets.statusbar import StatusBar
from console.tui.widgets.units import UnitsTable

if TYPE_CHECKING:
    from console.tui.app import DutyDeskApp

ALARM_EVENTS = (AlarmRaised, AlarmRepeated, AlarmReminder, AlarmAcknowledged)
ACTIVITY_ROWS = ROWS
"""Lines the activity panel keeps (so also what is held for it while it is covered)."""


@dataclass
class _Held:
    """What batches brought since the panels last showed it, merged (latest values)."""

    activity: deque[Activity] = field(default_factory=lambda: deque(maxlen=ACTIVITY_ROWS))
    dropped: int = 0
    units: dict[int, UnitState] = field(default_factory=dict)
    groups: dict[int, GroupState] = field(default_factory=dict)
    link: LinkStatus | None = None
    tail: LogTail | None = None
    incidents: bool = False
    page: bool = False
    alarms: bool = False


class MainScreen(Screen[None]):
    """The duty officer's overview; everything else opens on top of it."""

    def __init__(self, app: DutyDeskApp) -> None:
        super().__init__(id="main")
        self.desk = app
        self.runtime = app.runtime
        self.lang = app.lang
        self._ready = False
        self._held = _Held()
        lang, tz = self.lang, app.tz
        self.alarm = AlarmBanner(lang, tz, getattr(self.runtime.alarms, "rules", None), id="alarm")
        self.units = UnitsTable(lang, id="units")
        self.incidents = IncidentsTable(lang, id="incidents")
        self.board = ResponseBoard(lang, id="board")
        self.activity = ActivityPanel(lang, tz, id="activity")
        self.logtail = LogTailWidget(lang, tz, max_lines=self.runtime.tail_size, id="logtail")
        self.status = StatusBar(lang, self.runtime.operator, tz, demo=app.demo, id="status")

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
            self.logtail.border_subtitle = tr("logtail.wire_hidden", lang)
            yield self.logtail
        yield self.status
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        runtime, lang = self.runtime, self.lang
        station = runtime.station
        names: dict[int, str] = {u.issi: u.display_name(lang) for u in station.units}
        names |= {g.gssi: g.display_name(lang) for g in station.groups if g.gssi is not None}
        ssi_names = {str(k): v for k, v in names.items()}
        self.units.setup(runtime.groups.values(), runtime.units.values(), names)
        self.activity.names = ssi_names
        self.logtail.names = ssi_names
        self.logtail.plan = station.status_plan
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
        self._release()  # batches that came while the panels were being built
        self.units.focus()

    @property
    def title_text(self) -> str:
        return inert(self.runtime.station.display_name(self.lang)).plain

    # --- attributes down ----------------------------------------------------------------

    def apply(self, batch: Batch) -> None:
        """Take one coalesced batch from the runtime to the panels.

        While another screen covers this one (F1 help, a dialog, the log ...), what the
        batch brings is held -- merged, bounded like the panels themselves -- and shown
        right after this screen is back on top (the frame that closes the other screen
        comes first).  Repainting panels under a translucent modal costs a full render of
        this screen per batch, which the key that closes the modal would wait behind.
        Alarms are shown at once, covered or not.
        """
        held = self._held
        for event in batch.events:
            if isinstance(event, Activity):
                if len(held.activity) == ACTIVITY_ROWS:
                    held.dropped += 1
                held.activity.append(event)
            elif isinstance(event, RosterChanged):
                held.units.update((u.issi, u) for u in event.units)
                held.groups.update((g.gssi, g) for g in event.groups)
            elif isinstance(event, LinkStatus):
                held.link = event
            elif isinstance(event, LogTail):
                held.tail = event
            elif isinstance(event, IncidentChanged):
                held.incidents = True
            elif isinstance(event, PageChanged):
                held.page = True
            elif isinstance(event, ALARM_EVENTS):
                held.alarms = True
            elif isinstance(event, ServiceEvent) and event.service == "station":
                # An attached console (re)connected: the service sent its whole picture.
                held.incidents = held.page = held.alarms = True
        held.dropped += batch.dropped_activity
        if not self._ready:  # batches that arrive while the panels are being built
            return
        if held.alarms:
            held.alarms = False
            self.show_alarms()
        if self.covered:
            return
        self._release()

    @property
    def covered(self) -> bool:
        """Another screen is on top of this one."""
        return self.is_attached and self.app.screen is not self

    def _release(self) -> None:
        """Show everything held (see :meth:`apply`)."""
        held, self._held = self._held, _Held()
        now = self.runtime.clock.monotonic()
        if held.units or held.groups:
            groups = held.groups.values()
            self.units.apply(held.units.values(), groups, now)
            self.activity.show_talkers(groups, now)
        if held.link is not None:
            self.status.show(link=held.link)
        if held.tail is not None:
            self.logtail.show(held.tail.records)
        if held.activity or held.dropped:
            self.activity.add(held.activity, held.dropped)
        if held.incidents:
            self.incidents.show(self.runtime.book.active())
        if held.page:
            self.board.show(self.runtime.current_page(), now)
        if held.alarms:
            self.show_alarms()

    def on_screen_resume(self) -> None:
        """A screen opened over this one has closed: catch up after the first frame.

        Also lets go of what the closed screen left cached: Textual memoises a colour
        pair per widget's ``StylesCache`` in a global ``lru_cache`` (1024 entries), which
        kept every closed screen's widgets and their render caches alive -- thousands of
        objects per F1/Esc for the cyclic GC to walk, so its pauses grew through the
        shift.  The memo is two ``Style`` objects: cheap to redo.
        """
        forget_colour_memo()
        if self._ready:
            self.call_after_refresh(self._catch_up)

    def _catch_up(self) -> None:
        if not self.covered:
            self._release()
            self.tick()

    def toggle_wire(self) -> bool:
        """Show or hide the technician's wire rows in the log tail; the new setting."""
        shown = self.logtail.toggle_wire()
        key = "logtail.wire_shown" if shown else "logtail.wire_hidden"
        self.logtail.border_subtitle = tr(key, self.lang)
        return shown

    def show_alarms(self) -> None:
        pending = self.runtime.alarms.unacknowledged()
        self.alarm.show(pending, self.runtime.clock.time())
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
        """Once a second: clocks, ages and stopwatches move on (not while covered)."""
        if not self._ready or self.covered:
            return
        runtime = self.runtime
        now = runtime.clock.monotonic()
        self.status.replication = getattr(runtime, "replication", None)
        self.status.show(link=self.link_status(), wall=runtime.clock.time())
        self.units.refresh_ages(now)
        self.activity.refresh_talkers(now)
        self.board.show(runtime.current_page(), now)
        if self.alarm.alarm_ids:  # how long the alarm has waited, to the second
            self.show_alarms()

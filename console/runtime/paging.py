"""Paging, incidents and alarms: the engines, what they tell the screen, and the actions.

The incident book, the alarm board and the paging engine hold the rules; this builds
them for the station (restored from the event log), passes their events to the feed --
marking the units an alarm or a failed page is about -- and gives the screens the few
actions they need (page, re-page the silent ones, acknowledge an alarm), all as this
console's operator.
"""

from __future__ import annotations

from collections.abc import Callable

from console.incidents import AlarmBoard, AlarmEvent, IncidentBook, IncidentChanged
from console.paging.engine import PagingEngine
from console.paging.model import (
    FailureCause,
    PageChanged,
    PageRequest,
    PageView,
    PagingUpdate,
    Recipient,
    Rung,
)
from console.paging.selection import directory
from console.runtime.live import LiveState
from console.runtime.shared import Shared
from drivers.gateway import Gateway


class PagingDesk:
    """Owns :attr:`book`, :attr:`alarms` and :attr:`paging`; follows the current page."""

    def __init__(
        self, shared: Shared, live: LiveState, gateway: Gateway, *, drive_log: bool
    ) -> None:
        """``drive_log``: the paging engine commits the log itself (no writer thread)."""
        self.shared = shared
        self.live = live
        station, clock, log = shared.station, shared.clock, shared.log
        self.book = IncidentBook.restore(log, clock, station)
        self.alarms = AlarmBoard.restore(
            gateway, self.book, clock, log, station, operator=shared.operator
        )
        self.paging = PagingEngine(
            gateway,
            log,
            clock=clock,
            status_plan=station.status_plan,
            deadlines=station.deadlines,
            operator=shared.operator,
            incident_factory=lambda title, op: self.book.adhoc_for_page(title, op).id,
            attach_page=self._attach_page,
            directory=directory(station).get,
            drive_log=drive_log,
            page_ids=shared.ids.page_id,
        )
        self.current_page_id: str | None = None
        """The page the response board follows: the newest one with committed rungs."""

    def _attach_page(self, incident_id: str, page_id: str) -> None:
        self.book.attach_page(incident_id, page_id)

    def subscribe(self) -> list[Callable[[], None]]:
        """Listen to the three engines; the unsubscribers."""
        return [
            self.book.subscribe(self._on_incident),
            self.alarms.subscribe(self._on_alarm),
            self.paging.subscribe(self._on_paging),
        ]

    async def start(self) -> None:
        await self.paging.start()
        self.resume()

    def resume(self) -> None:
        """Follow again the pages the log says were in flight when the last process that
        owned it stopped (``console.paging.restore``); logged as ``service.resumed``."""
        from console.eventlog import kinds
        from console.paging.restore import restore_open_pages

        shared = self.shared
        shared.flush_log()
        pages = restore_open_pages(self.paging, shared.log, directory(shared.station).get)
        if not pages:
            return
        self.current_page_id = max(p.page_id for p in pages)
        shared.log.append(
            kinds.SERVICE_RESUMED,
            operator=shared.operator,
            data={
                "pages": [p.page_id for p in pages],
                "silent": sum(
                    1
                    for p in pages
                    for r in p.responders.values()
                    if not r.reached(Rung.ACKNOWLEDGED)
                ),
            },
        )
        shared.after_append()

    async def close(self) -> None:
        await self.paging.close()

    def _on_incident(self, event: IncidentChanged) -> None:
        self.shared.push(event)

    def _on_alarm(self, event: AlarmEvent) -> None:
        alarm = event.alarm
        if alarm.sender.isdigit():
            self.live.touch(int(alarm.sender), emergency=not alarm.acknowledged)
        self.shared.push(event)

    def _on_paging(self, update: PagingUpdate) -> None:
        if isinstance(update, PageChanged):
            if self.current_page_id is None or update.view.page_id >= self.current_page_id:
                self.current_page_id = update.view.page_id
            for resp in update.view.responders:
                cause = resp.failures[-1].cause if resp.failures else None
                if cause is not None and cause is not FailureCause.NO_ANSWER:
                    self.live.touch(resp.issi, unreachable=not resp.acknowledged)
        self.shared.feed.push(update)

    # --- what the screens ask -------------------------------------------------------------

    def current_page(self) -> PageView | None:
        """The page the response board shows: the newest one with committed rungs."""
        if self.current_page_id is None or self.current_page_id not in self.paging.pages:
            return None
        return self.paging.view(self.current_page_id)

    def page(self, request: PageRequest, *, incident_id: str | None = None) -> str:
        """Send a page through the engine (the page dialog calls this)."""
        page_id = self.paging.page(request, incident_id=incident_id)
        self.current_page_id = page_id
        self.shared.after_append()
        return page_id

    def repage_silent(
        self,
        *,
        page_id: str | None = None,
        units: tuple[int, ...] | None = None,
        operator: str | None = None,
    ) -> list[int]:
        """Re-page the responders of ``page_id`` (default: the current page) that have not
        acknowledged yet -- only ``units`` among them when given; the ISSIs re-paged."""
        if page_id is not None and page_id in self.paging.pages:
            view: PageView | None = self.paging.view(page_id)
        else:
            view = self.current_page() if page_id is None else None
        if view is None or view.closed:
            return []
        wanted = set(units) if units is not None else None
        done: list[int] = []
        for resp in view.responders:
            if resp.acknowledged or (wanted is not None and resp.issi not in wanted):
                continue
            if self.paging.operator_repage(
                view.page_id, resp.issi, operator or self.shared.operator
            ):
                done.append(resp.issi)
        self.shared.after_append()
        return done

    def acknowledge_alarm(
        self, alarm_id: str | None = None, *, operator: str | None = None
    ) -> str | None:
        """Acknowledge ``alarm_id`` or the oldest unacknowledged alarm; its id or None."""
        pending = self.alarms.unacknowledged()
        if alarm_id is None:
            if not pending:
                return None
            alarm_id = pending[0].id
        alarm = self.alarms.acknowledge(alarm_id, operator or self.shared.operator)
        if alarm.sender.isdigit():
            still = any(a.sender == alarm.sender for a in self.alarms.unacknowledged())
            self.live.touch(int(alarm.sender), emergency=still)
        self.shared.after_append()
        return alarm_id

    def recipient(self, issi: int) -> Recipient:
        """A station unit as a page recipient (ad-hoc for an unknown number)."""
        return directory(self.shared.station).get(issi) or Recipient(issi)

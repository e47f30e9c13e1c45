"""The composition root: everything one station's console needs, built and owned in one place.

Why one object: the CLI, the Textual app and the tests all need the same wiring (link →
gateway → event log → incident book → alarm board → paging engine, and later the
broadcast, voice and roll-call services).  Building it here, from plain inputs -- the
station, a gateway URL, a log path, a clock and the operator's name -- keeps the App a
thin view (backend passed in, messages up, attributes down) and lets tests run the real
wiring on a :class:`~drivers.clock.VirtualClock` against the simulated network.

Rules kept here:

* No Textual.  The UI gets one stream, :meth:`Runtime.subscribe`, of coalesced
  :class:`~console.runtime_view.Batch` es -- at most one per ``batch_interval`` of real
  loop time -- so a flood of radio traffic can never stall the screen.
* Wire events worth keeping (incoming SDS, calls, link changes) are logged here; ladder
  rungs, incidents and alarms are logged by their engines.
* Everything runs on the one asyncio loop; the only threads are the link's reader/writer,
  the event log's writer and (demo only) the simulator's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol

from console.config import Station
from console.errors import ConsoleError, SimulatorUnavailable
from console.eventlog import EventLog, EventLogError, kinds
from console.incidents import (
    AlarmBoard,
    AlarmEvent,
    IncidentBook,
    IncidentChanged,
)
from console.paging.engine import PagingEngine
from console.paging.model import (
    FailureCause,
    PageChanged,
    PageRequest,
    PageView,
    PagingUpdate,
    Recipient,
)
from console.paging.targets import directory, page_targets
from console.runtime_view import (
    Activity,
    ActivityKind,
    Batch,
    Feed,
    GroupState,
    LinkStatus,
    LogTail,
    UnitState,
)
from drivers import radio_events as rev
from drivers.clock import Clock, SystemClock, TimerHandle
from drivers.errors import DriverError, PortError
from drivers.gateway import Gateway
from drivers.link import LinkState, LinkStateChanged, PeiLink, open_serial
from drivers.link.serial_link import Port
from drivers.pei import commands
from drivers.pei import events as ev
from drivers.pei.dialect import load_dialect

log_ = logging.getLogger(__name__)

BatchListener = Callable[[Batch], None]


class SimulatorLauncher(Protocol):
    """Starts a simulated gateway for a ``sim://`` station and says where to connect."""

    async def launch(self, station: Station) -> str: ...

    async def stop(self) -> None: ...


class Service(Protocol):
    """A part plugged in later (broadcast, voice, roll call ...): started and closed with us."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class ThreadedSimulator:
    """The demo's simulator: ``console.simulator.start_in_process`` (own thread, real time,
    background traffic on), loaded by module name so the console never imports ``fakes``."""

    def __init__(self, seed: int = 1, background_traffic: bool = True) -> None:
        self.seed = seed
        self.background_traffic = background_traffic
        self._handle: Any = None

    async def launch(self, station: Station) -> str:
        from console.simulator import start_in_process

        self._handle = await asyncio.to_thread(
            start_in_process, station, self.seed, self.background_traffic
        )
        return str(self._handle.url)

    async def stop(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            await asyncio.to_thread(handle.stop)


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/dutydesk/events.db`` (``~/.local/share/...``): one log per PC user."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "dutydesk" / "events.db"


class Runtime:
    """One station's console: gateway link, engines, event log, and the UI's event feed.

    Construction is synchronous and does the checks that should fail before any screen
    appears (dialect file, event log lock); :meth:`start` connects (starting the
    simulator first for a ``sim://`` gateway) and returns at once -- the link comes up in
    the background and reports through the feed.
    """

    def __init__(
        self,
        station: Station,
        *,
        gateway_url: str | None = None,
        db_path: str | os.PathLike[str] | None = None,
        clock: Clock | None = None,
        operator: str | None = None,
        simulator: SimulatorLauncher | None = None,
        log_background: bool = True,
        batch_interval: float = 0.075,
        signal_every: float | None = 30.0,
        tail_size: int = 40,
        link_options: dict[str, Any] | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        self.station = station
        self.clock: Clock = clock or SystemClock()
        self.tz = tz
        """Time zone for what people read (page ids, the screen); None = the PC's."""
        self.operator = operator or station.operator
        self.batch_interval = batch_interval
        self.signal_every = signal_every
        self.tail_size = tail_size
        url = gateway_url or station.gateway.url
        self._simulated = url.startswith("sim://")
        self._simulator = simulator or (ThreadedSimulator() if self._simulated else None)
        self.url = url
        """The gateway as configured (``sim://demo``, ``/dev/ttyUSB0``): shown to the officer."""
        self.port = url
        """Where the link really connects (the simulator's pty once started): for the log."""
        self.notice: str | None = None
        """Why the gateway cannot be reached at all (simulator missing ...), for the UI."""
        try:
            dialect = load_dialect(station.gateway.dialect)
        except DriverError as exc:
            raise ConsoleError(f"gateway dialect {station.gateway.dialect!r}: {exc}") from None
        path = Path(db_path) if db_path is not None else default_db_path()
        if db_path is None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.log_background = log_background
        try:
            self.log = EventLog.open(path, clock=self.clock, background=log_background)
        except EventLogError as exc:
            raise ConsoleError(f"event log: {exc.message}", hint=exc.hint) from None
        self.link = PeiLink(
            url,
            dialect=dialect,
            baud=station.gateway.baud,
            clock=self.clock,
            opener=self._open_port,
            **(link_options or {}),
        )
        self.gateway = Gateway(self.link)
        self.book = IncidentBook.restore(self.log, self.clock, station)
        self.alarms = AlarmBoard.restore(self.gateway, self.book, self.clock, self.log, station)
        self.paging = PagingEngine(
            self.gateway,
            self.log,
            clock=self.clock,
            status_plan=station.status_plan,
            targets=page_targets(station.targets),
            operator=self.operator,
            incident_factory=lambda title, op: self.book.adhoc_for_page(title, op).id,
            attach_page=self._attach_page,
            directory=directory(station).get,
            drive_log=not log_background,
            page_ids=self._page_id,
        )
        self._page_seq = 0
        self.services: dict[str, Service] = {}
        """Parts plugged in by name ("broadcast", "voice", "rollcall" ...): see :meth:`add`."""
        self.units: dict[int, UnitState] = {
            u.issi: UnitState(u.issi, u.display_name("zh-CN"), u.kind) for u in station.units
        }
        self.groups: dict[int, GroupState] = {
            g.gssi: GroupState(g.gssi, g.name) for g in station.groups if g.gssi is not None
        }
        self.link_status = LinkStatus(LinkState.CLOSED.value, self.url)
        self.current_page_id: str | None = None
        self._feed = Feed(wake=self._schedule_flush)
        self._listeners: list[BatchListener] = []
        self._unsubscribe: list[Callable[[], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._flush_handle: asyncio.Handle | None = None
        self._last_flush = 0.0
        self._log_dirty = True
        self._tick_timer: TimerHandle | None = None
        self._signal_task: asyncio.Task[None] | None = None
        self._talkers: dict[int, tuple[str, str]] = {}
        """Call number → (talker, group) for whoever holds a floor now."""
        self._started = False
        self._closed = False

    # --- life cycle --------------------------------------------------------------------

    def add(self, name: str, service: Service) -> None:
        """Plug in a service (before :meth:`start`); it is started and closed with us."""
        self.services[name] = service

    async def start(self) -> None:
        """Connect: start the simulator if needed, then the engines and the link."""
        if self._started:
            return
        self._started = True
        self._loop = asyncio.get_running_loop()
        if self._simulator is not None:
            try:
                self.port = await self._simulator.launch(self.station)
            except SimulatorUnavailable as exc:
                self.notice = str(exc)
        self.link_status = replace(self.link_status, detail=self.notice or "")
        self._feed.push(self.link_status)
        self._unsubscribe += [
            self.gateway.subscribe(self._on_radio),
            self.book.subscribe(self._on_incident),
            self.alarms.subscribe(self._on_alarm),
            self.paging.subscribe(self._on_paging),
            self.log.add_commit_listener(self._on_commit),
        ]
        self.log.append(kinds.OPERATOR_LOGIN, operator=self.operator, data={"port": self.port})
        self._after_append()
        await self.paging.start()
        for service in self.services.values():
            await service.start()
        await self.link.start()

    async def close(self) -> None:
        """Stop everything in reverse order; the log is flushed and closed last."""
        if self._closed:
            return
        self._closed = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._signal_task is not None:
            self._signal_task.cancel()
        for timer in (self._tick_timer, self._flush_handle):
            if timer is not None:
                timer.cancel()
        for service in reversed(list(self.services.values())):
            with contextlib.suppress(Exception):
                await service.close()
        await self.paging.close()
        await self.link.close()
        self.alarms.close()
        if self._simulator is not None:
            with contextlib.suppress(Exception):
                await self._simulator.stop()
        with contextlib.suppress(EventLogError):
            if self._started:
                self.log.append(kinds.OPERATOR_LOGOUT, operator=self.operator)
            self.log.flush()
        self.log.close()

    def _page_id(self) -> str:
        """``P20260101-080000-001``: sortable, readable, in the console's time zone."""
        self._page_seq += 1
        stamp = datetime.fromtimestamp(self.clock.time(), self.tz).strftime("%Y%m%d-%H%M%S")
        return f"P{stamp}-{self._page_seq:03d}"

    def _attach_page(self, incident_id: str, page_id: str) -> None:
        self.book.attach_page(incident_id, page_id)

    def _open_port(self, _url: str, baud: int) -> Port:
        if self.notice is not None:
            raise PortError(self.notice)
        return open_serial(self.port, baud)

    # --- the UI's stream ---------------------------------------------------------------

    def subscribe(self, listener: BatchListener) -> Callable[[], None]:
        """``listener(batch)`` on the loop, at most once per ``batch_interval``."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _schedule_flush(self) -> None:
        loop = self._loop
        if loop is None or self._flush_handle is not None or self._closed:
            return
        wait = self._last_flush + self.batch_interval - loop.time()
        if wait <= 0:
            self._flush_handle = loop.call_soon(self.flush)
        else:
            self._flush_handle = loop.call_later(wait, self.flush)

    def flush(self) -> Batch:
        """Hand the listeners everything queued now (tests call it to skip the wait)."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._loop is not None:
            self._last_flush = self._loop.time()
        extra = []
        if self._log_dirty:
            self._log_dirty = False
            with contextlib.suppress(EventLogError):
                extra.append(LogTail(tuple(self.log.tail(self.tail_size))))
        batch = self._feed.take(extra)
        if batch.events:
            for listener in list(self._listeners):
                try:
                    listener(batch)
                except Exception:  # a broken view must not stop the console
                    log_.exception("runtime listener failed")
        return batch

    def _on_commit(self, _committed: int) -> None:
        # Writer thread (background log) or the loop (tick): only flip a flag and wake.
        self._log_dirty = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._feed.wake)

    def _after_append(self) -> None:
        """On virtual time (no writer thread) commit soon on our clock."""
        if self.log_background or self._tick_timer is not None or self._closed:
            return
        self._tick_timer = self.clock.call_later(0.005, self._tick_log)

    def _tick_log(self) -> None:
        self._tick_timer = None
        with contextlib.suppress(EventLogError):
            self.log.tick()
        if self.log.pending_count:
            self._after_append()

    # --- engine events ------------------------------------------------------------------

    def _on_incident(self, event: IncidentChanged) -> None:
        self._feed.push(event)
        self._after_append()

    def _on_alarm(self, event: AlarmEvent) -> None:
        alarm = event.alarm
        if alarm.sender.isdigit():
            self._touch(int(alarm.sender), emergency=not alarm.acknowledged)
        self._feed.push(event)
        self._after_append()

    def _on_paging(self, update: PagingUpdate) -> None:
        if isinstance(update, PageChanged):
            if self.current_page_id is None or update.view.page_id >= self.current_page_id:
                self.current_page_id = update.view.page_id
            for resp in update.view.responders:
                cause = resp.failures[-1].cause if resp.failures else None
                if cause is not None and cause is not FailureCause.NO_ANSWER:
                    self._touch(resp.issi, unreachable=not resp.acknowledged)
        self._feed.push(update)

    # --- radio events: live state, activity, and the wire log --------------------------

    def _alias(self, ssi: str) -> str:
        if ssi.isdigit():
            unit = self.station.unit(int(ssi))
            if unit is not None:
                return unit.alias
            group = self.station.group(int(ssi))
            if group is not None:
                return group.name
        return ssi

    def _touch(self, issi: int, **changes: Any) -> None:
        state = self.units.get(issi)
        if state is None:
            return
        what = changes.pop("what", None)
        if what is not None:
            state = state.heard(self.clock.time(), self.clock.monotonic(), what)
        for key, value in changes.items():
            state = _replace(state, key, value)
        self.units[issi] = state
        self._feed.unit(state)

    def _activity(self, kind: ActivityKind, sender: str, **fields: Any) -> None:
        called = str(fields.get("called", ""))
        self._feed.activity(
            Activity(
                kind,
                self.clock.time(),
                self.clock.monotonic(),
                sender,
                self._alias(sender) if sender else "",
                called_name=self._alias(called) if called else "",
                **fields,
            )
        )

    def _wire(self, kind: str, unit: str | None, data: dict[str, Any]) -> None:
        try:
            self.log.append(kind, unit=unit or None, data=data)
        except EventLogError:
            log_.exception("could not log %s", kind)
        self._after_append()

    def _on_radio(self, event: ev.PeiEvent) -> None:
        try:
            self._handle_radio(event)
        except Exception:  # one odd event must not stop the feed
            log_.exception("runtime: radio event %r", event)

    def _handle_radio(self, event: ev.PeiEvent) -> None:
        if isinstance(event, rev.TextReceived):
            self._wire(kinds.WIRE_SDS_IN, event.sender, _text_data(event))
            self._touch_ssi(event.sender, what="text")
            self._activity("text", event.sender, called=event.called, text=event.text)
        elif isinstance(event, rev.StatusReceived):
            label = self._status_label(event.value)
            self._wire(
                kinds.WIRE_SDS_IN,
                event.sender,
                {"type": "status", "value": event.value, "called": event.called},
            )
            self._touch_ssi(event.sender, what="status")
            self._activity(
                "status",
                event.sender,
                called=event.called,
                value=event.value,
                label=label,
                emergency=event.emergency,
            )
        elif isinstance(event, rev.LocationReceived):
            report = event.report
            data = {"type": "location", **_location(report)}
            self._wire(kinds.WIRE_SDS_IN, event.sender, data)
            self._touch_ssi(event.sender, what="location")
        elif isinstance(event, rev.SdsUndecodable):
            self._wire(
                kinds.WIRE_SDS_IN,
                event.sender,
                {"type": "undecodable", "payload": event.payload.hex(), "reason": event.reason},
            )
            self._activity("undecodable", event.sender, text=event.reason)
        elif isinstance(event, LinkStateChanged):
            self._on_link(event)
        elif isinstance(event, ev.ModeChanged):
            self._set_link(mode=event.mode)
        elif isinstance(event, ev.RegistrationChanged):
            self._set_link(registration=event.state)
        elif isinstance(event, ev.IncomingCall | ev.TxGranted | ev.TxCeased | ev.CallReleased):
            self._on_call(event)

    def _touch_ssi(self, ssi: str, **changes: Any) -> None:
        if ssi.isdigit():
            self._touch(int(ssi), **changes)

    def _status_label(self, value: int) -> str:
        plan = self.station.status_plan
        if value == plan.emergency:
            return "紧急"
        for code in plan.codes:
            if code.code == value:
                return code.label
        return ""

    def _on_call(self, event: ev.PeiEvent) -> None:
        cc = getattr(event, "cc", 0)
        call = self.gateway.calls.get(cc)
        group = call.group if call is not None else ""
        data: dict[str, Any] = {"event": type(event).__name__, "cc": cc, "group": group}
        unit: str | None = None
        if isinstance(event, ev.IncomingCall):
            unit = event.calling_ssi
            data |= {"calling": unit, "called": event.called_ssi, "emergency": event.emergency}
            self._activity("call", unit, called=event.called_ssi, emergency=event.emergency)
            self._set_group(event.called_ssi, emergency=event.emergency)
        elif isinstance(event, ev.TxGranted):
            data |= {"grant": event.grant, "talker": event.talker_ssi}
            talker = event.talker_ssi if event.grant == 3 else None
            if event.grant == 0:
                talker = self.gateway.own_ssi or "console"
            if talker is not None:
                unit = talker
                self._clear_talker(cc)
                self._touch_ssi(talker, what="talk", talking_on=group or None)
                self._set_group(group, talker=talker, talker_since_mono=self.clock.monotonic())
                self._activity("talk", talker, called=group)
                self._talkers[cc] = (talker, group)
        elif isinstance(event, ev.TxCeased):
            self._clear_talker(cc)
        elif isinstance(event, ev.CallReleased):
            data["cause"] = event.cause
            self._clear_talker(cc)
            self._set_group(group, emergency=False)
        self._wire("wire.call", unit, data)

    def _clear_talker(self, cc: int) -> None:
        previous = self._talkers.pop(cc, None)
        if previous is None:
            return
        talker, group = previous
        self._touch_ssi(talker, talking_on=None)
        self._set_group(group, talker=None, talker_since_mono=None)
        self._activity("talk_end", talker, called=group)

    def _set_group(self, gssi: str, **changes: Any) -> None:
        if not gssi.isdigit() or int(gssi) not in self.groups:
            return
        state = self.groups[int(gssi)]
        for key, value in changes.items():
            state = _replace(state, key, value)
        state = _replace(state, "last_mono", self.clock.monotonic())
        self.groups[state.gssi] = state
        self._feed.group(state)

    def _on_link(self, event: LinkStateChanged) -> None:
        detail = event.detail if event.state is not LinkState.UP else ""
        if self.notice is not None:
            detail = self.notice
        mode = self.link.identity.mode if event.state is LinkState.UP else None
        self._set_link(state=event.state.value, detail=detail, mode=mode)
        self._wire(kinds.WIRE_LINK, None, {"state": event.state.value, "detail": event.detail})
        polling = self._signal_task is not None and not self._signal_task.done()
        if event.state is LinkState.UP and self.signal_every is not None and not polling:
            self._signal_task = asyncio.ensure_future(self._poll_signal())
        if event.state is not LinkState.UP:
            for cc in list(self._talkers):
                self._clear_talker(cc)

    def _set_link(self, **changes: Any) -> None:
        status = self.link_status
        for key, value in changes.items():
            status = _replace(status, key, value)
        self.link_status = status
        self._feed.push(status)

    async def _poll_signal(self) -> None:
        """``AT+CSQ?`` now and every ``signal_every`` seconds while the link is up."""
        assert self.signal_every is not None
        while self.link.state is LinkState.UP:
            try:
                done = await self.link.command(commands.query_signal(), priority=9)
                self._set_link(signal=commands.parse_int_field(done.lines, "+CSQ"))
            except DriverError:
                pass
            await self.clock.sleep(self.signal_every)

    # --- what the UI may ask (thin: the engines hold the rules) ------------------------

    def current_page(self) -> PageView | None:
        """The page the response board shows: the newest one with committed rungs."""
        if self.current_page_id is None or self.current_page_id not in self.paging.pages:
            return None
        return self.paging.view(self.current_page_id)

    def page(self, request: PageRequest, *, incident_id: str | None = None) -> str:
        """Send a page through the engine (the page dialog calls this)."""
        page_id = self.paging.page(request, incident_id=incident_id)
        self.current_page_id = page_id
        self._after_append()
        return page_id

    def repage_silent(self) -> int:
        """Re-page every responder of the current page that has not acknowledged yet."""
        view = self.current_page()
        if view is None or view.closed:
            return 0
        count = 0
        for resp in view.responders:
            if not resp.acknowledged and self.paging.operator_repage(
                view.page_id, resp.issi, self.operator
            ):
                count += 1
        self._after_append()
        return count

    def acknowledge_alarm(self, alarm_id: str | None = None) -> str | None:
        """Acknowledge ``alarm_id`` or the oldest unacknowledged alarm; its id or None."""
        pending = self.alarms.unacknowledged()
        if alarm_id is None:
            if not pending:
                return None
            alarm_id = pending[0].id
        alarm = self.alarms.acknowledge(alarm_id, self.operator)
        if alarm.sender.isdigit():
            still = any(a.sender == alarm.sender for a in self.alarms.unacknowledged())
            self._touch(int(alarm.sender), emergency=still)
        self._after_append()
        return alarm_id

    def recipient(self, issi: int) -> Recipient:
        """A station unit as a page recipient (ad-hoc for an unknown number)."""
        return directory(self.station).get(issi) or Recipient(issi)


def _replace(obj: Any, key: str, value: Any) -> Any:
    return replace(obj, **{key: value})


def _text_data(event: rev.TextReceived) -> dict[str, Any]:
    return {
        "type": "text",
        "text": event.text,
        "called": event.called,
        "message_ref": event.message_ref,
        "coding": event.coding,
    }


def _location(report: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("latitude", "longitude", "lat", "lon", "reason"):
        value = getattr(report, name, None)
        if isinstance(value, int | float | str):
            out[name] = value
    return out

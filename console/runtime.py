"""The composition root: everything one station's console needs, built and owned in one place.

Why one object: the CLI, the Textual app and the tests all need the same wiring (link →
gateway → event log → incident book → alarm board → paging engine → loudspeaker
broadcasts, the radio voice path, roll calls and drills).  Building it here, from plain
inputs -- the station, a gateway URL, a log path, a clock and the operator's name -- keeps
the App a thin view (backend passed in, messages up, attributes down) and lets tests run
the real wiring on a :class:`~drivers.clock.VirtualClock` against the simulated network.

Rules kept here:

* No Textual.  The UI gets one stream, :meth:`Runtime.subscribe`, of coalesced
  :class:`~console.runtime_view.Batch` es -- at most one per ``batch_interval`` of real
  loop time, stretched up to ``max_batch_interval`` while batches come in full -- so a
  flood of radio traffic can never stall the screen (or the officer's keys).
* Wire events worth keeping (incoming SDS, calls, link changes) are logged here; ladder
  rungs, incidents and alarms are logged by their engines.
* Everything runs on the one asyncio loop; the only threads are the link's reader/writer,
  the event log's writer and (demo only) the simulator's.
* Screens call the runtime, never an engine they built themselves: ``start_rollcall``,
  ``start_drill``, ``start_broadcast``, ``ptt_press`` ... return the running objects, and
  what the services report reaches the UI as :class:`~console.runtime_view.ServiceEvent`
  in the same coalesced feed.
* A missing sound card or PortAudio is a state (:attr:`Runtime.voice_notice`), never a
  reason for the console not to start.
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

from console.broadcast import Broadcast, BroadcastEngine, BroadcastEvent, SenderFactory
from console.broadcast.model import Priority, SourceSpec
from console.config import Station
from console.drills import Drill, DrillProgress, DrillRun, load_drill
from console.drills.model import Announcement
from console.errors import ConfigError, ConsoleError, SimulatorUnavailable
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
from console.reports import Report, drill_history, drill_ids, drill_report, rollcall_report
from console.reports.history import DrillHistoryRow
from console.rollcall import (
    RollCall,
    RollCallMode,
    RollCallResult,
    RollCallSpec,
    RollCallSummary,
    RollCallUpdate,
    list_rollcalls,
    load_rollcall,
    recall_spec,
    rollcall_spec,
    spec_from_log,
)
from console.runtime_view import (
    Activity,
    ActivityKind,
    Batch,
    Feed,
    GroupState,
    LinkStatus,
    LogTail,
    ServiceEvent,
    UnitState,
)
from console.voice.router import AudioRouter
from drivers import radio_events as rev
from drivers.clock import Clock, SystemClock, TimerHandle
from drivers.errors import DriverError, PortError
from drivers.gateway import Gateway
from drivers.link import LinkState, LinkStateChanged, PeiLink, WireTrace, open_serial
from drivers.link.serial_link import Port
from drivers.pei import commands
from drivers.pei import events as ev
from drivers.pei.dialect import load_dialect

log_ = logging.getLogger(__name__)

BatchListener = Callable[[Batch], None]
BUSY_BATCH = 60
"""Events in one batch from which the next flush waits longer (a flood is on: repaint the
screen a few times a second instead of a dozen, so keys are answered at once)."""


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

    async def script(self, behaviours: dict[int, Any]) -> dict[int, Any]:
        """Give some simulated radios new behaviours (a drill's ``[simulation]``); returns
        the behaviours they had, to put back afterwards."""
        handle = self._handle
        if handle is None:
            raise SimulatorUnavailable("the simulated network is not running")
        return await asyncio.to_thread(handle.call, lambda sim: script_radios(sim, behaviours))


def script_radios(sim: Any, behaviours: dict[int, Any]) -> dict[int, Any]:
    """Swap the behaviour of simulated radios (``fakes.sim.Simulation``, duck-typed so the
    console never imports ``fakes``); a switched-off script also switches the radio off."""
    previous: dict[int, Any] = {}
    for issi, behaviour in behaviours.items():
        try:
            radio = sim.radio(issi)
        except KeyError:
            continue
        previous[issi] = radio.behaviour
        radio.behaviour = behaviour
        radio.powered = bool(getattr(behaviour, "powered", True))
        radio.in_range = bool(getattr(behaviour, "in_range", True))
    return previous


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
        max_batch_interval: float = 0.4,
        signal_every: float | None = 30.0,
        tail_size: int = 40,
        link_options: dict[str, Any] | None = None,
        tz: tzinfo | None = None,
        broadcast_sender: SenderFactory | None = None,
        voice: bool = True,
        sound_loader: Callable[[], Any] | None = None,
        recordings_dir: str | os.PathLike[str] | None = None,
        trace_path: str | os.PathLike[str] | None = None,
    ) -> None:
        """``broadcast_sender``: how loudspeaker streams leave (tests pass a recorder);
        ``voice``/``sound_loader``: the radio voice path and how it finds PortAudio;
        ``recordings_dir``: where received transmissions go (default: the station's
        ``[audio] recordings``, a relative one beside the event log); ``trace_path``: save
        every byte of the gateway link there as a wire trace when the runtime closes."""
        self.station = station
        self.clock: Clock = clock or SystemClock()
        self.tz = tz
        """Time zone for what people read (page ids, the screen); None = the PC's."""
        self.operator = operator or station.operator
        self.batch_interval = batch_interval
        self.max_batch_interval = max(batch_interval, max_batch_interval)
        self._interval = batch_interval
        """The wait between flushes now: doubled after a busy batch, reset by a quiet one."""
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
        self.trace_path = Path(trace_path) if trace_path is not None else None
        self.trace = WireTrace(self.clock) if self.trace_path is not None else None
        """Every byte both ways on the gateway link, when ``trace_path`` was given."""
        options = dict(link_options or {})
        if self.trace is not None:
            options.setdefault("trace", self.trace)
        self.link = PeiLink(
            url,
            dialect=dialect,
            baud=station.gateway.baud,
            clock=self.clock,
            opener=self._open_port,
            **options,
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
        self._id_seq: dict[str, int] = {}
        self.broadcast = BroadcastEngine(
            station,
            self.clock,
            self.log,
            incidents=self.book,
            sender_factory=broadcast_sender,
            broadcast_ids=lambda: self._new_id("B", sequence=True),
        )
        """Loudspeaker broadcasts to the station's zones (logged, linked to incidents)."""
        self.voice: Any = None
        """The radio voice path (:class:`console.voice.VoicePath`), or None without it."""
        self.voice_notice: str | None = None
        """Why the voice path is missing or has no sound (PortAudio, devices), for the UI."""
        if voice:
            self._build_voice(path, sound_loader, recordings_dir)
        self.rollcall: RollCall | None = None
        """The newest roll call started here (running or finished)."""
        self._rollcall_task: asyncio.Task[RollCallResult] | None = None
        self.drill: DrillRun | None = None
        """The newest drill started here (running or finished)."""
        self._drill_task: asyncio.Task[Report] | None = None
        self.drill_error: str | None = None
        """Why the newest drill could not finish (other than its verdict), for the UI."""
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
            self.broadcast.subscribe(self._on_broadcast),
            self.log.add_commit_listener(self._on_commit),
        ]
        self.log.append(kinds.OPERATOR_LOGIN, operator=self.operator, data={"port": self.port})
        self._after_append()
        await self.paging.start()
        await self._start_voice()
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
        await self._close_runs()
        with contextlib.suppress(Exception):
            await self.broadcast.close()
        if self.voice is not None:
            with contextlib.suppress(Exception):
                await self.voice.close()
        await self.paging.close()
        await self.link.close()
        self._save_trace()
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
        """``listener(batch)`` on the loop, at most once per ``batch_interval`` (up to
        ``max_batch_interval`` apart while a flood of events goes on)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _schedule_flush(self) -> None:
        loop = self._loop
        if loop is None or self._flush_handle is not None or self._closed:
            return
        wait = self._last_flush + self._interval - loop.time()
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
        busy = len(batch.events) >= BUSY_BATCH or batch.dropped_activity > 0
        self._interval = (
            min(self.max_batch_interval, self._interval * 2) if busy else self.batch_interval
        )
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

    # --- ids ------------------------------------------------------------------------------

    def _new_id(
        self, prefix: str, *, sequence: bool = False, taken: frozenset[str] | set[str] = frozenset()
    ) -> str:
        """``RC20260101-080000`` (``-2`` ... if taken) or, with ``sequence``,
        ``B20260101-080000-001``: sortable, readable, in the console's time zone."""
        stamp = datetime.fromtimestamp(self.clock.time(), self.tz).strftime("%Y%m%d-%H%M%S")
        if sequence:
            self._id_seq[prefix] = self._id_seq.get(prefix, 0) + 1
            return f"{prefix}{stamp}-{self._id_seq[prefix]:03d}"
        candidate, n = f"{prefix}{stamp}", 1
        while candidate in taken:
            n += 1
            candidate = f"{prefix}{stamp}-{n}"
        return candidate

    # --- loudspeakers -----------------------------------------------------------------------

    def start_broadcast(
        self,
        zones: list[str] | tuple[str, ...],
        source: SourceSpec,
        *,
        priority: Priority | str = Priority.ROUTINE,
        incident: str | None = None,
    ) -> Broadcast:
        """Play ``source`` on the station's ``zones`` (raises ``BroadcastError`` first)."""
        broadcast = self.broadcast.start(
            zones, source, priority=priority, operator=self.operator, incident=incident
        )
        self._after_append()
        return broadcast

    def stop_broadcast(self, broadcast_id: str | None = None) -> None:
        """Stop one broadcast, or every broadcast playing now."""
        if broadcast_id is None:
            self.broadcast.stop_all(operator=self.operator)
        else:
            self.broadcast.stop(broadcast_id, operator=self.operator)
        self._after_append()

    async def announce(self, announcement: Announcement) -> str:
        """A drill's ``[announcement]``: TTS with a chime on its zones; the log line."""
        broadcast = self.start_broadcast(
            list(announcement.zones), SourceSpec.tts(announcement.text), priority=Priority.URGENT
        )
        return f"started {broadcast.id}"

    def _on_broadcast(self, event: BroadcastEvent) -> None:
        self._feed.push(ServiceEvent("broadcast", event))
        self._after_append()

    # --- the radio voice path ---------------------------------------------------------------

    def _build_voice(
        self,
        db_path: Path,
        loader: Callable[[], Any] | None,
        recordings_dir: str | os.PathLike[str] | None,
    ) -> None:
        """The voice path; if it cannot even be built the console goes on without it."""
        station = self.station
        folder = Path(recordings_dir or station.audio.recordings)
        if not folder.is_absolute() and recordings_dir is None:
            folder = db_path.parent / folder
        try:
            from console.voice import VoicePath, load_sounddevice

            self.voice = VoicePath.for_station(
                station,
                self.gateway,
                self.clock,
                log=self.log,
                loader=loader or load_sounddevice,
                default_group=next((g.gssi for g in station.groups if g.gssi is not None), None),
            )
            self.voice.recordings_dir = folder
            self.voice.router = _QuietRouter.like(self.voice.router)
        except Exception as exc:  # numpy/voice package broken: radio paging still works
            self.voice = None
            self.voice_notice = f"voice path unavailable: {type(exc).__name__}: {exc}"

    async def _start_voice(self) -> None:
        if self.voice is None:
            return
        self._unsubscribe.append(self.voice.subscribe(self._on_voice))
        try:
            state = await self.voice.start()
        except Exception as exc:  # a sound card that explodes on open must not stop us
            self.voice_notice = f"voice path failed to start: {type(exc).__name__}: {exc}"
            log_.exception("voice path")
        else:
            if state.problems:
                self.voice_notice = "; ".join(state.problems)
        self._after_append()

    @property
    def voice_state(self) -> Any:
        """The voice path's :class:`~console.voice.VoiceState` (None without a voice path)."""
        return self.voice.state if self.voice is not None else None

    async def ptt_press(self, group: int | str | None = None) -> int:
        """Key the radio on ``group`` (default: the first talkgroup); the call number."""
        if self.voice is None:
            raise ConsoleError(self.voice_notice or "the voice path is not available")
        try:
            return int(await self.voice.ptt_press(group, operator=self.operator))
        finally:
            self._after_append()

    async def ptt_release(self) -> None:
        """Let go of PTT (harmless when not pressed)."""
        if self.voice is not None:
            await self.voice.ptt_release(operator=self.operator)
            self._after_append()

    def _on_voice(self, event: Any) -> None:
        name = type(event).__name__
        key = "state" if name == "VoiceStateChanged" else None
        self._feed.push(ServiceEvent("voice", event, key))
        self._after_append()

    # --- roll call ------------------------------------------------------------------------

    def rollcall_spec(
        self,
        targets: str | list[str] | tuple[str, ...],
        *,
        mode: RollCallMode | str = RollCallMode.STATUS,
        deadline_s: float | None = None,
        late_window_s: float | None = None,
    ) -> RollCallSpec:
        """Resolve a group (or aliases, numbers) into a roll call by this operator."""
        return rollcall_spec(
            self.station,
            targets,
            mode=mode,
            deadline_s=deadline_s,
            late_window_s=late_window_s,
            operator=self.operator,
        )

    @property
    def rollcall_running(self) -> bool:
        return self._rollcall_task is not None and not self._rollcall_task.done()

    def start_rollcall(self, spec: RollCallSpec) -> RollCall:
        """Call ``spec``'s members now; the roll call closes by itself (or ``stop_rollcall``).

        One at a time: a second one while the first still runs is refused.
        """
        if self.rollcall_running:
            assert self.rollcall is not None
            raise ConsoleError(
                f"roll call {self.rollcall.rollcall_id} is still running",
                hint="wait for it to end or stop it first",
            )
        if not spec.members:
            raise ConsoleError("nobody to call")
        if not spec.operator:
            spec = replace(spec, operator=self.operator)
        taken = {r.rollcall_id for r in self.rollcalls()}
        call = RollCall(self.paging, spec, rollcall_id=self._new_id("RC", taken=taken))
        call.subscribe(self._on_rollcall)
        self.rollcall = call
        call.start()
        self._rollcall_task = asyncio.ensure_future(call.finish())
        self._rollcall_task.add_done_callback(self._run_done)
        self._after_append()
        self._feed.push(
            ServiceEvent("rollcall", RollCallUpdate(call.snapshot(), ()), call.rollcall_id)
        )
        return call

    def stop_rollcall(self) -> RollCallResult | None:
        """End the running roll call now (silent members are absent); its result."""
        call = self.rollcall
        if call is None or not self.rollcall_running:
            return None
        result = call.stop()
        self._after_append()
        return result

    def recall_absent(self, *, include_unreachable: bool = False) -> RollCall | None:
        """Call again the absent members of the newest roll call (None: nobody to call)."""
        call = self.rollcall
        if call is None:
            return None
        spec = call.recall_spec(include_unreachable=include_unreachable)
        return self.start_rollcall(spec) if spec.members else None

    def recall_of(self, rollcall_id: str, *, include_unreachable: bool = False) -> RollCall | None:
        """Call again the absent members of any logged roll call."""
        self._flush_log()
        spec = recall_spec(
            spec_from_log(self.log, rollcall_id),
            load_rollcall(self.log, rollcall_id),
            include_unreachable=include_unreachable,
        )
        return self.start_rollcall(spec) if spec.members else None

    def rollcalls(self) -> list[RollCallSummary]:
        """Every roll call in the log, oldest first."""
        self._flush_log()
        return list_rollcalls(self.log)

    def rollcall_result(self, rollcall_id: str) -> RollCallResult:
        """A logged roll call (raises ``RollCallNotFound``)."""
        self._flush_log()
        return load_rollcall(self.log, rollcall_id)

    def rollcall_report(self, rollcall_id: str) -> Report:
        self._flush_log()
        return rollcall_report(self.log, rollcall_id)

    def _on_rollcall(self, update: RollCallUpdate) -> None:
        self._feed.push(ServiceEvent("rollcall", update, update.result.rollcall_id))
        self._after_append()

    # --- drills ---------------------------------------------------------------------------

    def load_drill(self, path: str | os.PathLike[str]) -> Drill:
        """Check a drill file against the station (``ConfigError`` with file:line: field);
        a scripted drill is refused unless the gateway is the simulated network."""
        drill = load_drill(path, self.station)
        if drill.scripted and not self._simulated:
            raise ConfigError(
                "scripted behaviour runs only against the simulated network, not a real gateway",
                path=str(path),
                line=drill.simulation.line if drill.simulation else None,
                field="simulation",
                hint="remove [simulation] to run the drill on the radios",
            )
        return drill

    @property
    def drill_running(self) -> bool:
        return self._drill_task is not None and not self._drill_task.done()

    async def start_drill(self, drill: Drill | str | os.PathLike[str]) -> DrillRun:
        """Check (if a path), script the simulator (if the drill says so) and run a drill.

        Returns the running :class:`DrillRun` (``subscribe`` for progress; its ``report``
        once finished).  One at a time.
        """
        if self.drill_running:
            assert self.drill is not None
            raise ConsoleError(f"drill {self.drill.drill_id} is still running")
        if not isinstance(drill, Drill):
            drill = self.load_drill(drill)
        restore: dict[int, Any] = {}
        if drill.scripted:
            restore = await self._script(drill)
        self._flush_log()
        run = DrillRun(
            self.paging,
            drill,
            drill_id=self._new_id("D", taken=set(drill_ids(self.log))),
            announcer=self.announce,
            simulated=self._simulated,
            backups={u.issi: u.alias for u in self.station.units},
        )
        run.subscribe(self._on_drill)
        self.drill = run
        self.drill_error = None
        self._drill_task = asyncio.ensure_future(self._run_drill(run, restore))
        self._drill_task.add_done_callback(self._run_done)
        self._feed.push(ServiceEvent("drill", run.progress(), run.drill_id))
        return run

    async def _script(self, drill: Drill) -> dict[int, Any]:
        from console.drills.simulated import scripted_behaviours

        script = getattr(self._simulator, "script", None)
        if not self._simulated or script is None:
            raise ConsoleError(
                f"drill {drill.name!r} scripts the simulated network, which this console "
                "cannot change",
                hint="run it with `dutydesk drill run FILE --gateway sim`",
            )
        previous: dict[int, Any] = await script(scripted_behaviours(drill.simulation))
        return previous

    async def _run_drill(self, run: DrillRun, restore: dict[int, Any]) -> Report:
        try:
            return await run.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.drill_error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self._after_append()
            if restore:
                script = getattr(self._simulator, "script", None)
                if script is not None:
                    with contextlib.suppress(Exception):
                        await script(restore)

    def stop_drill(self) -> None:
        """Interrupt the running drill (logged as interrupted; its report still exists)."""
        if self._drill_task is not None and not self._drill_task.done():
            self._drill_task.cancel()

    def drill_history(self) -> list[DrillHistoryRow]:
        """Past drills with their verdicts, oldest first."""
        self._flush_log()
        return drill_history(self.log)

    def drill_report(self, drill_id: str | None = None) -> Report:
        """A drill's report from the log (default: the newest; raises ``DrillNotFound``)."""
        self._flush_log()
        return drill_report(self.log, drill_id)

    def _on_drill(self, progress: DrillProgress) -> None:
        self._feed.push(ServiceEvent("drill", progress, progress.drill_id))
        self._after_append()

    # --- helpers of the services ----------------------------------------------------------

    def _run_done(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log_.error("runtime: %s", task.exception())
        self._after_append()
        self._feed.wake()

    def _flush_log(self) -> None:
        """Commit what is queued, so a query sees everything appended so far."""
        with contextlib.suppress(EventLogError):
            self.log.flush()

    async def _close_runs(self) -> None:
        """A roll call or drill still running when the console closes is logged as
        interrupted (its report can be made from the log later)."""
        for task in (self._rollcall_task, self._drill_task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    def _save_trace(self) -> None:
        if self.trace is None or self.trace_path is None:
            return
        try:
            self.trace.save(self.trace_path)
        except OSError as exc:
            log_.error("cannot save the wire trace to %s: %s", self.trace_path, exc)


class _QuietRouter(AudioRouter):
    """An audio router that does not tick when it has no device at all (no sound card):
    nothing to move, and a 50 Hz timer would only burn CPU (and virtual time in tests)."""

    @classmethod
    def like(cls, router: AudioRouter) -> _QuietRouter:
        quiet = cls(
            router.clock,
            headset_in=router.headset_in,
            headset_out=router.headset_out,
            radio_in=router.radio_in,
            radio_out=router.radio_out,
        )
        return quiet

    def start(self) -> None:
        roles = (self.headset_in, self.headset_out, self.radio_in, self.radio_out)
        if any(device is not None for device in roles):
            super().start()


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

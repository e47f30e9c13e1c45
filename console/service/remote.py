"""An attached console's runtime: the station service's picture, and its commands.

:class:`RemoteRuntime` answers to the names the screens have always used on a
:class:`~console.runtime.Runtime` (``units``, ``current_page()``, ``book.active()``,
``page(...)``, ``start_rollcall(...)`` ...), so the console renders a station that runs in
``dutydesk serve`` with the code that renders one in its own process.  Nothing here holds
a rule: the picture is what ``/v1/live`` sends (a snapshot, then the service's own screen
batches, decoded back into the engines' frozen types), commands go to the API as this
operator and position, and history (reports, roll calls, the log screen) is read from the
station's log file, opened read-only.

When the service goes away the status bar says so ("station service lost") and the
console reconnects with back-off; the first message after a reconnect is a fresh snapshot,
so the view resumes whole.  A console that started the service itself (no service was
running) starts it again if it does not come back (``relaunch``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from console.config import Station
from console.eventlog import EventLog, EventLogError
from console.incidents import (
    AlarmAcknowledged,
    AlarmRaised,
    AlarmReminder,
    AlarmRepeated,
    Incident,
    IncidentChanged,
)
from console.paging.model import PageChanged, PageRequest, PageView
from console.rollcall import RollCallMode, RollCallResult, RollCallSpec
from console.rollcall.model import RollCallUpdate
from console.runtime.view import (
    Batch,
    GroupState,
    LinkStatus,
    LogTail,
    RosterChanged,
    ServiceEvent,
    UnitState,
)
from console.service.auth import OPERATOR_HEADER, POSITION_HEADER, ROLE_HEADER
from console.service.blocking import BlockingClient
from console.service.client import ServiceError
from console.service.mirrors import (
    OffsetClock,
    RemoteAlarms,
    RemoteBook,
    RemoteBroadcast,
    RemoteDrillRun,
    RemotePaging,
    RemoteRollCall,
    RemoteVoice,
)
from console.service.paths import Registration
from console.service.view import REGISTRY, LiveHeader, LiveMessage, LiveSnapshot
from console.service.wire import WireError, to_wire
from drivers.clock import SystemClock

log_ = logging.getLogger(__name__)

Listener = Callable[[Batch], None]
LOST = "service"
"""The link state the status bar shows while the station service cannot be reached."""
RETRY_S = (0.2, 0.5, 1.0, 2.0)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # a worker thread: no loop runs here
        return None


class RemoteRuntime:
    """One console attached to the station service of ``registration``."""

    commands_in_thread = True
    """Each command is a blocking HTTP round trip to the service (up to the client's
    timeout): a face runs it in a thread, never on its screen's loop."""

    def __init__(
        self,
        station: Station,
        registration: Registration,
        *,
        operator: str | None = None,
        position: str = "console",
        tz: tzinfo | None = None,
        tail_size: int = 40,
        relaunch: Callable[[], Registration | None] | None = None,
        read_only: bool = False,
    ) -> None:
        self.station = station
        self.registration = registration
        self.operator: str = operator or station.operator
        self.position = position
        self.url = registration.gateway
        self.tz = tz
        self.tail_size = tail_size
        self.relaunch = relaunch
        self.read_only = read_only
        """Sees the station and acts on nothing (the service refuses its commands)."""
        self.clock = OffsetClock()
        self.client = BlockingClient(
            socket_path=registration.socket,
            operator=self.operator,
            position=position,
            read_only=read_only,
        )
        try:
            self.log = EventLog.open_readonly(registration.log)
        except EventLogError as exc:
            raise ServiceError(f"event log: {exc.message}", hint=exc.hint) from None
        self.units: dict[int, UnitState] = {}
        self.groups: dict[int, GroupState] = {}
        self.link_status = LinkStatus(state="connecting", port=registration.gateway)
        self.book = RemoteBook(self)
        self.alarms = RemoteAlarms()
        self.paging = RemotePaging(self)
        self.header: LiveHeader | None = None
        self.rollcall: RemoteRollCall | None = None
        self.drill: RemoteDrillRun | None = None
        self.voice_state: Any = None
        self._voice = RemoteVoice(self)
        self.services: dict[str, object] = {"voice": self._voice}
        self.connected = False
        self.reconnects = 0
        self._listeners: list[Listener] = []
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._drills_loaded: dict[str, Any] = {}
        self.take(self._fetch_snapshot())

    # --- the picture ----------------------------------------------------------------------

    def _fetch_snapshot(self) -> LiveMessage:
        answer = self.client.get("/v1/live/snapshot")
        return self._decode(answer)

    def _decode(self, raw: Any) -> LiveMessage:
        message = REGISTRY.decode(raw, LiveMessage)
        if not isinstance(message, LiveMessage):
            raise WireError("not a live message")
        return message

    def take(self, message: LiveMessage) -> Batch | None:
        """Fold one live message into the picture; the batch to hand the screens."""
        self._take_header(message.header)
        if message.snapshot is not None:
            self.clock.offset = message.header.mono - SystemClock().monotonic()
            return self._take_snapshot(message.snapshot)
        if message.batch is not None:
            for event in message.batch.events:
                self._take_event(event)
            return message.batch
        return None

    def _take_header(self, header: LiveHeader) -> None:
        self.header = header
        if self.drill is not None and header.drill_page is not None:
            self.drill.page_id = header.drill_page

    def _take_snapshot(self, snap: LiveSnapshot) -> Batch:
        known = set(self.alarms.alarms)
        self.connected = True
        self.link_status = snap.link
        self.units = {u.issi: u for u in snap.units}
        self.groups = {g.gssi: g for g in snap.groups}
        self.paging.pages = {v.page_id: v for v in snap.pages}
        self.alarms.alarms = {a.id: a for a in snap.alarms}
        self.book.incidents = {i.id: i for i in snap.incidents}
        self.voice_state = snap.voice
        header = self.header
        if snap.rollcall is not None and header is not None and header.rollcall_spec is not None:
            res = snap.rollcall
            self.rollcall = RemoteRollCall(
                res.rollcall_id,
                header.rollcall_spec,
                header.rollcall_started_mono or 0.0,
                res,
                res if res.closed else None,
            )
        if snap.drill is not None:
            self._drill_progress(snap.drill)
        # The screens draw the whole picture again (``resync``); alarms new to this
        # console ring as they would have live.
        events: list[Any] = [
            snap.link,
            RosterChanged(snap.units, snap.groups),
            LogTail(snap.log_tail),
            ServiceEvent("station", "resync"),
        ]
        events += [AlarmRaised(a) for a in snap.alarms if a.id not in known]
        return Batch(tuple(events))

    def _take_event(self, event: Any) -> None:
        if isinstance(event, LinkStatus):
            self.link_status = event
        elif isinstance(event, RosterChanged):
            self.units.update((u.issi, u) for u in event.units)
            self.groups.update((g.gssi, g) for g in event.groups)
        elif isinstance(event, PageChanged):
            self.paging.pages[event.view.page_id] = event.view
        elif isinstance(event, IncidentChanged):
            self.book.incidents[event.incident.id] = event.incident
        elif isinstance(event, AlarmRaised | AlarmRepeated | AlarmReminder | AlarmAcknowledged):
            self.alarms.alarms[event.alarm.id] = event.alarm
        elif isinstance(event, ServiceEvent):
            inner = event.event
            if isinstance(inner, RollCallUpdate):
                self._rollcall_update(inner)
            elif event.service == "drill":
                self._drill_progress(inner)
            elif event.service == "voice" and hasattr(inner, "state"):
                self.voice_state = inner.state

    def _rollcall_update(self, update: RollCallUpdate) -> None:
        res = update.result
        call = self.rollcall
        if call is None or call.rollcall_id != res.rollcall_id:
            header = self.header
            spec = header.rollcall_spec if header is not None else None
            if spec is None:
                return
            started = header.rollcall_started_mono if header is not None else None
            call = RemoteRollCall(res.rollcall_id, spec, started or 0.0, res)
            self.rollcall = call
        call.latest = res
        if update.finished:
            call.result = res

    def _drill_progress(self, progress: Any) -> None:
        run = self.drill
        header = self.header
        now = self.clock.monotonic()
        if run is None or run.drill_id != progress.drill_id:
            source = header.drill_source if header is not None else None
            page = header.drill_page if header is not None else None
            run = RemoteDrillRun(self, progress.drill_id, self._drill_file(source), page, None, now)
            self.drill = run
        run.latest = progress
        run.received_mono = now

    def _drill_file(self, source: str | None) -> Any:
        """The drill as its file says (the screen shows its criteria); None if unreadable."""
        if not source:
            return None
        if source not in self._drills_loaded:
            from console.drills import load_drill

            try:
                self._drills_loaded[source] = load_drill(source, self.station)
            except Exception:  # a drill file changed or gone since: show progress only
                self._drills_loaded[source] = None
        return self._drills_loaded[source]

    # --- state the screens read ---------------------------------------------------------

    @property
    def current_page_id(self) -> str | None:
        return self.header.current_page if self.header is not None else None

    def current_page(self) -> PageView | None:
        page_id = self.current_page_id
        return self.paging.pages.get(page_id) if page_id is not None else None

    @property
    def rollcall_running(self) -> bool:
        return bool(self.header and self.header.rollcall_running)

    @property
    def drill_running(self) -> bool:
        return bool(self.header and self.header.drill_running)

    @property
    def drill_error(self) -> str | None:
        return None

    @property
    def replication(self) -> Any:
        return self.header.replication if self.header is not None else None

    @property
    def broadcast_available(self) -> bool:
        return bool(self.header and self.header.broadcast_available)

    @property
    def voice_notice(self) -> str | None:
        return self.header.voice_notice if self.header is not None else None

    @property
    def voice(self) -> Any:
        return self.services["voice"]

    # --- life -----------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, batch: Batch) -> None:
        for listener in list(self._listeners):
            try:
                listener(batch)
            except Exception:  # one screen's failure must not stop the others' view
                log_.exception("a screen failed on a live batch")

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._task is None:
            self._task = asyncio.ensure_future(self._follow())

    def on_loop(self, change: Callable[[], None]) -> None:
        """Apply a change to the mirrors on the screen's loop.  A command runs in a thread
        (``commands_in_thread``) while the screen reads the same dicts on the loop; the
        answer's change goes there, before the command's result reaches the screen."""
        loop = self._loop
        if loop is None or loop.is_closed() or _running_loop() is loop:
            change()
        else:
            loop.call_soon_threadsafe(change)

    async def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        self.log.close()

    async def _follow(self) -> None:
        """Follow ``/v1/live`` for as long as the console runs, reconnecting."""
        failures = 0
        lost_since: float | None = None
        while not self._closed:
            reason = ""
            try:
                await self._session()
                reason = "connection lost"
                failures = 0
            except (aiohttp.ClientError, OSError, WireError, ValueError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            if self._closed:
                return
            if self.connected:
                self.connected = False
                lost_since = time.monotonic()
                self.link_status = LinkStatus(
                    state=LOST, port=self.url, detail=reason or "connection lost"
                )
                self._emit(Batch((self.link_status,)))
            failures += 1
            self.reconnects += 1
            if (
                self.relaunch is not None
                and lost_since is not None
                and time.monotonic() - lost_since > 1.5
                and failures > 2
            ):
                with contextlib.suppress(Exception):
                    reg = await asyncio.to_thread(self.relaunch)
                    if reg is not None:
                        self._retarget(reg)
                lost_since = time.monotonic()
            await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S)) - 1])

    def _retarget(self, reg: Registration) -> None:
        self.registration = reg
        self.client = BlockingClient(
            socket_path=reg.socket,
            operator=self.operator,
            position=self.position,
            read_only=self.read_only,
        )

    async def _session(self) -> None:
        headers = {POSITION_HEADER: quote(self.position), OPERATOR_HEADER: quote(self.operator)}
        if self.read_only:
            headers[ROLE_HEADER] = "read-only"
        connector = aiohttp.UnixConnector(path=self.registration.socket)
        async with (
            aiohttp.ClientSession(connector=connector, headers=headers) as session,
            session.ws_connect("http://dutydesk/v1/live", heartbeat=10.0, max_msg_size=0) as ws,
        ):
            async for msg in ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    batch = self.take(self._decode(msg.json()))
                    if batch is not None:
                        self._emit(batch)
                elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    break

    # --- commands -----------------------------------------------------------------------

    def page(self, request: PageRequest, *, incident_id: str | None = None) -> str:
        body = {"request": to_wire(request), "incident": incident_id}
        return str(self.client.post("/v1/pages", body)["page"])

    def repage_silent(
        self,
        *,
        page_id: str | None = None,
        units: tuple[int, ...] | None = None,
        operator: str | None = None,
    ) -> int:
        page_id = page_id or self.current_page_id
        if page_id is None:
            return 0
        body = {"units": list(units)} if units else {}
        answer = self.client.post(f"/v1/pages/{quote(page_id)}/repage", body)
        return len(answer.get("repaged") or [])

    def acknowledge_alarm(
        self, alarm_id: str | None = None, *, operator: str | None = None
    ) -> str | None:
        if alarm_id is None and not self.alarms.unacknowledged():
            return None
        answer = self.client.post(f"/v1/alarms/{quote(alarm_id or 'oldest')}/acknowledge")
        done = answer.get("alarm")
        if done:  # at once here; the batch confirms it
            self.on_loop(lambda: self._acknowledged_here(str(done)))
        return str(done) if done else None

    def _acknowledged_here(self, alarm_id: str) -> None:
        alarm = self.alarms.alarms.get(alarm_id)
        if alarm is not None:
            self.alarms.alarms[alarm_id] = replace(alarm, acknowledged_by=self.operator)

    def mark_answered(
        self,
        page_id: str,
        unit: int,
        *,
        method: str = "phone",
        rung: str = "acknowledged",
        operator: str | None = None,
        note: str = "",
    ) -> bool:
        """As :meth:`RuntimeFacade.mark_answered`; the service records it as this operator."""
        body = {"unit": unit, "method": str(method), "rung": str(rung), "note": note}
        answer = self.client.post(f"/v1/pages/{quote(page_id)}/acknowledge", body)
        return bool(answer.get("recorded", True))

    def move_incident(
        self, incident_id: str, state: str, *, operator: str, note: str | None = None
    ) -> Incident:
        return self.book.transition(incident_id, state, operator=operator, note=note)

    def start_broadcast(
        self,
        zones: list[str] | tuple[str, ...],
        source: Any,
        *,
        priority: Any = "routine",
        incident: str | None = None,
        operator: str | None = None,
    ) -> RemoteBroadcast:
        body = {
            "zones": list(zones),
            "source": to_wire(source),
            "priority": str(getattr(priority, "value", priority)),
            "incident": incident,
        }
        answer = self.client.post("/v1/broadcasts", body)
        return RemoteBroadcast(str(answer["broadcast"]), tuple(answer.get("zones") or ()))

    def stop_broadcast(self, broadcast_id: str | None = None) -> None:
        self.client.post("/v1/broadcasts/stop", {"broadcast": broadcast_id})

    async def ptt_press(
        self, group: int | str | None = None, *, operator: str | None = None
    ) -> int:
        return await self._voice.ptt_press(group)

    async def ptt_release(self, *, operator: str | None = None) -> None:
        await self._voice.ptt_release()

    # roll calls

    def rollcall_spec(
        self,
        names: str | list[str] | tuple[str, ...],
        *,
        mode: RollCallMode | str = RollCallMode.STATUS,
        deadline_s: float | None = None,
        late_window_s: float | None = None,
    ) -> RollCallSpec:
        """Resolved here against the same station file (errors at once, in the form)."""
        from console.rollcall import rollcall_spec

        return rollcall_spec(
            self.station,
            names,
            mode=mode,
            deadline_s=deadline_s,
            late_window_s=late_window_s,
            operator=self.operator,
        )

    def _took_rollcall(self, answer: dict[str, Any]) -> RemoteRollCall:
        spec = REGISTRY.decode(answer["spec"], RollCallSpec)
        latest = REGISTRY.decode(answer["wire"], RollCallResult)
        call = RemoteRollCall(
            str(answer["rollcall"]), spec, float(answer.get("started_mono") or 0.0), latest
        )
        self.rollcall = call
        return call

    def start_rollcall(self, spec: RollCallSpec) -> RemoteRollCall:
        return self._took_rollcall(self.client.post("/v1/rollcalls", {"spec": to_wire(spec)}))

    def stop_rollcall(self) -> RollCallResult | None:
        answer = self.client.post("/v1/rollcalls/stop")
        if not answer.get("wire"):
            return None
        result = REGISTRY.decode(answer["wire"], RollCallResult)
        if self.rollcall is not None and self.rollcall.rollcall_id == result.rollcall_id:
            self.rollcall.result = self.rollcall.latest = result
        return result  # type: ignore[no-any-return]

    def recall_of(self, rollcall_id: str, *, include_unreachable: bool = False) -> Any:
        answer = self.client.post(f"/v1/rollcalls/{quote(rollcall_id)}/recall")
        return self._took_rollcall(answer) if answer.get("rollcall") else None

    def recall_absent(self, *, include_unreachable: bool = False) -> Any:
        call = self.rollcall
        return self.recall_of(call.rollcall_id) if call is not None else None

    def rollcalls(self) -> list[Any]:
        from console.rollcall import list_rollcalls

        return list(list_rollcalls(self.log))

    def rollcall_result(self, rollcall_id: str) -> RollCallResult:
        from console.rollcall import load_rollcall

        return load_rollcall(self.log, rollcall_id)

    def rollcall_report(self, rollcall_id: str) -> Any:
        from console.reports import rollcall_report

        return rollcall_report(self.log, rollcall_id)

    # drills

    def load_drill(self, path: str | Path) -> Any:
        """Checked here against the station file (file:line errors in the form)."""
        from console.drills import load_drill

        drill = load_drill(path, self.station)
        self._drills_loaded[str(Path(path).resolve())] = drill
        return drill

    async def start_drill(self, drill: Any) -> RemoteDrillRun:
        source = drill if isinstance(drill, str | Path) else drill.source
        path = str(Path(source).resolve())
        answer = await asyncio.to_thread(self.client.post, "/v1/drills", {"file": path})
        from console.drills.runner import DrillProgress

        progress = REGISTRY.decode(answer["wire"], DrillProgress)
        loaded = drill if not isinstance(drill, str | Path) else self._drill_file(path)
        run = RemoteDrillRun(
            self, str(answer["drill"]), loaded, answer.get("page"), progress, self.clock.monotonic()
        )
        self.drill = run
        return run

    def stop_drill(self) -> None:
        self.client.post("/v1/drills/stop")

    def drill_history(self) -> list[Any]:
        from console.reports import drill_history

        return list(drill_history(self.log))

    def drill_report(self, drill_id: str | None = None) -> Any:
        from console.reports import drill_report

        return drill_report(self.log, drill_id)

"""The :class:`Runtime`: builds one station's parts, starts them, and closes them.

Construction is synchronous and does the checks that should fail before any screen
appears (dialect file, event log lock); :meth:`Runtime.start` connects (starting the
simulator first for a ``sim://`` gateway) and returns at once -- the link comes up in the
background and reports through the feed.  What each part does lives in its own module;
this one only decides the order things are built, started and stopped in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import Any

from console.broadcast import BroadcastEngine, SenderFactory
from console.config import Station
from console.errors import ConsoleError
from console.eventlog import EventLog, EventLogError, kinds
from console.i18n import Phrase
from console.ids import IdMaker
from console.incidents import AlarmBoard, IncidentBook
from console.paging.engine import PagingEngine
from console.runtime.audio import AudioDesk
from console.runtime.drills import Drills
from console.runtime.facade import RuntimeFacade
from console.runtime.live import LiveState
from console.runtime.logpump import LogPump
from console.runtime.paging import PagingDesk
from console.runtime.parts import gateway_link
from console.runtime.rollcalls import RollCalls
from console.runtime.services import close_services, start_services
from console.runtime.shared import Shared
from console.runtime.simulator import Endpoint, SimulatorLauncher
from console.runtime.stream import BatchListener, BatchStream
from console.runtime.view import Batch
from console.runtime.wire import WireWatch
from drivers.clock import Clock, SystemClock
from drivers.errors import DriverError
from drivers.link import WireTrace
from drivers.pei import events as ev
from drivers.pei.dialect import load_dialect

log_ = logging.getLogger(__name__)


def default_db_path() -> Path:
    """The per-user event log (``platformdirs``' data dir): one record for every face."""
    from console.service.paths import default_log_path

    return default_log_path()


class Runtime(RuntimeFacade):
    """One station's console: gateway link, engines, event log, and the UI's event feed."""

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
        self.operator: str = operator or station.operator
        self.url = gateway_url or station.gateway.url
        """The gateway as configured (``sim://demo``, ``/dev/ttyUSB0``): shown to the officer."""
        self._endpoint = Endpoint(self.url, simulator)
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
            message = exc.message
            if not message.startswith("event log"):
                message = Phrase("log.err.named", f"event log: {message}", message=message)
            raise ConsoleError(message, hint=exc.hint) from None
        self.trace_path = Path(trace_path) if trace_path is not None else None
        self.trace = WireTrace(self.clock) if self.trace_path is not None else None
        """Every byte both ways on the gateway link, when ``trace_path`` was given."""
        options = dict(link_options or {})
        if self.trace is not None:
            options.setdefault("trace", self.trace)
        self.link, self.gateway = gateway_link(
            self.url,
            dialect=dialect,
            baud=station.gateway.baud,
            clock=self.clock,
            opener=self._endpoint.open_port,
            **options,
        )
        self._stream = BatchStream(
            self.log,
            batch_interval=batch_interval,
            max_batch_interval=max_batch_interval,
            tail_size=tail_size,
        )
        self._pump = LogPump(self.log, self.clock, background=log_background)
        shared = Shared(
            station,
            self.clock,
            self.operator,
            self.log,
            self._stream.feed,
            self._pump,
            IdMaker(self.clock, tz),
        )
        self._live = LiveState(station, self.clock, self._stream.feed, self.url)
        self._desk = PagingDesk(shared, self._live, self.gateway, drive_log=not log_background)
        self.book: IncidentBook = self._desk.book
        self.alarms: AlarmBoard = self._desk.alarms
        self.paging: PagingEngine = self._desk.paging
        self._audio = AudioDesk(
            shared,
            self.gateway,
            self.book,
            db_path=path,
            broadcast_sender=broadcast_sender,
            voice=voice,
            sound_loader=sound_loader,
            recordings_dir=recordings_dir,
        )
        self.broadcast: BroadcastEngine = self._audio.broadcast
        """Loudspeaker broadcasts to the station's zones (logged, linked to incidents)."""
        self._rollcalls = RollCalls(shared, self.paging)
        self._drills = Drills(shared, self.paging, self._endpoint, self.announce)
        self._wire = WireWatch(
            shared,
            self._live,
            self.gateway,
            self.link,
            signal_every=signal_every,
            notice=lambda: self._endpoint.notice,
        )
        self.services: dict[str, object] = {"broadcast": self.broadcast}
        """Parts plugged in by name ("broadcast", "voice" ...) for the screens to find; the
        :class:`~console.runtime.services.Service` s among them live as long as we do.
        The station's own broadcast engine and voice path are registered here, so every
        face finds the same ones (the page screen's loudspeakers, F8's headset routing)."""
        if self._audio.voice is not None:
            self.services["voice"] = self._audio.voice
        if station.replication.enabled:  # ship the log to the centre (issue 11)
            from console.replication import ReplicationService

            self.services["replication"] = ReplicationService.for_station(station, self.log)
        self._unsubscribe: list[Callable[[], None]] = []
        self._started = False
        self._closed = False

    # --- settings and where the link goes (read-only: the parts own them) ------------------

    @property
    def port(self) -> str:
        """Where the link really connects (the simulator's pty once started): for the log."""
        return self._endpoint.port

    @property
    def notice(self) -> str | None:
        """Why the gateway cannot be reached at all (simulator missing ...), for the UI."""
        return self._endpoint.notice

    @property
    def _simulator(self) -> SimulatorLauncher | None:
        """The simulator launcher (tests reach the simulation through it)."""
        return self._endpoint.launcher

    @property
    def batch_interval(self) -> float:
        return self._stream.batch_interval

    @property
    def max_batch_interval(self) -> float:
        return self._stream.max_batch_interval

    @property
    def tail_size(self) -> int:
        return self._stream.tail_size

    @property
    def signal_every(self) -> float | None:
        return self._wire.signal_every

    # --- life cycle -----------------------------------------------------------------------

    def add(self, name: str, part: object) -> None:
        """Register ``part`` as ``services[name]`` (before :meth:`start`).

        Only a part implementing :class:`~console.runtime.services.Service`
        (``start_service``/``close_service``) is started and closed with us; anything else
        -- the broadcast engine, whose ``start`` starts a broadcast -- is only registered.
        """
        self.services[name] = part

    async def start(self) -> None:
        """Connect: start the simulator if needed, then the engines and the link."""
        if self._started:
            return
        self._started = True
        self._stream.attach(asyncio.get_running_loop())
        await self._endpoint.launch(self.station)
        self._live.set_link(detail=self.notice or "")
        self._unsubscribe += [
            self.gateway.subscribe(self._wire.on_radio),
            *self._desk.subscribe(),
            self.broadcast.subscribe(self._audio.on_broadcast),
            self.log.add_commit_listener(self._stream.on_commit),
        ]
        self.log.append(kinds.OPERATOR_LOGIN, operator=self.operator, data={"port": self.port})
        self._pump.after_append()
        await self._desk.start()
        await self._audio.start_voice(self._unsubscribe)
        await start_services(self.services)
        await self.link.start()

    async def close(self) -> None:
        """Stop everything in reverse order; the log is flushed and closed last."""
        if self._closed:
            return
        self._closed = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._wire.close()
        self._pump.close()
        self._stream.close()
        await close_services(self.services)
        await self._rollcalls.close()
        await self._drills.close()
        await self._audio.close()
        await self._desk.close()
        await self.link.close()
        self._save_trace()
        self.alarms.close()
        with contextlib.suppress(Exception):
            await self._endpoint.stop()
        with contextlib.suppress(EventLogError):
            if self._started:
                self.log.append(kinds.OPERATOR_LOGOUT, operator=self.operator)
            self.log.flush()
        self.log.close()

    def _save_trace(self) -> None:
        if self.trace is None or self.trace_path is None:
            return
        try:
            self.trace.save(self.trace_path)
        except OSError as exc:
            log_.error("cannot save the wire trace to %s: %s", self.trace_path, exc)

    # --- the UI's stream ------------------------------------------------------------------

    def subscribe(self, listener: BatchListener) -> Callable[[], None]:
        """``listener(batch)`` on the loop, at most once per ``batch_interval`` (up to
        ``max_batch_interval`` apart while a flood of events goes on)."""
        return self._stream.subscribe(listener)

    def flush(self) -> Batch:
        """Hand the listeners everything queued now (tests call it to skip the wait)."""
        return self._stream.flush()

    def _on_radio(self, event: ev.PeiEvent) -> None:
        """Feed one gateway event in as if it came off the wire (benchmarks do)."""
        self._wire.on_radio(event)

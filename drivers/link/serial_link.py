"""The serial link: the thin asyncio shell around the PEI protocol and session cores.

:class:`~drivers.pei.protocol.PeiProtocol` turns bytes into events and
:class:`~drivers.pei.session.PeiSession` decides the link's life (init, keep-alive, loss,
restart detection, back-off); :class:`~drivers.link.port.Wire` moves the bytes and
:class:`~drivers.link.queue.CommandDesk` keeps the queue; :mod:`drivers.link.phases` waits
out the init sequence and the keep-alive watch.  This module wires them together, runs the
tasks and executes what the session returns, all on the asyncio loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from functools import partial

from drivers.clock import Clock, SystemClock
from drivers.errors import DriverError, LinkDown
from drivers.link.facts import LinkFacts
from drivers.link.phases import run_init, watch
from drivers.link.port import IO_ERRORS, Port, Wire, open_serial
from drivers.link.queue import PRIORITY_HIGH, PRIORITY_LOW, PRIORITY_NORMAL, CommandDesk
from drivers.link.trace import WireTrace
from drivers.listeners import Listeners
from drivers.pei import events as ev
from drivers.pei import session as ps
from drivers.pei.commands import Command
from drivers.pei.dialect import ETSI, Dialect
from drivers.pei.protocol import PeiProtocol
from drivers.pei.state import InitWarning, LinkState, LinkStateChanged


class PeiLink(LinkFacts):
    """An asyncio PEI link to one gateway, with reconnect, keep-alive and a wire trace."""

    def __init__(
        self,
        url: str,
        *,
        dialect: Dialect = ETSI,
        baud: int | None = None,
        clock: Clock | None = None,
        trace: WireTrace | None = None,
        opener: Callable[[str, int], Port] = open_serial,
        reconnect: bool = True,
        backoff: tuple[float, ...] = ps.BACKOFF,
        max_timeouts: int = 2,
        keepalive: float | None = None,
    ) -> None:
        self.url, self.dialect, self.baud = url, dialect, baud or dialect.baud
        self.clock: Clock = clock or SystemClock()
        self._opener = opener
        self._wire = Wire(self._on_data, self._lost, trace)
        self.session = ps.PeiSession.for_dialect(
            dialect,
            keepalive=keepalive,
            max_timeouts=max_timeouts,
            backoff=backoff,
            reconnect=reconnect,
        )
        self.protocol = PeiProtocol(dialect)
        self._desk = CommandDesk(self.protocol, self.clock, self._timed_out)
        self.last_error = ""
        self.listeners: Listeners[ev.PeiEvent] = Listeners()
        self._up, self._lost_event = asyncio.Event(), asyncio.Event()
        self._rethink = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- public API -------------------------------------------------------------------

    async def start(self) -> None:
        """Start the supervisor (opens, inits, reconnects); returns at once."""
        if not self._tasks:
            self._loop = asyncio.get_running_loop()
            # Fresh events per start: an asyncio.Event binds to the loop that first waits on it.
            self._up, self._lost_event = asyncio.Event(), asyncio.Event()
            self._rethink = asyncio.Event()
            self._desk.wake = asyncio.Event()
            self._tasks = [asyncio.create_task(self._supervise(), name="pei-supervisor")]
            sender = self._desk.run(self._wire, self._is_up, self._lost, self.url)
            self._tasks.append(asyncio.create_task(sender, name="pei-sender"))

    async def wait_up(self, timeout: float | None = None) -> None:
        """Wait (real time) until the link is UP; raise :class:`LinkDown` otherwise."""
        assert self._loop is not None, "start() the link first"
        try:
            await asyncio.wait_for(self._up.wait(), timeout)
        except TimeoutError:
            why = self.last_error or "no answer"
            raise LinkDown(f"gateway at {self.url} is not up ({self.state}): {why}") from None

    async def connect(self, timeout: float | None = 15.0) -> None:
        """Start and wait until UP (for command-line tools that need the gateway now)."""
        await self.start()
        await self.wait_up(timeout)

    async def close(self) -> None:
        """Stop for good: cancel tasks, fail what is queued, close the port."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        self._desk.fail_all(
            LinkDown(f"link to {self.url} closed", hint="The console is shutting down.")
        )
        await self._wire.close()
        self._run(self.session.closed())

    async def command(
        self, command: Command, *, timeout: float | None = None, priority: int = PRIORITY_NORMAL
    ) -> ev.CommandCompleted:
        """Queue ``command``; await its completion (raises on error, time-out, link loss)."""
        return await self._enqueue(command, timeout, priority, False)

    # --- executing the session's actions ----------------------------------------------

    def _run(self, actions: tuple[ps.Action, ...]) -> None:
        """Execute the actions that need no waiting (the rest are handled where they occur)."""
        for action in actions:
            if isinstance(action, ps.EnterState):
                (self._up.set if action.state is LinkState.UP else self._up.clear)()
                self._emit(LinkStateChanged(action.state, self.url, action.detail))
            elif isinstance(action, ps.Warn):
                self._emit(InitWarning(action.command, action.reason))
            elif isinstance(action, ps.DropLink):
                self._lost(action.reason)

    def _lost(self, reason: str) -> None:
        desk = self._desk
        pending = desk.active_until - self.clock.monotonic() if desk.active is not None else 0.0
        actions = self.session.lost(reason, pending=pending)
        if actions:
            self.last_error = reason
            self._wire.drop()
            self._desk.fail_all(LinkDown(f"gateway link {self.url} lost: {reason}"))
            self.protocol.reset()
            self._run(actions[1:])
            self._lost_event.set()

    async def _supervise(self) -> None:
        while True:
            try:
                await self._open_and_init()
            except (DriverError, *IO_ERRORS) as exc:
                self.last_error = str(exc)
                self._desk.fail_all(LinkDown(f"gateway link {self.url}: {exc}"))
                await self._wire.close()
                after = self.session.open_failed(str(exc))
            else:
                self._lost_event.clear()
                ask = partial(self._enqueue, priority=PRIORITY_LOW, internal=False)
                idle = lambda: self.idle  # noqa: E731
                lost, rethink = self._lost_event, self._rethink
                await watch(self.session, ask, self.clock, idle, lost, self._run, rethink)
                after = self.session.watch_ended()
            self._run(after)
            if isinstance(after[-1], ps.Stop):
                return
            assert isinstance(after[-1], ps.Sleep)
            await self.clock.sleep(after[-1].delay)

    async def _open_and_init(self) -> None:
        self._run(self.session.connecting(f"opening {self.url}"))
        port = await asyncio.to_thread(self._opener, self.url, self.baud)
        await self._wire.attach(port, self.protocol.reset)
        ask = partial(self._enqueue, priority=PRIORITY_HIGH, internal=True)
        await run_init(self.session, ask, self.clock, self._run)
        up = f"{self.url} at {self.baud} baud"
        self._run(self.session.established(self.clock.monotonic(), self.protocol.echoes_seen, up))

    # --- queue, sender, receiver ------------------------------------------------------

    async def _enqueue(
        self, command: Command, timeout: float | None, priority: int, internal: bool
    ) -> ev.CommandCompleted:
        if self._loop is None:
            raise LinkDown(f"link to {self.url} not started")
        if not internal and self.state is not LinkState.UP:
            raise LinkDown(f"gateway link {self.url} is {self.state.value}: {self.last_error}")
        deadline = timeout or command.timeout or self.dialect.command_timeout
        return await self._desk.submit(command, deadline, priority, internal)

    def _timed_out(self) -> None:
        self._run(self.session.timed_out())

    def _on_data(self, data: bytes) -> None:
        now = self.clock.monotonic()
        for event in self.protocol.receive(data):
            final = (ev.CommandCompleted, ev.CommandFailed)
            if isinstance(event, final) and self._desk.complete(event):
                self.session.answered()
            self._emit(event)
        self._run(self.session.received(now, self.protocol.echoes_seen))

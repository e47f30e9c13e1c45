"""The serial link: the thin I/O shell around the PEI protocol and session cores.

:class:`~drivers.pei.protocol.PeiProtocol` turns bytes into events and
:class:`~drivers.pei.session.PeiSession` decides the link's life (init, keep-alive, loss,
restart detection, back-off); this module only executes what they return.  Why a reader
thread rather than pyserial-asyncio: ``serial_for_url`` handlers (``socket://``,
``rfc2217://``, ``spy://``, ``loop://``) do not all expose a file descriptor an event loop
could watch, and a blocking ``read`` in one thread works with every one of them.  The thread
only moves bytes; all state lives on the asyncio loop.  Writes go through a worker thread
(``write_timeout`` set) so a stalled port can never freeze the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

import serial

from drivers.clock import Clock, SystemClock, TimerHandle
from drivers.errors import CommandError, CommandTimeout, DriverError, LinkDown
from drivers.link.port import CommandRejected, Port, close_quietly, open_serial
from drivers.link.queue import (
    PRIORITY_EMERGENCY,
    PRIORITY_HIGH,
    PRIORITY_LOW,
    PRIORITY_NORMAL,
    CommandQueue,
    Queued,
)
from drivers.link.trace import WireTrace
from drivers.pei import events as ev
from drivers.pei import session as ps
from drivers.pei.commands import Command
from drivers.pei.dialect import ETSI, Dialect
from drivers.pei.protocol import PeiProtocol
from drivers.pei.state import GatewayIdentity, InitWarning, LinkState, LinkStateChanged

__all__ = ["PRIORITY_EMERGENCY", "PRIORITY_HIGH", "PRIORITY_LOW", "PRIORITY_NORMAL"]
__all__ += ["CommandRejected", "GatewayIdentity", "PeiLink", "Port", "open_serial"]

Listener = Callable[[ev.PeiEvent], None]
_IO_ERRORS = (serial.SerialException, OSError)


class PeiLink:
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
        backoff: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0),
        max_timeouts: int = 2,
        keepalive: float | None = None,
    ) -> None:
        self.url, self.dialect, self.baud = url, dialect, baud or dialect.baud
        self.clock: Clock = clock or SystemClock()
        self.trace, self._opener = trace, opener
        self.session = ps.PeiSession(
            init=dialect.init,
            command_timeout=dialect.command_timeout,
            keepalive=dialect.keepalive_interval if keepalive is None else keepalive,
            max_timeouts=max_timeouts,
            backoff=backoff,
            reconnect=reconnect,
        )
        self.protocol = PeiProtocol(dialect)
        self.bytes_in = self.bytes_out = 0
        self.last_error = ""
        self._listeners: list[Listener] = []
        self._port: Port | None = None
        self._generation = 0
        self._queue = CommandQueue()
        self._active: Queued | None = None
        self._deadline: TimerHandle | None = None
        self._wake, self._up, self._lost_event = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def state(self) -> LinkState:
        return self.session.state

    @property
    def identity(self) -> GatewayIdentity:
        """What the init sequence learned about the gateway."""
        return self.session.identity

    @property
    def reconnects(self) -> int:
        """How many times an established link was lost and reopened."""
        return self.session.reconnects

    # --- public API -------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on the loop for every event; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def start(self) -> None:
        """Start the supervisor (opens, inits, reconnects); returns at once."""
        if not self._tasks:
            self._loop = asyncio.get_running_loop()
            self._tasks = [asyncio.create_task(self._supervise(), name="pei-supervisor")]
            self._tasks.append(asyncio.create_task(self._sender(), name="pei-sender"))

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
        self._fail_all(LinkDown(f"link to {self.url} closed", hint="The console is shutting down."))
        await self._close_port()
        self._run(self.session.closed())

    async def command(
        self, command: Command, *, timeout: float | None = None, priority: int = PRIORITY_NORMAL
    ) -> ev.CommandCompleted:
        """Queue ``command``; await its completion (raises on error, time-out, link loss)."""
        return await self._enqueue(command, timeout, priority, internal=False)

    @property
    def queued(self) -> int:
        return len(self._queue) + (1 if self._active else 0)

    @property
    def idle(self) -> bool:
        """No command queued or outstanding, nothing half-framed."""
        return not self._queue and self._active is None

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
        actions = self.session.lost(reason)
        if actions:
            self.last_error = reason
            self._generation += 1
            self._fail_all(LinkDown(f"gateway link {self.url} lost: {reason}"))
            self.protocol.reset()
            port, self._port = self._port, None
            if port is not None:
                threading.Thread(target=close_quietly, args=(port,), daemon=True).start()
            self._run(actions[1:])
            self._lost_event.set()

    async def _supervise(self) -> None:
        while True:
            try:
                await self._open_and_init()
            except (DriverError, *_IO_ERRORS) as exc:
                self.last_error = str(exc)
                self._generation += 1
                self._fail_all(LinkDown(f"gateway link {self.url}: {exc}"))
                await self._close_port()
                after = self.session.open_failed(str(exc))
            else:
                self._lost_event.clear()
                await self._watch()
                after = self.session.watch_ended()
            self._run(after)
            if isinstance(after[-1], ps.Stop):
                return
            assert isinstance(after[-1], ps.Sleep)
            await self.clock.sleep(after[-1].delay)

    async def _open_and_init(self) -> None:
        self._run(self.session.connecting(f"opening {self.url}"))
        port = await asyncio.to_thread(self._opener, self.url, self.baud)
        self._generation += 1
        self._port = port
        self.protocol.reset()
        with contextlib.suppress(*_IO_ERRORS):
            await asyncio.to_thread(port.reset_input_buffer)
        args = (port, self._generation)
        threading.Thread(
            target=self._reader_main, args=args, daemon=True, name="pei-reader"
        ).start()
        actions = self.session.begin_init()
        while True:
            self._run(actions)
            step = actions[-1]
            if isinstance(step, ps.InitDone):
                break
            if isinstance(step, ps.WaitQuiet):
                await self.clock.sleep(step.period)
                actions = self.session.quiet_checked(self.clock.monotonic())
            elif isinstance(step, ps.SendInit):
                try:
                    done = await self._enqueue(
                        step.command, step.timeout, PRIORITY_HIGH, internal=True
                    )
                    actions = self.session.init_answered(done)
                except CommandRejected as exc:
                    actions = self.session.init_rejected(exc.failed)
                    if isinstance(actions[-1], ps.InitFailed):
                        raise
                except CommandTimeout:
                    actions = self.session.init_timed_out()
                    if isinstance(actions[-1], ps.InitFailed) and not actions[-1].reason:
                        raise
            if isinstance(failed := actions[-1], ps.InitFailed):
                raise CommandError(failed.reason, hint=failed.hint)
        up = f"{self.url} at {self.baud} baud"
        self._run(self.session.established(self.clock.monotonic(), self.protocol.echoes_seen, up))

    async def _watch(self) -> None:
        """While UP: keep-alive on idle; return when the link is lost."""
        while self.state is LinkState.UP:
            (action,) = self.session.tick(self.clock.monotonic(), self.idle)
            if isinstance(action, ps.SendKeepAlive):
                try:
                    await self._enqueue(
                        action.command, action.timeout, PRIORITY_LOW, internal=False
                    )
                except CommandTimeout:
                    self._run(self.session.keepalive_unanswered())
                except (CommandError, LinkDown):
                    pass
                continue
            assert isinstance(action, ps.Sleep)
            lost = asyncio.ensure_future(self._lost_event.wait())
            tick = asyncio.ensure_future(self.clock.sleep(action.delay))
            done, _ = await asyncio.wait({lost, tick}, return_when=asyncio.FIRST_COMPLETED)
            for fut in (lost, tick):
                if fut not in done:
                    fut.cancel()
            if lost in done:
                return

    # --- queue, sender, receiver ------------------------------------------------------

    async def _enqueue(
        self, command: Command, timeout: float | None, priority: int, *, internal: bool
    ) -> ev.CommandCompleted:
        if self._loop is None:
            raise LinkDown(f"link to {self.url} not started")
        if not internal and self.state is not LinkState.UP:
            raise LinkDown(f"gateway link {self.url} is {self.state.value}: {self.last_error}")
        fut: asyncio.Future[ev.CommandCompleted] = asyncio.get_running_loop().create_future()
        deadline = timeout or command.timeout or self.dialect.command_timeout
        self._queue.push(Queued(command, fut, deadline, internal), priority)
        self._wake.set()
        return await fut

    async def _sender(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._active is None and (item := self._queue.pop(self.state is LinkState.UP)):
                if not item.future.done():
                    await self._transmit(item)

    async def _transmit(self, item: Queued) -> None:
        if (port := self._port) is None:
            item.future.set_exception(LinkDown(f"gateway link {self.url} is not open"))
            return
        data = self.protocol.send(item.command)
        self._active, gen = item, self._generation
        self._deadline = self.clock.call_later(item.timeout, lambda: self._on_deadline(item))
        # Record before writing: a fast gateway's answer may be read before write() returns,
        # and a trace must show the command first or its replay pairs answers wrongly.
        if self.trace is not None:
            self.trace.add("tx", data)
        try:
            await asyncio.to_thread(port.write, data)
        except _IO_ERRORS as exc:
            if gen == self._generation:
                self._lost(f"write failed: {exc}")
            return
        self.bytes_out += len(data)

    def _finish_active(self) -> Queued | None:
        item, self._active = self._active, None
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._wake.set()
        return item

    def _on_deadline(self, item: Queued) -> None:
        if self._active is not item:
            return
        self.protocol.abandon("timeout")
        self._finish_active()
        actions = self.session.timed_out()
        if not item.future.done():
            why = f"{item.command.name}: no answer from the gateway within {item.timeout:g} s"
            item.future.set_exception(CommandTimeout(why))
        self._run(actions)

    def _reader_main(self, port: Port, generation: int) -> None:
        loop = self._loop
        assert loop is not None
        while generation == self._generation:
            try:
                data = port.read(max(1, min(port.in_waiting, 4096)))
                if data and port.in_waiting:  # the rest of a burst: fewer loop wake-ups
                    data += port.read(min(port.in_waiting, 4096))
            except (*_IO_ERRORS, TypeError, AttributeError) as exc:
                # TypeError/AttributeError: pyserial internals after close() from another thread.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._on_reader_error, generation, str(exc))
                return
            if data:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._on_data, generation, data)

    def _on_reader_error(self, generation: int, reason: str) -> None:
        if generation == self._generation:
            self._lost(f"read failed: {reason}")

    def _on_data(self, generation: int, data: bytes) -> None:
        if generation != self._generation:
            return
        self.bytes_in += len(data)
        if self.trace is not None:
            self.trace.add("rx", data)
        now = self.clock.monotonic()
        for event in self.protocol.receive(data):
            if isinstance(event, ev.CommandCompleted | ev.CommandFailed):
                self._complete(event)
            self._emit(event)
        self._run(self.session.received(now, self.protocol.echoes_seen))

    def _complete(self, event: ev.CommandCompleted | ev.CommandFailed) -> None:
        item = self._finish_active()
        if item is None or item.future.done():
            return
        self.session.answered()
        if isinstance(event, ev.CommandCompleted):
            item.future.set_result(event)
        else:
            item.future.set_exception(CommandRejected(event))

    def _emit(self, event: ev.PeiEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception as exc:  # a broken subscriber must not kill the link
                self.last_error = f"listener {listener!r} failed: {exc!r}"

    def _fail_all(self, error: DriverError) -> None:
        item = self._finish_active()
        self.protocol.abandon("link lost")
        for it in ([item] if item else []) + self._queue.drain():
            if not it.future.done():
                it.future.set_exception(error)

    async def _close_port(self) -> None:
        self._generation += 1
        port, self._port = self._port, None
        if port is not None:
            await asyncio.to_thread(close_quietly, port)

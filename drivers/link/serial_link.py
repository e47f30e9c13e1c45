"""The serial link: the thin I/O shell around :class:`~drivers.pei.protocol.PeiProtocol`.

Why a reader thread rather than pyserial-asyncio: ``serial_for_url`` handlers
(``socket://``, ``rfc2217://``, ``spy://``, ``loop://``) do not all expose a file descriptor
an event loop could watch, and a blocking ``read`` in one thread works with every one of
them on every platform.  The thread only moves bytes; all protocol state lives on the
asyncio loop.  Writes go through a worker thread (``write_timeout`` set) so a stalled port
can never freeze the loop.

Life cycle: open (exclusive) → init sequence (``AT`` until clean, ``ATE0``, the dialect's
list) → UP; keep-alive ``AT`` when idle; on an I/O error, EOF, or repeated time-outs the link
is *lost*: every command in flight or queued fails with :class:`LinkDown`, the state goes
RECONNECTING, and it reopens with back-off and a full re-init (a rebooted gateway has
forgotten its service registrations).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import threading
from collections.abc import Callable
from typing import Any, Protocol

import serial

from drivers.clock import Clock, SystemClock, TimerHandle
from drivers.errors import CommandError, CommandTimeout, DriverError, LinkDown, PortError
from drivers.link.state import GatewayIdentity, InitWarning, LinkState, LinkStateChanged
from drivers.link.trace import WireTrace
from drivers.pei import commands
from drivers.pei import events as ev
from drivers.pei.commands import Command
from drivers.pei.dialect import ETSI, Dialect
from drivers.pei.protocol import PeiProtocol
from drivers.pei.tables import CME_TRANSIENT

Listener = Callable[[ev.PeiEvent], None]

PRIORITY_EMERGENCY = 0
PRIORITY_HIGH = 1
PRIORITY_NORMAL = 5
PRIORITY_LOW = 9


class Port(Protocol):
    """The part of a pyserial port the link uses (so tests may pass any transport)."""

    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes, /) -> int | None: ...
    def close(self) -> None: ...
    def reset_input_buffer(self) -> None: ...

    @property
    def in_waiting(self) -> int: ...


def open_serial(url: str, baud: int) -> Port:
    """Open ``url`` with pyserial: 8N1, no flow control, exclusive, with write timeouts."""
    try:
        port = serial.serial_for_url(
            url,
            baudrate=baud,
            bytesize=serial.EIGHTBITS,
            parity=serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE,
            rtscts=False,
            xonxoff=False,
            timeout=0.1,
            write_timeout=2.0,
            exclusive=True,
            do_not_open=True,
        )
        port.open()
    except (serial.SerialException, OSError, ValueError) as exc:
        raise PortError(f"cannot open the gateway port {url}: {exc}") from None
    return port  # type: ignore[no-any-return]


class CommandRejected(CommandError):
    """The gateway answered ERROR or +CME ERROR."""

    def __init__(self, failed: ev.CommandFailed) -> None:
        transient = failed.cme in CME_TRANSIENT
        hint = (
            "The gateway is busy or out of coverage; the request will be retried."
            if transient
            else "The gateway refused the command; check its programming and the request."
        )
        super().__init__(f"{failed.command}: {failed.reason}", hint=hint)
        self.failed = failed
        self.cme = failed.cme
        self.transient = transient


class _Queued:
    __slots__ = ("command", "future", "internal", "timeout")

    def __init__(
        self,
        command: Command,
        future: asyncio.Future[ev.CommandCompleted],
        timeout: float,
        internal: bool,
    ) -> None:
        self.command = command
        self.future = future
        self.timeout = timeout
        self.internal = internal


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
        self.url = url
        self.dialect = dialect
        self.baud = baud or dialect.baud
        self.clock: Clock = clock or SystemClock()
        self.trace = trace
        self._opener = opener
        self._reconnect = reconnect
        self._backoff = backoff
        self._max_timeouts = max_timeouts
        self._keepalive = dialect.keepalive_interval if keepalive is None else keepalive
        self.protocol = PeiProtocol(dialect)
        self.state = LinkState.CLOSED
        self.identity = GatewayIdentity()
        self.bytes_in = 0
        self.bytes_out = 0
        self.reconnects = 0
        self._listeners: list[Listener] = []
        self._port: Port | None = None
        self._generation = 0
        self._reader: threading.Thread | None = None
        self._queue: list[tuple[int, int, _Queued]] = []
        self._seq = itertools.count()
        self._active: _Queued | None = None
        self._deadline: TimerHandle | None = None
        self._timeouts = 0
        self._wake: asyncio.Event | None = None
        self._up: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._last_rx = 0.0
        self._lost_event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.last_error: str = ""
        self._echo_mark = 0

    # --- public API -------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on the loop for every event; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def start(self) -> None:
        """Start the supervisor (opens, inits, reconnects); returns at once."""
        if self._tasks:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._up = asyncio.Event()
        self._lost_event = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._supervise(), name="pei-supervisor"),
            asyncio.create_task(self._sender(), name="pei-sender"),
        ]

    async def wait_up(self, timeout: float | None = None) -> None:
        """Wait (real time) until the link is UP; raise :class:`LinkDown` otherwise."""
        assert self._up is not None, "start() the link first"
        try:
            await asyncio.wait_for(self._up.wait(), timeout)
        except TimeoutError:
            raise LinkDown(
                f"gateway at {self.url} is not up ({self.state}): {self.last_error or 'no answer'}"
            ) from None

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
        self._set_state(LinkState.CLOSED, "closed")

    async def command(
        self,
        command: Command,
        *,
        timeout: float | None = None,
        priority: int = PRIORITY_NORMAL,
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

    # --- internals: queue and sender --------------------------------------------------

    async def _enqueue(
        self, command: Command, timeout: float | None, priority: int, *, internal: bool
    ) -> ev.CommandCompleted:
        if self._wake is None:
            raise LinkDown(f"link to {self.url} not started")
        if not internal and self.state is not LinkState.UP:
            raise LinkDown(f"gateway link {self.url} is {self.state.value}: {self.last_error}")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[ev.CommandCompleted] = loop.create_future()
        deadline = timeout or command.timeout or self.dialect.command_timeout
        item = _Queued(command, fut, deadline, internal)
        heapq.heappush(self._queue, (priority if not internal else -1, next(self._seq), item))
        self._wake.set()
        return await fut

    async def _sender(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._active is None and self._queue:
                if self.state is not LinkState.UP and not self._queue[0][2].internal:
                    break
                _, _, item = heapq.heappop(self._queue)
                if item.future.done():
                    continue
                await self._transmit(item)

    async def _transmit(self, item: _Queued) -> None:
        port = self._port
        if port is None:
            item.future.set_exception(LinkDown(f"gateway link {self.url} is not open"))
            return
        data = self.protocol.send(item.command)
        self._active = item
        gen = self._generation
        self._deadline = self.clock.call_later(item.timeout, lambda: self._on_deadline(item))
        # Record before writing: a fast gateway's answer may be read before write() returns,
        # and a trace must show the command first or its replay pairs answers wrongly.
        if self.trace is not None:
            self.trace.add("tx", data)
        try:
            await asyncio.to_thread(port.write, data)
        except (serial.SerialException, OSError) as exc:
            if gen == self._generation:
                self._lost(f"write failed: {exc}")
            return
        self.bytes_out += len(data)

    def _finish_active(self) -> _Queued | None:
        item = self._active
        self._active = None
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if self._wake is not None:
            self._wake.set()
        return item

    def _on_deadline(self, item: _Queued) -> None:
        if self._active is not item:
            return
        self.protocol.abandon("timeout")
        self._finish_active()
        self._timeouts += 1
        if not item.future.done():
            item.future.set_exception(
                CommandTimeout(
                    f"{item.command.name}: no answer from the gateway within {item.timeout:g} s"
                )
            )
        if self._timeouts >= self._max_timeouts and self.state is LinkState.UP:
            self._lost(f"{self._timeouts} commands in a row got no answer")

    # --- internals: receiving ---------------------------------------------------------

    def _reader_main(self, port: Port, generation: int) -> None:
        loop = self._loop
        assert loop is not None
        while generation == self._generation:
            try:
                data = port.read(max(1, min(port.in_waiting, 4096)))
                if data and port.in_waiting:
                    # The rest of a burst in the same hand-off: fewer loop wake-ups.
                    data += port.read(min(port.in_waiting, 4096))
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
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
        self._last_rx = self.clock.monotonic()
        if self.trace is not None:
            self.trace.add("rx", data)
        for event in self.protocol.receive(data):
            if isinstance(event, ev.CommandCompleted | ev.CommandFailed):
                self._complete(event)
            self._emit(event)
        if self.state is LinkState.UP and self.protocol.echoes_seen > self._echo_mark:
            # We sent ATE0 at init; an echo now means the gateway restarted and has
            # forgotten its service registrations.  Reconnect runs the whole init again.
            self._lost("the gateway echoed a command after ATE0: it restarted")

    def _complete(self, event: ev.CommandCompleted | ev.CommandFailed) -> None:
        item = self._finish_active()
        if item is None or item.future.done():
            return
        self._timeouts = 0
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

    def _set_state(self, state: LinkState, detail: str = "") -> None:
        if state is self.state and not detail:
            return
        self.state = state
        if self._up is not None:
            if state is LinkState.UP:
                self._up.set()
            else:
                self._up.clear()
        self._emit(LinkStateChanged(state, self.url, detail))

    # --- internals: open, init, loss, reconnect ---------------------------------------

    def _fail_all(self, error: DriverError) -> None:
        item = self._finish_active()
        self.protocol.abandon("link lost")
        pending = [item] if item else []
        pending += [q[2] for q in self._queue]
        self._queue.clear()
        for it in pending:
            if not it.future.done():
                it.future.set_exception(error)

    def _lost(self, reason: str) -> None:
        if self.state in (LinkState.RECONNECTING, LinkState.CLOSED, LinkState.DOWN):
            return
        self.last_error = reason
        self._generation += 1
        self._fail_all(LinkDown(f"gateway link {self.url} lost: {reason}"))
        self.protocol.reset()
        port, self._port = self._port, None
        if port is not None:
            threading.Thread(target=_close_quietly, args=(port,), daemon=True).start()
        self._set_state(LinkState.RECONNECTING if self._reconnect else LinkState.DOWN, reason)
        if self._lost_event is not None:
            self._lost_event.set()

    async def _close_port(self) -> None:
        self._generation += 1
        port, self._port = self._port, None
        if port is not None:
            await asyncio.to_thread(_close_quietly, port)

    async def _open_and_init(self) -> None:
        self._set_state(LinkState.CONNECTING, f"opening {self.url}")
        port = await asyncio.to_thread(self._opener, self.url, self.baud)
        self._generation += 1
        self._port = port
        self.protocol.reset()
        with contextlib.suppress(serial.SerialException, OSError):
            await asyncio.to_thread(port.reset_input_buffer)
        self._reader = threading.Thread(
            target=self._reader_main, args=(port, self._generation), daemon=True, name="pei-reader"
        )
        self._reader.start()
        await self._init_sequence()
        self._timeouts = 0
        self._last_rx = self.clock.monotonic()
        self._echo_mark = self.protocol.echoes_seen
        self._set_state(LinkState.UP, f"{self.url} at {self.baud} baud")

    async def _init_cmd(self, command: Command, timeout: float = 2.0) -> ev.CommandCompleted:
        return await self._enqueue(command, timeout, PRIORITY_HIGH, internal=True)

    async def _quiet(self, period: float) -> None:
        """Wait until nothing has been received for ``period`` seconds (bounded: 5 periods)."""
        for _ in range(5):
            await self.clock.sleep(period)
            if self.clock.monotonic() - self._last_rx >= period:
                return

    async def _init_sequence(self) -> None:
        # Start-up junk (+CME ERROR: 35 for line noise) is answered by repeating AT.
        for attempt in range(5):
            try:
                await self._init_cmd(commands.at(), 1.0 + attempt)
                break
            except (CommandRejected, CommandTimeout):
                # Junk may have ended our AT early; let late answers drain as stray results
                # (nothing outstanding) before the next try, so answers never shift by one.
                await self._quiet(0.3)
        else:
            raise CommandError(
                "the gateway answers AT only with errors", hint="Check the baud rate and dialect."
            )
        await self._init_cmd(commands.echo_off())
        identity = GatewayIdentity()
        for line in self.dialect.init:
            cmd = commands.raw(line)
            try:
                done = await self._init_cmd(cmd, self.dialect.command_timeout)
            except CommandRejected as exc:
                self._emit(InitWarning(line, exc.failed.reason))
                continue
            try:
                if cmd.response == "+CNUMF":
                    num_type, ident = commands.parse_cnumf(done.lines)
                    identity = GatewayIdentity(ident, num_type, identity.mode)
                elif cmd.response == "+CTOM":
                    mode = commands.parse_int_field(done.lines, "+CTOM")
                    identity = GatewayIdentity(identity.identity, identity.num_type, mode)
            except DriverError as exc:
                self._emit(InitWarning(line, str(exc)))
        self.identity = identity

    async def _supervise(self) -> None:
        assert self._lost_event is not None
        attempt = 0
        while True:
            try:
                await self._open_and_init()
                attempt = 0
            except (DriverError, serial.SerialException, OSError) as exc:
                self.last_error = str(exc)
                self._generation += 1
                self._fail_all(LinkDown(f"gateway link {self.url}: {exc}"))
                await self._close_port()
                if not self._reconnect:
                    self._set_state(LinkState.DOWN, str(exc))
                    return
                self._set_state(LinkState.RECONNECTING, str(exc))
                delay = self._backoff[min(attempt, len(self._backoff) - 1)]
                attempt += 1
                await self.clock.sleep(delay)
                continue
            self._lost_event.clear()
            await self._watch()
            if not self._reconnect:
                return
            self.reconnects += 1
            await self.clock.sleep(self._backoff[0])

    async def _watch(self) -> None:
        """While UP: keep-alive on idle; return when the link is lost."""
        assert self._lost_event is not None
        while self.state is LinkState.UP:
            # Sleep until the line has been quiet for a whole keep-alive interval.
            quiet_at = self._last_rx + self._keepalive
            delay = max(0.05, quiet_at - self.clock.monotonic())
            lost = asyncio.ensure_future(self._lost_event.wait())
            tick = asyncio.ensure_future(self.clock.sleep(delay))
            done, _ = await asyncio.wait({lost, tick}, return_when=asyncio.FIRST_COMPLETED)
            for fut in (lost, tick):
                if fut not in done:
                    fut.cancel()
            if lost in done or self.state is not LinkState.UP:
                return
            idle_for = self.clock.monotonic() - self._last_rx
            if idle_for >= self._keepalive and self.idle:
                try:
                    await self._enqueue(
                        commands.at(),
                        min(2.0, self.dialect.command_timeout),
                        PRIORITY_LOW,
                        internal=False,
                    )
                except CommandTimeout:
                    self._lost("keep-alive AT got no answer")
                except (CommandError, LinkDown):
                    pass


def _close_quietly(port: Any) -> None:
    with contextlib.suppress(Exception):
        cancel = getattr(port, "cancel_read", None)
        if cancel is not None:
            cancel()
    with contextlib.suppress(Exception):
        port.close()

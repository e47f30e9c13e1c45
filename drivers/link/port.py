"""The port side of the link: what a transport must offer, opening it, and moving its bytes.

Kept apart from :mod:`drivers.link.serial_link` so the doctor and trace tools can open and
probe a port without the whole link.  Why a reader thread rather than pyserial-asyncio:
``serial_for_url`` handlers (``socket://``, ``rfc2217://``, ``spy://``, ``loop://``) do not
all expose a file descriptor an event loop could watch, and a blocking ``read`` in one
thread works with every one of them.  Writes go through a worker thread (``write_timeout``
set) so a stalled port can never freeze the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, Protocol

import serial

from drivers.errors import CommandError, PortError
from drivers.link.trace import WireTrace
from drivers.pei import events as ev
from drivers.pei.tables import CME_TRANSIENT


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


def close_quietly(port: Any) -> None:
    """Close ``port`` from any thread, unblocking a reader first; never raises."""
    with contextlib.suppress(Exception):
        cancel = getattr(port, "cancel_read", None)
        if cancel is not None:
            cancel()
    with contextlib.suppress(Exception):
        port.close()


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


IO_ERRORS = (serial.SerialException, OSError)


class Wire:
    """At most one open port: a reader thread hands its bytes to the loop, writes run in a
    worker thread.  Each new or dropped port bumps a generation, so a late callback from a
    port already replaced is ignored rather than mistaken for the new one's."""

    def __init__(
        self,
        on_data: Callable[[bytes], None],
        on_error: Callable[[str], None],
        trace: WireTrace | None = None,
    ) -> None:
        self.port: Port | None = None
        self.generation = 0
        self.bytes_in = self.bytes_out = 0
        self.trace = trace
        self._on_data, self._on_error = on_data, on_error

    async def attach(self, port: Port, reset: Callable[[], None]) -> None:
        """Use ``port`` from now on: ``reset`` the parser, drop stale input, start reading."""
        self.generation += 1
        self.port = port
        reset()
        with contextlib.suppress(*IO_ERRORS):
            await asyncio.to_thread(port.reset_input_buffer)
        args = (port, self.generation, asyncio.get_running_loop())
        threading.Thread(target=self._read, args=args, daemon=True, name="pei-reader").start()

    def drop(self) -> None:
        """Forget the port now (from the loop) and close it in the background."""
        self.generation += 1
        port, self.port = self.port, None
        if port is not None:
            threading.Thread(target=close_quietly, args=(port,), daemon=True).start()

    async def close(self) -> None:
        """Forget the port and wait until it is closed."""
        self.generation += 1
        port, self.port = self.port, None
        if port is not None:
            await asyncio.to_thread(close_quietly, port)

    async def write(self, data: bytes) -> str | None:
        """Write ``data``; return why it failed if the port is still the current one."""
        port, generation = self.port, self.generation
        assert port is not None
        # Record before writing: a fast gateway's answer may be read before write() returns,
        # and a trace must show the command first or its replay pairs answers wrongly.
        if self.trace is not None:
            self.trace.add("tx", data)
        try:
            await asyncio.to_thread(port.write, data)
        except IO_ERRORS as exc:
            return f"write failed: {exc}" if generation == self.generation else None
        self.bytes_out += len(data)
        return None

    def _read(self, port: Port, generation: int, loop: asyncio.AbstractEventLoop) -> None:
        while generation == self.generation:
            try:
                data = port.read(max(1, min(port.in_waiting, 4096)))
                if data and port.in_waiting:  # the rest of a burst: fewer loop wake-ups
                    data += port.read(min(port.in_waiting, 4096))
            except (*IO_ERRORS, TypeError, AttributeError) as exc:
                # TypeError/AttributeError: pyserial internals after close() from another thread.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._failed, generation, str(exc))
                return
            if data:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._received, generation, data)

    def _failed(self, generation: int, reason: str) -> None:
        if generation == self.generation:
            self._on_error(f"read failed: {reason}")

    def _received(self, generation: int, data: bytes) -> None:
        if generation != self.generation:
            return
        self.bytes_in += len(data)
        if self.trace is not None:
            self.trace.add("rx", data)
        self._on_data(data)

"""Real transports for the simulated gateway: a pseudo-terminal and a TCP socket.

:class:`PtyTransport` is what the production serial driver opens.  It keeps a stable
**symlink** (``<link_dir>/ttySIM0`` by default, like socat's ``link=``) pointing at the
current pty slave.  ``unplug()`` closes the pty (the driver's next read fails with EIO,
exactly like a USB-serial adapter pulled out) and removes the symlink (the device node is
gone); ``replug()`` creates a fresh pty and re-points the symlink, so a driver that reopens
the *same path* is connected again.  The simulated MT keeps its state across a cable pull
(CTSP registrations survive, as on a real radio) but its output while unplugged is lost.

:class:`TcpTransport` serves ``socket://127.0.0.1:<port>`` (pyserial URL), one client at
a time: a new client replaces the old one.  ``unplug()`` drops the client and refuses new
ones until ``replug()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import pty
import struct
import tempfile
import termios
import tty
from pathlib import Path

from drivers.clock import Clock
from fakes.gateway import SimGateway
from fakes.pacing import InputPacer, OutputPump


class _Link:
    """What both transports share: pacing, counters, quiescence."""

    def __init__(self, gateway: SimGateway, clock: Clock, *, baud: int | None, pace_input: bool):
        self.gateway = gateway
        self.clock = clock
        self.baud = baud
        self.plugged = False
        self._pump = OutputPump(clock, self._raw_write, baud=baud, faults=gateway.faults)
        self._input = InputPacer(clock, gateway.receive, baud=baud if pace_input else None)

    @property
    def bytes_in(self) -> int:
        return self._input.bytes_in

    @property
    def bytes_out(self) -> int:
        return self._pump.bytes_out

    def idle(self) -> bool:
        """Nothing queued or timed for output, no input in flight, no held response."""
        return (
            self._pump.idle
            and self._input.pending == 0
            and not self.gateway.busy
            and not self._raw_pending()
        )

    quiescent = idle

    def _raw_write(self, data: bytes) -> None:
        raise NotImplementedError

    def _raw_pending(self) -> bool:
        return False

    def _received(self, data: bytes) -> None:
        self._input.feed(data)

    def _attach(self) -> None:
        self.plugged = True
        self.gateway.attach_link(self._pump.push)

    def _detach(self) -> None:
        self.plugged = False
        self._pump.clear()
        self.gateway.detach_link()

    async def settle(self) -> None:
        """Give the loop a few turns (for ``VirtualClock.settle``)."""
        for _ in range(3):
            await asyncio.sleep(0)


def _inq(fd: int) -> int:
    buf = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    return int(struct.unpack("i", buf)[0])


class PtyTransport(_Link):
    """The gateway on a pseudo-terminal, reachable through a stable symlink path."""

    def __init__(
        self,
        gateway: SimGateway,
        clock: Clock,
        *,
        baud: int | None = None,
        pace_input: bool = True,
        link_dir: str | os.PathLike[str] | None = None,
        link_name: str = "ttySIM0",
    ) -> None:
        super().__init__(gateway, clock, baud=baud, pace_input=pace_input)
        self._own_dir = link_dir is None
        self.link_dir = Path(link_dir or tempfile.mkdtemp(prefix="dutydesk-sim-"))
        self.path = self.link_dir / link_name
        self.master: int | None = None
        self.slave: int | None = None
        self.slave_name = ""
        self._outbuf = bytearray()
        self._writer_armed = False

    @property
    def url(self) -> str:
        return str(self.path)

    async def start(self) -> None:
        self.replug()

    def replug(self) -> None:
        """Put the cable (back) in: a new pty, the symlink re-pointed at its slave."""
        if self.plugged:
            return
        master, slave = pty.openpty()
        tty.setraw(slave)
        attrs = termios.tcgetattr(slave)
        attrs[3] &= ~(termios.ECHO | termios.ICANON)
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        os.set_blocking(master, False)
        self.master, self.slave = master, slave
        self.slave_name = os.ttyname(slave)
        tmp = self.link_dir / (self.path.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(self.slave_name)
        os.replace(tmp, self.path)
        asyncio.get_running_loop().add_reader(master, self._on_readable)
        self._attach()
        self.gateway.network.log(f"cable in: {self.path} -> {self.slave_name}")

    def unplug(self) -> None:
        """Pull the cable: close the pty (driver reads fail with EIO), remove the symlink."""
        if not self.plugged:
            return
        self._detach()
        loop = asyncio.get_running_loop()
        if self.master is not None:
            loop.remove_reader(self.master)
            if self._writer_armed:
                loop.remove_writer(self.master)
                self._writer_armed = False
            os.close(self.master)
        if self.slave is not None:
            os.close(self.slave)
        self.master = self.slave = None
        self._outbuf.clear()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.gateway.network.log("cable out")

    async def close(self) -> None:
        self.unplug()
        if self._own_dir:
            with contextlib.suppress(OSError):
                self.link_dir.rmdir()

    def _on_readable(self) -> None:
        assert self.master is not None
        try:
            data = os.read(self.master, 4096)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno == errno.EIO:  # no slave open at the moment; we hold one, so rare
                return
            raise
        if data:
            self._received(data)

    def _raw_write(self, data: bytes) -> None:
        if self.master is None:
            return
        if self._outbuf:
            self._outbuf += data
            return
        try:
            n = os.write(self.master, data)
        except BlockingIOError:
            n = 0
        if n < len(data):
            self._outbuf += data[n:]
            asyncio.get_running_loop().add_writer(self.master, self._on_writable)
            self._writer_armed = True

    def _on_writable(self) -> None:
        assert self.master is not None
        try:
            n = os.write(self.master, self._outbuf)
        except BlockingIOError:
            return
        del self._outbuf[:n]
        if not self._outbuf:
            asyncio.get_running_loop().remove_writer(self.master)
            self._writer_armed = False

    def _raw_pending(self) -> bool:
        return bool(self._outbuf)

    def unread_by_driver(self) -> int:
        """Bytes written to the pty that the driver has not read yet."""
        return _inq(self.slave) if self.slave is not None else 0

    async def settle(self, limit: float = 0.2) -> None:
        """Wait (bounded, real time) until the driver's writes have reached the gateway.

        Meant for ``VirtualClock.settle``: the kernel moves pty bytes asynchronously, so
        after a driver write the gateway may need a moment of real time to see them.
        """
        loop = asyncio.get_running_loop()
        end = loop.time() + limit
        await super().settle()
        while self.master is not None and _inq(self.master) > 0 and loop.time() < end:
            await asyncio.sleep(0.0005)
        await super().settle()


class TcpTransport(_Link):
    """The gateway on ``socket://127.0.0.1:<port>``; one client at a time."""

    def __init__(
        self,
        gateway: SimGateway,
        clock: Clock,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        baud: int | None = None,
        pace_input: bool = True,
    ) -> None:
        super().__init__(gateway, clock, baud=baud, pace_input=pace_input)
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._accepting = True

    @property
    def url(self) -> str:
        return f"socket://{self.host}:{self.port}"

    @property
    def connected(self) -> bool:
        return self._writer is not None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._on_client, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._accepting:
            writer.close()
            return
        self._drop_client()
        self._writer = writer
        self._attach()
        self.gateway.network.log(f"TE connected on {self.url}")
        try:
            while True:
                data = await reader.read(4096)
                if not data:
                    break
                if self._writer is writer:
                    self._received(data)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if self._writer is writer:
                self._writer = None
                self._detach()
                self.gateway.network.log("TE disconnected")
            writer.close()

    def _drop_client(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            self._detach()
            writer.close()

    def unplug(self) -> None:
        self._accepting = False
        self._drop_client()

    def replug(self) -> None:
        self._accepting = True

    async def close(self) -> None:
        self.unplug()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _raw_write(self, data: bytes) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(data)

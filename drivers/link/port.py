"""The port side of the link: what a transport must offer, opening one, closing it quietly.

Kept apart from :mod:`drivers.link.serial_link` so the doctor and trace tools can open and
probe a port without the whole link.
"""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

import serial

from drivers.errors import CommandError, PortError
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

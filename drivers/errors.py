"""The one error hierarchy of the ``drivers`` package.

Every error carries a ``hint``: one sentence a duty officer or a radio technician can act
on.  Callers show ``str(err)`` (which includes the hint) and never need a traceback.
"""

from __future__ import annotations


class DriverError(Exception):
    """Base of every error raised by ``drivers``."""

    default_hint = "Check the radio gateway and its cable, then try again."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class ProtocolError(DriverError):
    """The bytes from the gateway do not follow the PEI protocol."""

    default_hint = (
        "The gateway sent something that is not PEI; check the baud rate and the dialect."
    )


class SdsDecodeError(ProtocolError):
    """An SDS payload could not be decoded (bad PID, short PDU, bad text coding)."""

    default_hint = "The message from the radio was malformed; it is kept as raw hex in the log."


class SdsEncodeError(DriverError):
    """A message cannot be encoded for the air interface (too long, bad value)."""

    default_hint = "Shorten the message or check the status value."


class CommandError(DriverError):
    """A command was answered with ERROR or +CME ERROR, or could not be completed."""

    default_hint = "See the gateway's error code; the command was not carried out."


class CommandTimeout(CommandError):
    """A command got no final result before its deadline."""

    default_hint = "The gateway did not answer in time; check the cable, power and baud rate."


class LinkDown(DriverError):
    """The serial link is not open (unplugged, closed, or never opened)."""

    default_hint = (
        "Check that the gateway's USB/serial cable is plugged in and that no other program "
        "holds the port; the console keeps trying to reconnect."
    )


class PortError(LinkDown):
    """The serial port could not be opened (missing, busy, permission denied)."""

    default_hint = (
        "Check the port name (e.g. /dev/ttyUSB0), that you are in the 'dialout' group, "
        "and that no other program (ModemManager, another console) holds the port."
    )


class DialectError(DriverError):
    """A dialect table is malformed or names an unknown dialect."""

    default_hint = "Use one of the built-in dialects (e.g. 'etsi') or fix the dialect file."

"""pyserial's hook for ``sim://`` URLs (found by name: ``<package>.protocol_<scheme>``).

:func:`serial_class_for_url` resolves the simulation the URL names to the pseudo-terminal
it serves and hands pyserial the native serial class for it, so the production link reads
and writes a real tty; nothing in the link knows it is simulated.
"""

from __future__ import annotations

import serial

from fakes.urlhandler.registry import SimUrlError, parse, resolve


def serial_class_for_url(url: str) -> tuple[str, type[serial.Serial]]:
    """(the pty to open, the class to open it with) for ``sim://NAME?seed=&baud=``."""
    try:
        return resolve(parse(url)), serial.Serial
    except SimUrlError as exc:
        raise serial.SerialException(str(exc)) from None

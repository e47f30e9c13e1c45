"""``sim://NAME?seed=&baud=``: the simulated gateway as a pyserial URL handler.

pyserial opens ``socket://`` and ``spy://`` through the handler packages named in
``serial.protocol_handler_packages``; adding ``"fakes.urlhandler"`` there (by name:
:func:`install`, which the console calls without importing ``fakes``) makes
``serial.serial_for_url("sim://demo")`` the one way into the simulator, so the link opens a
simulated gateway exactly as it opens a real one -- over a real pseudo-terminal.

A name is resolved by :mod:`fakes.urlhandler.registry`: a simulation registered under it
(a test's, on its own loop and virtual clock), or a network defined under it that the first
open starts on a background thread (the demo console).
"""

from __future__ import annotations

import serial

PACKAGE = __name__


def install() -> None:
    """Make pyserial look here for ``sim://`` (idempotent)."""
    if PACKAGE not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(PACKAGE)

"""What a serial link knows about itself, read-only (and the one knob, ``watchful``), and
how the console hears its events (``subscribe``).

Split from :mod:`drivers.link.serial_link` so the link's code is what it *does* (open,
init, watch, send, receive); this is what the console and the tests *ask* it.  Every fact
comes from the session core, the wire or the command desk the link owns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from drivers.link.port import Port, Wire
from drivers.link.queue import CommandDesk
from drivers.link.trace import WireTrace
from drivers.listeners import Listeners
from drivers.pei import events as ev
from drivers.pei import session as ps
from drivers.pei.state import GatewayIdentity, LinkState

Listener = Callable[[ev.PeiEvent], None]


class LinkFacts:
    """State, identity, counters, trace and listeners of a :class:`~drivers.link.PeiLink`."""

    session: ps.PeiSession
    listeners: Listeners[ev.PeiEvent]
    last_error: str
    _wire: Wire
    _desk: CommandDesk
    _rethink: asyncio.Event

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on the loop for every event; returns an unsubscribe."""
        return self.listeners.subscribe(listener)

    def _emit(self, event: ev.PeiEvent) -> None:
        self.listeners.emit(event, self._listener_failed)

    def _listener_failed(self, listener: object, exc: Exception) -> None:
        self.last_error = f"listener {listener!r} failed: {exc!r}"

    @property
    def state(self) -> LinkState:
        return self.session.state

    def _is_up(self) -> bool:
        return self.session.state is LinkState.UP

    @property
    def identity(self) -> GatewayIdentity:
        """What the init sequence learned about the gateway."""
        return self.session.identity

    @property
    def reconnects(self) -> int:
        """How many times an established link was lost and reopened."""
        return self.session.reconnects

    @property
    def trace(self) -> WireTrace | None:
        """Where every byte in and out is recorded (may be attached after construction)."""
        return self._wire.trace

    @trace.setter
    def trace(self, trace: WireTrace | None) -> None:
        self._wire.trace = trace

    @property
    def bytes_in(self) -> int:
        return self._wire.bytes_in

    @property
    def bytes_out(self) -> int:
        return self._wire.bytes_out

    @property
    def _port(self) -> Port | None:  # tests peek at it to see whether a port is open
        return self._wire.port

    @property
    def watchful(self) -> bool:
        """Probe often (a page, roll call or drill is open): see ``PeiSession.interval``."""
        return self.session.watchful

    @watchful.setter
    def watchful(self, on: bool) -> None:
        if on != self.session.watchful:
            self.session.watchful = on
            self._rethink.set()

    @property
    def queued(self) -> int:
        return len(self._desk)

    @property
    def idle(self) -> bool:
        """No command queued or outstanding, nothing half-framed."""
        return self._desk.idle

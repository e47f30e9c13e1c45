"""Parts plugged into the runtime by name, and which of them it starts and closes.

Why a protocol with its own method names: :meth:`Runtime.add` used to call ``start()``
and ``close()`` on whatever it was given, but ``start`` means different things to
different parts -- :meth:`BroadcastEngine.start <console.broadcast.BroadcastEngine.start>`
starts a *broadcast* -- so registering the broadcast engine for the page screen made
:meth:`Runtime.start` fail.  Now a part is started and closed with the runtime only if it
says so by implementing :class:`Service` (``start_service``/``close_service``, names
nothing else uses by accident); anything else is only registered, for screens to find
(``runtime.services["broadcast"]``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Protocol, runtime_checkable


@runtime_checkable
class Service(Protocol):
    """A part whose life is the runtime's: started after the engines, before the link
    comes up, and closed (in reverse order of registration) when the console closes."""

    async def start_service(self) -> None: ...

    async def close_service(self) -> None: ...


def lifecycled(parts: Mapping[str, object]) -> list[Service]:
    """The registered parts that declare a life cycle, in registration order."""
    return [part for part in parts.values() if isinstance(part, Service)]


async def start_services(parts: Mapping[str, object]) -> None:
    """Start every :class:`Service` among ``parts``, in order (a failure propagates)."""
    for service in lifecycled(parts):
        await service.start_service()


async def close_services(parts: Mapping[str, object]) -> None:
    """Close every :class:`Service` among ``parts``, newest first; one failing to close
    does not keep the others (or the event log) open."""
    for service in reversed(lifecycled(parts)):
        with contextlib.suppress(Exception):
            await service.close_service()

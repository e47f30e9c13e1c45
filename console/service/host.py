"""Serving one runtime: the owner-only Unix socket, optional TLS TCP, the registration.

:class:`ServiceHost` puts a started :class:`~console.runtime.Runtime` on the API.  The
socket lives in the user's runtime directory (mode 0600 inside a 0700 folder) and the
registration file beside it tells other faces which gateway and which log this service
owns, so ``dutydesk page`` attaches here instead of fighting for the port or the log.
TCP is served only when the station file's ``[service] listen`` asks for it, and only
with TLS and tokens.
"""

from __future__ import annotations

import contextlib
import os
import ssl
from pathlib import Path
from typing import Any

from aiohttp import web

from console.errors import ConsoleError
from console.service.api import API_VERSION, StationApi
from console.service.paths import Registration, register, socket_path, unregister


class ServiceHost:
    """Serves ``runtime`` until :meth:`close`; one per event log."""

    def __init__(
        self,
        runtime: Any,
        *,
        socket: str | os.PathLike[str] | None = None,
        handover: bool = False,
    ) -> None:
        self.handover = handover
        self.runtime = runtime
        self.socket = Path(socket) if socket is not None else socket_path(runtime.log.path)
        self.api = StationApi(runtime, tokens=runtime.station.service.tokens)
        self._runners: list[web.AppRunner] = []
        self._registration: Registration | None = None
        self.tcp_url: str | None = None

    async def start(self) -> None:
        self.api.attach()
        if self.socket.exists():
            # A stale socket of a killed service (a live one was found by the caller).
            with contextlib.suppress(OSError):
                self.socket.unlink()
        local = web.AppRunner(self.api.app(remote=False), handle_signals=False)
        await local.setup()
        self._runners.append(local)
        site = web.UnixSite(local, str(self.socket))
        await site.start()
        os.chmod(self.socket, 0o600)
        cfg = self.runtime.station.service
        if cfg.listen:
            await self._start_tcp(cfg)
        self._registration = Registration(
            pid=os.getpid(),
            socket=str(self.socket),
            gateway=self.runtime.url,
            log=str(Path(self.runtime.log.path).resolve()),
            station=self.runtime.station.name,
            api=API_VERSION,
            tcp=self.tcp_url,
            handover=self.handover,
        )
        register(self._registration)

    async def _start_tcp(self, cfg: Any) -> None:
        host, _, port = str(cfg.listen).rpartition(":")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(cfg.tls_cert, cfg.tls_key)
        except (OSError, ssl.SSLError) as exc:
            raise ConsoleError(
                f"[service] TLS certificate {cfg.tls_cert}: {exc}",
                hint="check tls_cert/tls_key in the station file (PEM files)",
            ) from None
        remote = web.AppRunner(self.api.app(remote=True), handle_signals=False)
        await remote.setup()
        self._runners.append(remote)
        site = web.TCPSite(remote, host.strip("[]"), int(port), ssl_context=context)
        try:
            await site.start()
        except OSError as exc:
            raise ConsoleError(
                f"cannot listen on {cfg.listen}: {exc.strerror or exc}",
                hint="another program uses the port, or change [service] listen",
            ) from None
        bound = port
        server = getattr(site, "_server", None)
        if server is not None and server.sockets:
            bound = str(server.sockets[0].getsockname()[1])
        self.tcp_url = f"https://{host}:{bound}"

    # The runtime's Service life cycle: a console that hosts the service for its
    # station registers the host with ``runtime.add("api", host)``.
    async def start_service(self) -> None:
        await self.start()

    async def close_service(self) -> None:
        await self.close()

    @property
    def clients(self) -> int:
        return self.api.clients

    async def close(self) -> None:
        if self._registration is not None:
            unregister(self._registration)
            self._registration = None
        await self.api.close()
        for runner in reversed(self._runners):
            with contextlib.suppress(Exception):
                await runner.cleanup()
        self._runners.clear()
        with contextlib.suppress(OSError):
            self.socket.unlink()

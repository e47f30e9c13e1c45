"""A face's side of the client API: commands, the snapshot and the resumable stream.

Used by ``dutydesk page`` (and by tests and benchmarks as any other position would be).
:meth:`StationClient.events` follows the stream and, when the service goes away or the
connection drops, reconnects with the last ``seq`` it saw, so the caller sees every record
once, in order, whatever happened to the connection in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote

import aiohttp

from console.errors import ConsoleError
from console.i18n import phrase_or
from console.service.auth import OPERATOR_HEADER, POSITION_HEADER


class ServiceError(ConsoleError):
    """The service refused a command (its message and hint) or could not be reached."""


def answer_error(answer: Any, default: str) -> ServiceError:
    """The error in a refusal's JSON (``error``, ``hint``, and their ``words`` when the
    service sent them, so they are said in this console's language)."""
    if not isinstance(answer, dict):
        return ServiceError(str(answer or default))
    found = answer.get("words")
    words: dict[str, Any] = found if isinstance(found, dict) else {}
    message = phrase_or(str(answer.get("error", default)), words.get("error"))
    hint = phrase_or(str(answer.get("hint", "")), words.get("hint"))
    return ServiceError(message, hint=hint or None)


class StationClient:
    """One connection to a station service (Unix socket, or ``https://`` with a token)."""

    def __init__(
        self,
        *,
        socket: str | None = None,
        url: str | None = None,
        token: str | None = None,
        operator: str | None = None,
        position: str = "cli",
        cafile: str | None = None,
    ) -> None:
        if (socket is None) == (url is None):
            raise ValueError("give exactly one of socket= or url=")
        self.base = "http://dutydesk" if socket is not None else str(url).rstrip("/")
        self._socket = socket
        self._ssl: ssl.SSLContext | bool = True
        if cafile is not None:
            self._ssl = ssl.create_default_context(cafile=cafile)
        headers = {POSITION_HEADER: quote(position)}
        if operator:
            headers[OPERATOR_HEADER] = quote(operator)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._headers = headers
        self._session: aiohttp.ClientSession | None = None

    def _connector(self) -> aiohttp.BaseConnector:
        if self._socket is not None:
            return aiohttp.UnixConnector(path=self._socket)
        return aiohttp.TCPConnector(ssl=self._ssl)

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=self._connector(), headers=self._headers
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> StationClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- requests ------------------------------------------------------------------------

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        try:
            async with self.session.request(method, self.base + path, json=body) as resp:
                data = await resp.json(content_type=None)
                if resp.status >= 400:
                    err = answer_error(data, str(resp.reason))
                    err.status = resp.status  # type: ignore[attr-defined]
                    raise err
                return data
        except aiohttp.ClientError as exc:
            raise ServiceError(
                f"the station service is not reachable ({exc})",
                hint="is 'dutydesk serve' (or the console) running?",
            ) from None

    async def get(self, path: str) -> Any:
        return await self._request("GET", path)

    async def post(self, path: str, body: Any = None) -> Any:
        return await self._request("POST", path, body if body is not None else {})

    async def hello(self) -> dict[str, Any]:
        return dict(await self.get("/v1"))

    async def state(self) -> dict[str, Any]:
        return dict(await self.get("/v1/state"))

    async def page(self, names: list[str], *, text: str = "", voice: bool = False) -> str:
        doc = await self.post("/v1/pages", {"recipients": names, "text": text, "voice": voice})
        return str(doc["page"])

    # --- the stream ----------------------------------------------------------------------

    async def events(
        self,
        after: int = -1,
        *,
        on_status: Callable[[str], None] | None = None,
        retry: float = 0.5,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every log record after ``after`` (-1: from now), forever; reconnects by itself
        with the last ``seq`` seen.  ``on_status("up" | "lost")`` says what the link does."""
        last = after
        while True:
            try:
                async with self.session.ws_connect(
                    f"{self.base}/v1/stream?after={last}", heartbeat=10.0
                ) as ws:
                    if on_status is not None:
                        on_status("up")
                    async for msg in ws:
                        if msg.type is not aiohttp.WSMsgType.TEXT:
                            break
                        doc = json.loads(msg.data)
                        if doc.get("type") == "hello":
                            last = int(doc["after"])
                        elif doc.get("type") == "event":
                            seq = int(doc["seq"])
                            if seq <= last:
                                continue  # never twice, whatever the server sends
                            last = seq
                            yield doc
            except (TimeoutError, aiohttp.ClientError, ConnectionError):
                pass
            if on_status is not None:
                on_status("lost")
            with contextlib.suppress(Exception):
                await self.close()
            await asyncio.sleep(retry)

"""Commands to the station service that answer before the caller goes on.

An attached console's keys (F12, F3, Ctrl+S in the page dialog) expect their answer at
once -- the page id to show, the alarm that was acknowledged -- exactly as they get it
from a runtime in the same process.  Over the local socket a command takes a millisecond
or two, so it is sent with the standard library's blocking HTTP client and a short
timeout: a service that does not answer is a clear error on the screen (``ServiceError``),
never a console that hangs.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from typing import Any
from urllib.parse import quote, urlsplit

from console.service.auth import OPERATOR_HEADER, POSITION_HEADER, ROLE_HEADER
from console.service.client import ServiceError, answer_error

TIMEOUT_S = 3.0


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("dutydesk", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class BlockingClient:
    """One station service, by Unix socket or ``https://`` URL with a token."""

    def __init__(
        self,
        *,
        socket_path: str | None = None,
        url: str | None = None,
        token: str | None = None,
        operator: str | None = None,
        position: str = "console",
        cafile: str | None = None,
        timeout: float = TIMEOUT_S,
        read_only: bool = False,
    ) -> None:
        if (socket_path is None) == (url is None):
            raise ValueError("give exactly one of socket_path= or url=")
        self.socket_path = socket_path
        self.url = url
        self.timeout = timeout
        self._ssl = ssl.create_default_context(cafile=cafile) if cafile else None
        headers = {POSITION_HEADER: quote(position), "Content-Type": "application/json"}
        if operator:
            headers[OPERATOR_HEADER] = quote(operator)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if read_only:
            headers[ROLE_HEADER] = "read-only"
        self.headers = headers

    def _connection(self) -> http.client.HTTPConnection:
        if self.socket_path is not None:
            return _UnixConnection(self.socket_path, self.timeout)
        parts = urlsplit(str(self.url))
        context = self._ssl or ssl.create_default_context()
        return http.client.HTTPSConnection(
            parts.hostname or "localhost", parts.port, timeout=self.timeout, context=context
        )

    def get(self, path: str) -> Any:
        return self._call("GET", path, None)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call("POST", path, body or {})

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        conn = self._connection()
        try:
            data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
            conn.request(method, path, body=data, headers=self.headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise ServiceError(
                f"the station service does not answer ({exc.__class__.__name__}: {exc})",
                hint="is `dutydesk serve` still running? the console reconnects by itself",
            ) from None
        finally:
            conn.close()
        try:
            answer = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            answer = {"error": raw[:200].decode("utf-8", "replace")}
        if response.status >= 400:
            err = answer_error(answer, f"HTTP {response.status}")
            err.status = response.status  # type: ignore[attr-defined]
            raise err
        return answer

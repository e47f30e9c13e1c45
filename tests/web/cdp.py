"""A few Chrome DevTools Protocol calls over aiohttp's WebSocket client (no extra
dependency): open a page in headless Chromium, evaluate JavaScript, take a screenshot."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "headless_shell"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def web_server(argv: list[str], port: int, what: str) -> Iterator[str]:
    """Run a browser face (``argv`` listening on ``port``) in its own process group;
    yield its URL once it answers (bounded poll), and stop the group (the server and the
    app processes its tabs started) afterwards."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/"
    end = time.monotonic() + 30
    while time.monotonic() < end:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                break
        assert proc.poll() is None, f"{what} exited"
        time.sleep(0.1)
    try:
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


class Browser:
    """Headless Chromium with one page, driven over CDP."""

    def __init__(self, binary: str, *, width: int = 1400, height: int = 900) -> None:
        self.binary = binary
        self.size = (width, height)
        self._profile = tempfile.TemporaryDirectory(
            prefix="dd-chromium-", ignore_cleanup_errors=True
        )
        self._proc: subprocess.Popen[str] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Browser:
        w, h = self.size
        self._proc = subprocess.Popen(
            [self.binary, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--hide-scrollbars", f"--window-size={w},{h}", "--remote-debugging-port=0",
             f"--user-data-dir={self._profile.name}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self._proc.stderr is not None
        url = await asyncio.to_thread(self._devtools_url)
        self._session = aiohttp.ClientSession()
        port = url.split(":")[2].split("/")[0]
        async with self._session.get(f"http://127.0.0.1:{port}/json/list") as r:
            pages = [t for t in await r.json() if t.get("type") == "page"]
        self._ws = await self._session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        return self

    def _devtools_url(self) -> str:
        assert self._proc is not None and self._proc.stderr is not None
        for line in self._proc.stderr:
            if "DevTools listening on" in line:
                return line.split("on ", 1)[1].strip()
        raise RuntimeError("chromium did not start its DevTools endpoint")

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            if self._ws is not None:
                await self._ws.close()
            if self._session is not None:
                await self._session.close()
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(10)
        self._profile.cleanup()

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        assert self._ws is not None
        ident = next(self._ids)
        await self._ws.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        async for msg in self._ws:
            data = json.loads(msg.data)
            if data.get("id") == ident:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return dict(data.get("result", {}))
        raise RuntimeError("the browser closed the connection")

    async def goto(self, url: str) -> None:
        await self.call("Page.enable")
        await self.call("Page.navigate", url=url)

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def screenshot(self, path: Path) -> bytes:
        data = base64.b64decode((await self.call("Page.captureScreenshot", format="png"))["data"])
        path.write_bytes(data)
        return data

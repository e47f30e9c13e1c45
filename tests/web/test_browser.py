"""``dutydesk web`` in a real headless Chromium: the console in a browser is one more
read-only face of the station service.

Real processes (the service, the web server, the console process it starts per tab) and
a real browser driven over the DevTools protocol; bounded polls, no sleeps.  The
screenshot is kept in the test's folder (``web-console.png``).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.service.blocking import BlockingClient
from console.service.client import ServiceError
from console.service.paths import Registration, find_service

from .cdp import Browser, chromium_binary, free_port, web_server

DUTYDESK = [sys.executable, "-m", "console"]
CHROMIUM = chromium_binary()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs a headless Chromium (Debian package chromium)"
)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Registration]:
    db = tmp_path / "station.db"
    proc = subprocess.Popen(
        [*DUTYDESK, "serve", "--db", str(db)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and "socket" in proc.stdout.readline()
    reg = find_service(log=db)
    assert reg is not None
    yield reg
    proc.terminate()
    proc.wait(20)


@pytest.fixture
def web(service: Registration) -> Iterator[str]:
    argv = [*DUTYDESK, "web", "--db", service.log, "--port", str(port := free_port())]
    with web_server(argv, port, "dutydesk web") as url:
        yield url


def web_faces(reg: Registration) -> list[dict[str, str]]:
    faces = BlockingClient(socket_path=reg.socket).get("/v1/faces")["faces"]
    return [f for f in faces if f["position"] == "web"]


async def test_the_browser_shows_the_console_as_a_read_only_face(
    service: Registration, web: str, tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    page = subprocess.run(
        [*DUTYDESK, "page", "--db", service.log, "--unit", "2001", "--text", "网页端测试",
         "--wait", "0", "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert page.returncode in (0, 1), page.stderr  # ExitCode: 1 = not all answered yet
    async with Browser(CHROMIUM) as browser:
        await browser.goto(web)
        end = time.monotonic() + 40
        while time.monotonic() < end and not web_faces(service):
            await asyncio.sleep(0.1)
        faces = web_faces(service)
        assert faces and faces[0]["role"] == "read-only", "no console attached from the browser"
        shot = tmp_path / "web-console.png"
        # The splash is a small, mostly flat image; the console's panels are not.
        while time.monotonic() < end:
            if len(await browser.screenshot(shot)) > 40_000:
                break
            await asyncio.sleep(0.2)
        assert len(shot.read_bytes()) > 40_000, f"the console never drew: {shot}"
        canvases = await browser.evaluate("document.querySelectorAll('canvas').length")
        assert canvases >= 1  # xterm.js draws the terminal
    # What the browser's console sends is refused: it is read-only.
    as_web = BlockingClient(socket_path=service.socket, position="web", read_only=True)
    with pytest.raises(ServiceError) as refused:
        as_web.post("/v1/pages", {"recipients": ["2001"], "text": "不应发出"})
    assert getattr(refused.value, "status", None) == 403

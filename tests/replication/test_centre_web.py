"""``dutydesk centre --web`` in a real headless Chromium: the centre screen in a browser.

Real processes (the web server, the centre screen it starts per browser tab), a real
PostgreSQL with one station's log shipped by the real shipper, and a real browser driven
over the DevTools protocol (``tests/web/cdp.py``); bounded polls, no sleeps.

What the page shows is read from the terminal bytes the page receives: xterm.js paints
on a canvas, so a script installed before the page loads keeps a copy of every binary
WebSocket message; their text, without escape sequences, must hold the centre's station
overview.  The screenshot is kept in the test's folder (``web-centre.png``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from console.replication import Shipper, add_centre_reader, add_station, migrate
from tests.replication.conftest import PgCluster, wait_for
from tests.replication.stations import incidents_log
from tests.web.cdp import Browser, chromium_binary, free_port, web_server

CHROMIUM = chromium_binary()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs a headless Chromium (Debian package chromium)"
)
A, B = "东湖派出所", "西湖派出所"

KEEP_TERMINAL_BYTES = """
window.__ddTerminal = [];
window.WebSocket = class extends window.WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (e) => {
      if (typeof e.data === "string") return;
      if (e.data instanceof Blob) {
        e.data.arrayBuffer().then((b) => window.__ddTerminal.push(new Uint8Array(b)));
      } else {
        window.__ddTerminal.push(new Uint8Array(e.data));
      }
    });
  }
};
"""
TERMINAL_TEXT = """(() => {
  const parts = window.__ddTerminal || [];
  let n = 0;
  for (const p of parts) n += p.length;
  const all = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new TextDecoder().decode(all);
})()"""
ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


@pytest.fixture
def centre_url(pg: PgCluster, tmp_path: Path) -> str:
    """Two stations at the centre; 西湖's log (incidents, a page in flight) shipped."""
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        migrate(conn)
        add_station(conn, A, "st_donghu")
        add_station(conn, B, "st_xihu")
        add_centre_reader(conn, "dutydesk_city")
    log = asyncio.run(incidents_log(tmp_path / "xihu.db", epoch=time.time() - 600))
    shipper = Shipper(log, pg.dsn("st_xihu"), B, interval_s=0.05)
    with contextlib.ExitStack() as shipping:
        shipper.start()
        shipping.callback(shipper.stop)
        wait_for(lambda: shipper.status().connected and not shipper.status().backlog)
    return pg.dsn("dutydesk_city")


@pytest.fixture
def web(centre_url: str) -> Iterator[str]:
    port = free_port()
    argv = [sys.executable, "-m", "console", "centre", "--db", centre_url, "--web",
            "--port", str(port), "--lang", "zh-CN"]  # fmt: skip
    with web_server(argv, port, "dutydesk centre --web") as url:
        yield url


def centre_sessions(pg: PgCluster) -> list[tuple[object, ...]]:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        return conn.execute(
            "SELECT usename, query FROM pg_stat_activity WHERE application_name = 'dutydesk-centre'"
        ).fetchall()


async def test_the_browser_shows_the_centres_station_overview(
    pg: PgCluster, web: str, tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    async with Browser(CHROMIUM) as browser:
        await browser.call("Page.enable")
        await browser.call("Page.addScriptToEvaluateOnNewDocument", source=KEEP_TERMINAL_BYTES)
        await browser.goto(web)
        end = time.monotonic() + 60
        text = ""
        # The screen is drawn once the first snapshot is in: both stations, 西湖's open
        # incident and page in flight, the read-only mark.
        while time.monotonic() < end:
            text = ESCAPES.sub("", str(await browser.evaluate(TERMINAL_TEXT) or ""))
            if all(s in text for s in (A, B, "指挥中心", "只读")):
                break
            await asyncio.sleep(0.2)
        shot = tmp_path / "web-centre.png"
        await browser.screenshot(shot)
        for shown in (A, B, "指挥中心 · 全市派出所", "2 个派出所", "只读", "进行中事件"):
            assert shown in text, f"{shown!r} not on the page (screenshot {shot})"
        assert "B-P1" in text  # 西湖's page still in flight, with its ladder
        # The screen in the browser is the centre's own process, on the centre's role,
        # listening for new events: it reads, never writes.
        sessions = centre_sessions(pg)
        assert sessions and all(user == "dutydesk_city" for user, _ in sessions)
        assert any("LISTEN" in str(query) for _, query in sessions)

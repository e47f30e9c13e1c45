"""Two consoles attached to one real ``dutydesk serve``: one picture, each action its own.

The service is the real process on a simulated gateway this test holds (the fake MT on a
pty, so the test can make a radio press its emergency button); each console is the real
``DutyDeskApp`` on a :class:`~console.service.remote.RemoteRuntime`, driven with Pilot.
Real time: waits are bounded polls on what the screens show.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from console.config import demo_station
from console.eventlog import EventLog
from console.service.paths import Registration, find_service
from console.service.remote import RemoteRuntime
from console.tui.app import DutyDeskApp
from console.tui.screens.page import PageScreen
from console.tui.widgets.board import ResponseBoard
from fakes.plugin import SimHandle
from tests.factories import StartService

DUTYDESK = [sys.executable, "-m", "console"]


@pytest.fixture
def service(tmp_path: Path, radios: SimHandle, start_service: StartService) -> Registration:
    db = tmp_path / "station.db"
    start_service(db, "--gateway", radios.url)
    reg = find_service(log=db)
    assert reg is not None
    return reg


async def until(pilot: Pilot[None], what: Callable[[], Any], limit: float = 20.0) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if what():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screens did not show it in time")


@contextlib.asynccontextmanager
async def two_consoles(service: Registration) -> AsyncIterator[Any]:
    """张警官 at desk-a and 李警官 at desk-b, both attached, once the link is up:
    ``(a, b, app_a, app_b, pilot_a, pilot_b)``."""
    st = demo_station()
    a = RemoteRuntime(st, service, operator="张警官", position="desk-a")
    b = RemoteRuntime(st, service, operator="李警官", position="desk-b")
    app_a, app_b = DutyDeskApp(a, "zh-CN"), DutyDeskApp(b, "zh-CN")
    async with app_a.run_test(size=(120, 40)) as pa, app_b.run_test(size=(120, 40)) as pb:
        await until(pa, lambda: a.connected and b.connected and a.link_status.state == "up")
        yield a, b, app_a, app_b, pa, pb


async def test_two_consoles_one_picture_each_action_attributed(
    service: Registration, radios: SimHandle
) -> None:
    async with two_consoles(service) as (a, b, app_a, app_b, pa, pb):
        # A pages unit 2001 through its page screen (F2, pick, text, Ctrl+S).
        await pa.press("f2")
        await until(pa, lambda: isinstance(app_a.screen, PageScreen))
        screen = app_a.screen
        assert isinstance(screen, PageScreen)
        field = screen.query_one("#page-filter", Input)
        field.focus()
        for ch in "2001":
            await pa.press(ch)
        await pa.press("enter", "space")
        screen.query_one("#page-text", Input).value = "两台联动测试"
        await pa.press("ctrl+s")
        await until(pa, lambda: a.current_page() is not None)
        page = a.current_page()
        assert page is not None and [r.issi for r in page.responders] == [2001]
        # ... and it is on B's board.
        board_b = app_b.query_one(ResponseBoard)
        await until(pb, lambda: board_b.view is not None and board_b.view.page_id == page.page_id)
        # A radio's emergency button: both consoles raise the alarm banner.
        radios.call(lambda sim: sim.radio(2003).send_status(0))
        await until(pa, lambda: app_a.main.has_class("-alarm") and app_b.main.has_class("-alarm"))
        # B acknowledges (F12, then Enter on the question naming it): A's banner goes.
        await pb.press("f12", "enter")
        await until(pa, lambda: not app_a.main.has_class("-alarm"))
        assert not b.alarms.unacknowledged()
    with EventLog.open_readonly(service.log) as log:
        commands = [
            (r.operator, r.data["command"], r.data["position"])
            for r in log.query(kinds=["operator.command"])
        ]
        acked = [r for r in log.query(kinds=["alarm.acknowledged"])]
    assert ("张警官", "page", "desk-a") in commands
    assert ("李警官", "acknowledge_alarm", "desk-b") in commands
    assert [r.operator for r in acked] == ["李警官"]


async def test_a_phone_answer_recorded_on_one_board_is_the_services_and_on_the_other(
    service: Registration,
) -> None:
    """Enter on a board cell of an attached console: the service's paging engine records
    the answer (as that console's operator), and the other console's board shows it."""
    from textual.widgets import OptionList

    from console.paging.selection import build_request
    from console.tui.widgets.dialogs import ChoiceDialog

    async with two_consoles(service) as (a, b, app_a, app_b, pa, pb):
        # 2006 never answers in the demo behaviour: the officer phones it.
        page_id = a.page(build_request(a.station, ["2006"], text="电话登记测试", operator="张警官"))
        board_a, board_b = app_a.query_one(ResponseBoard), app_b.query_one(ResponseBoard)
        await until(pa, lambda: board_a.view is not None and board_a.view.page_id == page_id)
        board_a.focus()
        await pa.press("enter")
        await until(pa, lambda: isinstance(app_a.screen, ChoiceDialog))
        app_a.screen.query_one(OptionList).highlighted = 0  # 电话收到
        await pa.press("enter")
        await until(pb, lambda: any(c.manual == "phone" for c in board_b.cells))
        view = b.current_page()
        assert view is not None and view.responder(2006).acknowledged  # type: ignore[union-attr]
    with EventLog.open_readonly(service.log) as log:
        actions = [(r.operator, r.data["method"]) for r in log.query(kinds=["operator.action"])]
    assert actions == [("张警官", "phone")]


async def test_service_killed_and_restarted_the_console_says_so_and_resumes_the_page(
    tmp_path: Path, radios: SimHandle, start_service: StartService
) -> None:
    """SIGKILL of the service under an attached console: the status bar says the service
    is lost; once it is back (restarted on the same log) the console reconnects by itself
    and its board shows the page the restarted service resumed, still in flight."""
    db = tmp_path / "station.db"
    proc = start_service(db, "--gateway", radios.url)
    reg = find_service(log=db)
    assert reg is not None
    rt = RemoteRuntime(demo_station(), reg, operator="张警官")
    app = DutyDeskApp(rt, "zh-CN")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: rt.connected and rt.link_status.state == "up")
        from console.paging.selection import build_request

        # 2006 never answers in the demo behaviour: the page stays in flight.
        req = build_request(rt.station, ["2006"], text="断线测试", operator="张警官")
        page_id = rt.page(req)
        board = app.query_one(ResponseBoard)
        await until(pilot, lambda: board.view is not None and board.view.page_id == page_id)
        proc.kill()
        proc.wait(10)
        await until(pilot, lambda: rt.link_status.state == "service")
        assert "值班服务断开" in str(app.main.status.render())
        proc = start_service(db, "--gateway", radios.url)
        await until(pilot, lambda: rt.connected and rt.link_status.state == "up")
        await until(pilot, lambda: board.view is not None and board.view.page_id == page_id)
        view = rt.current_page()
        assert view is not None and not view.closed
        assert rt.reconnects >= 1


def test_a_lingering_service_ends_once_no_face_is_attached_and_nothing_is_in_flight(
    tmp_path: Path, radios: SimHandle, start_service: StartService
) -> None:
    """What a console starts (``serve --linger``) does not outlive its use."""
    db = tmp_path / "station.db"
    proc = start_service(db, "--gateway", radios.url, "--linger", "1")
    assert proc.wait(30) == 0
    assert find_service(log=db) is None

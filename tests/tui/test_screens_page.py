"""The F2 page screen against the simulated network, through the Runtime, on virtual time.

Filter by typing (Chinese alias, ISSI), multi-select units and a group, pick a prepared
message, confirm, send -- and the page is in the engine, on the response board, and its
``AT+CMGS`` went over the pty to the fake gateway (the link's wire trace shows it).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, SelectionList

from console.tui.app import DutyDeskApp
from console.tui.screens.page import PageScreen
from console.tui.widgets.board import ResponseBoard
from console.tui.widgets.dialogs import ConfirmDialog
from drivers.audio.tts import available_engine
from drivers.clock import VirtualClock
from drivers.link import WireTrace
from fakes.behaviour import Behaviour

from .harness import advance, make_app, screen_text, until_up

ACCIDENT = "XX路发生交通事故，附近队员立即前往处置"


def traced(app: DutyDeskApp) -> WireTrace:
    """Record every byte between the console's link and the fake gateway."""
    clock = app.runtime.clock
    assert isinstance(clock, VirtualClock)
    trace = WireTrace(clock)
    app.runtime.link.trace = trace
    return trace


def sent_lines(trace: WireTrace) -> list[str]:
    data = b"".join(r.data for r in trace.records if r.direction == "tx")
    text = data.decode("latin-1").replace("\x1a", "\r").replace("\n", "\r")
    return [line for line in text.split("\r") if line]


async def type_text(pilot: Pilot[None], text: str) -> None:
    for ch in text:
        await pilot.press(ch)


async def open_page(app: DutyDeskApp, pilot: Pilot[None]) -> PageScreen:
    await until_up(app)
    await pilot.press("f2")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, PageScreen)
    return screen


async def filter_and_pick(pilot: Pilot[None], screen: PageScreen, query: str) -> None:
    """Type ``query`` in the filter (focused first), Enter to the list, Space on row 1."""
    field = screen.query_one("#page-filter", Input)
    field.focus()
    field.value = ""
    await type_text(pilot, query)
    await pilot.press("enter")
    await pilot.press("space")
    await pilot.pause()


async def test_filter_multiselect_template_confirm_and_send(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=12)
    async with app.run_test(size=(100, 30)) as pilot:
        trace = traced(app)
        screen = await open_page(app, pilot)
        await filter_and_pick(pilot, screen, "星海")  # a Chinese alias
        await filter_and_pick(pilot, screen, "2002")  # an ISSI
        await filter_and_pick(pilot, screen, "学校组")  # a talkgroup
        assert screen.selected == {"u:2001", "u:2002", "g:学校组"}
        # Tab to the prepared messages, pick the second (traffic accident).
        screen.query_one("#page-templates").focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.query_one("#page-text", Input).value == ACCIDENT
        request = screen.build()
        assert request is not None and request.talkgroups == (9011,)
        count = len(request.recipients)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        shown = screen_text(app)
        assert f"向 {count} 个单元发送" in shown and ACCIDENT in shown
        await pilot.press("enter")
        await advance(app, 3.0)
        assert not isinstance(app.screen, PageScreen | ConfirmDialog)  # back on the main screen
        view = app.runtime.current_page()
        assert view is not None and view.text == ACCIDENT
        assert {r.issi for r in view.responders} >= {2001, 2002}
        assert len(view.responders) == count
        board = app.query_one(ResponseBoard)
        assert board.view is not None and board.view.page_id == view.page_id
        await advance(app, 12.0)  # past the follow-up of the talkgroup's silent members
        cmgs = [line for line in sent_lines(trace) if line.startswith("AT+CMGS=")]
        destinations = [line.removeprefix("AT+CMGS=").split(",")[0] for line in cmgs]
        # the station's default (fast): one group SDS alerts the whole talkgroup, and the
        # units picked on their own are paged individually at once
        assert destinations.count("9011") == 1
        assert destinations.index("9011") < 2 and {"2001", "2002"} <= set(destinations)
        assert set(destinations) - {"9011"} <= {str(r.issi) for r in request.recipients}
        assert "XX路发生交通事故" in screen_text(app)  # the board's head line


async def test_cancel_at_the_confirmation_sends_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        trace = traced(app)
        screen = await open_page(app, pilot)
        await filter_and_pick(pilot, screen, "2001")
        await filter_and_pick(pilot, screen, "2003")
        screen.use_template("helmet")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await advance(app, 5.0)
        assert app.screen is screen  # still composing
        assert app.runtime.paging.pages == {}
        assert not [line for line in sent_lines(trace) if line.startswith("AT+CMGS")]
        assert any("未发送" in str(n.message) for n in app._notifications)


class SilentPlayer:
    """A loudspeaker sender that plays on the virtual clock and sends nothing."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.frames = 0

    async def play(self, source: Any, *, stop: asyncio.Event | None = None) -> dict[str, Any]:
        for _ in source.frames():
            if stop is not None and stop.is_set():
                break
            self.frames += 1
            await self.clock.sleep(0.02)
        return {"frames": self.frames}


async def test_loudspeakers_use_the_stations_own_engine_and_grey_out_without_one(
    tmp_path: Path,
) -> None:
    """The real console registers its broadcast engine (it used to be greyed out in the
    shipped console because only this test registered one)."""
    players: list[SilentPlayer] = []

    def factory(endpoints: Any, clock: Any) -> SilentPlayer:
        players.append(SilentPlayer(clock))
        return players[-1]

    app = make_app(tmp_path, broadcast_sender=factory)
    async with app.run_test(size=(100, 30)) as pilot:
        runtime = app.runtime
        engine = runtime.services.pop("broadcast")
        assert engine is runtime.broadcast
        screen = await open_page(app, pilot)
        box = screen.query_one("#mode-speakers", Checkbox)
        assert box.disabled and "未接入广播引擎" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        runtime.services["broadcast"] = engine
        screen = await open_page(app, pilot)
        box = screen.query_one("#mode-speakers", Checkbox)
        assert not box.disabled and "未接入广播引擎" not in screen_text(app)
        if available_engine() is None:
            pytest.skip(
                "the spoken broadcast needs a speech synthesiser "
                "(pip install espeakng-loader, or the Debian package espeak-ng)"
            )
        await filter_and_pick(pilot, screen, "2001")
        screen.use_template("drowning")
        box.value = True
        await pilot.pause()
        zones = screen.query_one("#page-zones", SelectionList)
        zones.focus()
        zones.highlighted = 0
        await pilot.press("space")  # 沿江9处
        await pilot.pause()
        assert screen.zones() == ["riverside"]
        await pilot.press("ctrl+s")  # one unit, but loudspeakers: confirm first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "广播到 1 个分区" in screen_text(app) and "沿江9处" in screen_text(app)
        await pilot.press("enter")
        await advance(app, 2.0)
        view = runtime.current_page()
        assert view is not None and [r.issi for r in view.responders] == [2001]
        (broadcast,) = engine.active()
        assert broadcast.zones == ("riverside",) and broadcast.incident == view.incident_id
        assert players and players[0].frames > 0
        inc = runtime.book.require(view.incident_id or "")
        assert broadcast.id in inc.broadcasts
        engine.stop_all(operator="张警官")  # end the stream on virtual time before closing
        await advance(app, 1.0)
        assert engine.active() == []


async def test_f3_repages_the_silent_from_the_page_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=3, behaviours={2002: Behaviour.never()})
    async with app.run_test(size=(100, 30)) as pilot:
        await until_up(app)
        runtime = app.runtime
        from console.paging.selection import build_request

        runtime.page(build_request(runtime.station, ["2001", "2002"], text="点名测试"))
        await advance(app, 15.0)
        screen = await open_page(app, pilot)
        await pilot.press("f3", "enter")  # asks, naming whom; Enter re-pages them
        await advance(app, 2.0)
        assert app.screen is screen
        view = runtime.current_page()
        assert view is not None
        assert view.responder(2002).attempts == 2  # type: ignore[union-attr]
        assert view.responder(2001).attempts == 1  # type: ignore[union-attr]


async def test_kind_filter_and_group_members(tmp_path: Path) -> None:
    app = make_app(tmp_path, units=12)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot)
        kinds = {screen.choices[v].kind for v in screen.shown}
        assert None in kinds  # groups and units
        await pilot.press("ctrl+o")  # the first kind of the station: school
        await pilot.pause()
        assert screen.kind == "school"
        assert all(screen.choices[v].kind == "school" for v in screen.shown)
        assert "学校" in screen_text(app)
        for _ in range(len(screen.kinds) - 1):
            await pilot.press("ctrl+o")
        assert screen.kind is None
        # Highlight the school group and take its members one by one.
        field = screen.query_one("#page-filter", Input)
        field.value = "学校组"
        await pilot.pause()
        screen.query_one("#page-targets", SelectionList).focus()
        await pilot.press("ctrl+g")
        await pilot.pause()
        members = set(screen.choices["g:学校组"].members)
        assert screen.selected == members and len(members) >= 8
        screen.use_template("assemble")
        request = screen.build()
        assert request is not None and request.talkgroups == ()  # units only, no group call
        assert {r.issi for r in request.recipients} == {int(m[2:]) for m in members}


async def test_fast_alert_checkbox_sends_one_group_sds_per_talkgroup(tmp_path: Path) -> None:
    """The page screen's 快速告警 choice, ticked by the station's default: the request
    carries the talkgroup as a group SDS and the follow-up delay; unticked, one SDS-TL per
    unit."""
    from textual.widgets import Checkbox

    app = make_app(tmp_path, units=12)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot)
        await filter_and_pick(pilot, screen, "学校组")
        screen.query_one("#page-text", Input).value = ACCIDENT
        assert screen.query_one("#mode-fast", Checkbox).value
        fast = screen.build()
        assert fast is not None and fast.group_text == (9011,)
        assert fast.followup_s == float(app.runtime.station.paging.followup_s)
        screen.query_one("#mode-fast", Checkbox).value = False
        await pilot.pause()
        individual = screen.build()
        assert individual is not None and individual.group_text == ()
        assert individual.followup_s is None


async def test_a_page_sent_with_the_link_down_says_it_is_queued(tmp_path: Path) -> None:
    """Honest feedback: not "已发出" while the page waits for the gateway."""
    app = make_app(tmp_path, units=12)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot)
        await filter_and_pick(pilot, screen, "学校组")
        screen.query_one("#page-text", Input).value = ACCIDENT
        sim = app.runtime._simulator.sim  # type: ignore[attr-defined]
        sim.unplug()
        clock = app.runtime.clock
        assert await clock.run_until(  # type: ignore[attr-defined]
            lambda: app.runtime.link.state.value != "up", limit=10, step=0.1
        )
        await advance(app, 0.5)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await pilot.pause()
        notes = [n.message for n in app._notifications]  # what the toasts say (test-only peek)
        assert any("排队（网关未连接" in m for m in notes), notes
        assert not any("已发出呼叫" in m for m in notes)

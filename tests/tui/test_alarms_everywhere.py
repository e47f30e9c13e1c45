"""Alarms above everything: an alarm raised while any screen or dialog is open shows on it
within a second, F12 acknowledges it from there after naming it, and a radio that alarms
again after an acknowledgement gets a new banner (issue 14)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rich.text import Text
from textual.screen import Screen

from console.tui.app import DutyDeskApp
from console.tui.widgets.alarm import AcknowledgeDialog, AlarmBanner
from console.tui.widgets.dialogs import ConfirmDialog

from .harness import advance, emergency, make_app, ring_counter, screen_text, settle_screen
from .harness import until_up as link_up

KINDER = 2004
KINDER_NAME = "江畔幼儿园保安队"


def banner_on(screen: Screen[object]) -> AlarmBanner | None:
    found = list(screen.query(AlarmBanner))
    return found[0] if found else None


async def open_by_key(app: DutyDeskApp, pilot, key: str) -> Screen[object]:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await settle_screen(app)
    assert app.screen is not app.main, f"{key} opened nothing"
    return app.screen


async def open_confirmation(app: DutyDeskApp, pilot) -> Screen[object]:  # type: ignore[no-untyped-def]
    app.push_screen(ConfirmDialog("确认发送", Text("向 3 个单元发送"), app.lang))
    await settle_screen(app)
    return app.screen


SCREENS = {
    "page (F2)": "f2",
    "incidents (F4)": "f4",
    "roll call (F5)": "f5",
    "drill (F6)": "f6",
    "log (F7)": "f7",
    "PTT (F8)": "f8",
    "help (F1)": "f1",
    "confirmation": None,
}


@pytest.mark.parametrize("where", list(SCREENS))
async def test_alarm_is_shown_and_acknowledged_on_every_screen(tmp_path: Path, where: str) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        bells = ring_counter(app)
        await link_up(app)
        key = SCREENS[where]
        screen = await (open_by_key(app, pilot, key) if key else open_confirmation(app, pilot))
        assert banner_on(screen) is None  # nothing waits yet: no banner
        await emergency(app, KINDER, after=1.0)  # within a second of virtual time
        assert app.screen is screen
        banner = banner_on(screen)
        assert banner is not None and banner.alarm_ids == ("ALM-0001",)
        text = screen_text(app)
        assert "ALM-0001" in text and KINDER_NAME in text and "F12 确认" in text
        assert bells
        # F12 asks first, naming the alarm; a second F12 does not take it unread.
        await pilot.press("f12")
        await settle_screen(app)
        dialog = app.screen
        assert isinstance(dialog, AcknowledgeDialog) and dialog.alarm.id == "ALM-0001"
        asked = screen_text(app)
        assert "确认告警 ALM-0001" in asked and KINDER_NAME in asked and "紧急状态" in asked
        await pilot.press("f12")
        await settle_screen(app)
        assert app.screen is dialog and len(app.runtime.alarms.unacknowledged()) == 1
        await pilot.press("enter")
        await settle_screen(app)
        assert app.screen is screen  # back where the officer was
        assert app.runtime.alarms.unacknowledged() == []
        [alarm] = app.runtime.alarms.alarms()
        assert alarm.acknowledged_by == "张警官"
        assert not banner.has_class("-active") and "ALM-0001" not in screen_text(app)


async def test_escape_leaves_the_alarm_waiting(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await link_up(app)
        await emergency(app, KINDER)
        for key, shown in (("f12", AcknowledgeDialog), ("escape", type(app.main))):
            await pilot.press(key)
            await settle_screen(app)
            assert isinstance(app.screen, shown)
        assert app.screen is app.main
        assert [a.id for a in app.runtime.alarms.unacknowledged()] == ["ALM-0001"]
        assert "ALM-0001" in screen_text(app)


async def test_two_alarms_need_two_acknowledgements_each_named(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await link_up(app)
        await emergency(app, KINDER, after=0.5)
        await emergency(app, 2002)
        for key in ("f12", "f12", "enter", "f12", "f12"):  # a hurried double press
            await pilot.press(key)
            await settle_screen(app)
        dialog = app.screen
        assert isinstance(dialog, AcknowledgeDialog) and dialog.alarm.id == "ALM-0002"
        assert [a.id for a in app.runtime.alarms.unacknowledged()] == ["ALM-0002"]
        await pilot.press("enter")
        await settle_screen(app)
        assert app.runtime.alarms.unacknowledged() == []


async def test_new_emergency_after_acknowledgement_alarms_again(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        bells = ring_counter(app)
        await link_up(app)
        await emergency(app, KINDER)
        await pilot.press("f12", "enter")
        await settle_screen(app)
        banner = app.main.alarm
        assert not banner.has_class("-active")
        before = len(bells)
        await advance(app, 20.0)
        await emergency(app, KINDER)  # the same radio, again, after the officer took it
        assert banner.has_class("-active") and banner.alarm_ids == ("ALM-0002",)
        assert "ALM-0002" in screen_text(app) and KINDER_NAME in screen_text(app)
        assert len(bells) > before
        first, second = app.runtime.alarms.alarms()
        assert first.acknowledged and not second.acknowledged
        assert second.incident_id == first.incident_id  # the same open incident


async def test_reminders_show_how_long_the_alarm_has_waited(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await link_up(app)
        await open_by_key(app, pilot, "f7")
        await emergency(app, KINDER)
        await advance(app, 10.0)  # the first reminder
        assert "已等待 1" in screen_text(app)  # 10-11 s, redrawn by the reminder


async def footer_of(app: DutyDeskApp, pilot, limit: float = 5.0) -> str:  # type: ignore[no-untyped-def]
    """The bottom line once the footer is drawn (it is composed after the screen's first
    frame; bounded wait on a loaded machine)."""
    end = time.monotonic() + limit
    while True:
        line = screen_text(app).splitlines()[-1]
        if line.strip() or time.monotonic() > end:
            return line
        await pilot.pause(0.05)


async def test_f12_is_in_the_footer_of_every_screen_at_80x24(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await link_up(app)
        assert "f12 确认告警" in await footer_of(app, pilot)
        for key in ("f2", "f4", "f5", "f6", "f7", "f8"):
            await open_by_key(app, pilot, key)
            assert "f12 确认告警" in await footer_of(app, pilot), key
            await pilot.press("escape")
            await settle_screen(app)
            assert app.screen is app.main, key

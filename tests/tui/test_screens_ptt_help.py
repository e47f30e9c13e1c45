"""F8 PTT against the simulated network (AT+CTXD / AT+CUTXC on the wire, floor state from
the gateway) and F1 help listing the keys in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from console.tui.app import DutyDeskApp
from console.tui.screens.help import HelpScreen
from console.tui.screens.ptt import PttScreen
from console.tui.strings import KEYS
from console.voice.floor import configured_mode

from .harness import advance, make_app, screen_text, until_up
from .test_screens_page import sent_lines, traced


def floor_text(screen: PttScreen) -> str:
    return str(screen.query_one("#ptt-floor", Static).render())


async def open_ptt(app: DutyDeskApp, pilot: Pilot[None]) -> PttScreen:
    await until_up(app)
    await pilot.press("f8")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, PttScreen)
    return screen


async def test_toggle_ptt_keys_and_releases_on_the_wire(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        trace = traced(app)
        screen = await open_ptt(app, pilot)
        assert screen.mode == "toggle" and screen.gssi == 9001  # the main screen's row
        assert "空闲" in floor_text(screen)
        await pilot.press("space")
        await advance(app, 1.0)
        lines = sent_lines(trace)
        assert any(line.startswith("ATD9001") or "9001" in line for line in lines)
        ctxd = [line for line in lines if line.startswith("AT+CTXD=")]
        assert ctxd, lines
        assert screen.keyed and screen.floor()[0] == "ours"
        assert "本台讲话中" in floor_text(screen)
        await pilot.press("space")
        await advance(app, 1.0)
        cutxc = [line for line in sent_lines(trace) if line.startswith("AT+CUTXC=")]
        assert cutxc and cutxc[-1].removeprefix("AT+CUTXC=") == ctxd[-1].split("=")[1].split(",")[0]
        assert not screen.keyed and screen.floor()[0] != "ours"
        assert "本台讲话中" not in floor_text(screen)


async def test_another_radio_talking_is_shown_with_who(tmp_path: Path) -> None:
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_ptt(app, pilot)
        sim = app.runtime._simulator.sim  # type: ignore[union-attr]
        sim.radio(2003).key_up(9001, 6.0)
        await advance(app, 1.0)
        assert screen.floor() == ("other", "2003")
        assert "another radio talking: Hi-Tech Foreign Language School" in floor_text(screen)
        await advance(app, 7.0)
        assert screen.floor()[0] == "idle"
        assert "idle" in floor_text(screen)


async def test_hold_mode_releases_when_the_key_stops_repeating(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        trace = traced(app)
        screen = await open_ptt(app, pilot)
        screen.key_state.hold_gap_s = 1.0
        await pilot.press("t")
        assert screen.mode == "hold" and "按住" in screen_text(app)
        await pilot.press("space")  # the press ...
        for _ in range(4):  # ... and the terminal's auto-repeat while held
            await advance(app, 0.2)
            await pilot.press("space")
        assert screen.keyed and screen.floor()[0] == "ours"
        assert [line for line in sent_lines(trace) if line.startswith("AT+CTXD")]
        assert not [line for line in sent_lines(trace) if line.startswith("AT+CUTXC")]
        await advance(app, 1.3)  # no more repeats (on the runtime's virtual clock): let go
        assert not screen.keyed
        assert [line for line in sent_lines(trace) if line.startswith("AT+CUTXC")]


def test_ptt_mode_defaults_to_toggle() -> None:
    from console.config import demo_station

    assert configured_mode(demo_station()) == "toggle"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_help_lists_every_f_key_in_the_language(tmp_path: Path, lang: str) -> None:
    app = make_app(tmp_path, lang=lang)
    async with app.run_test(size=(100, 36)) as pilot:
        await until_up(app)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for key in KEYS:
            if key.key.startswith("f"):
                assert key.key.upper() in text
                assert key.description(lang) in text
        assert ("Keys" if lang == "en" else "按键说明") in text
        assert ("New page" in text) == (lang == "en") and ("新建呼叫" in text) == (lang != "en")
        await pilot.press("escape")
        await pilot.pause()
        # Over another screen, help adds that screen's own keys.
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        text = screen_text(app)
        assert ("Keys on this screen" if lang == "en" else "本屏按键") in text
        assert "Ctrl+S" in text and ("Send" if lang == "en" else "发送") in text

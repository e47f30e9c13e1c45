"""F6 drill screen against the simulated network, through the Runtime, on virtual time.

The drill files are written into the test's folder (the working folder, so paths are
shown relative and short) and script the simulated radios the way ``[simulation]``
does for ``dutydesk drill run --gateway sim``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from console.config import Station, demo_station
from console.drills.catalogue import drill_files
from console.errors import ConfigError
from console.runtime import Runtime
from console.tui.app import DutyDeskApp
from console.tui.screens.drill import DrillScreen
from console.tui.widgets.runs import ConfirmRun, PickTable, ReportView
from drivers.clock import VirtualClock

from .harness import (
    CST,
    LoopSimulator,
    advance,
    no_portaudio,
    settle_screen,
    small_station,
    until_up,
)

SCRIPTED = """\
[drill]
name = "学校组短演练"
groups = ["学校组"]

[page]
text = "演练：校门口发生纠纷，请保安队立即处置"

[targets]
acknowledged = 20
en_route = 40
on_scene = 60

[targets.escalation]
repage = true
repage_limit = 1
alert_officer = true
page_backup = false

[[criteria]]
rung = "acknowledged"
within = 20
at_least = "{share}"

[simulation]
seed = 7
[[simulation.units]]
units = "all"
behaviour = "status"
delivery = 1
answer_after = 5
en_route_after = 10
on_scene_after = 20

[[simulation.units]]
units = [2003]
behaviour = "never"

[[simulation.units]]
units = ["江畔幼儿园保安队"]
behaviour = "off"
"""

BROKEN = """\
[drill]
name = "坏文件"
units = ["星海实验小学"]

[page]
text = "演练"

[[criteria]]
rung = "acknowledged"
at_least = "95 percent"
"""


class ScriptedSimulator(LoopSimulator):
    """The harness's in-loop simulator, able to take a drill's ``[simulation]`` script."""

    async def script(self, behaviours: dict[int, Any]) -> dict[int, Any]:
        from console.simulator import control

        return control(self.url).script(behaviours)

    async def inject(self, command: str) -> str:
        from console.simulator import inject

        return inject(self.url, command)


def drill_app(tmp_path: Path, lang: str = "zh-CN", station: Station | None = None) -> DutyDeskApp:
    clock = VirtualClock()
    sim = ScriptedSimulator(clock)
    runtime = Runtime(
        station or small_station(8),
        db_path=tmp_path / "events.db",
        clock=clock,
        operator="张警官",
        simulator=sim,
        log_background=False,
        signal_every=None,
        link_options={"backoff": (0.5, 1.0, 2.0)},
        tz=CST,
        sound_loader=no_portaudio,
    )
    sim.runtime = runtime
    return DutyDeskApp(runtime, lang=lang, live_clock=False)


EVENTS = """
[[simulation.events]]
at = 3
do = "紧急 2005"

[[simulation.events]]
at = 6
do = "smoke 2006 3号楼配电间"
"""


def write_drills(folder: Path) -> None:
    (folder / "events.toml").write_text(
        SCRIPTED.replace("{share}", "75%") + EVENTS, encoding="utf-8"
    )
    bad = SCRIPTED.replace("{share}", "75%") + '\n[[simulation.events]]\nat = 3\ndo = "fly 2005"\n'
    (folder / "bad_event.toml").write_text(bad, encoding="utf-8")
    (folder / "fail.toml").write_text(SCRIPTED.replace("{share}", "all"), encoding="utf-8")
    (folder / "pass.toml").write_text(SCRIPTED.replace("{share}", "75%"), encoding="utf-8")
    (folder / "broken.toml").write_text(BROKEN, encoding="utf-8")


def drill_screen(app: DutyDeskApp) -> DrillScreen:
    screen = app.screen
    assert isinstance(screen, DrillScreen), type(screen)
    return screen


def shown(app: DutyDeskApp, widget: str) -> str:
    return str(drill_screen(app).query_one(widget, Static).render())


async def start(app: DutyDeskApp, pilot: Pilot[Any], path: str) -> None:
    await until_up(app)
    await pilot.press("f6")
    drill_screen(app).query_one("#dr-path", Input).value = path
    await pilot.press("f9")
    assert isinstance(app.screen, ConfirmRun)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await settle_screen(app)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_drills(tmp_path)
    return tmp_path


async def test_errors_are_shown_with_file_line_and_field(in_tmp: Path) -> None:
    app = drill_app(in_tmp)
    async with app.run_test(size=(110, 30)) as pilot:
        await until_up(app)
        await pilot.press("f6")
        screen = drill_screen(app)
        screen.query_one("#dr-path", Input).value = "broken.toml"
        await pilot.press("enter")
        text = shown(app, "#dr-check")
        assert "2 处错误" in text
        assert "broken.toml:3: drill.units[0]: 没有名为「星海实验小学」的单元或通话组" in text
        assert "是否要找 '星海实验小学保安队'" in text
        assert "broken.toml:10: criteria[0].at_least" in text and "95 percent" in text
        assert screen.drill is None
        await pilot.press("f9")  # nothing to confirm: the file is not valid
        assert isinstance(app.screen, DrillScreen)
        assert app.runtime.drill is None
        screen.query_one("#dr-path", Input).value = "pass.toml"
        await pilot.press("enter")
        text = shown(app, "#dr-check")
        assert "文件有效: pass.toml" in text and "学校组短演练：8 个单元" in text
        assert "模拟脚本" in text


async def test_failed_drill_progress_verdict_report_history(in_tmp: Path) -> None:
    app = drill_app(in_tmp)
    async with app.run_test(size=(110, 32)) as pilot:
        await start(app, pilot, "fail.toml")
        run = app.runtime.drill
        assert run is not None and app.runtime.drill_running
        await advance(app, 8.0)
        progress = shown(app, "#dr-progress")
        assert "演练进行中" in progress
        assert "送达" in progress and "收到" in progress and "目标 20 秒" in progress
        assert "6/8" in progress
        await advance(app, 70.0)
        assert not app.runtime.drill_running
        progress = shown(app, "#dr-progress")
        assert "演练进行中" not in progress and "升级处置" in progress
        verdict = shown(app, "#dr-verdict")
        assert "未通过" in verdict
        assert "✘ 20 秒内「收到」：6/8（需 8）" in verdict
        assert run.report is not None and run.report.passed is False
        await pilot.press("ctrl+o")
        view = app.screen
        assert isinstance(view, ReportView) and run.drill_id in view.shown
        assert "未通过" in view.shown and "FAILED" not in view.shown  # the screen's language
        await pilot.press("escape", "ctrl+l")
        picker = app.screen
        assert isinstance(picker, PickTable)
        assert [key for key, _ in picker.rows] == [run.drill_id]
        await pilot.press("enter")
        assert isinstance(app.screen, ReportView)


async def test_passing_drill_and_the_scripted_radios_come_back(in_tmp: Path) -> None:
    app = drill_app(in_tmp, lang="en")
    async with app.run_test(size=(110, 32)) as pilot:
        await start(app, pilot, "pass.toml")
        sim = app.runtime._simulator.sim  # type: ignore[attr-defined]
        assert not sim.radio(2004).powered  # scripted "off" for the drill
        await advance(app, 80.0)
        verdict = shown(app, "#dr-verdict")
        assert "PASSED" in verdict and "acknowledged within 20 s: 6/8 (needs 6)" in verdict
        assert sim.radio(2004).powered  # the simulator's own behaviour is back


async def test_a_drills_timed_events_raise_real_alarms_on_the_desk(in_tmp: Path) -> None:
    """[[simulation.events]]: an emergency at +3 s and a smoke alarm at +6 s reach the desk
    as alarms, from the radios, and each is a step in the drill's log."""
    app = drill_app(in_tmp)
    async with app.run_test(size=(110, 32)) as pilot:
        await start(app, pilot, "events.toml")
        await advance(app, 2.0)
        assert app.runtime.alarms.unacknowledged() == []  # not yet
        await advance(app, 6.0)
        alarms = {(a.kind, a.sender) for a in app.runtime.alarms.unacknowledged()}
        assert ("emergency", "2005") in alarms and ("smoke", "2006") in alarms
        steps = [
            r.data for r in app.runtime.log.query(kinds=["drill.step"]) if r.data["step"] == "event"
        ]
        assert [s["outcome"] for s in steps] == ["done", "done"]
        assert steps[0]["detail"].startswith("紧急 2005")


async def test_a_wrong_event_is_named_with_its_line(in_tmp: Path) -> None:
    app = drill_app(in_tmp)
    async with app.run_test(size=(110, 30)) as pilot:
        await until_up(app)
        await pilot.press("f6")
        drill_screen(app).query_one("#dr-path", Input).value = "bad_event.toml"
        await pilot.press("enter")
        text = shown(app, "#dr-check")
        assert "bad_event.toml:" in text and "simulation.events[0].do" in text
        assert "'fly 2005' 不是模拟指令" in text  # in the desk's language (issue 14)


async def test_stop_interrupts_and_is_reported(in_tmp: Path) -> None:
    app = drill_app(in_tmp)
    async with app.run_test(size=(110, 32)) as pilot:
        await start(app, pilot, "pass.toml")
        await advance(app, 3.0)
        await pilot.press("f10")
        await advance(app, 1.0)
        assert not app.runtime.drill_running
        assert "已中止" in shown(app, "#dr-verdict")
        rows = app.runtime.drill_history()
        assert [r.outcome for r in rows] == ["interrupted"]


async def test_second_start_while_running_is_refused(in_tmp: Path) -> None:
    app = drill_app(in_tmp)
    async with app.run_test(size=(110, 32)) as pilot:
        await start(app, pilot, "pass.toml")
        await pilot.press("f9")
        assert isinstance(app.screen, DrillScreen)  # no confirmation: refused at once
        assert len(app.runtime.drill_history()) == 1


def test_scripted_drill_is_refused_on_a_real_gateway(in_tmp: Path) -> None:
    runtime = Runtime(
        demo_station(),
        gateway_url="/dev/ttyUSB9",
        db_path=in_tmp / "events.db",
        clock=VirtualClock(),
        log_background=False,
        sound_loader=no_portaudio,
    )
    with runtime.log:  # closed after: the runtime never started
        with pytest.raises(ConfigError) as info:
            runtime.load_drill("pass.toml")
        assert info.value.field == "simulation" and info.value.line is not None


def test_example_drills_are_listed() -> None:
    names = [p.name for p in drill_files()]
    assert {"demo-46.toml", "quarterly-1-3-5.toml", "rehearsal-scripted.toml"} <= set(names)
    assert len(names) == len(set(names))


# --- snapshots (zh-CN and English; virtual time, scripted radios) ------------------------


async def _drill_at(pilot: Pilot[Any], seconds: float) -> None:
    app = pilot.app
    assert isinstance(app, DutyDeskApp)
    await until_up(app)
    await pilot.press("f6")
    drill_screen(app).query_one("#dr-path", Input).value = "pass.toml"
    await pilot.press("enter")
    await app.runtime.start_drill("pass.toml")
    drill_screen(app).query_one("#dr-path", Input).cursor_blink = False  # steady screenshots
    await advance(app, seconds)
    drill_screen(app).tick()
    app.clear_notifications()  # toasts expire on real time: keep them out of the picture
    await pilot.pause()


async def mid_drill(pilot: Pilot[Any]) -> None:
    await _drill_at(pilot, 10.0)


async def finished_drill(pilot: Pilot[Any]) -> None:
    await _drill_at(pilot, 80.0)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("case", ["mid", "finished"])
def test_drill_snapshot(snap_compare: Any, in_tmp: Path, case: str, lang: str) -> None:
    """The drill screen with a checked file and live progress, and with its verdict."""
    app = drill_app(in_tmp, lang=lang)
    steps = mid_drill if case == "mid" else finished_drill
    assert snap_compare(app, terminal_size=(100, 30), run_before=steps)

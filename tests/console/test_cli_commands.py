"""`dutydesk` sub-commands: clean messages, exit 2 for user errors, never a traceback."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from console import cli, simulator
from console.config import demo_station
from console.config import loader as config_loader
from console.errors import SimulatorUnavailable

BAD = (
    '[station]\nname = "x"\n\n[gateway]\nurl = "COM3"\n\n'
    '[[units]]\nissi = "abc"\nalias = "甲"\nkind = "school"\n'
)
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "console" / "data" / "demo_station.toml"


def test_config_check_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["config", "check", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "滨江高新区派出所" in out
    assert "46" in out and "9" in out


def test_config_check_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--lang", "en", "config", "check", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "station file OK" in out and "minimum emergency units 46" in out
    assert cli.main(["config", "check", str(DEMO), "--lang", "en"]) == 0  # after, too
    assert "station file OK" in capsys.readouterr().out


def test_config_check_bad_file(
    write_station: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_station(BAD)
    assert cli.main(["--lang", "en", "config", "check", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}:8: units[0].issi: expected an integer" in captured.err
    assert "Traceback" not in captured.err
    assert cli.main(["config", "check", str(path)]) == 2  # the station's language: zh-CN
    assert f"{path}:8: units[0].issi: 应为整数" in capsys.readouterr().err


def test_config_check_lists_every_problem(
    write_station: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_station(BAD.replace('kind = "school"', 'kind = "scool"\ncolour = 1'))
    assert cli.main(["--lang", "en", "config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert ":8: units[0].issi" in err and ":10: units[0].kind" in err
    assert ":11: units[0].colour" in err
    assert "3 problem(s)" in err


def test_config_check_uses_global_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--config", str(DEMO), "config", "check"]) == 0
    assert cli.main(["config", "check"]) == 2
    assert "没有指定配置文件，也没有找到" in capsys.readouterr().err  # the demo station is zh
    assert cli.main(["--lang", "en", "config", "check"]) == 2
    assert "no station file given and none found" in capsys.readouterr().err


def test_missing_config_file_for_console(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--config", str(tmp_path / "none.toml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dutydesk: ") and "无法读取配置文件：文件不存在" in err
    assert err.count("\n") == 1
    assert cli.main(["--lang", "en", "--config", str(tmp_path / "none.toml")]) == 2
    assert "cannot read station file" in capsys.readouterr().err


def test_help_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    assert "config" in capsys.readouterr().out
    assert cli.main(["frobnicate"]) == 2
    assert cli.main(["sim", "--tcp", "99999"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_ctrl_c_exits_130_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(path: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_station", interrupted)
    assert cli.main(["config", "check", "x.toml"]) == 130
    assert capsys.readouterr().err == ""


def test_driver_errors_are_user_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from drivers.errors import PortError

    def broken(path: object) -> None:
        raise PortError("cannot open /dev/ttyUSB9")

    monkeypatch.setattr(config_loader, "load_station", broken)
    assert cli.main(["--lang", "en", "--config", "x.toml", "sim"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dutydesk: cannot open /dev/ttyUSB9 (hint: ")
    assert cli.main(["--config", "x.toml", "sim"]) == 2  # zh-CN: the hint in Chinese
    assert "cannot open /dev/ttyUSB9（提示：请检查端口名" in capsys.readouterr().err


# -- sim -----------------------------------------------------------------------------


def _fake_plugin(monkeypatch: pytest.MonkeyPatch, **funcs: Any) -> None:
    module = types.ModuleType("dutydesk_test_plugin")
    for name, func in funcs.items():
        setattr(module, name, func)
    monkeypatch.setitem(sys.modules, "dutydesk_test_plugin", module)
    monkeypatch.setattr(simulator, "PLUGIN_MODULE", "dutydesk_test_plugin")


def test_sim_passes_plain_lists(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: dict[str, Any] = {}

    def serve(units: Any, groups: Any, **kw: Any) -> int:
        calls.update(units=units, groups=groups, **kw)
        kw["announce"]("socket://127.0.0.1:4001")
        return 0

    _fake_plugin(monkeypatch, serve=serve)
    assert cli.main(["sim", "--tcp", "4001", "--seed", "7"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "socket://127.0.0.1:4001"
    assert calls["gateway_issi"] == 1000 and calls["seed"] == 7 and calls["tcp_port"] == 4001
    assert calls["baud"] is None and calls["background_traffic"] is False
    assert len(calls["units"]) == 50
    assert calls["units"][0] == {"issi": 2001, "alias": "星海实验小学保安队", "kind": "school"}
    assert {g["gssi"] for g in calls["groups"]} == {9001, 9011, 9012, 9013, 9014, 9015, 9020}
    assert all(isinstance(m, int) for g in calls["groups"] for m in g["members"])


def test_sim_without_fakes_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(simulator, "PLUGIN_MODULE", "fakes.no_such_plugin_for_tests")
    assert cli.main(["sim"]) == 2
    err = capsys.readouterr().err
    assert "simulated gateway is not available" in err and "Traceback" not in err


def test_a_sim_url_is_a_pyserial_url_once_its_network_is_defined() -> None:
    """The one way in: define the station's network behind sim://NAME, then
    serial_for_url opens its pty (the first open starts it), as for socket:// or spy://."""
    import serial

    url = "sim://cli-test?seed=3"
    with contextlib.ExitStack() as stack:
        simulator.define_network(demo_station(), url, background_traffic=False)
        stack.callback(simulator.stop_network, url)
        with serial.serial_for_url(url, baudrate=115200, timeout=2.0) as port:
            port.write(b"AT\r")
            answer = b""
            while b"OK" not in answer:
                chunk = port.read(64)
                assert chunk, f"no answer from the simulator: {answer!r}"
                answer += chunk
        assert simulator.device_path(url) == port.port  # the real pty behind the name


def test_a_bad_or_unknown_sim_url_is_a_clear_error() -> None:
    import serial

    simulator.sim_name("sim://demo")  # installs the handler
    with pytest.raises(serial.SerialException, match="no simulation called 'nobody'"):
        serial.serial_for_url("sim://nobody")
    with pytest.raises(serial.SerialException, match="unknown option 'speed'"):
        serial.serial_for_url("sim://demo?speed=9600")
    with pytest.raises(SimulatorUnavailable, match="names no simulation"):
        simulator.sim_name("sim://")


def test_console_shows_simulator_failure_in_status_bar(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import asyncio

    from console.tui import app as tui_app

    seen: dict[str, Any] = {}

    def fake_run(self: tui_app.DutyDeskApp) -> None:
        async def start_and_close() -> None:
            await self.runtime.start()
            seen.update(notice=self.runtime.notice, status=self.runtime.link_status)
            await self.runtime.close()

        asyncio.run(start_and_close())
        seen.update(lang=self.lang)

    monkeypatch.setattr(tui_app.DutyDeskApp, "run", fake_run)
    monkeypatch.setattr(simulator, "HANDLER_MODULE", "fakes.no_such_handler_for_tests")
    # In-process (--embedded): the monkeypatched plugin is this process's.
    assert cli.main(["--embedded", "--lang", "en", "--db", str(tmp_path / "events.db")]) == 0
    assert "not available" in seen["notice"] and seen["lang"] == "en"
    assert "not available" in seen["status"].detail


# -- log export ----------------------------------------------------------------------


def test_log_export_missing_eventlog(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "console.eventlog", None)  # makes the import fail
    assert cli.main(["--lang", "en", "log", "export", "--db", "x.db"]) == 2
    err = capsys.readouterr().err
    assert "log export is not available" in err and "Traceback" not in err


# -- python -m console ----------------------------------------------------------------


def test_python_m_console_subprocess(write_station: Callable[[str], Path]) -> None:
    bad = write_station(BAD)
    proc = subprocess.run(
        [sys.executable, "-m", "console", "config", "check", str(bad)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert f"{bad}:8: units[0].issi" in proc.stderr
    assert "Traceback" not in proc.stderr
    good = subprocess.run(
        [sys.executable, "-m", "console", "config", "check", str(DEMO)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=ROOT,
    )
    assert good.returncode == 0 and "滨江高新区派出所" in good.stdout


# -- README quick start and CI ---------------------------------------------------------


def test_readme_opens_with_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```")
    run_cmd = blocks[1].removeprefix("sh").strip()
    test_cmd = blocks[3].removeprefix("sh").strip()
    assert run_cmd.startswith("python3 -m venv .venv") and run_cmd.endswith("/dutydesk")
    assert test_cmd.startswith("python3 -m venv .venv") and "pytest" in test_cmd
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd in ci
    assert ci.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in ci

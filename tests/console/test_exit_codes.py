"""One exit-status table for every command (issue 14), through the real CLI entry.

0 all good, 1 ran but targets missed, 2 error, 130 interrupted: ``dutydesk --help`` and
the README show the table that :class:`~console.exitcodes.ExitCode` defines, a roll call
with members absent exits 1, and ``log export`` says so (and exits 1) when nothing
matched, taking the unit by its Chinese name.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main
from console.eventlog import EventLog
from console.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_is_in_help_and_in_the_readme() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 130]
    done = subprocess.run(
        [sys.executable, "-m", "console", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == ExitCode.OK
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"{int(code):>3}  {code.meaning('en')}" in done.stdout
        assert f"{int(code):>3}  {code.meaning('zh-CN')}" in done.stdout
        assert f"| {int(code)} | {code.meaning('en')} |" in readme, code


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rollcall", "--bogus"]) == ExitCode.ERROR
    assert main(["drill", "run", "/nonexistent.toml", "--gateway", "sim"]) == ExitCode.ERROR
    assert "nonexistent" in capsys.readouterr().err


def test_a_rollcall_with_members_absent_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A deadline no radio can meet over the simulated air: every member is absent.
    argv = ["rollcall", "--gateway", "sim", "--group", "巡逻组", "--deadline", "0.2"]
    code = main([*argv, "--late-window", "0", "--json", "--db", str(tmp_path / "rc.db")])
    counts = json.loads(capsys.readouterr().out)["counts"]
    assert counts["absent"] == 4
    assert code == ExitCode.MISSED


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    db = tmp_path / "events.db"
    log = EventLog.open(db, background=False, record_sessions=False)
    log.append("wire.status_in", unit=2015, data={"value": 32770})
    log.append("wire.status_in", unit=2001, data={"value": 32771})
    log.close()
    return db


def test_log_export_takes_the_units_chinese_name(
    log_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "unit.jsonl"
    argv = ["log", "export", "--db", str(log_file), "--format", "jsonl", "--out", str(out)]
    assert main([*argv, "--unit", "蓝海数据中心安保部"]) == ExitCode.OK
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["unit"] for r in rows] == ["2015"]
    assert "exported 1 events" in capsys.readouterr().err
    assert main([*argv, "--unit", "Lanhai Data Centre security"]) == ExitCode.OK
    assert main([*argv, "--unit", "2001"]) == ExitCode.OK


def test_log_export_that_matches_nothing_says_so_and_exits_1(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["log", "export", "--db", str(log_file)]
    assert main([*argv, "--unit", "2002"]) == ExitCode.MISSED
    err = capsys.readouterr().err
    assert "nothing matched" in err and "--unit 2002" in err and "hint:" in err


def test_log_export_of_an_unknown_unit_or_a_group_is_an_error(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["log", "export", "--db", str(log_file)]
    assert main([*argv, "--unit", "不存在的单位"]) == ExitCode.ERROR
    assert "不存在的单位" in capsys.readouterr().err
    assert main([*argv, "--unit", "巡逻组"]) == ExitCode.ERROR
    assert "names a group" in capsys.readouterr().err


async def test_drill_report_exits_as_the_reported_drill_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One log with a failed drill (D1) and a passed one (D2), run on virtual time.
    from console.drills import load_drill_text
    from tests.console.test_drill_run import DRILL, drill_rig, run_drill, station
    from tests.console.test_paging_rig import make_paging_rig

    st = station()
    failing = load_drill_text(DRILL, st, "drill.toml")
    passing = load_drill_text(DRILL.replace('at_least = "all"', "at_least = 3"), st, "d.toml")
    prig = await drill_rig(functools.partial(make_paging_rig, tmp_path), failing, st)
    async with prig:  # closed here: the commands below read its log
        assert (await run_drill(prig, failing, "D1")).passed is False
        assert (await run_drill(prig, passing, "D2")).passed is True
    db = str(tmp_path / "events.db")
    assert main(["drill", "report", "--db", db, "--drill", "D1"]) == ExitCode.MISSED
    assert main(["drill", "report", "--db", db, "--drill", "D2"]) == ExitCode.OK
    assert main(["drill", "report", "--db", db, "--drill", "D9"]) == ExitCode.ERROR
    assert "D9" in capsys.readouterr().err

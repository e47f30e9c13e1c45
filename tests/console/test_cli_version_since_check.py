"""``--version``, relative ``--since`` and ``dutydesk drill check`` (issue 14).

Through the real CLI entry (``main()`` and ``python -m console``); the time parser on a
fixed clock and zone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from console.centre.cli import period
from console.cli import main
from console.eventlog import EventLog, LogBadQuery, parse_time
from console.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 3, 19, 5, 0, tzinfo=CST).timestamp()


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "console", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == ExitCode.OK
    assert done.stdout.startswith("dutydesk ") and done.stdout.split()[1][0].isdigit()


def test_times_of_day_and_back_from_now() -> None:
    at = datetime.fromtimestamp(parse_time("12:28", now=NOW, tz=CST), CST)  # type: ignore[arg-type]
    assert (at.date(), at.hour, at.minute) == (datetime.fromtimestamp(NOW, CST).date(), 12, 28)
    assert parse_time("08:00:30", now=NOW, tz=CST) == NOW - (11 * 3600 + 4 * 60 + 30)
    assert parse_time("-2h", now=NOW) == NOW - 7200
    assert parse_time("-30m", now=NOW) == NOW - 1800
    assert parse_time(" -90s ", now=NOW) == NOW - 90
    assert parse_time("-1.5d", now=NOW) == NOW - 1.5 * 86400
    assert parse_time("2026-12-03T12:28", tz=CST) == NOW - (6 * 3600 + 37 * 60)
    assert parse_time("1700000000") == 1700000000.0  # unix seconds, as before
    for bad in ("-2x", "25:61", "yesterday", "-h"):
        with pytest.raises(LogBadQuery):
            parse_time(bad, now=NOW)
    assert period("-7d", None, NOW) == (NOW - 7 * 86400, NOW)  # the centre's report


def test_log_export_since_two_hours_ago(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "events.db"
    log = EventLog.open(db, background=False, record_sessions=False)
    log.append("wire.sds_in", unit=2001, data={"text": "昨晚"}, wall=time.time() - 3 * 3600)
    log.append("wire.sds_in", unit=2001, data={"text": "刚才"})
    log.close()
    argv = ["log", "export", "--db", str(db), "--format", "jsonl"]
    assert main([*argv, "--since", "-2h"]) == ExitCode.OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["data"]["text"] for r in rows] == ["刚才"]
    assert main([*argv, "--since", "-4h", "--until", "-1h"]) == ExitCode.OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["data"]["text"] for r in rows] == ["昨晚"]
    assert main([*argv, "--since", "two hours ago"]) == ExitCode.ERROR
    assert "-2h" in capsys.readouterr().err  # the hint names the forms


def test_drill_check_lists_every_problem_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[drill]\nname = 1\ngroups = ["学校组"]\n\n[page]\ntext = "演练"\n\n'
        '[deadlines]\nacknowledge_s = -5\n\n[[criteria]]\nrung = "nope"\nwithin = 3\n',
        encoding="utf-8",
    )
    assert main(["drill", "check", str(bad)]) == ExitCode.ERROR
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split(":")[1] for line in lines] == ["2", "9", "12"]  # by line, each one
    assert all(line.startswith(f"{bad}:") for line in lines)
    assert "drill.name" in lines[0] and "deadlines.acknowledge_s" in lines[1]
    assert "criteria[0].rung" in lines[2] and "3 problem(s)" in err
    assert "station file" not in out and "docs/drills.md" in out  # the drill file's hint


def test_drill_check_of_a_good_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    good = ROOT / "examples" / "drills" / "demo-46.toml"
    assert main(["drill", "check", str(good), "--lang", "en"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith("drill file OK:") and "46 units" in out
    missing = ROOT / "examples" / "drills" / "no-such.toml"
    assert main(["drill", "check", str(missing)]) == ExitCode.ERROR

"""``dutydesk drill`` / ``rollcall`` from the command line.

The end-to-end test runs the demo station's 46 units: ``python -m console sim`` as a
subprocess (its first line is the pty path), then ``python -m console drill run
examples/drills/demo-46.toml --gateway <path> --json`` on real time (the example's
targets are scaled down to seconds).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main
from tests.simproc import simulator_process

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "drills"


def test_every_example_drill_file_is_valid() -> None:
    from console.config import demo_station
    from console.drills import load_drill

    for path in sorted(EXAMPLES.glob("*.toml")):
        drill = load_drill(path, demo_station())
        assert drill.participants and drill.criteria, path
    demo = load_drill(EXAMPLES / "demo-46.toml", demo_station())
    assert len(demo.participants) == 46 and not demo.scripted


def test_bad_drill_file_names_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[drill]\nname = "x"\ngroups = ["学校组"]\n[page]\ntext = "t"\n'
        '[[criteria]]\nrung = "acknowledged"\nat_least = "95 percent"\n',
        encoding="utf-8",
    )
    # an unreachable gateway: the file is checked before anything is opened or sent
    code = main(
        ["drill", "run", str(bad), "--gateway", "/dev/nonexistent", "--db", str(tmp_path / "x.db")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert f"{bad}:8: criteria[0].at_least:" in err
    assert not (tmp_path / "x.db").exists()


def test_unknown_unit_is_located_with_suggestions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[drill]\nname = "x"\nunits = [\n  "星海实验小学",\n]\n[page]\ntext = "t"\n',
        encoding="utf-8",
    )
    assert main(["--lang", "en", "drill", "run", str(bad), "--gateway", "sim"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: drill.units[0]: unknown unit or group" in err
    assert "星海实验小学保安队" in err
    assert main(["drill", "run", str(bad), "--gateway", "sim"]) == 2  # the demo's zh-CN
    err = capsys.readouterr().err
    assert f"{bad}:4: drill.units[0]: 没有名为「星海实验小学」的单元或通话组" in err


def test_scripted_behaviour_is_refused_on_a_real_gateway(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = EXAMPLES / "rehearsal-scripted.toml"
    code = main(
        ["drill", "run", str(path), "--gateway", "/dev/ttyUSB0", "--db", str(tmp_path / "x.db")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path}:" in err and "simulation" in err and "--gateway sim" in err
    assert not (tmp_path / "x.db").exists()


def test_demo_46_drill_end_to_end_over_a_pty(tmp_path: Path) -> None:
    db = tmp_path / "drill.db"
    with simulator_process() as path:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "console",
                "drill",
                "run",
                "examples/drills/demo-46.toml",
                "--gateway",
                path,
                "--json",
                "--db",
                str(db),
                "--report-dir",
                str(tmp_path / "r"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert out.returncode in (0, 1), out.stderr
    report = json.loads(out.stdout)
    assert report["kind"] == "drill" and report["outcome"] in ("passed", "failed")
    assert out.returncode == (0 if report["passed"] else 1)
    participants = [u for u in report["units"] if u["role"] == "participant"]
    assert len(participants) == 46
    assert {c["rung"] for c in report["criteria"]} == {"acknowledged", "delivered"}
    delivered = next(c for c in report["criteria"] if c["rung"] == "delivered")
    assert delivered["achieved"] >= 40  # all but the switched-off radio, within 15 s
    assert [t["rung"] for t in report["deadlines"]] == ["acknowledged", "en_route"]
    drill_id = report["id"]
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == sorted(
        f"{drill_id}.{ext}" for ext in ("csv", "html", "json", "md")
    )
    # the same report, from the log, in another process
    again = subprocess.run(
        [sys.executable, "-m", "console", "drill", "report", "--db", str(db), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == (0 if report["passed"] else 1)
    assert json.loads(again.stdout) == report
    hist = subprocess.run(
        [sys.executable, "-m", "console", "drill", "history", "--db", str(db), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    [row] = json.loads(hist.stdout)
    assert row["drill"] == drill_id and row["outcome"] == report["outcome"]


def test_drill_run_on_the_in_process_simulator_is_interruptible(tmp_path: Path) -> None:
    """SIGTERM mid-drill: exit 2, and the report still comes from the log."""
    db = tmp_path / "d.db"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console",
            "drill",
            "run",
            str(EXAMPLES / "rehearsal-scripted.toml"),
            "--gateway",
            "sim",
            "--db",
            str(db),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait (on real I/O) until the first answer is in
        if "acknowledged=" in line and "acknowledged=0/" not in line:
            break
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err  # ExitCode.INTERRUPTED
    rep = subprocess.run(
        [sys.executable, "-m", "console", "drill", "report", "--db", str(db), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    data = json.loads(rep.stdout)
    assert rep.returncode == 1  # ExitCode.MISSED: an interrupted drill did not pass
    assert data["outcome"] == "interrupted" and data["passed"] is None
    assert data["reasons"][0].startswith("interrupted after")

"""``dutydesk rollcall`` on the in-process simulator (real time, a 3-second deadline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main


def test_rollcall_run_list_show_and_recall(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "rc.db")
    args = ["rollcall", "--gateway", "sim", "--group", "巡逻组", "--deadline", "3"]
    code = main([*args, "--late-window", "0", "--json", "--db", db])
    first = json.loads(capsys.readouterr().out)
    missing = first["counts"]["absent"] + first["counts"]["unreachable"]
    assert code == (1 if missing else 0)  # ExitCode.MISSED when members are missing
    assert first["kind"] == "rollcall" and len(first["units"]) == 4
    assert sum(first["counts"].values()) == 4
    assert main(["rollcall", "--list", "--json", "--db", db]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["rollcall_id"] == first["id"] and listed["counts"] == first["counts"]
    assert main(["rollcall", "--show", first["id"], "--format", "markdown", "--db", db]) == 0
    assert "| 号码 |" in capsys.readouterr().out  # the zh demo station's words
    absent = first["counts"]["absent"]
    code = main(["rollcall", "--gateway", "sim", "--recall", first["id"], "--db", db, "--json"])
    out = capsys.readouterr().out
    if absent:
        again = json.loads(out)
        assert code == (1 if again["counts"]["absent"] + again["counts"]["unreachable"] else 0)
        assert len(again["units"]) == absent
        assert any(n.startswith("re-call of") for n in again["notes"])
    else:
        assert code == 0 and "nobody to re-call" in out


def test_voice_rollcall_needs_a_talkgroup(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rollcall", "--gateway", "sim", "--group", "沿江联防", "--mode", "voice"])
    assert code == 2
    assert "talkgroup" in capsys.readouterr().err

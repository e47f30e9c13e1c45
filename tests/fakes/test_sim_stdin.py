"""``dutydesk sim`` takes a trainer's commands on stdin (the real process, the real pty)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.factories import Reaped
from tests.fakes.simhelpers import OpenTe

ROOT = Path(__file__).resolve().parents[2]


async def test_a_typed_emergency_reaches_the_wire_and_a_typo_is_explained(
    reaped: Reaped, open_te: OpenTe
) -> None:
    proc = reaped(
        subprocess.Popen(
            [sys.executable, "-m", "console", "sim", "--seed", "3"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    path = proc.stdout.readline().strip()
    assert path, "the simulator printed no pty path"
    te = open_te(path)
    await te.init()
    proc.stdin.write("紧急 2004\nfly 2001\n")
    proc.stdin.flush()
    line = (await te.wait_for(b"+CTSDSR", timeout=10.0)).decode("latin-1")
    assert "+CTSDSR" in line  # the radio's emergency status, as the console reads it
    assert "unknown command 'fly'" in proc.stderr.readline()

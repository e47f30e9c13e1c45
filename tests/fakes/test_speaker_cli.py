"""``dutydesk fake-speaker``: one line per broadcast, WAV saving, Ctrl-C exits 0."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sys
from pathlib import Path

import pytest

from drivers.audio.sender import Broadcaster, Destination
from drivers.audio.sources import tone
from drivers.audio.wavio import read_wav
from drivers.clock import SystemClock
from fakes.speaker_cli import main

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = "import sys; from fakes.speaker_cli import main; sys.exit(main(sys.argv[1:]))"


async def test_cli_reports_each_broadcast_saves_wav_and_exits_0_on_ctrl_c(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LAUNCH, "--port", "0", "--timeout", "0.3", "--save", str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        first = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert first.startswith("fake speaker listening on 127.0.0.1 port ")
        port = int(first.split(" port ")[1].split(";")[0])
        bc = Broadcaster(
            [Destination("127.0.0.1", port)], clock=SystemClock(), rng=random.Random(1)
        )
        stats = await bc.play(tone(800, 0.3))
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        ssrc = stats.destinations[0].ident
        assert line.startswith(f"rtp ssrc=0x{ssrc:08x} pt=0/pcmu from 127.0.0.1:")
        assert f"packets={stats.frames_sent}" in line and "violations=0" in line
        assert "saved=" in line
        [wav] = list(tmp_path.glob("*.wav"))
        data, rate = read_wav(wav)
        assert rate == 8000 and len(data) >= 160 * stats.frames_sent
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0


def test_port_in_use_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        code = main(["--port", str(busy.getsockname()[1])])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot listen on 127.0.0.1:" in err
    assert "Traceback" not in err

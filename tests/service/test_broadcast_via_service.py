"""``dutydesk broadcast --zone`` while the station service runs: it plays through the
service's engine (its speakers, its log), not a second engine of its own."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from console.eventlog import EventLog
from tests.factories import Reaped, StartService

DUTYDESK = [sys.executable, "-m", "console"]


def test_a_zone_broadcast_from_the_shell_goes_through_the_running_service(
    tmp_path: Path,
    reaped: Reaped,
    start_service: StartService,
    write_demo_station: Callable[[int], Path],
) -> None:
    speaker = reaped(
        subprocess.Popen(
            [*DUTYDESK, "fake-speaker", "--port", "0"], stdout=subprocess.PIPE, text=True
        )
    )
    assert speaker.stdout is not None
    port = int(speaker.stdout.readline().rsplit("port ", 1)[1].split(";")[0])
    station = write_demo_station(port)
    db = tmp_path / "station.db"
    start_service(db, "--config", str(station))
    done = subprocess.run(
        [*DUTYDESK, "broadcast", "--zone", "riverside", "--tone", "chime", "--db", str(db),
         "--operator", "赵警官"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "由值班服务播放" in done.stdout and "已播完" in done.stdout  # the demo's zh-CN
    heard = speaker.stdout.readline()  # the speaker's line for the stream it received
    assert heard.startswith("rtp "), heard
    with EventLog.open_readonly(db) as log:
        (cmd,) = [
            r for r in log.query(kinds=["operator.command"])
            if r.data["command"] == "start_broadcast"
        ]  # fmt: skip
        finished = list(log.query(kinds=["broadcast.finished"]))
    assert cmd.operator == "赵警官" and cmd.data["position"] == "cli"
    assert len(finished) == 1

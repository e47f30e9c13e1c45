"""``dutydesk broadcast --zone`` while the station service runs: it plays through the
service's engine (its speakers, its log), not a second engine of its own."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

from console.eventlog import EventLog

DUTYDESK = [sys.executable, "-m", "console"]


def test_a_zone_broadcast_from_the_shell_goes_through_the_running_service(
    tmp_path: Path,
) -> None:
    speaker = subprocess.Popen(
        [*DUTYDESK, "fake-speaker", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    service: subprocess.Popen[str] | None = None
    try:
        assert speaker.stdout is not None
        port = int(speaker.stdout.readline().rsplit("port ", 1)[1].split(";")[0])
        text = resources.files("console.data").joinpath("demo_station.toml").read_text("utf-8")
        station = tmp_path / "station.toml"
        station.write_text(re.sub(r"(?m)^port = \d+$", f"port = {port}", text), "utf-8")
        db = tmp_path / "station.db"
        service = subprocess.Popen(
            [*DUTYDESK, "serve", "--config", str(station), "--db", str(db)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert service.stdout is not None and "socket" in service.stdout.readline()
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
    finally:
        for proc in (service, speaker):
            if proc is not None:
                proc.terminate()
                proc.wait(20)

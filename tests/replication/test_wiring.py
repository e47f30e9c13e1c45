"""The shipper inside the real runtime, and the doctor's replication lines."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from pathlib import Path

from console.config import ReplicationConfig, Station, demo_station
from console.doctor.model import Status
from console.doctor.runner import DoctorOptions, run_doctor
from console.errors import SimulatorUnavailable
from console.eventlog import EventLog
from console.replication import ReplicationService
from console.runtime import Runtime
from tests.replication.conftest import Central
from tests.replication.test_shipping import fill


class NoSimulator:
    async def launch(self, station: Station) -> str:
        raise SimulatorUnavailable("no simulator in this test")

    async def stop(self) -> None:
        pass


def station_for(url: str | None) -> Station:
    rep = ReplicationConfig(url=url, station_id="a", interval_s=0.05)
    return dataclasses.replace(demo_station(), replication=rep)


async def test_the_runtime_ships_only_when_the_station_says_so(
    central: Central, tmp_path: Path
) -> None:
    plain = Runtime(
        demo_station(), db_path=tmp_path / "plain.db", simulator=NoSimulator(), voice=False
    )
    assert "replication" not in plain.services
    await plain.close()
    rt = Runtime(
        station_for(central.url("a")),
        db_path=tmp_path / "events.db",
        simulator=NoSimulator(),
        voice=False,
        signal_every=None,
    )
    service = rt.services["replication"]
    assert isinstance(service, ReplicationService)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(rt.close)
        await rt.start()
        rt.log.append("test.event", data={"n": 1})
        rt.log.flush()
        end = time.monotonic() + 30
        while central.count("a") < rt.log.committed_id or service.status().backlog:
            assert time.monotonic() < end, "runtime's events never reached the centre"
            await asyncio.sleep(0.02)
        assert service.status().connected
    assert central.seqs("a") == list(range(1, len(central.seqs("a")) + 1))


def write_station(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "station.toml"
    path.write_text(
        '[station]\nname = "东湖派出所"\n[gateway]\nurl = "/dev/dutydesk-no-such-port"\n'
        f'[replication]\nurl = "{url}"\nstation_id = "a"\n',
        encoding="utf-8",
    )
    return path


def test_doctor_shows_backlog_and_lag(central: Central, tmp_path: Path) -> None:
    log_path = tmp_path / "events.db"
    with EventLog.open(log_path, durability="normal") as log:
        fill(log, 25)
    config = write_station(tmp_path, central.url("a"))
    report = run_doctor(DoctorOptions(config=str(config), db=str(log_path), check_sound=False))
    centre, backlog = report.by_check("centre"), report.by_check("backlog")
    assert centre is not None and centre.status is Status.OK
    assert backlog is not None and backlog.status is Status.OK
    assert "shipped up to #0, backlog" in backlog.message
    assert "lag" in backlog.message


def test_doctor_says_when_the_centre_is_unreachable(central: Central, tmp_path: Path) -> None:
    config = write_station(tmp_path, f"postgresql://st_a@/postgres?host={tmp_path}")
    report = run_doctor(
        DoctorOptions(config=str(config), db=str(tmp_path / "none.db"), check_sound=False)
    )
    centre = report.by_check("centre")
    assert centre is not None and centre.status is Status.FAIL
    assert "keeps paging" in centre.hint
    assert report.exit_code == 1

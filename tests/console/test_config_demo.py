"""The built-in demo station: what `dutydesk` shows with no --config."""

from __future__ import annotations

import ipaddress
import re

from console.config import Station, demo_station

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_demo_loads_with_46_emergency_units() -> None:
    station = demo_station()
    assert isinstance(station, Station)
    assert station.name == "滨江高新区派出所"
    assert len(station.emergency_units) == 46
    assert sorted(u.issi for u in station.emergency_units) == list(range(2001, 2047))
    assert {u.kind for u in station.emergency_units} == {
        "school",
        "enterprise",
        "hospital",
        "bank",
        "community",
    }
    assert len(station.patrols) >= 3
    assert all(CJK.search(u.alias) for u in station.units)


def test_demo_gateway_is_simulated() -> None:
    gw = demo_station().gateway
    assert gw.is_simulated
    assert gw.issi == 1000
    assert (gw.baud, gw.dialect) == (115200, "etsi")


def test_demo_talkgroups() -> None:
    station = demo_station()
    gssis = {g.name_en: g.gssi for g in station.groups}
    assert gssis["All units"] == 9001
    assert gssis["Schools"] == 9011
    assert gssis["Patrols"] == 9020
    all_units = station.group(9001)
    assert all_units is not None and len(all_units.members) == len(station.units)
    schools = station.group(9011)
    assert schools is not None
    assert all(station.unit(i).kind == "school" for i in schools.members)  # type: ignore[union-attr]
    riverside = station.group("沿江联防")
    assert riverside is not None and riverside.gssi is None and riverside.kind == "list"
    assert 3003 in riverside.members  # joined from the unit's own `groups = [...]`
    assert "沿江联防" in station.unit(3003).groups  # type: ignore[union-attr]


def test_demo_riverside_zone_has_nine_loopback_speakers() -> None:
    zone = demo_station().zone("riverside")
    assert zone is not None
    assert zone.name == "沿江9处"
    assert len(zone.speakers) == 9
    assert all(ipaddress.ip_address(s.host).is_loopback for s in zone.speakers)
    assert len({s.port for s in zone.speakers}) == 9
    gates = demo_station().zone("school-gates")
    assert gates is not None and gates.speakers


def test_demo_templates_and_status_plan() -> None:
    station = demo_station()
    helmet = station.template("helmet")
    accident = station.template("accident")
    assert helmet is not None and helmet.text == "某仓库有人员未佩戴安全帽，请立即整改"
    assert accident is not None and accident.text == "XX路发生交通事故，附近队员立即前往处置"
    assert helmet.title_en and accident.title_en
    plan = station.status_plan
    assert plan.meaning_of(0x8002) == "acknowledged"
    assert plan.meaning_of(0x8006) == "backup_requested"
    assert plan.meaning_of(0) == "emergency"
    assert plan.code_for("on_scene") == 0x8004
    assert (
        plan.is_ack_text("收到，马上到") and plan.is_ack_text(" ok") and not plan.is_ack_text("?")
    )
    assert (station.deadlines.acknowledge_s, station.deadlines.en_route_s) == (60, 180)
    assert station.deadlines.on_scene_s == 300


def test_demo_backups_point_at_units() -> None:
    station = demo_station()
    backed = [u for u in station.units if u.backup is not None]
    assert backed
    assert all(station.unit(u.backup) is not None for u in backed)  # type: ignore[arg-type]

"""Broadcast engine rules on virtual time: zones, refusal of unlisted addresses,
priorities and pre-emption, stop, incident links, the log, and source errors.

The sender is a fake player that pulls one frame per 20 ms of the VirtualClock, so the
engine's decisions are tested without sockets; ``test_broadcast_e2e`` covers real UDP.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from console.broadcast import (
    BROADCAST_FAILED,
    BROADCAST_FINISHED,
    BROADCAST_OUTSIDE_CONFIG,
    BROADCAST_PREEMPTED,
    BROADCAST_STARTED,
    BROADCAST_STOPPED,
    BadDestination,
    BroadcastEngine,
    BroadcastEvent,
    BroadcastFailed,
    BroadcastFinished,
    BroadcastPreempted,
    BroadcastRefused,
    BroadcastStarted,
    BroadcastStopped,
    DestinationNotAllowed,
    Endpoint,
    Priority,
    SourceError,
    SourceSpec,
    UnknownBroadcast,
    UnknownZoneError,
)
from console.config import AudioConfig, demo_station
from console.errors import ConsoleError
from drivers.audio.errors import SendError
from drivers.clock import Clock, VirtualClock

OPERATOR = "张警官"


class FakePlayer:
    """Plays like the Broadcaster (one frame per 20 ms on the clock), sends nothing."""

    def __init__(self, endpoints: Sequence[Endpoint], clock: Clock, fail_at: int | None) -> None:
        self.endpoints = tuple(endpoints)
        self.clock = clock
        self.fail_at = fail_at
        self.frames: list[np.ndarray] = []
        self.ended = False

    async def play(self, source: Any, *, stop: asyncio.Event | None = None) -> dict[str, Any]:
        for frame in source.frames():
            if stop is not None and stop.is_set():
                break
            if self.fail_at is not None and len(self.frames) == self.fail_at:
                raise SendError("network down", hint="check the cable")
            self.frames.append(frame)
            await self.clock.sleep(0.02)
        self.ended = True
        return {"frames": len(self.frames), "destinations": len(self.endpoints)}


class MemLog:
    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any]]] = []

    def append(self, kind: str, *, data: Any = None, **fields: Any) -> int:
        self.records.append((kind, {"data": dict(data or {}), **fields}))
        return len(self.records)

    def kinds(self) -> list[str]:
        return [k for k, _ in self.records]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [r for k, r in self.records if k == kind]


class FakeIncidents:
    def __init__(self) -> None:
        self.attached: list[tuple[str, str, str | None]] = []

    def require(self, incident_id: str) -> Any:
        if not incident_id.startswith("I"):
            raise ConsoleError(f"no incident {incident_id!r}")
        return incident_id

    def attach_broadcast(
        self, incident_id: str, broadcast_id: str | int, *, operator: str | None = None
    ) -> Any:
        self.attached.append((incident_id, str(broadcast_id), operator))


class Harness:
    def __init__(self, fail_at: int | None = None) -> None:
        self.clock = VirtualClock()
        self.log = MemLog()
        self.incidents = FakeIncidents()
        self.players: list[FakePlayer] = []
        self.events: list[BroadcastEvent] = []
        self.fail_at = fail_at
        self.engine = BroadcastEngine(
            demo_station(), self.clock, self.log, self.incidents, sender_factory=self.factory
        )
        self.engine.subscribe(self.events.append)

    def factory(self, endpoints: Sequence[Endpoint], clock: Clock) -> FakePlayer:
        player = FakePlayer(endpoints, clock, self.fail_at)
        self.players.append(player)
        return player


def beep(seconds: float) -> SourceSpec:
    return SourceSpec.array(np.full(int(8000 * seconds), 1000, np.int16), label="beep")


async def test_a_zone_broadcast_plays_to_every_speaker_and_is_logged_start_to_finish() -> None:
    h = Harness()
    b = h.engine.start(["riverside"], beep(1.0), operator=OPERATOR, incident="I-7")
    assert b.zones == ("riverside",) and len(b.endpoints) == 9
    assert {e.port for e in b.endpoints} == set(range(5004, 5021, 2))
    assert h.engine.active() == [b]
    end = await _finish(h, b.id)
    assert end.state == "finished" and end.stats == {"frames": 50, "destinations": 9}
    assert h.log.kinds() == [BROADCAST_STARTED, BROADCAST_FINISHED]
    started, finished = h.log.of(BROADCAST_STARTED)[0], h.log.of(BROADCAST_FINISHED)[0]
    assert started["incident"] == finished["incident"] == "I-7"
    assert started["operator"] == OPERATOR and started["group"] == "riverside"
    assert started["data"]["priority"] == "routine"
    assert started["data"]["endpoints"][0] == {
        "address": "127.0.0.1:5004",
        "codec": "pcmu",
        "protocol": "rtp",
        "name": "1号点 江滨公园码头",
        "zone": "riverside",
    }
    assert finished["data"]["stats"] == {"frames": 50, "destinations": 9}
    assert h.incidents.attached == [("I-7", b.id, OPERATOR)]
    assert [type(e) for e in h.events] == [BroadcastStarted, BroadcastFinished]
    assert h.engine.active() == []


async def test_many_zones_at_once_and_shared_speakers_only_once() -> None:
    h = Harness()
    b = h.engine.start(
        ["riverside", "school-gates", "127.0.0.1:5004"], beep(0.1), operator=OPERATOR
    )
    assert b.zones == ("riverside", "school-gates") and len(b.endpoints) == 14
    gate = next(e for e in b.endpoints if e.port == 5030)
    poly = next(e for e in b.endpoints if e.port == 5001)
    assert gate.codec == "pcma" and (poly.protocol, poly.channel) == ("polycom", 26)
    await _finish(h, b.id)


async def test_unknown_zone_names_the_zone_and_suggests_one() -> None:
    h = Harness()
    with pytest.raises(UnknownZoneError, match=r"'riversde'.*did you mean 'riverside'") as info:
        h.engine.start(["riversde"], beep(0.1), operator=OPERATOR)
    assert "school-gates" in info.value.hint and "校门口" in info.value.hint
    with pytest.raises(UnknownZoneError, match="did you mean 'school-gates'"):
        h.engine.start(["门口"], beep(0.1), operator=OPERATOR)  # inside a name, not its start
    assert h.log.records == [] and h.players == []


@pytest.mark.parametrize("named", ["riverside", "沿江9处", "沿江", "riverside (9 spots)"])
async def test_a_zone_by_its_id_or_chinese_or_english_name(named: str) -> None:
    """The officer types the zone as he knows it: the id, 沿江9处, a name's start (沿江)."""
    h = Harness()
    b = h.engine.start([named], beep(0.1), operator=OPERATOR)
    assert b.zones == ("riverside",) and len(b.endpoints) == 9
    await _finish(h, b.id)


async def test_addresses_outside_the_station_file_are_refused_unless_a_technician_insists() -> None:
    h = Harness()
    with pytest.raises(DestinationNotAllowed, match=r"192\.0\.2\.9:5004"):
        h.engine.start(["192.0.2.9:5004"], beep(0.1), operator=OPERATOR)
    assert h.log.records == [] and h.players == []
    with pytest.raises(BadDestination):
        h.engine.start(["192.0.2.9:notaport"], beep(0.1), operator=OPERATOR)
    b = h.engine.start(
        ["192.0.2.9:5004", "riverside"], beep(0.1), operator="技术员", allow_unlisted=True
    )
    unlisted = [e for e in b.endpoints if not e.configured]
    assert [e.address for e in unlisted] == ["192.0.2.9:5004"]
    assert h.log.kinds()[:2] == [BROADCAST_OUTSIDE_CONFIG, BROADCAST_STARTED]
    outside = h.log.of(BROADCAST_OUTSIDE_CONFIG)[0]
    assert outside["data"]["destinations"] == ["192.0.2.9:5004"]
    assert outside["operator"] == "技术员"
    await _finish(h, b.id)


async def test_a_listed_address_given_explicitly_is_that_speaker_not_unlisted() -> None:
    h = Harness()
    b = h.engine.start(["127.0.0.1:5030"], beep(0.1), operator=OPERATOR)
    [ep] = b.endpoints
    assert ep.configured and ep.codec == "pcma" and ep.zone == "school-gates"
    assert BROADCAST_OUTSIDE_CONFIG not in h.log.kinds()
    await _finish(h, b.id)


async def test_emergency_preempts_a_routine_broadcast_on_shared_speakers() -> None:
    h = Harness()
    routine = h.engine.start(["riverside"], beep(10), operator=OPERATOR, incident="I-1")
    await h.clock.advance(1.0)
    emergency = h.engine.start(
        ["127.0.0.1:5006"], beep(1), priority="emergency", operator="所长", incident="I-2"
    )
    assert [b.id for b in h.engine.active()] == [routine.id, emergency.id]
    old = await _finish(h, routine.id)
    assert old.state == "stopped" and old.reason == f"preempted by {emergency.id}"
    assert h.players[0].ended and len(h.players[0].frames) == 50  # cut at the next frame
    assert h.log.kinds()[:4] == [
        BROADCAST_STARTED,
        BROADCAST_PREEMPTED,
        BROADCAST_STARTED,
        BROADCAST_STOPPED,
    ]
    pre = h.log.of(BROADCAST_PREEMPTED)[0]
    assert pre["data"] == {
        "broadcast": routine.id,
        "by": emergency.id,
        "by_priority": "emergency",
        "priority": "routine",
    }
    assert pre["incident"] == "I-1" and pre["operator"] == "所长"
    stopped = h.log.of(BROADCAST_STOPPED)[0]
    assert stopped["data"]["reason"] == f"preempted by {emergency.id}"
    assert stopped["data"]["stats"]["frames"] == 50
    assert any(isinstance(e, BroadcastPreempted) and e.by == emergency.id for e in h.events)
    new = await _finish(h, emergency.id)
    assert new.state == "finished" and new.priority is Priority.EMERGENCY


async def test_lower_or_equal_priority_on_busy_speakers_is_refused_not_queued() -> None:
    h = Harness()
    urgent = h.engine.start(["school-gates"], beep(5), priority="urgent", operator=OPERATOR)
    for prio in ("routine", "urgent"):
        with pytest.raises(BroadcastRefused, match=f"urgent broadcast {urgent.id}") as info:
            h.engine.start(["127.0.0.1:5032"], beep(1), priority=prio, operator="李警官")
        assert info.value.blocking == urgent.id and "stop broadcast" in info.value.hint
    assert len(h.players) == 1 and h.log.kinds() == [BROADCAST_STARTED]
    # Other speakers are free: a routine broadcast there plays alongside.
    other = h.engine.start(["riverside"], beep(0.2), operator="李警官")
    assert {b.id for b in h.engine.active()} == {urgent.id, other.id}
    # Urgent pre-empts routine too (higher wins, not only emergency).
    h.engine.start(["127.0.0.1:5004"], beep(0.1), priority=Priority.URGENT, operator="李警官")
    assert (await _finish(h, other.id)).reason is not None
    h.engine.stop_all(operator=OPERATOR)
    await h.clock.advance(0.1)
    assert h.engine.active() == []


async def test_stop_ends_the_broadcast_and_logs_who_stopped_it() -> None:
    h = Harness()
    b = h.engine.start(["riverside"], SourceSpec.tone("alarm", seconds=30), operator=OPERATOR)
    await h.clock.advance(0.5)
    h.engine.stop(b.id, operator="王警官")
    end = await _finish(h, b.id)
    assert end.state == "stopped" and end.reason == "stopped by 王警官"
    stopped = h.log.of(BROADCAST_STOPPED)[0]
    assert stopped["data"]["reason"] == "stopped by 王警官"
    assert 20 <= stopped["data"]["stats"]["frames"] <= 27
    assert isinstance(h.events[-1], BroadcastStopped)
    with pytest.raises(UnknownBroadcast):
        h.engine.stop(b.id)


async def test_an_unknown_incident_is_refused_before_any_audio() -> None:
    h = Harness()
    with pytest.raises(ConsoleError, match="no incident"):
        h.engine.start(["riverside"], beep(1), operator=OPERATOR, incident="X-404")
    assert h.players == [] and h.log.records == []


async def test_an_unreadable_wav_names_the_file_and_nothing_is_logged(tmp_path: Any) -> None:
    h = Harness()
    missing = tmp_path / "nope.wav"
    with pytest.raises(SourceError, match=r"nope\.wav"):
        h.engine.start(["riverside"], SourceSpec.wav(str(missing)), operator=OPERATOR)
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"RIFF not really")
    with pytest.raises(SourceError, match=r"garbage\.wav"):
        h.engine.start(["riverside"], SourceSpec.wav(str(garbage)), operator=OPERATOR)
    assert h.log.records == [] and h.players == []


async def test_a_refused_source_does_not_preempt_the_running_broadcast(tmp_path: Any) -> None:
    h = Harness()
    b = h.engine.start(["riverside"], beep(5), operator=OPERATOR)
    with pytest.raises(SourceError):
        h.engine.start(
            ["riverside"],
            SourceSpec.wav(str(tmp_path / "x.wav")),
            priority="emergency",
            operator=OPERATOR,
        )
    assert h.engine.active() == [b] and BROADCAST_PREEMPTED not in h.log.kinds()
    h.engine.stop(b.id)
    await _finish(h, b.id)


async def test_a_sender_failure_mid_way_is_logged_as_failed_with_the_hint() -> None:
    h = Harness(fail_at=10)
    b = h.engine.start(["riverside"], beep(2), operator=OPERATOR)
    end = await _finish(h, b.id)
    assert end.state == "failed" and end.reason == "network down"
    failed = h.log.of(BROADCAST_FAILED)[0]
    assert failed["data"] == {"broadcast": b.id, "error": "network down", "hint": "check the cable"}
    assert isinstance(h.events[-1], BroadcastFailed) and h.events[-1].hint == "check the cable"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
async def test_tts_plays_the_chime_first_by_default() -> None:
    from drivers.audio.tones import chime

    h = Harness()
    b = h.engine.start(
        ["riverside"], SourceSpec.tts("请注意，河边危险，请勿下水。"), operator=OPERATOR
    )
    await _finish(h, b.id, limit=60)
    frames = np.concatenate(h.players[0].frames)
    bell = chime().pcm
    assert np.array_equal(frames[: len(bell)], bell)
    assert len(frames) > len(bell) + 8000  # then at least a second of speech
    started = h.log.of(BROADCAST_STARTED)[0]
    assert started["data"]["source"] == "chime + tts 请注意，河边危险，请勿下水。"


async def test_the_default_sender_uses_the_station_multicast_ttl() -> None:
    from console.broadcast.audio import UdpPlayer
    from console.broadcast.destinations import resolve

    clock = VirtualClock()
    endpoints = resolve(demo_station(), ["riverside"]).endpoints
    for station, ttl in (
        (demo_station(), 1),
        (replace(demo_station(), audio=AudioConfig(multicast_ttl=7)), 7),
    ):
        player = BroadcastEngine(station, clock)._factory(endpoints, clock)
        assert isinstance(player, UdpPlayer) and player.ttl == ttl
        assert len(player.destinations) == 9


async def _finish(h: Harness, broadcast_id: str, limit: float = 60.0) -> Any:
    task = asyncio.ensure_future(h.engine.wait(broadcast_id))
    assert await h.clock.run_until(task.done, limit=limit)
    return task.result()

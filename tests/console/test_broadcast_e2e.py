"""End to end over real UDP on 127.0.0.1: the engine and the production Broadcaster send
to ``fakes.speaker.FakeSpeaker`` receivers standing in for a demo-station zone.

The demo zones' speakers are re-pointed at the fake speakers' free ports (so parallel
test runs never collide); everything else is the demo station as shipped.  Tests wait on
received packets (bounded), never on sleeps.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import numpy as np
import pytest

from console.broadcast import BROADCAST_PREEMPTED, BroadcastEngine, SourceSpec
from console.config import Station, demo_station
from drivers.audio.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from drivers.clock import SystemClock
from fakes.speaker import FakeSpeaker
from tests.factories import StartSpeaker


async def zone_with_fakes(
    start_speaker: StartSpeaker, zone_id: str
) -> tuple[Station, list[FakeSpeaker]]:
    """The demo station with ``zone_id``'s speakers moved to fresh fake speakers."""
    station = demo_station()
    zone = station.zone(zone_id)
    assert zone is not None
    fakes = [await start_speaker(0, timeout=0.3) for _ in zone.speakers]
    moved = replace(
        zone,
        speakers=tuple(replace(s, port=f.port) for s, f in zip(zone.speakers, fakes, strict=True)),
    )
    zones = tuple(moved if z.id == zone_id else z for z in station.zones)
    return replace(station, zones=zones), fakes


def sine(freq: float, seconds: float, amp: float = 12000) -> np.ndarray:
    t = np.arange(int(8000 * seconds)) / 8000
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def peak_hz(pcm: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64) * np.hanning(len(pcm))))
    return float(np.fft.rfftfreq(len(pcm), 1 / 8000)[int(np.argmax(spectrum))])


async def test_a_zone_broadcast_arrives_sample_exact_at_every_speaker(
    start_speaker: StartSpeaker,
) -> None:
    station, fakes = await zone_with_fakes(start_speaker, "riverside")
    engine = BroadcastEngine(station, SystemClock())
    audio = sine(1000, 0.4)
    b = engine.start(["riverside"], SourceSpec.array(audio), operator="值班民警")
    end = await asyncio.wait_for(engine.wait(b.id), 10)
    assert end.state == "finished" and end.stats is not None
    assert end.stats["frames_sent"] == 20 and end.stats["frames_skipped"] == 0
    expected = ulaw_decode(ulaw_encode(audio))
    for fake in fakes:
        assert await fake.wait_for(lambda f=fake: bool(f.broadcasts) and f.broadcasts[0].ended)
        [heard] = fake.broadcasts
        assert heard.kind == "rtp" and heard.codec == "pcmu"
        assert np.array_equal(heard.pcm, expected)
        assert fake.violations == []
        assert peak_hz(heard.pcm) == pytest.approx(1000, abs=10)


async def test_a_mixed_zone_gets_a_law_and_polycom_as_configured(
    start_speaker: StartSpeaker,
) -> None:
    station, fakes = await zone_with_fakes(start_speaker, "school-gates")
    engine = BroadcastEngine(station, SystemClock())
    audio = sine(700, 0.2)
    b = engine.start(["school-gates"], SourceSpec.array(audio), operator="值班民警")
    await asyncio.wait_for(engine.wait(b.id), 10)
    for fake, speaker in zip(fakes, station.zone("school-gates").speakers, strict=True):  # type: ignore[union-attr]
        assert await fake.wait_for(lambda f=fake: bool(f.broadcasts) and f.broadcasts[0].ended)
        [heard] = fake.broadcasts
        assert fake.violations == []
        if speaker.protocol == "polycom":
            assert heard.kind == "polycom" and heard.channel == 26 and heard.ends > 0
            assert np.array_equal(heard.pcm, ulaw_decode(ulaw_encode(audio)))
        else:
            assert heard.codec == "pcma"
            assert np.array_equal(heard.pcm, alaw_decode(alaw_encode(audio)))


async def test_an_emergency_cuts_off_a_routine_broadcast_on_the_wire(
    start_speaker: StartSpeaker,
) -> None:
    station, fakes = await zone_with_fakes(start_speaker, "riverside")
    log: list[str] = []

    class Log:
        def append(self, kind: str, **_: object) -> int:
            log.append(kind)
            return len(log)

    engine = BroadcastEngine(station, SystemClock(), Log())
    routine = engine.start(["riverside"], SourceSpec.tone("alarm", seconds=30), operator="值班民警")
    target = fakes[1]
    assert await target.wait_packets(5)
    address = f"127.0.0.1:{target.port}"
    urgent = engine.start(
        [address], SourceSpec.array(sine(1200, 0.3)), priority="emergency", operator="所长"
    )
    old = await asyncio.wait_for(engine.wait(routine.id), 5)
    assert old.state == "stopped" and old.reason == f"preempted by {urgent.id}"
    await asyncio.wait_for(engine.wait(urgent.id), 5)
    assert await target.wait_for(lambda: len(target.broadcasts) == 2 and target.broadcasts[1].ended)
    first, second = target.broadcasts
    assert first.ident != second.ident  # a new stream (SSRC) for the new broadcast
    assert first.duration < 5 and peak_hz(second.pcm) == pytest.approx(1200, abs=10)
    # The only complaint: a new SSRC while the cut-off stream had not yet timed out.
    # That is what pre-emption is (real receivers restart playback on a new SSRC).
    assert all("SSRC changed" in v for v in target.violations)
    assert all(f.violations == [] for f in fakes if f is not target)
    assert log.count(BROADCAST_PREEMPTED) == 1

"""The bench scenarios against the simulator (always) and real hardware (when named).

``bench`` and ``speaker`` are parametrised: ``sim`` runs in CI and proves the scenario
code; ``hardware`` is marked ``hil`` and runs only with ``--hil-gateway`` /
``--hil-speaker`` (docs/bench.md gives the exact command line)::

    pytest tests/hil --hil-gateway /dev/ttyUSB0 --hil-baud 38400 --hil-dialect sepura \\
        --hil-unit 2001 --hil-group 9001 --hil-speaker 192.168.1.50:5004 --hil-interactive
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from drivers.audio.sender import BroadcastStats, Destination
from fakes.speaker import FakeSpeaker
from tests.hil import hil_scenarios as sc
from tests.hil.hil_bench import Bench, HardwareBench, HilOptions, SimBench, terminal

BENCHES = ["sim", pytest.param("hardware", marks=pytest.mark.hil)]


@pytest.fixture(params=BENCHES)
async def bench(request: pytest.FixtureRequest) -> AsyncIterator[Bench]:
    options = HilOptions.from_config(request.config)
    made: Bench
    if request.param == "sim":
        made = await SimBench.start()
    else:
        if not options.gateway:
            pytest.skip("no --hil-gateway given")
        with terminal(request.config) as say:
            made = await HardwareBench.start(options, say)
    yield made
    await made.close()


class SimSpeaker:
    """The fake loudspeaker: checks every RTP packet and decodes the audio."""

    kind = "sim"

    def __init__(self, speaker: FakeSpeaker) -> None:
        self.speaker = speaker
        self.destination = Destination("127.0.0.1", speaker.port, name="fake speaker")

    async def verify(self, stats: BroadcastStats) -> None:
        sent = stats.destinations[0].packets_sent
        assert await self.speaker.wait_packets(sent, timeout=5.0), "packets lost on loopback"
        assert self.speaker.violations == [] and self.speaker.malformed == []
        [got] = self.speaker.broadcasts
        assert got.kind == "rtp" and len(got.frames) == stats.frames_sent


class RealSpeaker:
    """The loudspeaker on the bench: the PC side is checked; the ear checks the rest."""

    kind = "hardware"

    def __init__(self, host_port: str, say: object, interactive: bool) -> None:
        host, _, port = host_port.rpartition(":")
        self.destination = Destination(host.strip("[]"), int(port), name="bench speaker")
        self.say = say
        self.interactive = interactive

    async def verify(self, stats: BroadcastStats) -> None:
        assert stats.destinations[0].packets_sent == stats.frames_sent
        if self.interactive and callable(self.say):
            self.say(
                f"\n>>> TECHNICIAN: a short 1 kHz beep should have sounded on {self.destination}"
            )


@pytest.fixture(params=BENCHES)
async def speaker(request: pytest.FixtureRequest) -> AsyncIterator[sc.SpeakerBench]:
    options = HilOptions.from_config(request.config)
    if request.param == "sim":
        async with FakeSpeaker() as fake:
            yield SimSpeaker(fake)
        return
    if not options.speaker:
        pytest.skip("no --hil-speaker given")
    with terminal(request.config) as say:
        yield RealSpeaker(options.speaker, say, options.interactive)


async def test_init_identity_and_mode(bench: Bench) -> None:
    await sc.init_identity_and_mode(bench)


async def test_group_call_and_ptt(bench: Bench) -> None:
    await sc.group_call_and_ptt(bench)


async def test_text_out_with_delivery_report(bench: Bench) -> None:
    await sc.text_out_with_delivery_report(bench)


async def test_status_out(bench: Bench) -> None:
    await sc.status_out(bench)


async def test_status_from_the_radio(bench: Bench) -> None:
    await sc.status_in(bench)


async def test_text_from_the_radio(bench: Bench) -> None:
    await sc.text_in(bench)


async def test_page_to_the_test_unit(bench: Bench, tmp_path: Path) -> None:
    await sc.page_through_the_engine(bench, tmp_path)


async def test_short_broadcast_to_the_speaker(speaker: sc.SpeakerBench) -> None:
    await sc.short_broadcast(speaker)

"""A trainer's commands to the simulator: parsed purely, carried out on the SimControl."""

from __future__ import annotations

import pytest

from drivers.clock import VirtualClock
from fakes.sim import SimControl, Simulation
from fakes.trainer import TrainerCommand, TrainerError, apply, parse
from tests.fakes.simhelpers import TE


def test_english_and_chinese_words_mean_the_same_command() -> None:
    assert parse("emergency 2004") == parse("紧急 2004") == TrainerCommand("emergency", 2004)
    assert parse("smoke 2006 3号楼配电间") == TrainerCommand("smoke", 2006, text="3号楼配电间")
    assert parse("状态 2003 0x8003") == TrainerCommand("status", 2003, value=0x8003)
    assert parse("text 2002 收到，已在岗") == TrainerCommand("text", 2002, text="收到，已在岗")
    assert parse("拔线") == TrainerCommand("unplug")
    assert parse("") is None and parse("  # a comment") is None


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("fly 2001", "unknown command 'fly'"),
        ("emergency", "needs the radio's ISSI"),
        ("off two", "the ISSI must be a number"),
        ("status 2001", "status needs a value"),
        ("text 2001", "text needs the words"),
    ],
)
def test_a_wrong_line_says_what_is_wrong_and_how_to_write_it(line: str, says: str) -> None:
    with pytest.raises(TrainerError, match=says) as info:
        parse(line)
    assert "commands:" in str(info.value)


async def test_commands_reach_the_radios_and_the_wire(
    clock: VirtualClock, sim: Simulation, te: TE
) -> None:
    control = SimControl(sim)
    await te.init()
    assert "emergency" in apply(TrainerCommand("emergency", 2001), control)
    await clock.advance(1.0)
    assert b"+CTSDSR" in await te.wait_for(b"+CTSDSR")
    apply(TrainerCommand("off", 2002), control)
    assert not sim.radio(2002).powered
    with pytest.raises(TrainerError, match="switch it on first"):
        apply(TrainerCommand("emergency", 2002), control)
    with pytest.raises(TrainerError, match="no radio 4242"):
        apply(TrainerCommand("away", 4242), control)
    apply(TrainerCommand("away", 2003), control)
    assert not sim.radio(2003).in_range

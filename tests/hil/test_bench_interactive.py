"""The hardware bench's interactive mode, with the simulator playing the technician.

The prompt goes to the terminal; here the "technician" is a callback that reads the prompt
and presses the button on the simulated radio, so the real-time wait of
:class:`HardwareBench` is exercised over a real pty exactly as on the bench.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from pathlib import Path

import pytest

from drivers.clock import SystemClock
from fakes.sim import Simulation, start_simulation
from tests.hil import hil_scenarios as sc
from tests.hil.hil_bench import HardwareBench, HilOptions

UNITS = [{"issi": 2001, "alias": "测试电台", "kind": "school", "behaviour": "never"}]
OPTIONS = HilOptions(
    gateway=None,
    speaker=None,
    baud=None,
    dialect="etsi",
    unit=2001,
    group=None,
    interactive=True,
    timeout=10.0,
)


def technician(sim: Simulation, heard: list[str]) -> object:
    """Does what the prompt asks, on the simulated radio."""

    def say(prompt: str) -> None:
        heard.append(prompt)
        status = re.search(r"send status ([0-9A-F]{4})", prompt)
        if status:
            sim.radio(2001).send_status(int(status.group(1), 16))
        elif "send a text message" in prompt:
            sim.radio(2001).send_text("OK")

    return say


async def test_prompts_and_waits_for_the_radio(tmp_path: Path) -> None:
    heard: list[str] = []
    async with contextlib.AsyncExitStack() as stack:
        sim = await start_simulation(SystemClock(), UNITS, [], gateway_issi=1000)
        stack.push_async_callback(sim.close)
        bench = await HardwareBench.start(
            replace(OPTIONS, gateway=sim.url),
            technician(sim, heard),  # type: ignore[arg-type]
        )
        stack.push_async_callback(bench.close)
        await sc.status_in(bench)
        await sc.text_in(bench)
    assert "send status 8002 from the test radio (ISSI 2001) now" in heard[0]
    assert "waiting up to 10 s" in heard[0]
    assert "send a text message 'OK'" in heard[1]


async def test_without_interactive_the_radio_side_is_skipped_with_the_reason() -> None:
    async with contextlib.AsyncExitStack() as stack:
        sim = await start_simulation(SystemClock(), UNITS, [], gateway_issi=1000)
        stack.push_async_callback(sim.close)
        bench = await HardwareBench.start(
            replace(OPTIONS, gateway=sim.url, interactive=False), lambda _text: None
        )
        stack.push_async_callback(bench.close)
        with pytest.raises(pytest.skip.Exception, match="run with --hil-interactive"):
            await sc.status_in(bench)

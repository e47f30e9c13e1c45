"""The typed control of a running simulation, reached by its sim:// name through pyserial."""

from __future__ import annotations

import contextlib

from drivers.clock import VirtualClock
from fakes.behaviour import Behaviour
from fakes.urlhandler import install, registry
from tests.fakes.simhelpers import OpenSim, OpenTe


async def test_a_registered_simulation_is_opened_and_changed_by_its_name(
    clock: VirtualClock, open_sim: OpenSim, open_te: OpenTe
) -> None:
    sim = await open_sim()
    install()
    with contextlib.ExitStack() as registered:
        registry.register("control-test", sim)
        registered.callback(registry.unregister, "control-test")
        te = open_te("sim://control-test")  # pyserial's serial_for_url: the handler finds the pty
        await te.init()
        control = registry.control("control-test")
        off = Behaviour.switched_off()
        previous = control.script({2001: off, 99999: off})  # unknown radios are skipped
        assert set(previous) == {2001} and not sim.radio(2001).powered
        control.power(2001, True)
        control.reach(2002, False)
        assert sim.radio(2001).powered and not sim.radio(2002).in_range
        control.reach(2002, True)
        control.send_status(2002, 0)  # the emergency key, as a trainer injects it
        await clock.advance(1.0)
        assert b"+CTSDSR" in await te.wait_for(b"\r\n", timeout=5.0) + await te.drain()

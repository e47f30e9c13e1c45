"""A drill's scripted behaviour, handed to the simulated network (``fakes``) by name.

The console must not import the simulator (``console -> drivers <- fakes``), so the
``fakes`` modules are looked up with :func:`importlib.import_module` at run time, the
way ``console.simulator`` does; the drill's script becomes the simulator's per-radio
``Behaviour`` values, and the network runs in the caller's asyncio loop on its clock.
"""

from __future__ import annotations

import dataclasses
import importlib
from types import ModuleType
from typing import Any

from console.config import Station
from console.drills.model import Simulation
from console.errors import SimulatorUnavailable
from console.i18n import Phrase, register
from console.simulator import gateway_issi, station_groups, station_units
from drivers.clock import Clock

BEHAVIOUR_MODULE = "fakes.behaviour"
TRAINER_MODULE = "fakes.trainer"
SIM_MODULE = "fakes.sim"
WORDS = register(
    {
        "drill.not_a_command": ("{command!r} 不是模拟指令", "{command!r} is not a command"),
        "drill.empty_command": ("指令是空的", "empty command"),
    }
)


def _load(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except Exception as exc:  # missing or half-written simulator: a clear error, no traceback
        raise SimulatorUnavailable(f"the simulated network is not available ({exc})") from None


def check_command(command: str) -> str:
    """Why ``command`` is not a trainer's command (``fakes.trainer``), or "" if it is.

    The simulator's own reason is English (``fakes`` cannot know the console's
    vocabulary): it is the English text of the phrase, zh-CN names the command."""
    try:
        trainer = _load(TRAINER_MODULE)
    except SimulatorUnavailable as exc:
        return exc.message
    try:
        parsed = trainer.parse(command)
    except ValueError as exc:  # TrainerError
        return Phrase("drill.not_a_command", str(exc), command=command)
    return "" if parsed is not None else Phrase("drill.empty_command")


def scripted_behaviours(simulation: Simulation | None) -> dict[int, Any]:
    """ISSI -> ``fakes.behaviour.Behaviour`` for every scripted unit (later entries win)."""
    if simulation is None:
        return {}
    mod = _load(BEHAVIOUR_MODULE)
    out: dict[int, Any] = {}
    for script in simulation.units:
        base = mod.named_behaviour(script.behaviour)
        changes: dict[str, Any] = {}
        if script.delivery is not None:
            changes["delivery"] = mod.fixed(script.delivery)
        if script.answer_after is not None:
            changes["answer_delay"] = mod.fixed(script.answer_after)
        ladder = list(base.ladder)
        for index, value in ((1, script.en_route_after), (2, script.on_scene_after)):
            if value is not None and index < len(ladder):
                ladder[index] = dataclasses.replace(ladder[index], delay=mod.fixed(value))
        changes["ladder"] = tuple(ladder)
        behaviour = dataclasses.replace(base, **changes)
        for issi in script.issis:
            out[issi] = behaviour
    return out


async def start_scripted(station: Station, simulation: Simulation | None, clock: Clock) -> Any:
    """Start the station's simulated network with the drill's script in this loop.

    Returns the ``fakes.sim.Simulation`` (``.url`` to connect to, ``await .close()``).
    """
    sim = _load(SIM_MODULE)
    try:
        return await sim.start_simulation(
            clock,
            station_units(station),
            station_groups(station),
            gateway_issi=gateway_issi(station),
            seed=simulation.seed if simulation is not None else 1,
            behaviours=scripted_behaviours(simulation),
        )
    except SimulatorUnavailable:
        raise
    except Exception as exc:
        raise SimulatorUnavailable(
            f"the simulated network did not start: {type(exc).__name__}: {exc}"
        ) from None

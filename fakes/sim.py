"""One call to build a whole simulation (network + gateway + transport) in a running loop.

Used by the plugin, the CLI and driver integration tests::

    clock = VirtualClock()
    sim = await start_simulation(clock, UNITS, GROUPS, gateway_issi=1000)
    clock.settle = sim.transport.settle
    ...  # open sim.url with the production driver
    await sim.close()
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drivers.clock import Clock
from fakes.behaviour import Behaviour, demo_mix, named_behaviour
from fakes.faults import FaultPlan, Faults
from fakes.gateway import GatewayConfig, SimGateway
from fakes.network import NetworkConfig, SimNetwork
from fakes.radio import SimRadio
from fakes.transport import PtyTransport, TcpTransport


def build_network(
    clock: Clock,
    units: Sequence[Mapping[str, Any]],
    groups: Sequence[Mapping[str, Any]],
    *,
    gateway_issi: int,
    seed: int = 1,
    behaviours: Mapping[int, Behaviour] | None = None,
    config: NetworkConfig | None = None,
    log: Callable[[str], None] | None = None,
) -> SimNetwork:
    """A network from the console's unit/group lists.

    A unit may carry ``"behaviour"`` (a preset name: status, text, voice, late, never,
    off); ``behaviours`` overrides by ISSI; everyone else gets the seeded demo mix.
    """
    net = SimNetwork(clock, gateway_issi=gateway_issi, seed=seed, config=config, log=log)
    issis = [int(u["issi"]) for u in units]
    mix = demo_mix(issis, seed)
    for unit in units:
        issi = int(unit["issi"])
        if behaviours and issi in behaviours:
            behaviour = behaviours[issi]
        elif unit.get("behaviour"):
            behaviour = named_behaviour(str(unit["behaviour"]))
        else:
            behaviour = mix[issi]
        net.add_radio(
            issi, str(unit.get("alias", "")), str(unit.get("kind", "")), behaviour=behaviour
        )
    for group in groups:
        net.add_group(
            int(group["gssi"]),
            str(group.get("name", "")),
            [int(m) for m in group.get("members", ())],
        )
    return net


@dataclass
class Simulation:
    """A running simulation: reach everything from here."""

    clock: Clock
    network: SimNetwork
    gateway: SimGateway
    transport: PtyTransport | TcpTransport
    faults: Faults

    @property
    def url(self) -> str:
        return self.transport.url

    def radio(self, issi: int) -> SimRadio:
        return self.network.radio(issi)

    def idle(self) -> bool:
        return self.transport.idle()

    def unplug(self) -> None:
        self.transport.unplug()

    def replug(self) -> None:
        self.transport.replug()

    async def close(self) -> None:
        await self.transport.close()


Change = Callable[[Simulation], Any]


class SimControl:
    """The one typed way to change a running simulation (what a drill scripts, what a
    trainer injects): radios' behaviour, power and range, their own transmissions, and
    the cable.  ``call`` runs a change on the simulation's loop (a background simulator's
    thread); without it the change runs here, for a simulation on the caller's loop."""

    def __init__(self, simulation: Simulation, call: Callable[[Change], Any] | None = None):
        self._sim = simulation
        self._call = call

    def _do(self, change: Change) -> Any:
        return self._call(change) if self._call is not None else change(self._sim)

    @property
    def url(self) -> str:
        return self._sim.url

    def script(self, behaviours: Mapping[int, Behaviour]) -> dict[int, Behaviour]:
        """New behaviours for some radios (unknown ISSIs are skipped); a behaviour's
        ``powered`` / ``in_range`` switch the radio too.  Returns the ones they had."""

        def change(sim: Simulation) -> dict[int, Behaviour]:
            previous: dict[int, Behaviour] = {}
            for issi, behaviour in behaviours.items():
                if issi not in sim.network.radios:
                    continue
                radio = sim.radio(issi)
                previous[issi] = radio.behaviour
                radio.behaviour = behaviour
                radio.powered, radio.in_range = behaviour.powered, behaviour.in_range
            return previous

        result: dict[int, Behaviour] = self._do(change)
        return result

    def power(self, issi: int, on: bool) -> None:
        """Switch radio ``issi`` on or off."""
        net = self._sim.network
        self._do(lambda sim: net.switch_on(issi) if on else net.switch_off(issi))

    def reach(self, issi: int, in_range: bool) -> None:
        """Take radio ``issi`` out of range of the network, or bring it back."""
        self._do(lambda sim: sim.network.set_in_range(issi, in_range))

    def send_status(self, issi: int, value: int) -> None:
        """Radio ``issi`` sends status ``value`` (0: the emergency key)."""
        self._do(lambda sim: sim.radio(issi).send_status(value))

    def send_text(self, issi: int, text: str) -> None:
        """Radio ``issi`` sends ``text`` to the console (a smoke detector's alarm text...)."""
        self._do(lambda sim: sim.radio(issi).send_text(text))

    def unplug(self) -> None:
        """Pull the gateway's cable (the console sees the port vanish)."""
        self._do(lambda sim: sim.unplug())

    def replug(self) -> None:
        self._do(lambda sim: sim.replug())


async def start_simulation(
    clock: Clock,
    units: Sequence[Mapping[str, Any]] = (),
    groups: Sequence[Mapping[str, Any]] = (),
    *,
    gateway_issi: int,
    seed: int = 1,
    network: SimNetwork | None = None,
    tcp_port: int | None = None,
    baud: int | None = None,
    pace_input: bool = True,
    faults: FaultPlan | None = None,
    gateway_config: GatewayConfig | None = None,
    network_config: NetworkConfig | None = None,
    behaviours: Mapping[int, Behaviour] | None = None,
    log: Callable[[str], None] | None = None,
    link_dir: str | None = None,
) -> Simulation:
    """Build and start everything in the running loop (pty unless ``tcp_port`` given)."""
    net = network or build_network(
        clock,
        units,
        groups,
        gateway_issi=gateway_issi,
        seed=seed,
        behaviours=behaviours,
        config=network_config,
        log=log,
    )
    live_faults = Faults(faults, seed=seed)
    gateway = SimGateway(net, clock, config=gateway_config, faults=live_faults)
    transport: PtyTransport | TcpTransport
    if tcp_port is not None:
        transport = TcpTransport(gateway, clock, port=tcp_port, baud=baud, pace_input=pace_input)
    else:
        transport = PtyTransport(
            gateway, clock, baud=baud, pace_input=pace_input, link_dir=link_dir
        )
    await transport.start()
    return Simulation(clock, net, gateway, transport, live_faults)

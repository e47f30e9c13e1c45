"""Optional background traffic so the demo console has something to show.

Random chatter on talkgroups (a member keys up for a few seconds) and periodic LIP
reports (reason 129, maximum reporting interval), each on its own seeded schedule.  Off
by default in tests; the plugin's ``background_traffic=True`` turns it on.
"""

from __future__ import annotations

import random

from drivers.clock import TimerHandle
from fakes.network import SimNetwork


class BackgroundTraffic:
    def __init__(
        self,
        network: SimNetwork,
        *,
        seed: int = 1,
        chatter_every: tuple[float, float] = (20.0, 60.0),
        lip_every: tuple[float, float] = (30.0, 90.0),
    ) -> None:
        self.network = network
        self.rng = random.Random(f"traffic:{seed}")
        self.chatter_every = chatter_every
        self.lip_every = lip_every
        self._timers: list[TimerHandle] = []
        self.running = False

    def start(self) -> None:
        self.running = True
        self._schedule(self.chatter_every, self._chatter)
        self._schedule(self.lip_every, self._lip)

    def stop(self) -> None:
        self.running = False
        for t in self._timers:
            t.cancel()
        self._timers.clear()

    def _schedule(self, every: tuple[float, float], fn: object) -> None:
        assert callable(fn)
        delay = self.rng.uniform(*every)
        self._timers = self._timers[-4:]
        self._timers.append(self.network.clock.call_later(delay, fn))

    def _on_radios(self) -> list[int]:
        return [r.issi for r in self.network.radios.values() if r.reachable]

    def _chatter(self) -> None:
        if not self.running:
            return
        net = self.network
        candidates = [(issi, gssi) for issi in self._on_radios() for gssi in net.radio(issi).groups]
        if candidates:
            issi, gssi = self.rng.choice(candidates)
            if net.calls.find(gssi) is None:
                net.radio(issi).key_up(gssi, self.rng.uniform(2.0, 6.0))
        self._schedule(self.chatter_every, self._chatter)

    def _lip(self) -> None:
        if not self.running:
            return
        radios = self._on_radios()
        if radios:
            radio = self.network.radio(self.rng.choice(radios))
            lat, lon = radio.position
            lat += self.rng.uniform(-0.002, 0.002)
            lon += self.rng.uniform(-0.002, 0.002)
            radio.send_location(lat, lon, reason=129)
        self._schedule(self.lip_every, self._lip)

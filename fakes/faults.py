"""Fault injection: what a real serial line and a real radio do to a driver.

:class:`FaultPlan` is the standing configuration (frozen; swap it at run time with
``faults.plan = replace(faults.plan, ...)``).  :class:`Faults` holds the plan, the
seeded RNG used for random faults, and one-shot faults queued by tests
(``inject_before_final``, ``drop_next``, ``interject_next_sds``).

Where each fault acts:

* line level (the gateway's output): dropped lines, garbage between lines, a URC between
  a command's response line(s) and its final result, a URC between a ``+CTSDSR`` header
  and its hex line, slow responses (per-command latency), ``+CMGS: n,5,mr`` failures;
* byte level (the transport): start-up garbage on every (re)connection, output split into
  chunks of any size (1 = one byte per write) with a gap between chunks.

The cable itself is pulled/put back on the transport (``unplug()``/``replug()``).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

# What real radios print for line noise received before/at open (reference §2).
STARTUP_CME35 = b"\r\n+CME ERROR: 35\r\n\n\n+CME ERROR: 35\r\n\n"
_NOISE = b"\x00\xff\x7f~#?\x1b\x08\xfe@"


@dataclass(frozen=True)
class FaultPlan:
    """Standing faults; the default plan is a perfect line."""

    startup_garbage: bytes = b""
    garbage_rate: float = 0.0  # probability of noise bytes before each output line
    drop_rate: float = 0.0  # probability of dropping an output line (never echo)
    chunk_min: int | None = None  # split output into writes of chunk_min..chunk_max bytes
    chunk_max: int | None = None
    chunk_gap: float = 0.0  # clock seconds between chunks (lets a reader see the split)
    command_latency: float = 0.0  # seconds before every command's response
    latency_by_command: Mapping[str, float] = field(default_factory=dict)  # "+CMGS": 3.0
    urc_before_final: str | None = None  # always put this URC before each final result
    sds_interject: str | None = None  # always put this URC between +CTSDSR and its hex
    cmgs_fail_rate: float = 0.0  # probability that an SDS reports "+CMGS: n,5,mr"


class Faults:
    """The live fault state of one simulated gateway and its transport."""

    def __init__(self, plan: FaultPlan | None = None, *, seed: int = 1) -> None:
        self.plan = plan or FaultPlan()
        self.rng = random.Random(f"faults:{seed}")
        self._before_final: deque[str] = deque()
        self._sds_interject: deque[str] = deque()
        self._drop: list[str] = []
        self._fail_sends = 0
        self.dropped: list[str] = []

    # -- one-shot faults for tests -------------------------------------------------------
    def inject_before_final(self, urc: str) -> None:
        """Put ``urc`` between the next command's response line(s) and its final result."""
        self._before_final.append(urc)

    def interject_next_sds(self, urc: str) -> None:
        """Put ``urc`` between the next ``+CTSDSR`` header and its hex line."""
        self._sds_interject.append(urc)

    def drop_next(self, prefix: str) -> None:
        """Drop the next output line starting with ``prefix`` (e.g. ``"+CMGS: 0,"``)."""
        self._drop.append(prefix)

    def fail_next_sends(self, count: int = 1) -> None:
        """The next ``count`` SDS report ``+CMGS: n,5,mr`` (failed over the air)."""
        self._fail_sends += count

    # -- queries used by the gateway and the transport ------------------------------------
    def take_before_final(self) -> list[str]:
        out = list(self._before_final)
        self._before_final.clear()
        if self.plan.urc_before_final:
            out.append(self.plan.urc_before_final)
        return out

    def take_sds_interject(self) -> str | None:
        if self._sds_interject:
            return self._sds_interject.popleft()
        return self.plan.sds_interject

    def should_drop(self, line: str) -> bool:
        for i, prefix in enumerate(self._drop):
            if line.startswith(prefix):
                del self._drop[i]
                self.dropped.append(line)
                return True
        if self.plan.drop_rate and self.rng.random() < self.plan.drop_rate:
            self.dropped.append(line)
            return True
        return False

    def noise(self) -> bytes:
        """Noise bytes to put before an output line (empty most of the time)."""
        if self.plan.garbage_rate and self.rng.random() < self.plan.garbage_rate:
            n = self.rng.randint(1, 6)
            return bytes(self.rng.choice(_NOISE) for _ in range(n))
        return b""

    def send_fails(self) -> bool:
        if self._fail_sends:
            self._fail_sends -= 1
            return True
        return bool(self.plan.cmgs_fail_rate) and self.rng.random() < self.plan.cmgs_fail_rate

    def latency(self, names: list[str]) -> float:
        """Response latency for a command line holding the commands ``names``."""
        extra = max((self.plan.latency_by_command.get(n, 0.0) for n in names), default=0.0)
        return self.plan.command_latency + extra

    def chunk_size(self) -> int | None:
        lo, hi = self.plan.chunk_min, self.plan.chunk_max
        if lo is None and hi is None:
            return None
        lo = max(1, lo or hi or 1)
        hi = max(lo, hi or lo)
        return lo if lo == hi else self.rng.randint(lo, hi)

"""The injected time source (design §5: "Time is injected").

The log stamps every event with two times: the wall clock (what a report prints; can jump
when NTP corrects it) and the monotonic clock (what latencies and the 1/3/5 minute targets
are measured with; never jumps).  Tests pass a virtual clock so nothing sleeps.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything with ``monotonic()`` and ``time()`` (unix seconds, UTC)."""

    def monotonic(self) -> float: ...

    def time(self) -> float: ...


class SystemClock:
    """The real clock: ``time.monotonic`` and ``time.time``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

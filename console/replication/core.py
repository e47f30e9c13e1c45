"""What the shipper does next, without any I/O: the sans-I/O core of replication.

The shell (``shipper.py``) tells the core what it saw -- connected and the centre's last
seq for this station, the local log's newest id, a batch committed, a failure -- and asks
it what to do: ship the events after seq N (at most ``batch`` of them), wait, or retry
after a back-off.  Keeping these decisions here makes them testable with plain numbers
(no database, no clock) and keeps the rule "resume from what the *centre* has, never from
what we believe we sent" in one place: after any failure the core forgets the remote
position and the shell must ask the centre again before shipping.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

MAX_BACKOFF_S: Final = 30.0


@dataclass(frozen=True)
class ShipAfter:
    """Ship the log's events with id > ``after``, at most ``limit`` of them."""

    after: int
    limit: int


@dataclass(frozen=True)
class Wait:
    """Nothing to do for up to ``seconds`` (a commit may wake the shell earlier)."""

    seconds: float


@dataclass(frozen=True)
class Reconnect:
    """Not connected (or the remote position is unknown): connect and ask the centre."""


Action = ShipAfter | Wait | Reconnect


@dataclass(frozen=True)
class ReplicationStatus:
    """What the status bar and ``dutydesk doctor`` show about shipping."""

    station: str
    connected: bool
    last_shipped_seq: int | None
    """The centre's newest seq for this station (None: not known yet)."""
    backlog: int
    """Events in the station log the centre does not have (as far as known)."""
    lag_s: float
    """Age of the oldest event not yet shipped (0 when nothing waits)."""
    last_error: str | None = None
    failures: int = 0
    """Consecutive failed attempts (resets on success)."""

    def summary(self) -> str:
        """One short line: ``centre ok, backlog 0`` / ``centre down 12 s: ...``."""
        if self.connected:
            head = "centre ok"
        else:
            head = "centre unreachable" if self.failures else "centre: connecting"
        text = f"{head}, shipped up to #{self.last_shipped_seq or 0}, backlog {self.backlog}"
        if self.backlog:
            text += f", lag {self.lag_s:.1f} s"
        if self.last_error and not self.connected:
            text += f" ({self.last_error})"
        return text


class ShipperCore:
    """The decisions of one station's shipper (not thread-safe: the shell's thread)."""

    def __init__(
        self,
        station: str,
        *,
        batch: int = 500,
        interval_s: float = 1.0,
        max_backoff_s: float = MAX_BACKOFF_S,
        rng: random.Random | None = None,
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be >= 1")
        self.station = station
        self.batch = batch
        self.interval_s = interval_s
        self.max_backoff_s = max_backoff_s
        self._rng = rng or random.Random()
        self.connected = False
        self.remote_seq: int | None = None
        """The centre's position as last confirmed on this connection; None = ask again."""
        self.confirmed_seq: int | None = None
        """The last position the centre confirmed, kept across failures (for the status)."""
        self.local_seq = 0
        self.oldest_unshipped_wall: float | None = None
        self.failures = 0
        self.last_error: str | None = None

    # -- what the shell saw -------------------------------------------------------------

    def on_connected(self, remote_seq: int) -> None:
        """Connected, and the centre's newest seq for this station is ``remote_seq``."""
        self.connected = True
        self.remote_seq = remote_seq
        self.confirmed_seq = remote_seq

    def on_local(self, local_seq: int, oldest_unshipped_wall: float | None) -> None:
        """The station log's newest committed id, and the wall time of the first event
        after the remote position (None when there is none)."""
        self.local_seq = max(self.local_seq, local_seq)  # a commit may have been announced
        self.oldest_unshipped_wall = oldest_unshipped_wall

    def on_committed(self, local_seq: int) -> None:
        """The station log committed up to ``local_seq`` (from its commit listener)."""
        self.local_seq = max(self.local_seq, local_seq)

    def on_shipped(self, last_seq: int, next_wall: float | None = None) -> None:
        """A batch up to ``last_seq`` is committed at the centre."""
        if self.remote_seq is not None and last_seq < self.remote_seq:
            raise ValueError(f"shipped {last_seq} after {self.remote_seq}: out of order")
        self.remote_seq = self.confirmed_seq = last_seq
        self.oldest_unshipped_wall = next_wall
        self.failures = 0
        self.last_error = None

    def on_failure(self, error: str) -> float:
        """Something failed (connect, query, insert): forget the remote position (a COMMIT
        may or may not have landed) and return the seconds to wait before retrying."""
        self.connected = False
        self.remote_seq = None
        self.failures += 1
        self.last_error = error
        return self.backoff()

    def backoff(self) -> float:
        """Exponential from ``interval_s`` up to ``max_backoff_s``, with jitter so that
        fifty stations do not all reconnect in the same second after a centre restart."""
        if self.failures == 0:
            return 0.0
        base = min(self.max_backoff_s, self.interval_s * 2.0 ** (self.failures - 1))
        return base * (0.5 + self._rng.random() / 2)

    # -- what to do -----------------------------------------------------------------------

    def next_action(self) -> Action:
        if not self.connected or self.remote_seq is None:
            return Reconnect()
        if self.local_seq > self.remote_seq:
            return ShipAfter(self.remote_seq, self.batch)
        return Wait(self.interval_s)

    def status(self, now: float) -> ReplicationStatus:
        """A snapshot for the UI; ``now`` is wall-clock seconds (lag is measured in it).
        While disconnected it shows the last seq the centre confirmed."""
        shipped = self.confirmed_seq
        backlog = max(0, self.local_seq - (shipped or 0))
        lag = 0.0
        if backlog and self.oldest_unshipped_wall is not None:
            lag = max(0.0, now - self.oldest_unshipped_wall)
        return ReplicationStatus(
            station=self.station,
            connected=self.connected,
            last_shipped_seq=shipped,
            backlog=backlog,
            lag_s=lag,
            last_error=self.last_error,
            failures=self.failures,
        )

"""Each loudspeaker's own outcome of a broadcast, from the driver's per-destination stats.

Why: one "finished" for the whole broadcast hid the speaker that got nothing (a host that
does not resolve, a network that is unreachable).  The log already holds each speaker's
packets and send errors (``broadcast.finished`` ``stats.destinations``); this reads them
back into one line per speaker and a verdict.  RTP over UDP has no receipt, so "sent" is
the most that can be said of a speaker that took every packet -- never "heard".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SpeakerResult:
    """One loudspeaker: how many packets went out and how many sends failed."""

    name: str
    address: str
    packets: int
    errors: int
    error: str | None = None

    @property
    def failed(self) -> bool:
        """Any send failed, or nothing went out: that speaker did not get the broadcast."""
        return self.errors > 0 or self.packets == 0

    def line(self) -> str:
        """``✓ 1号点 江滨公园码头 (10.0.0.1:5004): 250 packets sent`` (or ✗ and why)."""
        who = f"{self.name} ({self.address})" if self.name else self.address
        if not self.failed:
            return f"✓ {who}: {self.packets} packets sent"
        why = f" ({self.error})" if self.error else ""
        return f"✗ {who}: FAILED, {self.packets} packets sent, {self.errors} send errors{why}"


def speaker_results(stats: Mapping[str, Any] | None) -> tuple[SpeakerResult, ...]:
    """The per-speaker results in a broadcast's logged ``stats`` (empty without them)."""
    out: list[SpeakerResult] = []
    for entry in (stats or {}).get("destinations") or ():
        if not isinstance(entry, Mapping):
            continue
        dest = entry.get("destination")
        dest = dest if isinstance(dest, Mapping) else {}
        host, port = str(dest.get("host", "?")), dest.get("port", "?")
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        error = entry.get("last_error")
        out.append(
            SpeakerResult(
                name=str(dest.get("name") or ""),
                address=address,
                packets=int(entry.get("packets_sent") or 0),
                errors=int(entry.get("errors") or 0),
                error=str(error) if error else None,
            )
        )
    return tuple(out)


def summary_line(broadcast_id: str, results: Sequence[SpeakerResult]) -> str:
    """``broadcast B-1: 8 of 9 speakers sent, 1 failed``."""
    failed = sum(r.failed for r in results)
    sent = len(results) - failed
    tail = f", {failed} failed" if failed else ""
    return f"broadcast {broadcast_id}: {sent} of {len(results)} speaker(s) sent{tail}"

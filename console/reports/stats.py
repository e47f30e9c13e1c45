"""Percentiles and histograms, defined so a person can check them by hand.

Nearest-rank percentiles (the p-th percentile of n sorted values is the value at rank
ceil(p/100 * n)) always name a real observation, unlike interpolating methods, so a
report's "p90 = 41.3 s" is some unit's actual time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from console.i18n import Phrase
from console.reports.model import Bin, DeadlineStats

PERCENTILES: tuple[int, ...] = (50, 90, 95, 100)


def nearest_rank(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile of ``values`` (non-empty) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def histogram(times: Sequence[float], target: float, never: int) -> tuple[Bin, ...]:
    """Four bars up to the target (quarters), one for late, one for never."""
    edges = [0.0, target / 4, target / 2, 3 * target / 4, target]
    bins: list[Bin] = []
    for i in range(4):
        lo, hi = edges[i], edges[i + 1]
        n = sum(1 for t in times if (lo < t <= hi) or (i == 0 and t == 0))
        bins.append(Bin(Phrase("report.bin.range", lo=lo, hi=hi), lo, hi, n))
    late = sum(1 for t in times if t > target)
    bins.append(Bin(Phrase("report.bin.late", target=target), target, None, late))
    bins.append(Bin(Phrase("report.bin.never"), target, None, never))
    return tuple(bins)


def deadline_stats(rung: str, target: float, times: Sequence[float | None]) -> DeadlineStats:
    """Distribution of ``times`` (one per unit; ``None`` = never reached) for one target."""
    reached = [t for t in times if t is not None]
    never = len(times) - len(reached)
    return DeadlineStats(
        rung=rung,
        deadline_s=target,
        total=len(times),
        in_time=sum(1 for t in reached if t <= target),
        late=sum(1 for t in reached if t > target),
        never=never,
        percentiles=tuple((p, nearest_rank(reached, p)) for p in PERCENTILES) if reached else (),
        histogram=histogram(reached, target, never),
    )

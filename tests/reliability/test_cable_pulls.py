"""Cable pulled and put back at seeded random moments during a 46-unit page and a drill.

Each run pulls the cable several times (some outages are short, some long, some pulls
land while the previous re-init is still running, some between an ``AT+CMGS`` and its
answer).  The properties come from the simulator's own records (see
``reliability_harness``): no answer the MT wrote to the TE while the link was up is
missing from the ladder or the log, and no unit received two different message
references.  ``--soak`` runs ten times as many seeds.
"""

from __future__ import annotations

from pathlib import Path

from tests.reliability.reliability_harness import (
    CI_DRILL_PULLS,
    CI_DRILL_RUNS,
    CI_PAGE_PULLS,
    CI_PAGE_RUNS,
    CI_REBOOT_RUNS,
    CI_REBOOTS,
    ISSIS,
    SOAK_FACTOR,
    Outcome,
    cable_pulls_during_drill,
    cable_pulls_during_page,
    gather_runs,
    reboots_during_page,
)


def _assert_clean(outcomes: list[Outcome], seeds: range) -> Outcome:
    total = Outcome()
    for seed, out in zip(seeds, outcomes, strict=True):
        assert out.answers_lost == [], f"seed {seed}: answers lost {out.answers_lost}"
        assert out.duplicate_pages == [], f"seed {seed}: paged twice {out.duplicate_pages}"
        assert out.unpaged == [], f"seed {seed}: never paged {out.unpaged}"
        # the truth at the radios: every answer each radio sent, by its own rung
        assert out.truth.lost == [], f"seed {seed}: lost at the radios {out.truth.lost}"
        assert out.truth.presented_twice == [], f"seed {seed}: {out.truth.presented_twice}"
        total.add(out)
    return total


async def test_cable_pulls_during_a_46_unit_page(tmp_path: Path, soak: bool) -> None:
    seeds = range(1, 1 + CI_PAGE_RUNS * (SOAK_FACTOR if soak else 1))
    outcomes = await gather_runs(
        lambda s: cable_pulls_during_page(tmp_path / f"page-{s}.db", s, CI_PAGE_PULLS),
        seeds,
        concurrency=10,
    )
    total = _assert_clean(outcomes, seeds)
    assert total.faults == len(seeds) * CI_PAGE_PULLS
    # The suite is only meaningful if it really checked answers and hit the ambiguous case
    # (a CMGS written, the cable pulled before its answer) at least once.
    assert total.answers_checked > len(seeds) * len(ISSIS)
    assert total.retries_same_ref > 0
    assert total.truth.sent > len(seeds) * len(ISSIS)
    assert total.truth.recovered > 0  # some answers fell in an outage and came back


async def test_cable_pulls_during_a_drill(tmp_path: Path, soak: bool) -> None:
    seeds = range(101, 101 + CI_DRILL_RUNS * (SOAK_FACTOR if soak else 1))
    results = await gather_runs(
        lambda s: cable_pulls_during_drill(tmp_path / f"drill-{s}.db", s, CI_DRILL_PULLS),
        seeds,
        concurrency=10,
    )
    total = _assert_clean([o for o, _ in results], seeds)
    # the drill ran to its end (not interrupted) despite the pulls
    assert {outcome for _, outcome in results} <= {"passed", "failed"}
    assert total.answers_checked > len(seeds) * 40


async def test_silent_gateway_reboots_during_a_46_unit_page(tmp_path: Path, soak: bool) -> None:
    """The gateway restarts with no cable event; counted at the radios, nothing is lost."""
    seeds = range(201, 201 + CI_REBOOT_RUNS * (SOAK_FACTOR if soak else 1))
    outcomes = await gather_runs(
        lambda s: reboots_during_page(tmp_path / f"boot-{s}.db", s, CI_REBOOTS),
        seeds,
        concurrency=5,
    )
    total = _assert_clean(outcomes, seeds)
    assert total.faults == len(seeds) * CI_REBOOTS
    assert total.truth.sent > len(seeds) * len(ISSIS)
    assert total.truth.recovered > 0

"""PostgreSQL stopped in the middle of a 46-unit drill (issue 11, must show).

The drill runs through the station's composition root (:class:`~console.runtime.Runtime`,
which registers the shipper because the station file has ``[replication] url``) against
the simulated network, on virtual time.  Mid-drill the real cluster is stopped
(``pg_ctl stop -m fast``); the drill goes on while it is down, and the shipper is left to
fail and back off a few times; then the cluster comes back.  Judged afterwards:

* paging is unaffected: the drill's whole ladder (every rung of every responder, at its
  time after the page) and its verdict are those of the same drill with replication off;
* the shipper's backlog drains by itself after the restart;
* the centre holds every event of the station's log exactly once: seq by seq against the
  SQLite log, no gap, no duplicate, no row that is not the log's.

The 60-s outage in real time is the benchmark's (``benchmarks/bench_replication_outage.py``);
here the cluster is down for as long as the shipper needs to notice and retry (~1 s).
Virtual time pins down *what* paging does (every rung, every second); it cannot show a
real-time stall, since the clock stands still while the loop is blocked.  That is for
the benchmark (real time, ladder latency against a run without replication) and for
``test_outages.py`` (append-to-commit times while the centre is down).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from console.drills import load_drill_text
from console.drills.runner import DrillRun
from console.drills.simulated import scripted_behaviours
from console.replication import ReplicationService, ReplicationStatus
from console.reports.model import Report
from drivers.link import LinkState
from tests.replication.conftest import Central
from tests.replication.drill_outage import (
    Ladder,
    centre_events,
    compare,
    demo_46,
    drill_text,
    log_events,
    read_ladder,
)
from tests.tui.harness import make_runtime

SPREAD_S = 60.0
"""Answers arrive from 1 s to 61 s after the page (virtual)."""
STOP_AT_S = 15.0
"""Virtual seconds after the page at which the centre is stopped ..."""
DOWN_FOR_S = 25.0
"""... and how many virtual seconds of the drill run while it is down."""


async def until(predicate: Callable[[], bool], what: str, deadline_s: float = 60.0) -> None:
    """Real time, bounded: poll ``predicate`` while the loop (and the shipper's thread)
    get on with their work; fail naming ``what`` at the deadline."""
    end = time.monotonic() + deadline_s
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline_s} s waiting for {what}")
        await asyncio.sleep(0.02)


@dataclass
class DrillResult:
    report: Report
    ladder: Ladder
    down: ReplicationStatus | None = None
    """The shipper's status just before the centre came back (None: no outage)."""
    shipped_before_stop: int = 0


async def run_drill(folder: Path, central: Central | None, *, outage: bool) -> DrillResult:
    """The 46-unit drill on virtual time; with ``central``, shipped as station ``a``, and
    with ``outage``, the cluster stopped from ``STOP_AT_S`` for ``DOWN_FOR_S``."""
    station = demo_46(central.url("a") if central else None, interval_s=0.05)
    drill = load_drill_text(drill_text(station, SPREAD_S), station, "outage.toml")
    folder.mkdir()
    runtime, clock, _ = make_runtime(
        folder, station=station, behaviours=scripted_behaviours(drill.simulation)
    )
    db = Path(runtime.log.path)
    service = runtime.services.get("replication")
    assert (service is not None) == (central is not None)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(runtime.close)
        await runtime.start()
        up = await clock.run_until(lambda: runtime.link.state is LinkState.UP, limit=30, step=0.5)
        assert up, "the link to the simulated network did not come up"
        run = DrillRun(runtime.paging, drill, drill_id="D1", simulated=True)
        task = asyncio.ensure_future(run.run())
        down: ReplicationStatus | None = None
        shipped = 0
        if outage:
            assert isinstance(service, ReplicationService) and central is not None
            await clock.run_until(task.done, limit=STOP_AT_S, step=0.5)
            await until(lambda: service.status().backlog == 0, "the first answers shipped")
            shipped = service.status().last_shipped_seq or 0
            await asyncio.to_thread(central.pg.stop, "fast")
            await clock.run_until(task.done, limit=DOWN_FOR_S, step=0.5)
            assert not task.done(), "the drill ended before the centre came back"

            def retried() -> bool:
                s = service.status()
                return not s.connected and s.failures >= 3

            await until(retried, "the shipper to fail and retry")
            down = service.status()
            await asyncio.to_thread(central.pg.start)
        await clock.run_until(task.done, limit=300, step=0.5)
        assert task.done(), "the drill did not finish in 300 s of virtual time"
        page = run.page_id
        assert page is not None
        if isinstance(service, ReplicationService):
            log = runtime.log

            def drained() -> bool:
                s = service.status()
                return s.connected and s.backlog == 0 and s.last_shipped_seq == log.committed_id

            await until(drained, "the backlog to drain after the restart", deadline_s=90)
        return DrillResult(task.result(), read_ladder(db, page), down, shipped)


async def test_centre_stopped_mid_drill_paging_unaffected_every_event_once(
    central: Central, tmp_path: Path
) -> None:
    plain = await run_drill(tmp_path / "plain", None, outage=False)
    shipped = await run_drill(tmp_path / "shipped", central, outage=True)
    db = tmp_path / "shipped" / "events.db"

    # The outage really was in the middle of the drill: answers before, during and after.
    acks = sorted(shipped.ladder.acknowledged().values())
    assert len(acks) == 46
    before = [a for a in acks if a < STOP_AT_S]
    during = [a for a in acks if STOP_AT_S <= a < STOP_AT_S + DOWN_FOR_S]
    assert before and during and len(before) + len(during) < 46, acks
    down = shipped.down
    assert down is not None and not down.connected and down.last_error
    assert down.backlog > 0 and down.last_shipped_seq == shipped.shipped_before_stop

    # Paging unaffected: the same ladder, rung for rung and second for second, and verdict.
    assert shipped.ladder.rungs == plain.ladder.rungs
    assert shipped.report.outcome == plain.report.outcome == "passed"
    assert shipped.report.reasons == plain.report.reasons

    # Every event exactly once: the centre's rows are the log's, seq by seq.
    with central.admin() as conn:
        rows = centre_events(conn)
        (dupes,) = conn.execute(
            "SELECT count(*) FROM (SELECT seq FROM events WHERE station = 'a' "
            "GROUP BY seq HAVING count(*) > 1) d"
        ).fetchone() or (None,)
    upto = max(seq for seq, _ in rows)
    check = compare(log_events(db, upto), rows)
    assert check.ok, check.line()
    assert [seq for seq, _ in rows] == list(range(1, upto + 1))
    assert dupes == 0
    assert upto > shipped.shipped_before_stop + down.backlog - 1

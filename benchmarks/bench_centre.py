"""Benchmark: the centre's queries over a synthetic city-sized ``events`` table (issue 11).

A throw-away PostgreSQL (``tests/replication/pgcluster.py``) gets the real central schema
(``migrate``: all migrations, indexes included) and ``--events`` rows for ``--stations``
stations over the last ``--days`` days, generated server-side by one ``INSERT ... SELECT
generate_series`` (faster on this box than streaming COPY from Python; the rows are the
same).  The secondary indexes and the NOTIFY trigger are dropped for the load and put
back after it (timed), then ``ANALYZE``.

The mix of one station's traffic repeats every 100 events (a page cycle, ~22 min at the
default size): one ``page.created``, 35 ``ladder.*`` rungs (7 responders x queued,
accepted, sent, delivered, acknowledged; one responder in 7 never answers), an incident
opened, its initial state, closed for 97 of 100 incidents, an alarm in 1 cycle of 10
(acknowledged but for 1 in 100), the page closed, a roll call every 50 cycles, a drill
every 500, and 55 ``wire.*`` events.  Acknowledgement times spread over 5..400 s, skewed
to the fast end (p50 ~104 s).

Timed, each ``--runs`` times after one warm-up (median [min..max]):

* the centre screen's snapshot, as ``CentreSource.snapshot`` runs it: health, open
  incidents, pages in flight (24 h horizon), unacknowledged alarms, unit kinds, timeline;
  and each of its queries alone;
* the city report (its queries and its figures, as ``dutydesk report`` computes them
  before rendering) over the last day and over the whole period.

Run: .venv/bin/python benchmarks/bench_centre.py [--events 10000000] [--stations 50]
     [--days 30] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from console.centre import queries
from console.centre.connect import connect
from console.centre.report import ACK_LIMITS_S, city_report
from console.centre.source import CentreSource
from console.replication import add_centre_reader, add_station, migrate
from tests.replication.pgcluster import create_cluster

INDEXES = ("events_ts", "events_kind_ts", "events_page", "events_ladder", "events_incident")

LOAD = """
INSERT INTO events (station, seq, ts, mono, kind, incident, page, unit, data, received)
SELECT st.station, g.i,
       t.base + make_interval(secs => t.off), g.i * %(step)s + t.off, k.kind,
       CASE WHEN k.pos BETWEEN 36 AND 40 THEN 'I' || g.i / 100 END,
       CASE WHEN k.pos <= 35 OR k.pos = 41 THEN 'P' || g.i / 100 END,
       CASE WHEN k.pos BETWEEN 1 AND 35 THEN (2000 + (k.pos - 1) %% 7)::text
            WHEN k.pos > 44 THEN (2000 + g.i %% 46)::text END,
       CASE WHEN k.kind = 'page.created' THEN
                 '{"text":"XX路发生交通事故，附近队员立即前往","responders":[2000,2001,2002,2003,2004,2005,2006]}'::jsonb
            WHEN k.kind LIKE 'ladder.%%' THEN '{"source":"sds","attempt":1}'::jsonb
            WHEN k.kind = 'incident.opened' THEN '{"kind":"adhoc","title":"交通事故"}'::jsonb
            WHEN k.pos = 37 THEN '{"state":"raised","initial":true}'::jsonb
            WHEN k.pos = 38 THEN '{"state":"closed","from":"raised"}'::jsonb
            WHEN k.kind LIKE 'alarm.%%' THEN '{"alarm":"A1","text":"烟感报警"}'::jsonb
            WHEN k.kind = 'operator.action' THEN '{"action":"close_page"}'::jsonb
            WHEN k.kind = 'rollcall.closed' THEN
                 '{"rollcall":"R","counts":{"present":40,"late":3,"absent":2,"unreachable":1}}'::jsonb
            WHEN k.kind = 'drill.started' THEN
                 jsonb_build_object('drill', 'D' || g.i, 'participants',
                     '[{"issi":2000,"kind":"school"},{"issi":2001,"kind":"bank"}]'::jsonb)
            WHEN k.kind = 'drill.finished' THEN
                 jsonb_build_object('drill', 'D' || (g.i - 1), 'outcome', 'passed')
            ELSE '{"raw":"+CTSDSR: 12,2001,0,1000,0,64"}'::jsonb END,
       t.base + make_interval(secs => t.off + 0.03)
  FROM stations st
 CROSS JOIN generate_series(1, %(per_station)s) AS g(i)
 CROSS JOIN LATERAL (SELECT g.i %% 100 AS pos) p
 CROSS JOIN LATERAL (SELECT p.pos,
       CASE WHEN p.pos = 0 THEN 'page.created'
            WHEN p.pos <= 35 THEN 'ladder.' || (ARRAY['queued','accepted','sent','delivered',
                 'acknowledged'])[(p.pos - 1) / 7 + 1]
            WHEN p.pos = 36 THEN 'incident.opened'
            WHEN p.pos IN (37, 38) AND NOT (p.pos = 38 AND (g.i / 100) %% 100 < 3)
                 THEN 'incident.state'
            WHEN p.pos = 39 AND (g.i / 100) %% 10 = 0 THEN 'alarm.raised'
            WHEN p.pos = 40 AND (g.i / 100) %% 10 = 0 AND (g.i / 100) %% 1000 <> 0
                 THEN 'alarm.acknowledged'
            WHEN p.pos = 41 THEN 'operator.action'
            WHEN p.pos = 42 AND (g.i / 100) %% 50 = 0 THEN 'rollcall.closed'
            WHEN p.pos = 43 AND (g.i / 100) %% 500 = 0 THEN 'drill.started'
            WHEN p.pos = 44 AND (g.i / 100) %% 500 = 0 THEN 'drill.finished'
            ELSE 'wire.sds_in' END AS kind) k
 CROSS JOIN LATERAL (SELECT
       %(start)s::timestamptz + make_interval(secs => (g.i / 100) * 100 * %(step)s) AS base,
       CASE WHEN k.pos BETWEEN 29 AND 35 AND (k.pos - 29) = (g.i / 100) %% 7 THEN NULL
            WHEN k.pos BETWEEN 29 AND 35 THEN 5 + power((g.i * 7919) %% 396, 2) / 396
            WHEN k.pos BETWEEN 1 AND 28 THEN ((k.pos - 1) / 7) * 0.4
            ELSE k.pos * %(step)s END AS off) t0
 CROSS JOIN LATERAL (SELECT t0.base, coalesce(t0.off, 0.0)::float8 AS off) t
 WHERE NOT (k.pos BETWEEN 29 AND 35 AND t0.off IS NULL)
"""


def report(conn: Any, since: float, until: float) -> Any:
    """What ``dutydesk report`` does before rendering: the queries and the figures."""
    return city_report(since, until, queries.report_inputs(conn, since, until))


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    fn()  # warm-up: the first run reads from disk into the cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples), max(samples)


def fmt(label: str, t: tuple[float, float, float]) -> str:
    med, lo, hi = (x * 1000 for x in t)
    return f"{label:<44} {med:9.1f} ms  [{lo:.1f} .. {hi:.1f}]"


def load(admin: psycopg.Connection[Any], events: int, stations: int, days: float) -> int:
    for i in range(stations):
        add_station(admin, f"s{i:03d}", f"st_s{i:03d}", create_role=False)
    add_centre_reader(admin, "dutydesk_city")
    per_station = events // stations
    step = days * 86400 / per_station
    start = time.time() - days * 86400
    for name in INDEXES:
        admin.execute(f"DROP INDEX {name}")
    admin.execute("ALTER TABLE events DISABLE TRIGGER events_notify")
    t0 = time.perf_counter()
    admin.execute(
        LOAD.encode(),
        {
            "per_station": per_station,
            "step": step,
            "start": time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(start)),
        },
    )
    rows = int(admin.execute("SELECT count(*) FROM events").fetchone()[0])  # type: ignore[index]
    t1 = time.perf_counter()
    print(f"loaded {rows:,} rows in {t1 - t0:.1f} s ({rows / (t1 - t0):,.0f} rows/s)", flush=True)
    admin.execute("SET maintenance_work_mem = '512MB'")
    for name, sql in (
        ("events_ts", "CREATE INDEX events_ts ON events (ts)"),
        ("events_kind_ts", "CREATE INDEX events_kind_ts ON events (kind, ts)"),
        (
            "events_page",
            "CREATE INDEX events_page ON events (station, page, seq) WHERE page IS NOT NULL",
        ),
        (
            "events_ladder",
            "CREATE INDEX events_ladder ON events (station, page, unit) INCLUDE (kind, ts, mono) "
            "WHERE kind >= 'ladder.' AND kind < 'ladder/' AND unit IS NOT NULL",
        ),
        (
            "events_incident",
            "CREATE INDEX events_incident ON events (station, incident, seq) "
            "WHERE incident IS NOT NULL",
        ),
    ):
        t = time.perf_counter()
        admin.execute(sql)
        print(f"  index {name}: {time.perf_counter() - t:.1f} s", flush=True)
    admin.execute("ALTER TABLE events ENABLE TRIGGER events_notify")
    t = time.perf_counter()
    admin.execute("VACUUM ANALYZE events")
    print(f"  vacuum analyze: {time.perf_counter() - t:.1f} s", flush=True)
    size = admin.execute("SELECT pg_size_pretty(pg_total_relation_size('events'))").fetchone()
    print(f"  table + indexes: {size[0] if size else '?'}", flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--keep", action="store_true", help="leave the cluster running (prints its URL)"
    )
    args = parser.parse_args()
    pg = create_cluster()
    try:
        with psycopg.connect(pg.dsn(), autocommit=True) as admin:
            migrate(admin)
            load(admin, args.events, args.stations, args.days)
        url = pg.dsn("dutydesk_city")
        source = CentreSource(url)
        now = time.time()
        with connect(url) as conn:  # the commands' session: read-only, no JIT
            day = (now - 86400, now)
            whole = (now - args.days * 86400 - 3600, now + 60)
            checks: list[tuple[str, Callable[[], Any]]] = [
                ("centre snapshot (all of the below)", source.snapshot),
                ("  health (last event per station)", lambda: queries.health(conn)),
                ("  open incidents", lambda: queries.open_incidents(conn)),
                ("  pages in flight (24 h horizon)", lambda: queries.ladders(conn, now - 86400)),
                ("  unacknowledged alarms", lambda: queries.unacked_alarms(conn)),
                ("  unit kinds", lambda: queries.unit_kinds(conn)),
                ("  timeline, last hour, 500 rows", lambda: queries.timeline(conn, now - 3600)),
                (
                    "timeline, one station, last hour",
                    lambda: queries.timeline(conn, now - 3600, stations=["s007"]),
                ),
                ("city report, last 24 h", lambda: report(conn, *day)),
                (f"city report, {args.days:g} days", lambda: report(conn, *whole)),
            ]
            print(f"\n{args.runs} runs each after a warm-up: median [min .. max]")
            for label, fn in checks:
                print(fmt(label, timed(fn, args.runs)), flush=True)
            total = report(conn, *whole).total
            shares = " / ".join(f"{(total.share(x) or 0) * 100:.1f}%" for x in ACK_LIMITS_S)
            print(
                f"\nsanity, the whole period: {total.pages:,} pages, {total.responders:,} "
                f"responders, acknowledged within 1/3/5 min {shares}, p50 {total.p50_s} s, "
                f"p90 {total.p90_s} s; incidents {total.incidents_opened:,}, closed "
                f"{(total.closure_rate or 0) * 100:.1f}%; {total.rollcalls} roll calls, "
                f"{total.drills} drills"
            )
        source.close()
    finally:
        if args.keep:
            print(f"cluster kept: {pg.dsn()} (data in {pg.datadir})")
        else:
            pg.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())

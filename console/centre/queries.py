"""The centre's SQL, in one place, and thin functions that run it.

Each function takes an open connection (``connect.connect``: read-only) and returns plain
values for the pure modules (``report``, ``overview``); none of them decides anything.
Kinds are matched as ranges (``kind >= 'ladder.' AND kind < 'ladder/'`` is the ladder
family) so that the indexes of migration 2 (``events_page``, ``events_incident``) and of
migration 1 (``events_kind_ts``) serve them; ``benchmarks/bench_centre.py`` times them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from .overview import Health, LadderRow, OpenIncident, TimelineRow, UnackedAlarm
from .report import ResponderRow, StationInputs, ack_seconds

STATIONS: Final = "SELECT station FROM stations ORDER BY station"

# -- the report -----------------------------------------------------------------------

RESPONDERS: Final = """
WITH pages AS (
    SELECT station, page FROM events
     WHERE kind = 'page.created' AND ts >= %(since)s AND ts < %(until)s
)
SELECT l.station, l.page, l.unit,
       extract(epoch FROM min(l.ts))::float8 AS t0_wall,
       min(l.mono) AS t0_mono,
       extract(epoch FROM min(l.ts) FILTER (WHERE l.kind = 'ladder.acknowledged'))::float8,
       min(l.mono) FILTER (WHERE l.kind = 'ladder.acknowledged')
  FROM pages p
  JOIN events l ON l.station = p.station AND l.page = p.page
 WHERE l.kind >= 'ladder.' AND l.kind < 'ladder/' AND l.unit IS NOT NULL
 GROUP BY l.station, l.page, l.unit
"""

PAGES: Final = """
SELECT station, count(*) FROM events
 WHERE kind = 'page.created' AND ts >= %(since)s AND ts < %(until)s
 GROUP BY station
"""

ROLLCALLS: Final = """
SELECT station, coalesce(data->'counts', '{}'::jsonb) FROM events
 WHERE kind = 'rollcall.closed' AND ts >= %(since)s AND ts < %(until)s
"""

DRILLS: Final = """
SELECT s.station,
       (SELECT f.data->>'outcome' FROM events f
         WHERE f.station = s.station AND f.kind = 'drill.finished'
           AND f.data->>'drill' = s.data->>'drill' AND f.ts < %(until)s
         ORDER BY f.seq LIMIT 1)
  FROM events s
 WHERE s.kind = 'drill.started' AND s.ts >= %(since)s AND s.ts < %(until)s
"""

INCIDENTS: Final = """
SELECT o.station,
       (SELECT s.data->>'state' FROM events s
         WHERE s.station = o.station AND s.incident = o.incident
           AND s.kind = 'incident.state' AND s.ts < %(until)s
         ORDER BY s.seq DESC LIMIT 1)
  FROM events o
 WHERE o.kind = 'incident.opened' AND o.incident IS NOT NULL
   AND o.ts >= %(since)s AND o.ts < %(until)s
"""


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def report_inputs(conn: Any, since: float, until: float) -> list[StationInputs]:
    """Every station's inputs for the city report of ``[since, until)``."""
    period = {"since": _at(since), "until": _at(until)}
    names = [str(r[0]) for r in conn.execute(STATIONS).fetchall()]
    acks: dict[str, list[float | None]] = defaultdict(list)
    for row in conn.execute(RESPONDERS, period).fetchall():
        acks[row[0]].append(ack_seconds(ResponderRow(*row)))
    pages = {str(r[0]): int(r[1]) for r in conn.execute(PAGES, period).fetchall()}
    rollcalls: dict[str, list[dict[str, int]]] = defaultdict(list)
    for station, counts in conn.execute(ROLLCALLS, period).fetchall():
        rollcalls[station].append({str(k): int(v) for k, v in dict(counts).items()})
    drills: dict[str, list[str | None]] = defaultdict(list)
    for station, outcome in conn.execute(DRILLS, period).fetchall():
        drills[station].append(outcome)
    incidents: dict[str, list[str | None]] = defaultdict(list)
    for station, state in conn.execute(INCIDENTS, period).fetchall():
        incidents[station].append(state)
    return [
        StationInputs(
            station=name,
            pages=pages.get(name, 0),
            ack_times=tuple(acks.get(name, ())),
            rollcall_counts=tuple(rollcalls.get(name, ())),
            drill_outcomes=tuple(drills.get(name, ())),
            incident_states=tuple(incidents.get(name, ())),
        )
        for name in names
    ]


# -- the overview (the centre screen) -------------------------------------------------

HEALTH: Final = """
SELECT s.station, e.seq, extract(epoch FROM e.ts)::float8,
       extract(epoch FROM e.received)::float8
  FROM stations s
  LEFT JOIN LATERAL (
        SELECT seq, ts, received FROM events x
         WHERE x.station = s.station ORDER BY seq DESC LIMIT 1) e ON true
 ORDER BY s.station
"""

OPEN_INCIDENTS: Final = """
SELECT station, incident, state, extract(epoch FROM ts)::float8 FROM incident_latest
 WHERE state NOT IN ('closed', 'assessed')
"""

UNACKED_ALARMS: Final = """
SELECT r.station, r.data->>'alarm', r.incident, r.unit, extract(epoch FROM r.ts)::float8,
       coalesce(r.data->>'text', '')
  FROM events r
 WHERE r.kind = 'alarm.raised'
   AND NOT EXISTS (
        SELECT 1 FROM events a
         WHERE a.station = r.station AND a.incident = r.incident
           AND a.kind IN ('alarm.acknowledged', 'alarm.cleared')
           AND a.data->>'alarm' = r.data->>'alarm')
 ORDER BY r.ts
"""

LADDERS: Final = """
WITH open_pages AS (
    SELECT c.station, c.page, c.incident, extract(epoch FROM c.ts)::float8 AS wall,
           coalesce(c.data->>'text', '') AS text
      FROM events c
     WHERE c.kind = 'page.created' AND c.page IS NOT NULL AND c.ts >= %(horizon)s
       AND NOT EXISTS (
            SELECT 1 FROM events x
             WHERE x.station = c.station AND x.page = c.page AND x.kind = 'operator.action'
               AND x.data->>'action' = 'close_page')
)
SELECT p.station, p.page, p.incident, p.wall, p.text, l.unit,
       array_agg(DISTINCT substr(l.kind, 8)),
       (array_agg(substr(l.kind, 8) ORDER BY l.seq DESC))[1]
  FROM open_pages p
  JOIN events l ON l.station = p.station AND l.page = p.page
 WHERE l.kind >= 'ladder.' AND l.kind < 'ladder/' AND l.unit IS NOT NULL
 GROUP BY p.station, p.page, p.incident, p.wall, p.text, l.unit
"""

UNIT_KINDS: Final = """
SELECT DISTINCT ON (station, issi) station, issi, kind FROM (
    SELECT e.station, e.seq, m->>'issi' AS issi, m->>'kind' AS kind
      FROM events e,
           jsonb_array_elements(coalesce(e.data->'participants', e.data->'members', '[]')) m
     WHERE e.kind IN ('drill.started', 'rollcall.started')) d
 WHERE issi IS NOT NULL AND kind IS NOT NULL
 ORDER BY station, issi, seq DESC
"""

TIMELINE: Final = """
SELECT station, seq, extract(epoch FROM ts)::float8, kind, unit, incident, page, data::text
  FROM events
 WHERE ts >= %(since)s
   AND NOT (kind >= 'wire.' AND kind < 'wire/') AND NOT (kind >= 'log.' AND kind < 'log/')
   AND (%(stations)s::text[] IS NULL OR station = ANY(%(stations)s::text[]))
   AND (%(units)s::text[] IS NULL OR station || ':' || unit = ANY(%(units)s::text[]))
 ORDER BY ts DESC, station, seq DESC
 LIMIT %(limit)s
"""


def health(conn: Any) -> list[Health]:
    return [Health(str(r[0]), r[1], r[2], r[3]) for r in conn.execute(HEALTH).fetchall()]


def open_incidents(conn: Any) -> list[OpenIncident]:
    return [OpenIncident(*r) for r in conn.execute(OPEN_INCIDENTS).fetchall()]


def unacked_alarms(conn: Any) -> list[UnackedAlarm]:
    return [UnackedAlarm(*r) for r in conn.execute(UNACKED_ALARMS).fetchall()]


def ladders(conn: Any, horizon: float) -> list[LadderRow]:
    rows = conn.execute(LADDERS, {"horizon": _at(horizon)}).fetchall()
    return [LadderRow(r[0], r[1], r[2], r[3], r[4], r[5], frozenset(r[6]), r[7]) for r in rows]


def unit_kinds(conn: Any) -> dict[tuple[str, str], str]:
    """(station, ISSI) -> unit kind, as the stations' drills and roll calls named them."""
    return {(str(r[0]), str(r[1])): str(r[2]) for r in conn.execute(UNIT_KINDS).fetchall()}


def timeline(
    conn: Any,
    since: float,
    *,
    stations: Sequence[str] | None = None,
    units: Sequence[tuple[str, str]] | None = None,
    limit: int = 500,
) -> list[TimelineRow]:
    """The newest events of the city (wire and log bookkeeping left out), newest first."""
    params = {
        "since": _at(since),
        "stations": list(stations) if stations is not None else None,
        "units": [f"{s}:{u}" for s, u in units] if units is not None else None,
        "limit": limit,
    }
    return [TimelineRow(*r) for r in conn.execute(TIMELINE, params).fetchall()]

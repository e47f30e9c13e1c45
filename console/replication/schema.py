"""The central PostgreSQL schema: versioned migrations, the roles, and station mapping.

Why this shape:

* ``events`` mirrors the station log one-to-one, keyed by ``(station, seq)`` where ``seq``
  is the station log's own id.  That key is what makes shipping idempotent: a batch sent
  twice (after a lost COMMIT reply, or a shipper killed and restarted) inserts nothing the
  second time (``ON CONFLICT DO NOTHING``), and "what to ship next" is one index lookup.
* ``received`` (server time of the insert) next to ``ts`` (station time of the event) is
  the replication lag, measurable by the centre without trusting any station's status.
* Roles: ``dutydesk_station`` (group) may INSERT and SELECT only rows whose ``station`` the
  ``stations`` table maps to the *connecting* role (row-level security); ``dutydesk_centre``
  may only SELECT.  A station's credentials therefore cannot forge or read another
  station's record.  The migrating role owns the tables (and is not bound by RLS).
* Migrations are an ordered list of SQL steps; ``schema_version`` holds one row per step
  applied.  All pending steps run in one transaction under an advisory lock, so two
  administrators (or fifty test stations) migrating at once cannot interleave, and a
  failure leaves the previous version intact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .errors import SchemaError

if TYPE_CHECKING:
    import psycopg

STATION_GROUP: Final = "dutydesk_station"
CENTRE_GROUP: Final = "dutydesk_centre"
_LOCK_KEY: Final = 0x4444_534B_0011  # "DDSK", issue 11
NOTIFY_CHANNEL: Final = "dutydesk_events"
"""Every insert into ``events`` notifies this channel with the station as payload."""


@dataclass(frozen=True)
class Step:
    """One migration: its number, why it exists, and its statements (run in order)."""

    version: int
    description: str
    sql: tuple[str, ...]


_OWN = "station IN (SELECT s.station FROM stations s WHERE s.role = current_user)"


def _create_group(name: str) -> str:
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') "
        f"THEN CREATE ROLE {name} NOLOGIN; END IF; END $$"
    )


MIGRATIONS: Final[tuple[Step, ...]] = (
    Step(
        1,
        "stations, events (one row per station log event), roles and row-level security",
        (
            _create_group(STATION_GROUP),
            _create_group(CENTRE_GROUP),
            """CREATE TABLE stations (
                station text PRIMARY KEY CHECK (length(station) BETWEEN 1 AND 64),
                role    name NOT NULL UNIQUE,
                added   timestamptz NOT NULL DEFAULT now()
            )""",
            """CREATE TABLE events (
                station  text NOT NULL REFERENCES stations(station),
                seq      bigint NOT NULL CHECK (seq > 0),  -- the station log's id
                ts       timestamptz NOT NULL,             -- station wall clock
                mono     double precision NOT NULL,
                kind     text NOT NULL,
                incident text,
                page     text,
                unit     text,
                grp      text,
                operator text,
                data     jsonb NOT NULL DEFAULT '{}',
                received timestamptz NOT NULL DEFAULT now(),  -- centre clock, for lag
                PRIMARY KEY (station, seq)
            )""",
            "CREATE INDEX events_ts ON events (ts)",
            "CREATE INDEX events_kind_ts ON events (kind, ts)",
            "ALTER TABLE events ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY station_inserts_own ON events FOR INSERT TO {STATION_GROUP} "
            f"WITH CHECK ({_OWN})",
            f"CREATE POLICY station_reads_own ON events FOR SELECT TO {STATION_GROUP} "
            f"USING ({_OWN})",
            f"CREATE POLICY centre_reads_all ON events FOR SELECT TO {CENTRE_GROUP} USING (true)",
            f"GRANT SELECT, INSERT ON events TO {STATION_GROUP}",
            f"GRANT SELECT ON stations, schema_version TO {STATION_GROUP}",
            f"GRANT SELECT ON events, stations, schema_version TO {CENTRE_GROUP}",
        ),
    ),
    Step(
        2,
        "centre: NOTIFY on insert (channel dutydesk_events, payload the station), the "
        "indexes of the centre's overview and report, incident_latest kept by a trigger",
        (
            # Per row, but PostgreSQL folds identical notifications of one transaction into
            # one: a shipped batch of 500 events wakes each listener once, per station.
            f"""CREATE OR REPLACE FUNCTION dutydesk_notify_event() RETURNS trigger
               LANGUAGE plpgsql AS $$
               BEGIN
                   PERFORM pg_notify('{NOTIFY_CHANNEL}', NEW.station);
                   RETURN NULL;
               END $$""",
            "CREATE TRIGGER events_notify AFTER INSERT ON events "
            "FOR EACH ROW EXECUTE FUNCTION dutydesk_notify_event()",
            # A page's events (overview: is it closed; its ladder).
            "CREATE INDEX events_page ON events (station, page, seq) WHERE page IS NOT NULL",
            # Every responder's ladder, in (station, page, unit) order and covering what
            # the report reads: its month over 10 M events is an index-only scan without
            # a sort (3.6 s instead of 8.3 s in bench_centre.py).
            "CREATE INDEX events_ladder ON events (station, page, unit) INCLUDE (kind, ts, mono) "
            "WHERE kind >= 'ladder.' AND kind < 'ladder/' AND unit IS NOT NULL",
            # An incident's latest state, an alarm's acknowledgement.
            "CREATE INDEX events_incident ON events (station, incident, seq) "
            "WHERE incident IS NOT NULL",
            # Each incident's latest state, kept by a trigger in the inserting transaction:
            # "which incidents are open" is then a look at a small table, not a scan of
            # every incident.state ever shipped (~0.4 s at 10 M events).  Exact and
            # idempotent: a row only moves forward in seq.  SECURITY DEFINER because the
            # inserting station role may not write it; only the centre reads it.
            """CREATE TABLE incident_latest (
                station  text NOT NULL,
                incident text NOT NULL,
                seq      bigint NOT NULL,
                state    text NOT NULL,
                ts       timestamptz NOT NULL,
                PRIMARY KEY (station, incident)
            )""",
            "CREATE INDEX incident_latest_open ON incident_latest (station) "
            "WHERE state NOT IN ('closed', 'assessed')",
            """CREATE OR REPLACE FUNCTION dutydesk_track_incident() RETURNS trigger
               LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
               BEGIN
                   INSERT INTO incident_latest AS l (station, incident, seq, state, ts)
                   VALUES (NEW.station, NEW.incident, NEW.seq, NEW.data->>'state', NEW.ts)
                   ON CONFLICT (station, incident) DO UPDATE
                      SET seq = EXCLUDED.seq, state = EXCLUDED.state, ts = EXCLUDED.ts
                    WHERE l.seq < EXCLUDED.seq;
                   RETURN NULL;
               END $$""",
            "REVOKE ALL ON FUNCTION dutydesk_track_incident() FROM PUBLIC",
            "CREATE TRIGGER events_incident_latest AFTER INSERT ON events FOR EACH ROW "
            "WHEN (NEW.kind = 'incident.state' AND NEW.incident IS NOT NULL "
            "AND NEW.data ? 'state') EXECUTE FUNCTION dutydesk_track_incident()",
            """INSERT INTO incident_latest (station, incident, seq, state, ts)
               SELECT DISTINCT ON (station, incident) station, incident, seq,
                      data->>'state', ts
                 FROM events
                WHERE kind = 'incident.state' AND incident IS NOT NULL AND data ? 'state'
                ORDER BY station, incident, seq DESC""",
            f"GRANT SELECT ON incident_latest TO {CENTRE_GROUP}",
        ),
    ),
)
LATEST_VERSION: Final = MIGRATIONS[-1].version

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_version (
    version     integer PRIMARY KEY,
    description text NOT NULL,
    applied     timestamptz NOT NULL DEFAULT now()
)"""


def current_version(conn: psycopg.Connection[Any]) -> int:
    """The central schema's version (0 when dutydesk's tables are not there)."""
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: psycopg.Connection[Any], *, target: int = LATEST_VERSION) -> int:
    """Apply pending steps up to ``target`` in one transaction; returns the old version.

    Run by the centre's administrator (a role that may create tables and roles), not by
    stations: a station role can only insert events.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(_VERSION_TABLE)
        before = current_version(conn)
        if before > LATEST_VERSION:
            raise SchemaError(
                f"the central schema is version {before}; this dutydesk knows up to "
                f"{LATEST_VERSION}",
                hint="Upgrade dutydesk on this machine; the schema was not changed.",
            )
        for step in MIGRATIONS[before:target]:
            for sql in step.sql:
                conn.execute(sql.encode())  # bytes: no %-placeholder parsing of DDL
            conn.execute(
                "INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                (step.version, step.description),
            )
    return before


def require_version(conn: psycopg.Connection[Any]) -> None:
    """Refuse to ship into a schema this build does not know (missing, older, newer)."""
    version = current_version(conn)
    if version != LATEST_VERSION:
        raise SchemaError(
            f"the centre's schema is version {version}; this dutydesk ships to version "
            f"{LATEST_VERSION}"
        )


def add_station(
    conn: psycopg.Connection[Any],
    station: str,
    role: str,
    *,
    password: str | None = None,
    create_role: bool = True,
) -> None:
    """Map ``role`` to ``station`` (creating a LOGIN role in the station group)."""
    from psycopg import sql

    with conn.transaction():
        if create_role:
            stmt = sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                sql.Identifier(role), sql.Identifier(STATION_GROUP)
            )
            if password is not None:
                stmt = stmt + sql.SQL(" PASSWORD {}").format(sql.Literal(password))
            conn.execute(stmt)
        conn.execute("INSERT INTO stations (station, role) VALUES (%s, %s)", (station, role))


def add_centre_reader(
    conn: psycopg.Connection[Any], role: str, *, password: str | None = None
) -> None:
    """A LOGIN role for the centre's screens and reports: SELECT only."""
    from psycopg import sql

    stmt = sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
        sql.Identifier(role), sql.Identifier(CENTRE_GROUP)
    )
    if password is not None:
        stmt = stmt + sql.SQL(" PASSWORD {}").format(sql.Literal(password))
    with conn.transaction():
        conn.execute(stmt)

"""Schema of the event log, versioned with ``PRAGMA user_version`` and ordered migrations.

Why this shape:

* One append-only ``events`` table is the record (design §4: "reports and the screen are
  views of it").  Incidents, pages and roll calls are *views* over it, so there is no second
  copy that could disagree with the record, and nothing is ever updated in place.
* Append-only is enforced by the database, not by convention: triggers ``RAISE(ABORT)`` on
  any UPDATE or DELETE of ``events``, whoever the client is (the ``sqlite3`` shell included).
* ``PRAGMA application_id`` marks the file as a dutydesk log so that opening some other
  SQLite file fails clearly instead of being "migrated".
* Migrations are an ordered list; ``user_version`` is the number applied.  All pending
  migrations run in one transaction, so a crash mid-upgrade leaves the old version intact.
  A file newer than this build is refused (never downgraded).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Final

from console.i18n import Phrase

from .errors import LogCorrupt, LogSchemaError

APPLICATION_ID: Final = 0x4444_534B  # "DDSK"

Migration = Callable[[sqlite3.Connection], None]


def _run(conn: sqlite3.Connection, statements: Sequence[str]) -> None:
    # Not executescript(): it COMMITs first, which would break the one-transaction upgrade.
    for sql in statements:
        conn.execute(sql)


def _v1_events(conn: sqlite3.Connection) -> None:
    """The record itself and the append-only guard."""
    _run(
        conn,
        [
            """CREATE TABLE events (
                id       INTEGER PRIMARY KEY,   -- append order; assigned by the writer
                wall     REAL NOT NULL,         -- unix seconds UTC (float, µs precision)
                mono     REAL NOT NULL,         -- the injected clock's monotonic seconds
                kind     TEXT NOT NULL,         -- e.g. 'ladder.delivered'
                incident TEXT,
                page     TEXT,
                unit     TEXT,                  -- ISSI as text
                grp      TEXT,                  -- GSSI or console-side group name
                operator TEXT,                  -- the officer who acted, if any
                data     TEXT NOT NULL DEFAULT '{}'  -- JSON object
            )""",
            """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
               BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused'); END""",
            """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
               BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is refused'); END""",
        ],
    )


def _v2_indexes(conn: sqlite3.Connection) -> None:
    """Indexes for the UI/report queries.  Partial indexes skip the many wire events that
    carry no incident/unit/page, so they cost nothing on the hot path for those."""
    _run(
        conn,
        [
            "CREATE INDEX events_wall ON events(wall)",
            "CREATE INDEX events_kind ON events(kind, id)",
            "CREATE INDEX events_incident ON events(incident, id) WHERE incident IS NOT NULL",
            "CREATE INDEX events_unit ON events(unit, id) WHERE unit IS NOT NULL",
            "CREATE INDEX events_page ON events(page, unit, id) WHERE page IS NOT NULL",
        ],
    )


# 'ladder.' <= kind < 'ladder/' is "kind LIKE 'ladder.%'" in a form that uses events_kind.
_LADDER = "kind >= 'ladder.' AND kind < 'ladder/'"


def _v3_views(conn: sqlite3.Connection) -> None:
    """Derived views: incidents, acknowledgement ladders, roll-call answers."""
    _run(
        conn,
        [
            """CREATE VIEW incident_summary AS
               SELECT e.incident AS incident,
                      MIN(e.wall) AS first_wall,
                      MAX(e.wall) AS last_wall,
                      COUNT(*)    AS events,
                      (SELECT json_extract(s.data, '$.state') FROM events s
                        WHERE s.incident = e.incident AND s.kind = 'incident.state'
                        ORDER BY s.id DESC LIMIT 1) AS state
                 FROM events e
                WHERE e.incident IS NOT NULL
                GROUP BY e.incident""",
            f"""CREATE VIEW ladder_rungs AS
               SELECT id, wall, mono, page, unit, grp, incident, operator,
                      substr(kind, 8) AS rung, data
                 FROM events WHERE {_LADDER}""",
            """CREATE VIEW page_responders AS
               SELECT r.page AS page, r.unit AS unit,
                      COUNT(*) AS rungs,
                      MIN(r.wall) AS first_wall,
                      MAX(r.wall) AS last_wall,
                      (SELECT substr(l.kind, 8) FROM events l
                        WHERE l.page = r.page AND l.unit = r.unit
                          AND l.kind >= 'ladder.' AND l.kind < 'ladder/'
                        ORDER BY l.id DESC LIMIT 1) AS last_rung,
                      MIN(CASE WHEN r.kind = 'ladder.delivered' THEN r.wall END) AS delivered_wall,
                      MIN(CASE WHEN r.kind = 'ladder.acknowledged' THEN r.wall END)
                          AS acknowledged_wall,
                      MIN(CASE WHEN r.kind = 'ladder.on_scene' THEN r.wall END) AS on_scene_wall
                 FROM events r
                WHERE r.page IS NOT NULL AND r.unit IS NOT NULL
                  AND r.kind >= 'ladder.' AND r.kind < 'ladder/'
                GROUP BY r.page, r.unit""",
            """CREATE VIEW rollcall_answers AS
               SELECT id, wall, json_extract(data, '$.rollcall') AS rollcall,
                      unit, grp, json_extract(data, '$.status') AS status, operator
                 FROM events WHERE kind = 'rollcall.answer'""",
        ],
    )


MIGRATIONS: Final[tuple[Migration, ...]] = (_v1_events, _v2_indexes, _v3_views)
LATEST_VERSION: Final = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the file (0 for a new, empty file)."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def check_version(conn: sqlite3.Connection, path: str, *, writable: bool) -> int:
    """Refuse files that are not dutydesk logs or are newer than this build.

    Returns the file's version.  A read-only opener also refuses an *older* version,
    because it cannot migrate and the views/columns it expects may be missing.
    """
    version = user_version(conn)
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    if app_id not in (0, APPLICATION_ID):
        raise LogCorrupt(Phrase("log.err.not_dutydesk", path=path))
    if version == 0:
        has_tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
        if has_tables:
            raise LogCorrupt(Phrase("log.err.not_dutydesk", path=path))
    if version > LATEST_VERSION:
        raise LogSchemaError(
            Phrase("log.err.newer", path=path, version=version, latest=LATEST_VERSION),
            hint=Phrase("log.hint.newer"),
        )
    if not writable and version < LATEST_VERSION:
        raise LogSchemaError(
            Phrase("log.err.older_read_only", path=path, version=version, latest=LATEST_VERSION),
            hint=Phrase("log.hint.older_read_only"),
        )
    return version


def migrate(conn: sqlite3.Connection, path: str, *, target: int = LATEST_VERSION) -> int:
    """Apply pending migrations up to ``target`` in one IMMEDIATE transaction.

    ``conn`` must be in autocommit mode (``isolation_level=None``).  Returns the version
    the file had before.  ``target`` below latest exists for tests that build old files.
    """
    if not 0 <= target <= LATEST_VERSION:
        raise ValueError(f"target must be 0..{LATEST_VERSION}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = check_version(conn, path, writable=True)
        for version in range(before + 1, target + 1):
            MIGRATIONS[version - 1](conn)
        if target > before:
            conn.execute(f"PRAGMA user_version = {int(target)}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before

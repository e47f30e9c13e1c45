"""The centre stopped in the middle of a 46-unit drill: the parts the test and the
benchmark share (issue 11, "PostgreSQL stopped for 60 s in the middle of a 46-unit drill").

Why shared: the test (virtual time, a few seconds of real outage) and
``benchmarks/bench_replication_outage.py`` (real time, a real 60-s stop) must run the same
drill and judge it by the same definitions, or the benchmark's "unaffected" would be about
a different drill than the one the test pins down:

* the drill is the demo station's 46 emergency units (its five unit-kind groups), every
  radio scripted to acknowledge at its own time, spread over ``spread_s`` seconds, so
  answers keep arriving before, during and after the outage;
* the ladder is read back from the station's SQLite log, never from the engine's memory;
* "exactly once" compares the centre's rows with the log's, seq by seq.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.config import ReplicationConfig, Station, demo_station

GROUPS = ("学校组", "企业组", "医院组", "银行组", "社区组")
"""The demo station's five unit-kind groups: its 46 minimum emergency units."""
STATION_ID = "a"
"""The station's key at the centre (the ``central`` fixture's role ``st_a``)."""


def drill_units(station: Station) -> list[int]:
    """The drill's participants, in the order the drill pages them."""
    seen: list[int] = []
    for group in station.groups:
        if group.name in GROUPS:
            seen.extend(m for m in group.members if m not in seen)
    return seen


def answer_after(index: int, count: int, spread_s: float) -> float:
    """Responder ``index``'s scripted answer delay: evenly over ``spread_s`` seconds."""
    return round(1.0 + spread_s * index / max(1, count - 1), 1)


def drill_text(station: Station, spread_s: float, *, seed: int = 11) -> str:
    """A drill file for the 46 units: everyone acknowledges by status, one by one, the
    last one ``spread_s`` (+1) seconds after the page; only acknowledgement is targeted,
    so the drill ends with the last one."""
    units = drill_units(station)
    within = int(spread_s + 30)
    head = f"""
[drill]
name = "中心断开演练"
groups = [{", ".join(f'"{g}"' for g in GROUPS)}]

[page]
text = "演练：XX路发生交通事故，附近队员立即回复“收到”"

[targets]
acknowledged = {within}
en_route = false
on_scene = false

[targets.escalation]
repage = false
alert_officer = false
page_backup = false

[[criteria]]
rung = "acknowledged"
within = {within}
at_least = "all"

[simulation]
seed = {seed}
"""
    scripts = [
        f'[[simulation.units]]\nunits = [{issi}]\nbehaviour = "status"\ndelivery = 1\n'
        f"answer_after = {answer_after(i, len(units), spread_s)}\n"
        for i, issi in enumerate(units)
    ]
    return head + "\n".join(scripts)


def replicated(station: Station, url: str | None, *, interval_s: float = 1.0) -> Station:
    """``station`` with ``[replication] url`` (None: replication off) as station ``a``."""
    if url is None:
        return dataclasses.replace(station, replication=ReplicationConfig())
    rep = ReplicationConfig(url=url, station_id=STATION_ID, interval_s=interval_s)
    return dataclasses.replace(station, replication=rep)


def demo_46(url: str | None, *, interval_s: float = 1.0) -> Station:
    return replicated(demo_station(), url, interval_s=interval_s)


# -- reading the result back from the station's log --------------------------------------


@dataclass(frozen=True)
class Ladder:
    """One drill page's ladder as the station logged it, on its monotonic clock."""

    page: str
    rungs: tuple[tuple[int, str, float], ...]
    """(unit, rung, seconds after the page was created), in log order."""

    def first(self, rung: str) -> dict[int, float]:
        """Each responder's first ``rung``, seconds after the page."""
        out: dict[int, float] = {}
        for unit, name, after in self.rungs:
            if name == rung and unit not in out:
                out[unit] = after
        return out

    def acknowledged(self) -> dict[int, float]:
        """Each responder's first acknowledgement, seconds after the page."""
        return self.first("acknowledged")


def read_ladder(db: Path, page: str) -> Ladder:
    with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        created = conn.execute(
            "SELECT mono FROM events WHERE kind = 'page.created' AND page = ? ORDER BY id",
            (page,),
        ).fetchone()
        if created is None:
            raise AssertionError(f"no page.created for {page} in {db}")
        rows = conn.execute(
            "SELECT unit, kind, mono FROM events WHERE page = ? AND kind LIKE 'ladder.%' "
            "ORDER BY id",
            (page,),
        ).fetchall()
    base = float(created[0])
    rungs = tuple(
        (int(u), str(k).removeprefix("ladder."), round(float(m) - base, 3)) for u, k, m in rows
    )
    return Ladder(page, rungs)


def log_events(db: Path, upto: int) -> list[tuple[int, str]]:
    """(id, kind) of the station log's events 1..``upto``."""
    with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT id, kind FROM events WHERE id <= ? ORDER BY id", (upto,)
        ).fetchall()
    return [(int(i), str(k)) for i, k in rows]


@dataclass(frozen=True)
class ExactlyOnce:
    """The centre's rows for the station against its log, seq by seq."""

    log_events: int
    centre_rows: int
    missing: tuple[int, ...]
    duplicated: tuple[int, ...]
    extra: tuple[int, ...]
    different: tuple[int, ...]
    """Seqs present on both sides whose kind differs (a row that is not the event)."""

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.extra or self.different)

    def line(self) -> str:
        return (
            f"log {self.log_events}, centre {self.centre_rows}: missing {len(self.missing)}, "
            f"duplicated {len(self.duplicated)}, extra {len(self.extra)}, "
            f"different {len(self.different)}"
        )


def compare(log: list[tuple[int, str]], centre: list[tuple[int, str]]) -> ExactlyOnce:
    """Compare (seq, kind) lists: every log event once at the centre, nothing else."""
    counts = Counter(seq for seq, _ in centre)
    kinds = dict(centre)
    wanted = dict(log)
    return ExactlyOnce(
        log_events=len(log),
        centre_rows=len(centre),
        missing=tuple(s for s in wanted if s not in counts),
        duplicated=tuple(sorted(s for s, n in counts.items() if n > 1)),
        extra=tuple(sorted(s for s in counts if s not in wanted)),
        different=tuple(s for s, k in wanted.items() if s in kinds and kinds[s] != k),
    )


def centre_events(conn: Any, station: str = STATION_ID) -> list[tuple[int, str]]:
    """(seq, kind) of the centre's rows for ``station`` (a psycopg connection)."""
    rows = conn.execute(
        "SELECT seq, kind FROM events WHERE station = %s ORDER BY seq", (station,)
    ).fetchall()
    return [(int(s), str(k)) for s, k in rows]

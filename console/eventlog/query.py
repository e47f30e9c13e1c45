"""Query building for the UI and reports.

Why keyset pagination (``id > last LIMIT n``) instead of one long cursor: a cursor left
open by a slow consumer (an export to a USB stick, a UI that stops scrolling) would pin a
WAL snapshot and stop checkpoints, so the WAL would grow without bound while the console
writes.  Short statements keep every read snapshot brief, and they make the iterator safe
to use from another thread than the one that created it.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time as _time
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, tzinfo
from typing import Any

from console.i18n import Phrase

from .errors import LogBadQuery, classify
from .records import EventRecord

TimeArg = float | int | datetime | date | str | None

COLUMNS = "id, wall, mono, kind, incident, page, unit, grp, operator, data"
_PAGE = 1000


def parse_time(
    value: TimeArg,
    *,
    name: str = "time",
    now: float | None = None,
    tz: tzinfo | None = None,
) -> float | None:
    """Turn a time filter into unix seconds.

    Accepts unix seconds, an aware or naive ``datetime`` / ``date``, an ISO-8601 string
    (``2024-05-01``, ``2024-05-01T08:30``, ``2024-05-01 08:30:00+08:00``,
    ``2024-05-01T00:30Z``), a time of day (``12:28``, ``12:28:30``: today at that time)
    or a time back from now (``-2h``, ``-30m``, ``-90s``, ``-1d``), because that is what
    the duty officer types at the end of a shift.  Naive times are in ``tz`` (default:
    the PC's zone); give an offset or ``Z`` for UTC.  ``now``: the wall clock to count
    back from (default: the system's; the console passes its own, virtual in tests).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise LogBadQuery(Phrase("log.err.not_a_time", name=name, value=value))
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise LogBadQuery(Phrase("log.err.empty_time", name=name))
        wall = now if now is not None else _time.time()
        back = RELATIVE_TIME.fullmatch(text)
        if back is not None:
            return wall - float(back[1]) * _AGO_UNITS[back[2].lower()]
        try:
            return float(text)
        except ValueError:
            pass
        try:
            if _TIME_OF_DAY.fullmatch(text):
                today = datetime.fromtimestamp(wall, tz).date()
                value = datetime.combine(today, time.fromisoformat(text))
            else:
                value = datetime.fromisoformat(text)
        except ValueError:
            raise LogBadQuery(Phrase("log.err.not_iso", name=name, value=value)) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz) if tz is not None else value.astimezone()
        return value.timestamp()
    if isinstance(value, date):
        return parse_time(datetime.combine(value, time()), name=name, tz=tz)
    raise LogBadQuery(Phrase("log.err.not_a_time", name=name, value=value))


RELATIVE_TIME = re.compile(r"-\s*(\d+(?:\.\d+)?)\s*([smhd])", re.IGNORECASE)
"""``-2h``, ``-30m``, ``-90s``, ``-1d``: that long before now."""
_AGO_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def build_where(
    *,
    since: TimeArg = None,
    until: TimeArg = None,
    kinds: Iterable[str] | None = None,
    incident: str | int | None = None,
    unit: str | int | None = None,
    page: str | int | None = None,
    text: str | None = None,
    after: int | None = None,
) -> tuple[list[str], list[Any]]:
    """WHERE terms and parameters.  ``since`` is inclusive, ``until`` exclusive.  A kind
    ending in ``.*`` (``"ladder.*"``) matches the whole family."""
    terms: list[str] = []
    params: list[Any] = []
    t0 = parse_time(since, name="since")
    t1 = parse_time(until, name="until")
    if after is not None:
        terms.append("id > ?")
        params.append(int(after))
    if t0 is not None:
        terms.append("wall >= ?")
        params.append(t0)
    if t1 is not None:
        terms.append("wall < ?")
        params.append(t1)
    if kinds is not None:
        kind_list = [kinds] if isinstance(kinds, str) else list(kinds)
        alternatives: list[str] = []
        for kind in kind_list:
            if kind.endswith(".*"):
                prefix = kind[:-1]
                alternatives.append("(kind >= ? AND kind < ?)")
                params.extend([prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)])
            else:
                alternatives.append("kind = ?")
                params.append(kind)
        terms.append("(" + " OR ".join(alternatives) + ")" if alternatives else "0")
    for column, value in (("incident", incident), ("unit", unit), ("page", page)):
        if value is not None:
            terms.append(f"{column} = ?")
            params.append(str(value))
    if text:
        pattern = f"%{_like_escape(text)}%"
        cols = ("data", "kind", "unit", "grp", "operator", "incident", "page")
        terms.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in cols) + ")")
        params.extend([pattern] * len(cols))
    return terms, params


def to_record(row: tuple[Any, ...]) -> EventRecord:
    return EventRecord(
        id=row[0],
        wall=row[1],
        mono=row[2],
        kind=row[3],
        incident=row[4],
        page=row[5],
        unit=row[6],
        group=row[7],
        operator=row[8],
        data_json=row[9],
    )


def iter_query(
    conn: sqlite3.Connection,
    lock: threading.Lock,
    path: str,
    terms: list[str],
    params: list[Any],
    *,
    limit: int | None = None,
    descending: bool = False,
) -> Iterator[EventRecord]:
    """Yield matching records page by page (see module docstring)."""
    if limit is not None and limit <= 0:
        return
    op, order = ("<", "DESC") if descending else (">", "ASC")
    cursor_id: int | None = None
    remaining = limit
    while True:
        page_terms = list(terms)
        page_params = list(params)
        if cursor_id is not None:
            page_terms.append(f"id {op} ?")
            page_params.append(cursor_id)
        size = _PAGE if remaining is None else min(_PAGE, remaining)
        where = " WHERE " + " AND ".join(page_terms) if page_terms else ""
        sql = f"SELECT {COLUMNS} FROM events{where} ORDER BY id {order} LIMIT {size}"
        with lock:
            try:
                rows = conn.execute(sql, page_params).fetchall()
            except sqlite3.Error as exc:
                raise classify(exc, path) from exc
        for row in rows:
            yield to_record(row)
        if remaining is not None:
            remaining -= len(rows)
            if remaining <= 0:
                return
        if len(rows) < size:
            return
        cursor_id = rows[-1][0]

"""What the centre screen shows, as plain values, and the pure fold that builds it.

The queries (``queries.py``) return rows; :func:`overview` turns them into one
:class:`StationOverview` per station: open incidents, pages in flight with the count of
responders on each rung of their ladders, alarms nobody has acknowledged, and health
(last event, replication lag as the centre measures it: ``received - ts`` of the
station's newest event).  A page is in flight, as at the station (``console.paging.inflight``),
until it is closed or every responder reached a final rung.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from console.paging.model import Rung

FINAL: Final = frozenset({Rung.ON_SCENE.value, Rung.RELEASED.value})
DEFAULT_HORIZON_S: Final = 24 * 3600.0
"""Pages created longer ago than this are not followed on the centre screen."""


@dataclass(frozen=True)
class Health:
    station: str
    last_seq: int | None
    last_wall: float | None
    last_received: float | None

    @property
    def lag_s(self) -> float | None:
        """How late the newest event reached the centre (station and centre clocks)."""
        if self.last_wall is None or self.last_received is None:
            return None
        return max(0.0, self.last_received - self.last_wall)


@dataclass(frozen=True)
class OpenIncident:
    station: str
    incident: str
    state: str
    wall: float


@dataclass(frozen=True)
class UnackedAlarm:
    station: str
    alarm: str
    incident: str | None
    unit: str | None
    wall: float
    text: str


@dataclass(frozen=True)
class LadderRow:
    """One responder of an open page: the rungs it reached and the last one written."""

    station: str
    page: str
    incident: str | None
    created_wall: float
    text: str
    unit: str
    rungs: frozenset[str]
    last: str


@dataclass(frozen=True)
class PageInFlight:
    station: str
    page: str
    incident: str | None
    created_wall: float
    text: str
    responders: int
    ladder: tuple[tuple[str, int], ...]
    """(rung, responders whose highest rung it is), lowest rung first; ``failed`` last."""


@dataclass(frozen=True)
class TimelineRow:
    station: str
    seq: int
    wall: float
    kind: str
    unit: str | None
    incident: str | None
    page: str | None
    data_json: str


@dataclass(frozen=True)
class StationOverview:
    station: str
    health: Health
    incidents: tuple[OpenIncident, ...]
    pages: tuple[PageInFlight, ...]
    alarms: tuple[UnackedAlarm, ...]


def top_rung(rungs: Iterable[str], last: str) -> str:
    """The highest rung reached; ``failed`` when the last word was a failure."""
    if last == Rung.FAILED.value:
        return last
    known = [rung for r in rungs if (rung := _rung(r)) is not None and rung.level >= 0]
    return max(known, key=lambda r: r.level).value if known else last


def _rung(name: str) -> Rung | None:
    try:
        return Rung(name)
    except ValueError:
        return None


def pages_in_flight(rows: Iterable[LadderRow]) -> list[PageInFlight]:
    """Open pages with at least one responder not at a final rung, oldest first."""
    by_page: dict[tuple[str, str], list[LadderRow]] = {}
    for row in rows:
        by_page.setdefault((row.station, row.page), []).append(row)
    out: list[PageInFlight] = []
    for responders in by_page.values():
        if all(r.rungs & FINAL for r in responders):
            continue
        counts = Counter(top_rung(r.rungs, r.last) for r in responders)
        first = responders[0]
        out.append(
            PageInFlight(
                station=first.station,
                page=first.page,
                incident=first.incident,
                created_wall=first.created_wall,
                text=first.text,
                responders=len(responders),
                ladder=tuple(sorted(counts.items(), key=lambda kv: _order(kv[0]))),
            )
        )
    return sorted(out, key=lambda p: (p.created_wall, p.station, p.page))


def _order(name: str) -> int:
    rung = _rung(name)
    return rung.level if rung is not None and rung.level >= 0 else 1000


def overview(
    health: Iterable[Health],
    incidents: Iterable[OpenIncident],
    ladders: Iterable[LadderRow],
    alarms: Iterable[UnackedAlarm],
) -> list[StationOverview]:
    """One overview per station known to the centre (even one that sent nothing yet)."""
    by_station: Mapping[str, Health] = {h.station: h for h in health}
    inc: dict[str, list[OpenIncident]] = {}
    for i in incidents:
        inc.setdefault(i.station, []).append(i)
    pages: dict[str, list[PageInFlight]] = {}
    for p in pages_in_flight(ladders):
        pages.setdefault(p.station, []).append(p)
    alm: dict[str, list[UnackedAlarm]] = {}
    for a in alarms:
        alm.setdefault(a.station, []).append(a)
    return [
        StationOverview(
            station=name,
            health=h,
            incidents=tuple(sorted(inc.get(name, ()), key=lambda i: i.wall)),
            pages=tuple(pages.get(name, ())),
            alarms=tuple(alm.get(name, ())),
        )
        for name, h in sorted(by_station.items())
    ]

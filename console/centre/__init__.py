"""The city centre: reports and one screen over every station's replicated log (issue 11).

Stations ship their event logs into the central PostgreSQL (``console.replication``);
this package only *reads* it: ``queries`` holds the SQL, ``report`` and ``overview`` the
pure computations, ``render`` the CSV/HTML city report, ``source`` the screen's backend
(snapshots and LISTEN/NOTIFY).  The screen itself is ``console.tui.centre``.
"""

from __future__ import annotations

from .errors import BadDatabaseUrl, BadPeriod, CentreError, CentreSchemaMissing, CentreUnreachable
from .report import ACK_LIMITS_S, CLOSURE_BENCHMARK, CityReport, StationFigures, city_report

__all__ = [
    "ACK_LIMITS_S",
    "CLOSURE_BENCHMARK",
    "BadDatabaseUrl",
    "BadPeriod",
    "CentreError",
    "CentreSchemaMissing",
    "CentreUnreachable",
    "CityReport",
    "StationFigures",
    "city_report",
]

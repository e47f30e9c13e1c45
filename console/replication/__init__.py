"""Replication: ship each station's SQLite event log to a central PostgreSQL (issue 11).

The station's log stays the record (it pages with the centre down); ``[replication] url``
in the station file adds a shipper that copies every committed event to the centre, in
order and exactly once by (station, seq), resuming after any outage.  ``core`` decides
(sans I/O), ``shipper`` does the I/O on its own thread, ``schema`` holds the central
migrations and roles.  See ``docs/replication.md``.
"""

from __future__ import annotations

from .core import ReplicationStatus, ShipperCore
from .errors import (
    CentreUnreachable,
    DriverMissing,
    NotThisStation,
    ReplicationError,
    SchemaError,
)
from .schema import LATEST_VERSION, MIGRATIONS, add_centre_reader, add_station, migrate
from .service import ReplicationService, station_key
from .shipper import LogReader, Shipper

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "CentreUnreachable",
    "DriverMissing",
    "LogReader",
    "NotThisStation",
    "ReplicationError",
    "ReplicationService",
    "ReplicationStatus",
    "SchemaError",
    "Shipper",
    "ShipperCore",
    "add_centre_reader",
    "add_station",
    "migrate",
    "station_key",
]

"""Value types: what goes in (``NewEvent``) and what comes out (``EventRecord``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class NewEvent:
    """One event for ``EventLog.append_many``; fields as for ``EventLog.append``."""

    kind: str
    data: Mapping[str, Any] | None = None
    unit: str | int | None = None
    incident: str | int | None = None
    page: str | int | None = None
    group: str | int | None = None
    operator: str | None = None
    wall: float | datetime | None = None
    mono: float | None = None


@dataclass(frozen=True)
class EventRecord:
    """One committed event as read back.  ``data_json`` is the stored JSON text; ``data``
    parses it on first use (most UI rows never need it)."""

    id: int
    wall: float
    mono: float
    kind: str
    incident: str | None
    page: str | None
    unit: str | None
    group: str | None
    operator: str | None
    data_json: str = field(repr=False)

    @cached_property
    def data(self) -> dict[str, Any]:
        value = json.loads(self.data_json)
        return value if isinstance(value, dict) else {"value": value}

    @property
    def wall_utc(self) -> datetime:
        return datetime.fromtimestamp(self.wall, UTC)

    @property
    def wall_iso(self) -> str:
        """UTC, millisecond precision, ``Z`` suffix: ``2024-05-01T00:30:00.123Z``."""
        return self.wall_utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    @property
    def wall_local_iso(self) -> str:
        """Local time with its UTC offset, as the duty officer reads it."""
        return self.wall_utc.astimezone().isoformat(timespec="milliseconds")

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON export (``data`` parsed, times in both forms)."""
        return {
            "id": self.id,
            "wall": self.wall,
            "wall_utc": self.wall_iso,
            "mono": self.mono,
            "kind": self.kind,
            "incident": self.incident,
            "page": self.page,
            "unit": self.unit,
            "group": self.group,
            "operator": self.operator,
            "data": self.data,
        }

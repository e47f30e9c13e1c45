"""JSON for the client API: the engines' frozen values and event-log records, as data.

The engines speak in frozen dataclasses and enums (``PageView``, ``Alarm``,
``IncidentChanged`` ...).  :func:`to_json` turns any of them into plain JSON values
(dataclass → object with its fields, enum → its value, tuple/set → list), so the API
shows exactly what the engines hold, with the names the code uses, and a new field
appears on the wire without a second description of it here.  Radio text stays verbatim:
clients render it inert (the TUI does; a browser must not ``innerHTML`` it).
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from typing import Any

from console.eventlog import EventRecord


def to_json(value: Any, *, _depth: int = 0) -> Any:
    """A JSON-ready copy of ``value`` (see the module docstring)."""
    if _depth > 32:
        raise ValueError("value nested too deep for the API")
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, enum.Enum):
        return to_json(value.value, _depth=_depth + 1)
    if isinstance(value, EventRecord):
        return record_json(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name), _depth=_depth + 1)
            for f in dataclasses.fields(value)
            if f.repr or f.name == "data_json"
        }
    if isinstance(value, Mapping):
        return {str(k): to_json(v, _depth=_depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [to_json(v, _depth=_depth + 1) for v in items]
    return str(value)


def record_json(rec: EventRecord) -> dict[str, Any]:
    """One event-log record as the stream carries it; ``seq`` is its log id."""
    return {
        "seq": rec.id,
        "wall": rec.wall,
        "time": rec.wall_iso,
        "kind": rec.kind,
        "incident": rec.incident,
        "page": rec.page,
        "unit": rec.unit,
        "group": rec.group,
        "operator": rec.operator,
        "data": rec.data,
    }

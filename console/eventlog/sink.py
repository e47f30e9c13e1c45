"""What the engines need of :class:`~console.eventlog.EventLog`: one declaration each.

Engines take these protocols rather than ``EventLog`` itself so tests can hand them a list
in memory; they were declared three times (voice path, broadcast engine, incident book),
each a slightly different subset, and drifted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from console.eventlog.records import NewEvent


class EventAppender(Protocol):
    """Appends one event and returns its id (``EventLog.append``)."""

    def append(
        self,
        kind: str,
        *,
        data: Mapping[str, Any] | None = ...,
        unit: str | int | None = ...,
        incident: str | int | None = ...,
        group: str | int | None = ...,
        operator: str | None = ...,
    ) -> int: ...


class EventBatcher(Protocol):
    """Appends events atomically and returns their ids (``EventLog.append_many``)."""

    def append_many(self, events: Iterable[NewEvent]) -> list[int]: ...

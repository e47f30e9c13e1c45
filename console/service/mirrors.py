"""What an attached console reads as the station's parts, mirrored from the service.

The incident book, the alarm queue, the pages, the running roll call and drill, and the
voice path, each with the names the screens use on the in-process parts; their state is
what ``/v1/live`` last said (folded in by :class:`~console.service.remote.RemoteRuntime`)
and their changes go to the service's API.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from console.incidents import Alarm, Incident
from console.incidents import model as incident_model
from console.paging.model import PageView
from console.rollcall import RollCallResult, RollCallSpec
from console.service.client import ServiceError
from console.service.view import REGISTRY
from drivers.clock import SystemClock

if TYPE_CHECKING:
    from console.service.remote import RemoteRuntime


class OffsetClock(SystemClock):
    """This PC's clock, read in the service's monotonic time (the pages' ``*_mono``)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return super().monotonic() + self.offset


def _decode_incident(answer: dict[str, Any]) -> Incident:
    value = REGISTRY.decode(answer.get("wire"), Incident)
    if not isinstance(value, Incident):
        raise ServiceError("the station service sent no incident back")
    return value


class RemoteBook:
    """The incident book as the service last described it; changes go to the service."""

    def __init__(self, runtime: RemoteRuntime) -> None:
        self._rt = runtime
        self.incidents: dict[str, Incident] = {}

    def get(self, incident_id: str) -> Incident | None:
        return self.incidents.get(str(incident_id))

    def active(self) -> list[Incident]:
        """Open incidents in the book's order: most pressing first, oldest first."""
        rank = incident_model.PRIORITY_RANK
        return sorted(
            (i for i in self.incidents.values() if i.is_open),
            key=lambda i: (rank.get(i.priority, 9), i.opened_wall, i.id),
        )

    def _took(self, answer: dict[str, Any]) -> Incident:
        inc = _decode_incident(answer)
        self._rt.on_loop(lambda: self.incidents.__setitem__(inc.id, inc))
        return inc

    def open_incident(
        self,
        kind: str,
        title: str,
        *,
        operator: str,
        priority: str = "normal",
        location: str | None = None,
        **_: Any,
    ) -> Incident:
        body = {"kind": kind, "title": title, "priority": priority, "location": location}
        return self._took(self._rt.client.post("/v1/incidents", body))

    def transition(
        self, incident_id: str, state: Any, *, operator: str, note: str | None = None
    ) -> Incident:
        value = getattr(state, "value", state)
        path = f"/v1/incidents/{quote(incident_id)}/state"
        return self._took(self._rt.client.post(path, {"state": str(value), "note": note}))

    def add_note(self, incident_id: str, text: str, *, operator: str) -> Incident:
        path = f"/v1/incidents/{quote(incident_id)}/notes"
        return self._took(self._rt.client.post(path, {"text": text}))

    def reopen(self, incident_id: str, *, operator: str, reason: str) -> Incident:
        path = f"/v1/incidents/{quote(incident_id)}/reopen"
        return self._took(self._rt.client.post(path, {"reason": reason}))


class RemoteAlarms:
    """The alarm queue as the service last described it."""

    def __init__(self) -> None:
        self.alarms: dict[str, Alarm] = {}

    def get(self, alarm_id: str) -> Alarm | None:
        return self.alarms.get(alarm_id)

    def unacknowledged(self) -> list[Alarm]:
        """Alarms nobody has acknowledged yet, oldest first."""
        pending = (a for a in self.alarms.values() if not a.acknowledged)
        return sorted(pending, key=lambda a: (a.received_wall, a.id))


class RemotePaging:
    """The pages the service follows (``view``/``views``, as the engine offers them)."""

    def __init__(self, runtime: RemoteRuntime) -> None:
        self._rt = runtime
        self.pages: dict[str, PageView] = {}

    def view(self, page_id: str) -> PageView:
        """The page as last sent; asked for when this console has not seen it yet (a
        page it just sent, before the batch that shows it arrives)."""
        if page_id not in self.pages:
            answer = self._rt.client.get(f"/v1/pages/{quote(page_id)}?form=wire")
            view = REGISTRY.decode(answer.get("wire"), PageView)
            if not isinstance(view, PageView):
                raise KeyError(page_id)
            self.pages[page_id] = view
        return self.pages[page_id]

    def views(self) -> tuple[PageView, ...]:
        return tuple(self.pages.values())


@dataclass
class RemoteRollCall:
    """A roll call running (or run) in the service, as the roll call screen reads it."""

    rollcall_id: str
    spec: RollCallSpec
    started_mono: float
    latest: RollCallResult
    result: RollCallResult | None = None

    def snapshot(self) -> RollCallResult:
        return self.latest


@dataclass
class RemoteDrillRun:
    """A drill running (or run) in the service, as the drill screen reads it."""

    runtime: RemoteRuntime
    drill_id: str
    drill: Any
    page_id: str | None
    latest: Any
    received_mono: float
    _report: Any = field(default=None, repr=False)

    def progress(self, *, finished: bool | None = None) -> Any:
        """The newest progress, its elapsed time moved on while the drill runs."""
        latest = self.latest
        if latest is None:
            return None
        if latest.finished or finished:
            return replace(latest, finished=True) if finished else latest
        moved = self.runtime.clock.monotonic() - self.received_mono
        return replace(latest, elapsed_s=min(latest.horizon_s, latest.elapsed_s + moved))

    @property
    def report(self) -> Any:
        """The report, from the log once the drill has finished (None until then)."""
        if self._report is None and self.latest is not None and self.latest.finished:
            with contextlib.suppress(Exception):
                self._report = self.runtime.drill_report(self.drill_id)
        return self._report


@dataclass(frozen=True)
class RemoteBroadcast:
    id: str
    zones: tuple[str, ...]


class RemoteVoice:
    """F8's voice path in the service: keys the radio there, as this operator."""

    def __init__(self, runtime: RemoteRuntime) -> None:
        self._rt = runtime

    async def ptt_press(
        self, group: int | str | None = None, *, operator: str | None = None
    ) -> int:
        answer = await asyncio.to_thread(self._rt.client.post, "/v1/ptt/press", {"group": group})
        return int(answer.get("call") or 0)

    async def ptt_release(self, *, operator: str | None = None) -> None:
        await asyncio.to_thread(self._rt.client.post, "/v1/ptt/release", {})

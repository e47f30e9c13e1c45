"""What an attached face is told: the station's picture now, then every batch after it.

The service's own screen feed (:class:`~console.runtime.view.Batch`) is what a console in
the same process would get; an attached console gets exactly that, preceded by one
:class:`LiveSnapshot` -- everything the panels show at the moment of attaching, so a face
that (re)connects draws the whole picture at once and then follows the batches.  Each
message also carries :class:`LiveHeader`: the few values the screens read as state rather
than events (the current page, whether a roll call or a drill runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.broadcast import model as broadcast_model
from console.broadcast.model import SourceSpec
from console.drills.runner import DrillProgress
from console.eventlog import EventRecord
from console.incidents import (
    Alarm,
    AlarmAcknowledged,
    AlarmRaised,
    AlarmReminder,
    AlarmRepeated,
    Incident,
    IncidentChanged,
)
from console.paging.model import OfficerAlert, PageChanged, PageRequest, PageView
from console.replication.core import ReplicationStatus
from console.rollcall import RollCallResult, RollCallSpec
from console.rollcall.model import RollCallUpdate
from console.runtime.view import (
    Activity,
    Batch,
    GroupState,
    LinkStatus,
    LogTail,
    RosterChanged,
    ServiceEvent,
    UnitState,
)
from console.service.wire import Registry
from console.voice.path import VoiceState, VoiceStateChanged


@dataclass(frozen=True)
class LiveHeader:
    """State the screens read directly, sent with every message."""

    seq: int
    """The log's last committed id when the message was made."""
    mono: float
    """The service's monotonic clock then (faces on another host align their clock)."""
    current_page: str | None
    rollcall_running: bool
    drill_running: bool
    rollcall_spec: RollCallSpec | None = None
    rollcall_started_mono: float | None = None
    drill_name: str | None = None
    drill_page: str | None = None
    drill_source: str | None = None
    """The running drill's file (a console on this PC shows its criteria from it)."""
    voice_notice: str | None = None
    broadcast_available: bool = False
    replication: ReplicationStatus | None = None
    """Shipping to the centre (the status bar's "centre" part), None without one."""


@dataclass(frozen=True)
class LiveSnapshot:
    """Everything the panels show, at one moment."""

    link: LinkStatus
    units: tuple[UnitState, ...]
    groups: tuple[GroupState, ...]
    pages: tuple[PageView, ...]
    alarms: tuple[Alarm, ...]
    incidents: tuple[Incident, ...]
    log_tail: tuple[EventRecord, ...]
    rollcall: RollCallResult | None = None
    drill: DrillProgress | None = None
    voice: VoiceState | None = None


@dataclass(frozen=True)
class LiveMessage:
    """One message on ``/v1/live``: a snapshot (on attach) or a batch (afterwards)."""

    header: LiveHeader
    snapshot: LiveSnapshot | None = None
    batch: Batch | None = None


REGISTRY = Registry(
    [
        LiveMessage,
        LinkStatus,
        RosterChanged,
        Activity,
        LogTail,
        ServiceEvent,
        IncidentChanged,
        AlarmRaised,
        AlarmRepeated,
        AlarmReminder,
        AlarmAcknowledged,
        PageChanged,
        OfficerAlert,
        RollCallUpdate,
        DrillProgress,
        VoiceStateChanged,
        broadcast_model.BroadcastStarted,
        broadcast_model.BroadcastPreempted,
        broadcast_model.BroadcastStopped,
        broadcast_model.BroadcastFinished,
        broadcast_model.BroadcastFailed,
        PageRequest,
        SourceSpec,
        Incident,
        RollCallResult,
    ]
)
"""Every type a face and the service exchange in wire form: the live view, and what a
console's dialogs build (a page request, a roll call, a loudspeaker source)."""


def header(runtime: Any) -> LiveHeader:
    """The state part of a message, read from a running :class:`~console.runtime.Runtime`."""
    call = runtime.rollcall
    run = runtime.drill
    return LiveHeader(
        seq=runtime.log.committed_id,
        mono=runtime.clock.monotonic(),
        current_page=runtime.current_page_id,
        rollcall_running=runtime.rollcall_running,
        drill_running=runtime.drill_running,
        rollcall_spec=call.spec if call is not None else None,
        rollcall_started_mono=call.started_mono if call is not None else None,
        drill_name=run.drill.name if run is not None else None,
        drill_page=run.page_id if run is not None else None,
        drill_source=run.drill.source if run is not None else None,
        voice_notice=runtime.voice_notice,
        broadcast_available=runtime.broadcast_available,
        replication=runtime.replication,
    )


def snapshot(runtime: Any) -> LiveSnapshot:
    """The whole picture of a running runtime (see :class:`LiveSnapshot`)."""
    current = runtime.current_page_id
    pages = [v for v in runtime.paging.views() if not v.closed or v.page_id == current]
    call = runtime.rollcall
    run = runtime.drill
    return LiveSnapshot(
        link=runtime.link_status,
        units=tuple(runtime.units.values()),
        groups=tuple(runtime.groups.values()),
        pages=tuple(pages),
        alarms=tuple(runtime.alarms.unacknowledged()),
        incidents=tuple(runtime.book.active()),
        log_tail=tuple(runtime.log.tail(runtime.tail_size)),
        rollcall=(call.result or call.snapshot()) if call is not None else None,
        drill=run.progress(finished=not runtime.drill_running) if run is not None else None,
        voice=runtime.voice_state,
    )

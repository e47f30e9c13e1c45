"""The broadcast engine: who may shout at which loudspeakers, and the record of it.

One engine per console.  It resolves zones to speakers, applies the priority rules
(a higher priority pre-empts a lower one on shared speakers; an equal or lower one is
refused -- never queued, because a queued "evacuate" that plays five minutes late is
worse than an officer who is told "busy" and decides), opens the audio source, hands
the stream to the audio driver, and logs every step *before* telling its listeners.

Runs on the asyncio loop's thread; ``start`` and ``stop`` are synchronous so a UI key
handler can call them directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from console.broadcast import audio
from console.broadcast.destinations import Destination, names, resolve
from console.broadcast.errors import BroadcastError, BroadcastRefused, UnknownBroadcast
from console.broadcast.model import (
    Broadcast,
    BroadcastEvent,
    BroadcastFailed,
    BroadcastFinished,
    BroadcastPreempted,
    BroadcastStarted,
    BroadcastStopped,
    Endpoint,
    Priority,
    SourceSpec,
)
from console.config import Station
from console.errors import ConsoleError
from console.eventlog.sink import EventAppender
from console.ids import sequential_ids
from drivers.clock import Clock
from drivers.errors import DriverError

BROADCAST_STARTED = "broadcast.started"
BROADCAST_PREEMPTED = "broadcast.preempted"
BROADCAST_STOPPED = "broadcast.stopped"
BROADCAST_FINISHED = "broadcast.finished"
BROADCAST_FAILED = "broadcast.failed"
BROADCAST_OUTSIDE_CONFIG = "broadcast.outside_config"

Listener = Callable[[BroadcastEvent], None]
ENDED_KEEP = 100


class Player(Protocol):
    """What the audio driver's ``Broadcaster`` offers: play a source until done/stopped."""

    async def play(self, source: Any, *, stop: asyncio.Event | None = None) -> Any: ...


SenderFactory = Callable[[Sequence[Endpoint], Clock], Player]
"""``(endpoints, clock) -> Player``; tests pass one with a recording UDP sender."""


class IncidentLink(Protocol):
    """The part of :class:`console.incidents.IncidentBook` the engine uses."""

    def require(self, incident_id: str) -> Any: ...

    def attach_broadcast(
        self, incident_id: str, broadcast_id: str | int, *, operator: str | None = None
    ) -> Any: ...


def default_broadcast_ids(clock: Clock) -> Callable[[], str]:
    """Ids like ``B20260101-080000-001``: sortable and readable on a report."""
    return sequential_ids(clock, "B")


@dataclass
class _Running:
    broadcast: Broadcast
    stop: asyncio.Event
    done: asyncio.Future[Broadcast]
    task: asyncio.Task[None] | None = None
    reason: str | None = None


class BroadcastEngine:
    """Start, pre-empt, stop and log loudspeaker broadcasts for one station."""

    def __init__(
        self,
        station: Station,
        clock: Clock,
        log: EventAppender | None = None,
        incidents: IncidentLink | None = None,
        sender_factory: SenderFactory | None = None,
        *,
        broadcast_ids: Callable[[], str] | None = None,
    ) -> None:
        self.station = station
        self.clock = clock
        self.log = log
        self.incidents = incidents
        self._factory = sender_factory or audio.udp_sender_factory(ttl=station.audio.multicast_ttl)
        self._ids = broadcast_ids or default_broadcast_ids(clock)
        self._running: dict[str, _Running] = {}
        self._ended: dict[str, _Running] = {}
        """Recently ended broadcasts (bounded), so ``wait``/``get`` still answer."""
        self._listeners: list[Listener] = []

    # -- views ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """``listener(event)`` for every logged change; returns a remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def active(self) -> list[Broadcast]:
        """Broadcasts playing now, oldest first."""
        return [r.broadcast for r in self._running.values()]

    def get(self, broadcast_id: str) -> Broadcast | None:
        """A playing or recently ended broadcast's latest snapshot."""
        run = self._running.get(broadcast_id) or self._ended.get(broadcast_id)
        return run.broadcast if run else None

    # -- actions -------------------------------------------------------------------------

    def start(
        self,
        destinations: Iterable[Destination],
        source: SourceSpec,
        *,
        priority: Priority | str = Priority.ROUTINE,
        operator: str,
        incident: str | None = None,
        allow_unlisted: bool = False,
    ) -> Broadcast:
        """Start a broadcast to zone ids and/or ``HOST:PORT`` destinations.

        ``allow_unlisted`` is for a technician's explicit ``--to`` only: addresses outside
        the station file are otherwise refused.  Raises a :class:`BroadcastError` (unknown
        zone, refused by priority, unreadable source...) before any audio goes out.
        """
        prio = Priority.parse(priority)
        resolved = resolve(self.station, destinations, allow_unlisted=allow_unlisted)
        victims = self._check_priority(resolved.endpoints, prio)
        if incident is not None and self.incidents is not None:
            self.incidents.require(incident)
        frames = audio.open_source(source, self.station)
        try:
            player = self._factory(resolved.endpoints, self.clock)
        except (DriverError, OSError) as exc:
            audio.close_source(frames)
            raise audio.as_broadcast_error(exc, "cannot open the loudspeaker sender") from None
        bid = self._ids()
        broadcast = Broadcast(
            id=bid,
            zones=resolved.zones,
            endpoints=resolved.endpoints,
            source=source,
            priority=prio,
            operator=operator,
            incident=incident,
            started_wall=self.clock.time(),
            started_mono=self.clock.monotonic(),
        )
        for victim in victims:
            self._preempt(victim, broadcast)
        self._log_start(broadcast, resolved.unlisted)
        if incident is not None and self.incidents is not None:
            self.incidents.attach_broadcast(incident, bid, operator=operator)
        loop = asyncio.get_running_loop()
        run = _Running(broadcast, asyncio.Event(), loop.create_future())
        self._running[bid] = run
        run.task = asyncio.ensure_future(self._play(run, player, frames))
        self._emit(BroadcastStarted(broadcast))
        return broadcast

    def stop(self, broadcast_id: str, *, operator: str | None = None) -> None:
        """Stop a playing broadcast; its stream ends properly and it is logged as stopped."""
        run = self._running.get(broadcast_id)
        if run is None:
            raise UnknownBroadcast(f"no broadcast {broadcast_id!r} is playing")
        if run.reason is None:
            run.reason = f"stopped by {operator}" if operator else "stopped"
        run.stop.set()

    def stop_all(self, *, operator: str | None = None) -> None:
        for bid in list(self._running):
            self.stop(bid, operator=operator)

    async def wait(self, broadcast_id: str) -> Broadcast:
        """Wait until the broadcast has ended (and its end is logged); its final snapshot."""
        run = self._running.get(broadcast_id) or self._ended.get(broadcast_id)
        if run is None:
            raise UnknownBroadcast(f"no broadcast {broadcast_id!r}")
        return await asyncio.shield(run.done)

    async def close(self) -> None:
        """Stop everything and wait until every stream has ended."""
        runs = list(self._running.values())
        self.stop_all(operator=None)
        for run in runs:
            with contextlib.suppress(Exception):
                await asyncio.shield(run.done)

    # -- internals -----------------------------------------------------------------------

    def _check_priority(self, endpoints: tuple[Endpoint, ...], prio: Priority) -> list[_Running]:
        victims: list[_Running] = []
        for run in self._running.values():
            if run.reason is not None and run.reason.startswith("preempted"):
                continue  # already being cut off; its speakers are ours to take
            shared = run.broadcast.overlaps(endpoints)
            if not shared:
                continue
            if run.broadcast.priority >= prio:
                b = run.broadcast
                raise BroadcastRefused(
                    f"{b.priority.label} broadcast {b.id} is playing on {names(shared)}; "
                    f"a {prio.label} broadcast cannot interrupt it",
                    blocking=b.id,
                )
            victims.append(run)
        return victims

    def _preempt(self, run: _Running, by: Broadcast) -> None:
        b = run.broadcast
        run.reason = f"preempted by {by.id}"
        self._append(
            BROADCAST_PREEMPTED,
            b,
            {"by": by.id, "by_priority": by.priority.label, "priority": b.priority.label},
            operator=by.operator,
        )
        run.stop.set()
        self._emit(BroadcastPreempted(b, by.id))

    async def _play(self, run: _Running, player: Player, frames: Any) -> None:
        b = run.broadcast
        stats: Any = None
        error: BaseException | None = None
        try:
            stats = await player.play(frames, stop=run.stop)
        except asyncio.CancelledError:
            run.reason = run.reason or "cancelled"
            raise
        except (DriverError, ConsoleError, OSError, ValueError) as exc:
            error = exc
        finally:
            audio.close_source(frames)
            self._running.pop(b.id, None)
            self._ended[b.id] = run
            while len(self._ended) > ENDED_KEEP:
                self._ended.pop(next(iter(self._ended)))
            if error is None and not (run.task is not None and run.task.cancelled()):
                self._finish(run, stats)
        if error is not None:
            self._fail(run, error, stats)

    def _finish(self, run: _Running, stats: Any) -> None:
        data = stats_dict(stats)
        end: Broadcast
        if run.stop.is_set() or run.reason is not None:
            end = replace(run.broadcast, state="stopped", reason=run.reason, stats=data)
            self._append(BROADCAST_STOPPED, end, {"reason": run.reason, "stats": data})
            event: BroadcastEvent = BroadcastStopped(end)
        else:
            end = replace(run.broadcast, state="finished", stats=data)
            self._append(BROADCAST_FINISHED, end, {"stats": data})
            event = BroadcastFinished(end)
        self._resolve(run, end)
        self._emit(event)

    def _fail(self, run: _Running, error: BaseException, stats: Any) -> None:
        err = audio.as_broadcast_error(error, "the broadcast failed")
        data = stats_dict(stats)
        end = replace(run.broadcast, state="failed", reason=err.message, stats=data)
        self._append(BROADCAST_FAILED, end, {"error": err.message, "hint": err.hint})
        self._resolve(run, end)
        self._emit(BroadcastFailed(end, err.hint))

    @staticmethod
    def _resolve(run: _Running, end: Broadcast) -> None:
        run.broadcast = end
        if not run.done.done():
            run.done.set_result(end)

    def _log_start(self, b: Broadcast, unlisted: tuple[Endpoint, ...]) -> None:
        if unlisted:
            self._append(
                BROADCAST_OUTSIDE_CONFIG,
                b,
                {
                    "destinations": [e.address for e in unlisted],
                    "note": "technician's explicit --to; not in the station file",
                },
            )
        self._append(
            BROADCAST_STARTED,
            b,
            {
                "priority": b.priority.label,
                "zones": list(b.zones),
                "endpoints": [e.to_log() for e in b.endpoints],
                "source": b.source.describe(),
                "source_kind": b.source.kind,
            },
        )

    def _append(
        self,
        kind: str,
        b: Broadcast,
        data: dict[str, Any],
        *,
        operator: str | None = None,
    ) -> None:
        if self.log is None:
            return
        self.log.append(
            kind,
            data={"broadcast": b.id, **data},
            incident=b.incident,
            group=",".join(b.zones) or None,
            operator=operator or b.operator,
        )

    def _emit(self, event: BroadcastEvent) -> None:
        for listener in list(self._listeners):
            listener(event)


def stats_dict(stats: Any) -> dict[str, Any]:
    """The driver's BroadcastStats as plain JSON-able values for the log."""
    if stats is None:
        return {}
    if dataclasses.is_dataclass(stats) and not isinstance(stats, type):
        raw = dataclasses.asdict(stats)
    elif isinstance(stats, Mapping):
        raw = dict(stats)
    else:
        raw = {k: v for k, v in vars(stats).items() if not k.startswith("_")}
    return {str(k): _plain(v) for k, v in raw.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


__all__ = [
    "BROADCAST_FAILED",
    "BROADCAST_FINISHED",
    "BROADCAST_OUTSIDE_CONFIG",
    "BROADCAST_PREEMPTED",
    "BROADCAST_STARTED",
    "BROADCAST_STOPPED",
    "BroadcastEngine",
    "BroadcastError",
    "Player",
    "SenderFactory",
]

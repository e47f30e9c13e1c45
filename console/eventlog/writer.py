"""Group-commit writer: appends are queued in memory and committed in batches.

Why group commit: one SQLite transaction per event costs one WAL write (and with
``synchronous=FULL`` one fsync) per event, a few hundred per second on a desktop disk.
Committing whatever has queued up in one transaction amortises that cost, so the log keeps
up with ≥10 000 events/s while every event is still committed within ~``max_delay`` plus one
commit time (target: 100 ms).

Policy: a batch is committed when ``batch_size`` events are pending or the oldest pending
event has waited ``max_delay`` seconds -- or at once (as soon as no other commit is
running) when an *urgent* event is pending.  Why urgent: ``max_delay`` trades latency
for fewer fsyncs, which is right for wire traces but not for an acknowledgement the
officer is waiting to see (paging target: p99 <= 5 ms from the answer to the screen).
Urgent events still group: whatever queues up while a commit runs goes in the next one,
so the commit rate stays bounded by the commit time itself.

The policy runs either on a background thread (production) or in ``tick()``, which the
owner calls from its own timer; ``tick()`` reads only the injected clock, so tests drive
it on virtual time.

Nothing is dropped (design §6): a batch leaves the queue only after its COMMIT returned.
If a commit fails (disk full, read-only medium) the events stay queued, ``health`` says
why, and the commit is retried every ``retry_interval`` seconds.  Ids are assigned at
append and commits happen in id order, so "committed" is a single high-water mark.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from drivers.clock import TimeSource as Clock

from .errors import EventLogError, LogDiskFull, LogReadOnly

_log = logging.getLogger(__name__)

# (wall, mono, kind, incident, page, unit, grp, operator, data) — the row without its id.
RowTail = tuple[float, float, str, str | None, str | None, str | None, str | None, str | None, str]
Row = tuple[int, float, float, str, str | None, str | None, str | None, str | None, str | None, str]
CommitFn = Callable[[Sequence[Row]], None]
Listener = Callable[[int], None]


class Health(enum.Enum):
    """What the UI shows next to the log: anything but OK means events are waiting."""

    OK = "ok"
    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"
    FAILED = "failed"
    CLOSED = "closed"


@dataclass(frozen=True)
class LogStatus:
    """A snapshot for the status bar."""

    health: Health
    pending: int
    committed_id: int
    last_id: int
    oldest_pending_age: float | None
    last_error: str | None
    commits: int


class GroupCommitWriter:
    """Owns the pending queue, id assignment and the commit policy (not the database)."""

    def __init__(
        self,
        commit: CommitFn,
        clock: Clock,
        *,
        first_id: int,
        batch_size: int = 512,
        max_delay: float = 0.025,
        retry_interval: float = 1.0,
    ) -> None:
        if batch_size < 1 or max_delay < 0 or retry_interval <= 0:
            raise ValueError("batch_size >= 1, max_delay >= 0, retry_interval > 0")
        self._commit_fn = commit
        self._clock = clock
        self.batch_size = batch_size
        self.max_delay = max_delay
        self.retry_interval = retry_interval
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # the writer thread waits here
        self._done = threading.Condition(self._lock)  # wait_committed() waits here
        self._commit_lock = threading.Lock()  # one COMMIT at a time (thread vs flush())
        self._pending: deque[Row] = deque()
        self._next_id = first_id
        self._committed_id = first_id - 1
        self._oldest: float | None = None  # enqueue time of the oldest pending event
        self._urgent = False  # an urgent event is pending: commit without max_delay
        self._retry_at: float | None = None
        self._health = Health.OK
        self._last_error: EventLogError | None = None
        self._commits = 0
        self._listeners: list[Listener] = []
        self._waiters: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- appending -------------------------------------------------------------------

    def submit(self, tails: Sequence[RowTail], *, urgent: bool = False) -> range:
        """Queue rows atomically (one batch never splits them); return their ids.
        ``urgent``: commit as soon as the writer is free, not after ``max_delay``."""
        with self._lock:
            if self._health is Health.CLOSED:
                from .errors import LogClosed

                raise LogClosed("the event log is closed")
            first = self._next_id
            was_empty = not self._pending
            pending = self._pending
            for offset, tail in enumerate(tails):
                pending.append((first + offset, *tail))
            self._next_id = first + len(tails)
            if was_empty and pending:
                self._oldest = self._clock.monotonic()
                self._urgent = urgent
                self._wake.notify()
            elif (urgent and not self._urgent) or len(pending) >= self.batch_size:
                self._urgent = self._urgent or urgent
                self._wake.notify()
        return range(first, first + len(tails))

    # -- state -----------------------------------------------------------------------

    @property
    def committed_id(self) -> int:
        """Every id up to and including this one is committed."""
        return self._committed_id

    @property
    def last_id(self) -> int:
        return self._next_id - 1

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def health(self) -> Health:
        return self._health

    @property
    def last_error(self) -> EventLogError | None:
        return self._last_error

    def pending_rows(self) -> list[Row]:
        """A copy of the uncommitted rows (for the rescue file at close)."""
        with self._lock:
            return list(self._pending)

    def status(self) -> LogStatus:
        with self._lock:
            age = None if self._oldest is None else self._clock.monotonic() - self._oldest
            return LogStatus(
                health=self._health,
                pending=len(self._pending),
                committed_id=self._committed_id,
                last_id=self._next_id - 1,
                oldest_pending_age=age,
                last_error=None if self._last_error is None else str(self._last_error),
                commits=self._commits,
            )

    def _seconds_until_due(self, now: float) -> float | None:
        """None: nothing to do; <= 0: commit now; > 0: check again after that long."""
        if not self._pending or self._oldest is None:
            return None
        if self._retry_at is not None:
            return self._retry_at - now
        if self._urgent or len(self._pending) >= self.batch_size:
            return 0.0
        return self._oldest + self.max_delay - now

    # -- committing ------------------------------------------------------------------

    def tick(self) -> int:
        """Commit if the policy says so; return the number committed.  Never raises for
        storage errors (a timer must keep running): they show in ``health``."""
        with self._lock:
            due = self._seconds_until_due(self._clock.monotonic())
        if due is None or due > 0:
            return 0
        return self._commit_pending(raise_errors=False)

    def flush(self) -> int:
        """Commit everything pending now; raise the storage error if that fails."""
        return self._commit_pending(raise_errors=True)

    def _commit_pending(self, *, raise_errors: bool) -> int:
        with self._commit_lock:
            with self._lock:
                batch = list(self._pending)
                snapshot_time = self._clock.monotonic()
                urgent, self._urgent = self._urgent, False
            if not batch:
                return 0
            try:
                self._commit_fn(batch)
            except Exception as exc:
                err = exc if isinstance(exc, EventLogError) else EventLogError(str(exc))
                with self._lock:
                    self._urgent = self._urgent or urgent  # still pending, still urgent
                    self._last_error = err
                    if self._health is not Health.CLOSED:
                        self._health = _health_for(err)
                    self._retry_at = self._clock.monotonic() + self.retry_interval
                if raise_errors:
                    raise err from (None if err is exc else exc)
                _log.warning("event log commit failed, %d events kept: %s", len(batch), err)
                return 0
            with self._lock:
                for _ in range(len(batch)):
                    self._pending.popleft()
                self._committed_id = batch[-1][0]
                self._oldest = snapshot_time if self._pending else None
                self._retry_at = None
                self._last_error = None
                if self._health is not Health.CLOSED:
                    self._health = Health.OK
                self._commits += 1
                committed = self._committed_id
                ready = [w for w in self._waiters if w[0] <= committed]
                self._waiters = [w for w in self._waiters if w[0] > committed]
                listeners = list(self._listeners)
                self._done.notify_all()
        for listener in listeners:
            try:
                listener(committed)
            except Exception:  # a broken listener must not stop the writer
                _log.exception("event log commit listener failed")
        for _, loop, fut in ready:
            # A closed loop means nobody waits any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, fut)
        return len(batch)

    # -- waiting for commits -----------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(committed_id)`` after each commit (on the committing thread).
        Returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def wait_committed(self, event_id: int, timeout: float | None = None) -> bool:
        """Block until ``event_id`` is committed; False if it is not within ``timeout``.

        Without a background thread nobody else would commit, so this flushes instead
        (storage errors are then reported by ``health``, and the result is False)."""
        if self._thread is None:
            if self._committed_id < event_id:
                try:
                    self.flush()
                except EventLogError:
                    return False
            return self._committed_id >= event_id
        with self._lock:
            return self._done.wait_for(lambda: self._committed_id >= event_id, timeout)

    async def committed(self, event_id: int) -> None:
        """Return once ``event_id`` is committed (resolved by the writer thread or by
        ``tick()``/``flush()`` on any thread).  Cancel it to stop waiting."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._committed_id >= event_id:
                return
            entry = (event_id, loop, fut)
            self._waiters.append(entry)
        try:
            await fut
        finally:
            with self._lock:
                if entry in self._waiters:
                    self._waiters.remove(entry)

    # -- background thread --------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="eventlog-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._stopping:
                    due = self._seconds_until_due(self._clock.monotonic())
                    if due is not None and due <= 0:
                        break
                    self._wake.wait(due)
                if self._stopping:
                    return
            self._commit_pending(raise_errors=False)

    def stop(self) -> None:
        """Stop the thread (pending events stay queued for a final ``flush()``)."""
        thread = self._thread
        if thread is None:
            return
        with self._lock:
            self._stopping = True
            self._wake.notify_all()
        thread.join()
        self._thread = None

    def mark_closed(self) -> None:
        with self._lock:
            self._health = Health.CLOSED
            waiters, self._waiters = self._waiters, []
        for _, loop, fut in waiters:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_fail_closed, fut)


def _health_for(err: EventLogError) -> Health:
    if isinstance(err, LogDiskFull):
        return Health.DISK_FULL
    if isinstance(err, LogReadOnly):
        return Health.READ_ONLY
    return Health.FAILED


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


def _fail_closed(fut: asyncio.Future[None]) -> None:
    from .errors import LogClosed

    if not fut.done():
        fut.set_exception(LogClosed("the event log was closed before this event was committed"))

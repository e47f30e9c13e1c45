"""The sans-I/O PEI session: the policy of one link's life, events and time in, actions out.

:class:`~drivers.pei.protocol.PeiProtocol` knows what the bytes mean; this knows what to do
about the link as a whole.  Why a separate pure core: the rules below were scattered over
the serial link's threads and tasks, where a reader could not see them all at once and a
test could only reach them through a pty and real time.  Here every rule is one method that
takes what happened (and ``now``, a number) and returns what the shell must do next:

* **init**: ``AT`` until the gateway answers cleanly (up to five tries, longer each time,
  waiting for the line to go quiet after junk), then ``ATE0``, then the dialect's list;
  after a loss with a command outstanding, first drain its late answer (bounded by its
  remaining deadline, at most 3 s) so a stale ``OK`` is never taken for the new ``AT``; a
  refused dialect line is a warning, not a failure; ``+CNUMF?``/``+CTOM?`` answers fill in
  the :class:`GatewayIdentity`;
* **keep-alive**: ``AT`` when the line has been quiet for a whole interval and nothing is
  queued; *watchful* (a page, roll call or drill open) the interval is 1.5 s and the
  deadline 1 s, so a gateway that rebooted silently is noticed within 2.5 s when it
  matters, and costs nothing (3 bytes out, 6 in per probe) when it does not;
* **loss**: after ``max_timeouts`` commands in a row got no answer, on an unanswered
  keep-alive, or on an I/O error the shell reports;
* **restart detection**: an echoed command after ``ATE0`` means the gateway rebooted (and
  forgot its registrations), so the link is dropped and re-initialised;
* **back-off**: reopen after ``backoff[n]`` for the n-th failed open in a row, after
  ``backoff[0]`` once an established link was lost; or give up if reconnecting is off.

The shell (:class:`drivers.link.serial_link.PeiLink`) owns the port, threads, futures and
the clock, and executes the actions.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import DriverError
from drivers.pei import commands
from drivers.pei import events as ev
from drivers.pei.commands import Command
from drivers.pei.dialect import Dialect
from drivers.pei.state import GatewayIdentity, LinkState

# How many times AT is tried at start-up, and how long to wait for quiet after junk.
AT_TRIES = 5
QUIET_PERIOD = 0.3
QUIET_CHECKS = 5
# After a loss with a command outstanding, its late answer may reach the new connection:
# drain (wait for it, then for quiet) for at most its remaining deadline, capped here.
DRAIN_MAX = 3.0
# Bounds of the keep-alive timer and the keep-alive AT's own deadline.
MIN_TICK = 0.05
KEEPALIVE_TIMEOUT = 2.0
# While something is open (a page, roll call or drill): probe after this much quiet, with
# this deadline, so a silent gateway reboot is noticed within 1.5 + 1.0 = 2.5 s (< 3 s).
WATCHFUL_KEEPALIVE = 1.5
WATCHFUL_TIMEOUT = 1.0
ECHO_OFF_TIMEOUT = 2.0

# --- actions: what the shell must do ---------------------------------------------------


@dataclass(frozen=True)
class Action:
    """Base of everything the session asks its shell to do."""


@dataclass(frozen=True)
class EnterState(Action):
    """Announce the new link state (``LinkStateChanged``) and wake whoever waits for UP."""

    state: LinkState
    detail: str = ""


@dataclass(frozen=True)
class SendInit(Action):
    """Send an init command ahead of any user command; report its outcome back."""

    command: Command
    timeout: float


@dataclass(frozen=True)
class WaitQuiet(Action):
    """Sleep ``period`` and call :meth:`PeiSession.quiet_checked` (late junk drains)."""

    period: float


@dataclass(frozen=True)
class Warn(Action):
    """Announce an init command the gateway refused (``InitWarning``); carry on."""

    command: str
    reason: str


@dataclass(frozen=True)
class InitFailed(Action):
    """Abort the init: re-raise the error just reported, or, without one, raise this."""

    reason: str = ""
    hint: str = ""


@dataclass(frozen=True)
class InitDone(Action):
    """The init sequence has run; call :meth:`PeiSession.established`."""

    identity: GatewayIdentity


@dataclass(frozen=True)
class DropLink(Action):
    """Tear the connection down: fail what is in flight, close the port, wake the watcher."""

    reason: str


@dataclass(frozen=True)
class SendKeepAlive(Action):
    """Queue a keep-alive ``AT`` (lowest priority); report an unanswered one."""

    command: Command
    timeout: float


@dataclass(frozen=True)
class Sleep(Action):
    """Wait ``delay`` seconds (back-off, or until the keep-alive is due), then ask again."""

    delay: float


@dataclass(frozen=True)
class Stop(Action):
    """Stop supervising: the link stays DOWN (reconnecting is off)."""


# --- the session -----------------------------------------------------------------------


BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0)
"""Seconds between reopening attempts: quick at first, then every 10 s."""


class PeiSession:
    """The link's policy state: init progress, time-outs in a row, back-off, last receive."""

    @classmethod
    def for_dialect(
        cls,
        dialect: Dialect,
        *,
        keepalive: float | None = None,
        max_timeouts: int = 2,
        backoff: tuple[float, ...] = BACKOFF,
        reconnect: bool = True,
    ) -> PeiSession:
        """The session a link to a ``dialect`` gateway runs: its init lines, command
        deadline and keep-alive interval (``keepalive`` overrides the interval)."""
        return cls(
            init=dialect.init,
            command_timeout=dialect.command_timeout,
            keepalive=dialect.keepalive_interval if keepalive is None else keepalive,
            max_timeouts=max_timeouts,
            backoff=backoff,
            reconnect=reconnect,
        )

    def __init__(
        self,
        *,
        init: tuple[str, ...] = (),
        command_timeout: float = 5.0,
        keepalive: float = 30.0,
        max_timeouts: int = 2,
        backoff: tuple[float, ...] = BACKOFF,
        reconnect: bool = True,
    ) -> None:
        self.init_lines = init
        self.command_timeout = command_timeout
        self.keepalive = keepalive
        self.max_timeouts = max_timeouts
        self.backoff = backoff
        self.reconnect = reconnect
        self.state = LinkState.CLOSED
        self.identity = GatewayIdentity()
        self.timeouts = 0
        self.last_rx = 0.0
        self.failed_opens = 0
        self.reconnects = 0
        self.watchful = False
        self._echo_mark = 0
        # Init progress: which step, which AT try, how many quiet checks so far.
        self._step = 0
        self._at_try = 0
        self._quiet_checks = 0
        self._building = GatewayIdentity()
        self._drain_for = 0.0
        self._drain_start = self._drain_until = 0.0
        self._draining = False

    # --- state ------------------------------------------------------------------------

    def _enter(self, state: LinkState, detail: str = "") -> tuple[Action, ...]:
        if state is self.state and not detail:
            return ()
        self.state = state
        return (EnterState(state, detail),)

    def connecting(self, detail: str) -> tuple[Action, ...]:
        """The shell is about to open the port."""
        return self._enter(LinkState.CONNECTING, detail)

    def closed(self) -> tuple[Action, ...]:
        """The shell was closed on purpose."""
        return self._enter(LinkState.CLOSED, "closed")

    # --- init sequence ----------------------------------------------------------------

    def begin_init(self, now: float = 0.0) -> tuple[Action, ...]:
        """The port is open: the first init step (draining a lost command's answer first)."""
        self._step = 0
        self._at_try = 0
        self._building = GatewayIdentity()
        if self._drain_for > 0:
            self._draining, self._quiet_checks = True, 0
            self._drain_start, self._drain_until = now, now + self._drain_for
            self._drain_for = 0.0
            return (WaitQuiet(QUIET_PERIOD),)
        return (SendInit(commands.at(), 1.0),)

    def _drained(self, now: float) -> bool:
        """Heard the late answer and then quiet, or its deadline passed (bounded by noise)."""
        quiet = now - self.last_rx >= QUIET_PERIOD
        heard = self.last_rx > self._drain_start
        overdue = now >= self._drain_until + QUIET_PERIOD * QUIET_CHECKS
        return (quiet and (heard or now >= self._drain_until)) or overdue

    def init_answered(self, done: ev.CommandCompleted) -> tuple[Action, ...]:
        """The outstanding init command completed with OK."""
        if self._step == 0:
            self._step = 1
            return (SendInit(commands.echo_off(), ECHO_OFF_TIMEOUT),)
        out: list[Action] = []
        line = self.init_lines[self._step - 2] if self._step >= 2 else ""
        if self._step >= 2:
            cmd = commands.raw(line)
            try:
                self._building = _learn(self._building, cmd, done.lines)
            except DriverError as exc:
                out.append(Warn(line, str(exc)))
        return (*out, *self._next_line())

    def init_rejected(self, failed: ev.CommandFailed) -> tuple[Action, ...]:
        """The outstanding init command was answered ERROR / +CME ERROR."""
        if self._step == 0:
            return self._retry_at()
        if self._step == 1:
            return (InitFailed(),)
        return (Warn(self.init_lines[self._step - 2], failed.reason), *self._next_line())

    def init_timed_out(self) -> tuple[Action, ...]:
        """The outstanding init command got no answer in time."""
        if self._step == 0:
            return self._retry_at()
        return (InitFailed(),)

    def quiet_checked(self, now: float) -> tuple[Action, ...]:
        """A :class:`WaitQuiet` period ended: wait more while data still arrives (bounded)."""
        if self._draining:
            if not self._drained(now):
                return (WaitQuiet(QUIET_PERIOD),)
            self._draining = False
            return (SendInit(commands.at(), 1.0),)
        self._quiet_checks += 1
        quiet = now - self.last_rx >= QUIET_PERIOD
        if not quiet and self._quiet_checks < QUIET_CHECKS:
            return (WaitQuiet(QUIET_PERIOD),)
        if self._at_try >= AT_TRIES:
            return (
                InitFailed(
                    "the gateway answers AT only with errors", "Check the baud rate and dialect."
                ),
            )
        return (SendInit(commands.at(), 1.0 + self._at_try),)

    def _retry_at(self) -> tuple[Action, ...]:
        # Junk may have ended our AT early; let late answers drain as stray results
        # (nothing outstanding) before the next try, so answers never shift by one.
        self._at_try += 1
        self._quiet_checks = 0
        return (WaitQuiet(QUIET_PERIOD),)

    def _next_line(self) -> tuple[Action, ...]:
        self._step += 1
        index = self._step - 2
        if index < len(self.init_lines):
            return (SendInit(commands.raw(self.init_lines[index]), self.command_timeout),)
        return (InitDone(self._building),)

    def established(self, now: float, echoes_seen: int, detail: str) -> tuple[Action, ...]:
        """The shell applied :class:`InitDone`: the link is UP from ``now``."""
        self.identity = self._building
        self.timeouts = 0
        self.failed_opens = 0
        self.last_rx = now
        self._echo_mark = echoes_seen
        return self._enter(LinkState.UP, detail)

    # --- traffic ----------------------------------------------------------------------

    def received(self, now: float, echoes_seen: int) -> tuple[Action, ...]:
        """Bytes arrived (and were parsed): note the time; an echo after ATE0 is a restart."""
        self.last_rx = now
        if self.state is LinkState.UP and echoes_seen > self._echo_mark:
            # We sent ATE0 at init; an echo now means the gateway restarted and has
            # forgotten its service registrations.  Reconnect runs the whole init again.
            return (DropLink("the gateway echoed a command after ATE0: it restarted"),)
        return ()

    def answered(self) -> None:
        """A command got its final result: the time-outs in a row start again from zero."""
        self.timeouts = 0

    def timed_out(self) -> tuple[Action, ...]:
        """A command passed its deadline unanswered."""
        self.timeouts += 1
        if self.timeouts >= self.max_timeouts and self.state is LinkState.UP:
            return (DropLink(f"{self.timeouts} commands in a row got no answer"),)
        return ()

    @property
    def interval(self) -> float:
        """The keep-alive interval now (shorter while watchful)."""
        return min(self.keepalive, WATCHFUL_KEEPALIVE) if self.watchful else self.keepalive

    def tick(self, now: float, idle: bool) -> tuple[Action, ...]:
        """While UP: keep-alive now, or sleep until the line will have been quiet long enough."""
        interval = self.interval
        if now - self.last_rx >= interval and idle:
            deadline = WATCHFUL_TIMEOUT if self.watchful else KEEPALIVE_TIMEOUT
            return (SendKeepAlive(commands.at(), min(deadline, self.command_timeout)),)
        return (Sleep(max(MIN_TICK, self.last_rx + interval - now)),)

    def keepalive_unanswered(self) -> tuple[Action, ...]:
        return (DropLink("keep-alive AT got no answer"),)

    # --- loss and back-off ------------------------------------------------------------

    def lost(self, reason: str, *, pending: float = 0.0) -> tuple[Action, ...]:
        """The connection failed (I/O error, EOF, or a :class:`DropLink` being executed).

        ``pending``: how long the command outstanding at the loss still had to its deadline
        (its answer may still come, on the next connection)."""
        if self.state in (LinkState.RECONNECTING, LinkState.CLOSED, LinkState.DOWN):
            return ()
        self._drain_for = min(max(0.0, pending), DRAIN_MAX)
        state = LinkState.RECONNECTING if self.reconnect else LinkState.DOWN
        return (DropLink(reason), *self._enter(state, reason))

    def open_failed(self, reason: str) -> tuple[Action, ...]:
        """Opening or initialising failed: back off (longer each time in a row) or give up."""
        if not self.reconnect:
            return (*self._enter(LinkState.DOWN, reason), Stop())
        delay = self.backoff[min(self.failed_opens, len(self.backoff) - 1)]
        self.failed_opens += 1
        return (*self._enter(LinkState.RECONNECTING, reason), Sleep(delay))

    def watch_ended(self) -> tuple[Action, ...]:
        """An established link was lost and torn down: reopen after the shortest back-off."""
        if not self.reconnect:
            return (Stop(),)
        self.reconnects += 1
        return (Sleep(self.backoff[0]),)


def _learn(identity: GatewayIdentity, cmd: Command, lines: tuple[str, ...]) -> GatewayIdentity:
    """What an init query's answer tells about the gateway (raises on a malformed answer)."""
    if cmd.response == "+CNUMF":
        num_type, ident = commands.parse_cnumf(lines)
        return GatewayIdentity(ident, num_type, identity.mode)
    if cmd.response == "+CTOM":
        mode = commands.parse_int_field(lines, "+CTOM")
        return GatewayIdentity(identity.identity, identity.num_type, mode)
    return identity

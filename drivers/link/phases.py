"""The session's two waiting phases, executed: the init sequence and the keep-alive watch.

:class:`~drivers.pei.session.PeiSession` decides every step; these loops only wait for what
a step asks (an answer, a quiet line, a timer) and report the outcome back.  Why functions
over a few callables rather than link methods: they need nothing of the link but "ask the
gateway", the clock and "apply the immediate actions", so each reads on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from drivers.clock import Clock
from drivers.errors import CommandError, CommandTimeout, DriverError, LinkDown
from drivers.link.port import CommandRejected
from drivers.pei import events as ev
from drivers.pei import session as ps
from drivers.pei.commands import Command
from drivers.pei.state import LinkState

Ask = Callable[[Command, float], Awaitable[ev.CommandCompleted]]
Apply = Callable[[tuple[ps.Action, ...]], None]


async def run_init(session: ps.PeiSession, ask: Ask, clock: Clock, apply: Apply) -> None:
    """Run the init sequence to :class:`~drivers.pei.session.InitDone`; raise if it fails."""
    actions = session.begin_init(clock.monotonic())
    while True:
        apply(actions)
        step, error = actions[-1], None  # the command's own error, re-raised if it is fatal
        if isinstance(step, ps.InitDone):
            return
        if isinstance(step, ps.WaitQuiet):
            await clock.sleep(step.period)
            actions = session.quiet_checked(clock.monotonic())
        elif isinstance(step, ps.SendInit):
            try:
                actions = session.init_answered(await ask(step.command, step.timeout))
            except (CommandRejected, CommandTimeout) as exc:
                if isinstance(exc, CommandRejected):
                    actions = session.init_rejected(exc.failed)
                else:
                    actions = session.init_timed_out()
                error = exc
        if isinstance(failed := actions[-1], ps.InitFailed):
            fatal: DriverError = (
                error
                if error and not failed.reason
                else CommandError(failed.reason, hint=failed.hint)
            )
            raise fatal


async def watch(
    session: ps.PeiSession,
    ask: Ask,
    clock: Clock,
    idle: Callable[[], bool],
    lost: asyncio.Event,
    apply: Apply,
    rethink: asyncio.Event | None = None,
) -> None:
    """While UP: keep-alive when due; return once ``lost`` is set (or the link is not UP).

    ``rethink`` set: the keep-alive interval changed (watchful on or off); plan again."""
    while session.state is LinkState.UP:
        (action,) = session.tick(clock.monotonic(), idle())
        if isinstance(action, ps.SendKeepAlive):
            try:
                await ask(action.command, action.timeout)
            except CommandTimeout:
                apply(session.keepalive_unanswered())
            except (CommandError, LinkDown):
                pass
            continue
        assert isinstance(action, ps.Sleep)
        lost_wait = asyncio.ensure_future(lost.wait())
        tick = asyncio.ensure_future(clock.sleep(action.delay))
        waits = {lost_wait, tick}
        if rethink is not None:
            rethink.clear()
            waits.add(asyncio.ensure_future(rethink.wait()))
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when the supervisor is cancelled: no waiter left pending
            for fut in waits:
                if not fut.done():
                    fut.cancel()
        if lost_wait in done:
            return

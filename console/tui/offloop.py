"""Runtime commands and log queries off the UI loop (the toolong and harlequin pattern).

An attached console's commands are HTTP round trips to the station service: a local
socket, or a TLS link from another position, each bounded only by the client's timeout.
Reading the log (history, reports, the F7 log) is SQLite work that grows with the log.
Either, run on the UI loop, freezes the whole screen while it waits -- the alarm banner
and F12 included -- so both run in a thread worker, and their result comes back to the
loop, where the caller's ``then`` shows it.

A runtime in the same process is different: its engines live on this loop, are not
thread-safe, and answer in microseconds, so its commands run right here
(``commands_in_thread`` is False).  The screens call :func:`command` either way and do
not need to know which runtime they have.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from textual.dom import DOMNode

from console.errors import ConsoleError
from console.service.client import ServiceError

T = TypeVar("T")

USER_ERRORS: tuple[type[Exception], ...] = (ConsoleError,)
"""What a command may fail with for a reason the officer can act on (a refused page, a
service that does not answer: ``ServiceError`` is one)."""

Failed = Callable[[Exception], None]


def unanswered(exc: Exception) -> bool:
    """The service never answered (as opposed to answering no): the command may still
    have been done, so the officer is told to check, not that it failed."""
    return isinstance(exc, ServiceError) and getattr(exc, "status", None) is None


def command(
    node: DOMNode,
    runtime: Any,
    call: Callable[[], T],
    then: Callable[[T], None],
    failed: Failed,
    errors: tuple[type[Exception], ...] = (Exception,),
) -> None:
    """Run the runtime command ``call``; ``then(result)`` or ``failed(error)`` on the loop.

    Only ``errors`` are the user's to see (a refused page, a service that does not
    answer); anything else is a bug and reaches Textual's error handling as before."""
    if not getattr(runtime, "commands_in_thread", False):
        try:
            result = call()
        except errors as exc:
            failed(exc)
            return
        then(result)
        return
    _in_thread(node, call, then, failed, errors, group="command", exclusive=False)


def read_in_thread(
    node: DOMNode,
    call: Callable[[], T],
    then: Callable[[T], None],
    failed: Failed | None = None,
    errors: tuple[type[Exception], ...] = (Exception,),
    *,
    group: str = "query",
) -> None:
    """Read the log in a thread; a newer query of the same ``group`` cancels this one
    (its result is dropped), so a key held down never queues a backlog of reads."""
    _in_thread(node, call, then, failed, errors, group=group, exclusive=True)


def _in_thread(
    node: DOMNode,
    call: Callable[[], T],
    then: Callable[[T], None],
    failed: Failed | None,
    errors: tuple[type[Exception], ...],
    *,
    group: str,
    exclusive: bool,
) -> None:
    async def work() -> None:
        try:
            result = await asyncio.to_thread(call)
        except errors as exc:
            if failed is None:
                raise
            if node.is_attached:
                failed(exc)
            return
        if node.is_attached:  # the screen may have closed while it waited
            then(result)

    # A function, not a coroutine object: an exclusive worker may be cancelled unstarted.
    # (Textual types an async function as a work of result Never, hence the ignore.)
    node.run_worker(work, group=group, exclusive=exclusive)  # type: ignore[arg-type]

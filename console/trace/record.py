"""Record a wire trace from a gateway: open the link, init, run scripted actions, save.

Why through the production :class:`~drivers.link.PeiLink`: the trace must show what the
real console sends and what the gateway answers to *that*, including the init sequence
of the chosen dialect; a trace made with a terminal program would pin the parser to a
conversation the console never has.  The trace is saved even when an action fails, since
the failing conversation is the most useful one to send back from the bench.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from console.errors import ConsoleError
from drivers.clock import Clock, SystemClock
from drivers.errors import DriverError
from drivers.gateway import Gateway
from drivers.link import LinkState, LinkStateChanged, PeiLink, WireTrace, open_serial
from drivers.link.port import Port
from drivers.pei import commands
from drivers.pei.dialect import Dialect
from drivers.pei.events import PeiEvent

ACTION_HELP = (
    "text:ISSI:TEXT (SDS text, delivery report requested) | status:ISSI:HEX (e.g. "
    "status:2001:8002) | call:GSSI (group call, PTT release/press, hang up) | "
    "at:COMMAND (raw, e.g. at:AT+CSQ?) | wait:SECONDS"
)


class ActionError(ConsoleError):
    """A ``--do`` action that cannot be understood."""

    default_hint = ACTION_HELP


@dataclass(frozen=True)
class Action:
    kind: str
    args: tuple[str, ...]

    def __str__(self) -> str:
        return ":".join((self.kind, *self.args))


def parse_action(text: str) -> Action:
    """``text:2001:你好`` -> Action("text", ("2001", "你好")); validated, never ATZ."""
    kind, _, rest = text.partition(":")
    kind = kind.strip().lower()
    if kind == "text":
        dest, sep, body = rest.partition(":")
        if not sep or not dest.strip().isdigit() or not body:
            raise ActionError(f"--do {text!r}: expected text:ISSI:TEXT")
        return Action(kind, (dest.strip(), body))
    if kind == "status":
        dest, sep, value = rest.partition(":")
        try:
            int(value, 16)
        except ValueError:
            raise ActionError(f"--do {text!r}: expected status:ISSI:HEX (e.g. 8002)") from None
        if not sep or not dest.strip().isdigit():
            raise ActionError(f"--do {text!r}: expected status:ISSI:HEX")
        return Action(kind, (dest.strip(), value.strip()))
    if kind == "call":
        if not rest.strip().isdigit():
            raise ActionError(f"--do {text!r}: expected call:GSSI")
        return Action(kind, (rest.strip(),))
    if kind == "at":
        line = rest.strip()
        if not line.upper().startswith("AT") or line.upper() in ("ATZ", "AT&F"):
            raise ActionError(f"--do {text!r}: expected at:AT... (ATZ/AT&F are never sent)")
        return Action(kind, (line,))
    if kind == "wait":
        try:
            seconds = float(rest)
        except ValueError:
            raise ActionError(f"--do {text!r}: expected wait:SECONDS") from None
        if not 0 <= seconds <= 3600:
            raise ActionError(f"--do {text!r}: wait 0..3600 seconds")
        return Action(kind, (rest.strip(),))
    raise ActionError(f"--do {text!r}: unknown action {kind!r}")


class RecordingPort:
    """A port that appends every byte it writes (before writing) and reads to a trace."""

    def __init__(self, port: Port, trace: WireTrace) -> None:
        self._port = port
        self._trace = trace

    def read(self, size: int = 1) -> bytes:
        data = self._port.read(size)
        if data:
            self._trace.add("rx", data)
        return data

    def write(self, data: bytes, /) -> int | None:
        self._trace.add("tx", data)
        return self._port.write(data)

    def close(self) -> None:
        self._port.close()

    def reset_input_buffer(self) -> None:
        self._port.reset_input_buffer()

    @property
    def in_waiting(self) -> int:
        return self._port.in_waiting

    def cancel_read(self) -> None:
        cancel = getattr(self._port, "cancel_read", None)
        if cancel is not None:
            cancel()


def recording_opener(
    trace: WireTrace, base: Callable[[str, int], Port] = open_serial
) -> Callable[[str, int], Port]:
    """An opener for :class:`PeiLink` whose ports record into ``trace``."""

    def opener(url: str, baud: int) -> Port:
        return RecordingPort(base(url, baud), trace)

    return opener


@dataclass
class RecordResult:
    path: Path
    records: int
    events: list[PeiEvent] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _connect(link: PeiLink, timeout: float) -> None:
    """Start the link and wait for UP; give up at the first failed open (no back-off)."""
    settled = asyncio.Event()

    def watch(event: PeiEvent) -> None:
        if isinstance(event, LinkStateChanged) and event.state in (LinkState.UP, LinkState.DOWN):
            settled.set()

    unsubscribe = link.subscribe(watch)
    try:
        await link.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(settled.wait(), timeout)
        if link.state is not LinkState.UP:
            raise ConsoleError(
                f"gateway {link.url} did not come up: {link.last_error or 'no answer'}",
                hint="Run `dutydesk doctor --gateway ...` to see why.",
            )
    finally:
        unsubscribe()


async def _act(gateway: Gateway, action: Action, clock: Clock) -> None:
    if action.kind == "text":
        await gateway.send_text(action.args[0], action.args[1])
    elif action.kind == "status":
        await gateway.send_status(action.args[0], int(action.args[1], 16))
    elif action.kind == "call":
        cc = await gateway.start_group_call(action.args[0])
        await gateway.ptt_release(cc)
        await gateway.ptt_press(cc)
        await gateway.ptt_release(cc)
        await gateway.hang_up()
    elif action.kind == "at":
        await gateway.link.command(commands.raw(action.args[0]))
    elif action.kind == "wait":
        await clock.sleep(float(action.args[0]))


async def record_trace(
    url: str,
    out: Path,
    *,
    dialect: Dialect,
    baud: int | None = None,
    seconds: float = 5.0,
    actions: tuple[Action, ...] = (),
    clock: Clock | None = None,
    connect_timeout: float = 15.0,
    progress: Callable[[str], None] | None = None,
) -> RecordResult:
    """Open ``url``, init, run ``actions`` in order, listen ``seconds`` more, save JSONL."""
    clock = clock or SystemClock()
    trace = WireTrace(clock)
    from console.runtime.parts import gateway_link

    link, gateway = gateway_link(
        url,
        dialect=dialect,
        baud=baud,
        clock=clock,
        opener=recording_opener(trace),
        reconnect=False,
    )
    result = RecordResult(out, 0)
    link.subscribe(result.events.append)  # what the wire said, before the gateway decodes
    say = progress or (lambda _text: None)
    try:
        await _connect(link, connect_timeout)
        say(f"link up: identity {link.identity.identity or '?'}, mode {link.identity.mode}")
        for action in actions:
            say(f"action {action}")
            try:
                await _act(gateway, action, clock)
            except DriverError as exc:
                result.errors.append(f"{action}: {exc.message}")
                say(f"  failed: {exc.message}")
        if seconds > 0:
            say(f"listening {seconds:g} s")
            await clock.sleep(seconds)
    finally:
        await link.close()
        out.parent.mkdir(parents=True, exist_ok=True)
        trace.save(out)
        result.records = len(trace.records)
    return result

"""Replay a wire trace through the current parser and write what it produced as data.

Why replay *with* the transmitted commands: the PEI core can only tell the answer to
``AT+CTOM?`` from an unsolicited ``+CTOM`` (or ``+CMGS: 3`` from a later report) if it
knows which command was outstanding.  The trace's ``tx`` records carry exactly the bytes
the link wrote, one command per write, so they are turned back into
:class:`~drivers.pei.commands.Command` values and offered to the protocol in wire order.
A command still outstanding when the next one is written was abandoned on a deadline by
the link, and is abandoned here too.

The events are stored as plain dicts (type name + fields; bytes as hex) so a recorded
trace plus its ``.events.json`` is a regression test with no code at all.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Any

from drivers.link.trace import TraceRecord, load_trace
from drivers.pei.commands import CTRL_Z, Command
from drivers.pei.dialect import Dialect, load_dialect
from drivers.pei.events import PeiEvent
from drivers.pei.protocol import PeiProtocol

_QUERY = re.compile(r"^AT(\+[A-Z]+)\?$")
_CMGS = re.compile(r"^AT\+CMGS=", re.IGNORECASE)
EVENTS_SUFFIX = ".events.json"


class TxSplitter:
    """Bytes the console wrote -> the commands that produced them (any chunking)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Command]:
        self._buf += data
        out: list[Command] = []
        while True:
            cmd, used = self._next()
            if used == 0:
                return out
            del self._buf[:used]
            if cmd is not None:
                out.append(cmd)

    def _next(self) -> tuple[Command | None, int]:
        buf = self._buf
        ends = [i for i in (buf.find(b"\r"), buf.find(b"\n")) if i >= 0]
        if not ends:
            return None, 0
        end = min(ends)
        line = bytes(buf[:end]).decode("ascii", errors="replace").strip()
        stop = end + 1
        if stop < len(buf) and buf[end : end + 1] == b"\r" and buf[stop : stop + 1] == b"\n":
            stop += 1
        if not line:
            return None, stop
        if _CMGS.match(line):
            z = buf.find(CTRL_Z, stop)
            if z < 0:
                return None, 0  # the data block is not complete yet
            data = bytes(buf[stop:z]).strip()
            return Command(line, data=data, response="+CMGS"), z + 1
        m = _QUERY.match(line.upper())
        return Command(line, response=m.group(1) if m else None), stop


def replay_records(records: Iterable[TraceRecord], dialect: Dialect) -> list[PeiEvent]:
    """The events the current protocol core makes of ``records``, in wire order."""
    proto = PeiProtocol(dialect)
    splitter = TxSplitter()
    out: list[PeiEvent] = []
    for rec in records:
        if rec.direction == "tx":
            for cmd in splitter.feed(rec.data):
                if proto.pending is not None:
                    proto.abandon("timeout")  # what the link did at the deadline
                proto.send(cmd)
        else:
            out += proto.receive(rec.data)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return event_to_dict(value)
    return value


def event_to_dict(event: Any) -> dict[str, Any]:
    """``{"type": "SdsReceived", "ai_service": 12, ..., "payload": "8204..."}``.

    Fields excluded from the event's own equality (``compare=False``, e.g. the raw field
    list of ``IncomingCall``) are left out, so two dicts are equal exactly when the events are.
    """
    out: dict[str, Any] = {"type": type(event).__name__}
    for f in dataclasses.fields(event):
        if f.compare:
            out[f.name] = _plain(getattr(event, f.name))
    return out


def replay_file(path: str | Path, dialect: str = "etsi") -> list[dict[str, Any]]:
    """Replay a trace file; the events as dicts (what an ``.events.json`` stores)."""
    return [event_to_dict(e) for e in replay_records(load_trace(path), load_dialect(dialect))]


def events_document(trace_name: str, dialect: str, events: list[dict[str, Any]]) -> str:
    doc = {
        "trace": trace_name,
        "dialect": dialect,
        "note": "Expected events of the trace, written by `dutydesk trace to-test`. If the "
        "parser changes on purpose, re-run that command with --force.",
        "events": events,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def events_path(trace: Path) -> Path:
    """``NAME.jsonl`` -> ``NAME.events.json`` next to it."""
    return trace.with_name(trace.name.removesuffix(".jsonl") + EVENTS_SUFFIX)

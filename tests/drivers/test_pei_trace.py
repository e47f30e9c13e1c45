"""Replay of recorded wire traces through the protocol core, and trace-file errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drivers.clock import VirtualClock
from drivers.errors import DriverError
from drivers.link.trace import TraceRecord, WireTrace, load_trace, received_chunks
from drivers.pei import commands as c
from drivers.pei import events as ev
from drivers.pei.commands import Command
from drivers.pei.protocol import PeiProtocol

TRACES = Path(__file__).parent / "traces"
SESSION = TRACES / "etsi_session.jsonl"

# The commands whose bytes the trace's tx records carry, in order.
SESSION_COMMANDS: list[Command] = [
    c.echo_off(),
    c.query_mode(),
    c.register_service(1, 3, 130),
    c.query_identity(),
    c.send_sds(1234567, b"\x80\x0b"),
]

SESSION_EVENTS: list[ev.PeiEvent] = [
    ev.UnknownLine("\ufffd"),
    ev.StrayResult("+CME ERROR: 35", 35),
    ev.CommandCompleted("ATE0", ()),
    ev.CommandCompleted("AT+CTOM?", ("+CTOM: 0",)),
    ev.CommandCompleted("AT+CTSP=1,3,130", ()),
    ev.SdsReceived(
        12,
        "23404",
        "23401",
        112,
        bytes.fromhex("82040801476A61746A616A676A61"),
        "+CTSDSR: 12,23404,0,23401,0,112",
    ),
    ev.TxGranted(1, 3, "09011638300023404"),
    ev.CommandCompleted("AT+CNUMF?", ("+CNUMF: 6,09011638300023401",)),
    ev.CommandCompleted("AT+CMGS=1234567,16", ("+CMGS: 0",)),
    ev.SdsSendStatus(0, 4, 7),
    ev.IncomingCall(1, 0, 0, "23404", "1000", 1, 0, 1, 1),
    ev.CallConnected(1),
    ev.TxCeased(1),
    ev.CallReleased(1, 13),
]


def replay(records: list[TraceRecord], commands: list[Command]) -> list[ev.PeiEvent]:
    proto = PeiProtocol()
    queue = list(commands)
    out: list[ev.PeiEvent] = []
    for rec in records:
        if rec.direction == "tx":
            assert proto.send(queue.pop(0)) == rec.data
        else:
            out += proto.receive(rec.data)
    assert not queue
    assert proto.pending is None
    return out


def test_session_trace_loads() -> None:
    records = load_trace(SESSION)
    assert [r.t for r in records] == sorted(r.t for r in records)
    assert sum(r.direction == "tx" for r in records) == len(SESSION_COMMANDS)
    assert records[1] == TraceRecord(0.01, "tx", b"ATE0\r")


def test_session_trace_replay() -> None:
    assert replay(load_trace(SESSION), SESSION_COMMANDS) == SESSION_EVENTS


def test_session_replay_byte_by_byte_gives_same_events() -> None:
    records = load_trace(SESSION)
    split: list[TraceRecord] = []
    for rec in records:
        if rec.direction == "tx":
            split.append(rec)
        else:
            split += [TraceRecord(rec.t, "rx", bytes([b])) for b in rec.data]
    assert replay(split, SESSION_COMMANDS) == SESSION_EVENTS


def test_wire_trace_save_load_roundtrip(tmp_path: Path) -> None:
    clock = VirtualClock()
    trace = WireTrace(clock, limit=3)
    trace.add("tx", b"AT\r")
    clock._now = 0.25
    trace.add("rx", b"\r\nOK\r\n")
    trace.add("rx", b"+CTCR: 1,13\r\n")
    trace.add("rx", b"dropped")
    assert trace.dropped == 1
    path = tmp_path / "t.jsonl"
    trace.save(path)
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first == {"t": 0.0, "dir": "tx", "hex": "41540d"}
    records = load_trace(path)
    assert records == trace.records
    assert list(received_chunks(records)) == [b"\r\nOK\r\n", b"+CTCR: 1,13\r\n"]
    assert replay(records, [c.at()]) == [ev.CommandCompleted("AT", ()), ev.CallReleased(1, 13)]


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        '{"t": 0, "dir": "up", "hex": "00"}',
        '{"t": 0, "dir": "rx", "hex": "zz"}',
        '{"t": 0, "dir": "rx"}',
        '{"t": "soon", "dir": "rx", "hex": "00"}',
        "[1, 2, 3]",
        '"rx"',
    ],
)
def test_malformed_trace_line_names_file_and_line(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"t": 0, "dir": "rx", "hex": "4f4b0d"}\n\n' + bad + "\n", encoding="utf-8")
    with pytest.raises(DriverError) as info:
        load_trace(path)
    assert f"{path}:3" in str(info.value)
    assert "--trace" in info.value.hint


def test_non_utf8_trace_is_driver_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.jsonl"
    path.write_bytes(b'{"t": 0, "dir": "rx", "hex": "00"}\n\xff\xfe\x00garbage\n')
    with pytest.raises(DriverError) as info:
        load_trace(path)
    assert f"{path}:2" in str(info.value)

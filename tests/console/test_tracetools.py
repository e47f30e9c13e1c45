"""``dutydesk trace record`` / ``to-test`` against the simulated gateway, and the replay.

The strongest check: replaying a recorded trace through a fresh parser gives exactly the
protocol events the live link produced while recording -- so a corpus entry pins what the
console really saw on the wire.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from console.cli import main
from console.errors import ConsoleError
from console.trace.corpus import to_test
from console.trace.record import ActionError, parse_action, record_trace
from console.trace.replay import TxSplitter, event_to_dict, events_path, replay_file
from drivers.clock import SystemClock
from drivers.link import InitWarning, LinkStateChanged, load_trace
from drivers.pei.dialect import ETSI
from drivers.pei.events import CommandCompleted, TxGranted
from fakes.sim import start_simulation

UNITS = [{"issi": 2001, "alias": "星海实验小学", "kind": "school", "behaviour": "status"}]
GROUPS = [{"gssi": 9001, "name": "全体", "members": [2001]}]


def test_actions_parse_and_refuse_nonsense() -> None:
    assert str(parse_action("text:2001:收到:请回复")) == "text:2001:收到:请回复"
    assert parse_action("status:2001:8002").args == ("2001", "8002")
    assert parse_action("call:9001").args == ("9001",)
    assert parse_action("at:AT+CSQ?").args == ("AT+CSQ?",)
    for bad in ("text:abc:x", "status:2001:zz", "call:", "at:ATZ", "at:hello", "wait:x", "fly:1"):
        with pytest.raises(ActionError):
            parse_action(bad)


def test_tx_splitter_rebuilds_commands_from_any_chunking() -> None:
    wire = b"ATE0\r\nAT+CTOM?\rAT+CMGS=2001,16\r\n800B\x1aAT+CNUMF?\r"
    whole = TxSplitter().feed(wire)
    splitter = TxSplitter()
    pieces = [c for i in range(len(wire)) for c in splitter.feed(wire[i : i + 1])]
    assert whole == pieces
    assert [(c.line, c.data, c.response) for c in whole] == [
        ("ATE0", None, None),
        ("AT+CTOM?", None, "+CTOM"),
        ("AT+CMGS=2001,16", b"800B", "+CMGS"),
        ("AT+CNUMF?", None, "+CNUMF"),
    ]


async def test_record_against_the_simulator_replays_to_the_live_events(tmp_path: Path) -> None:
    clock = SystemClock()
    out = tmp_path / "bench.jsonl"
    async with contextlib.AsyncExitStack() as stack:
        sim = await start_simulation(clock, UNITS, GROUPS, gateway_issi=1000)
        stack.push_async_callback(sim.close)
        result = await record_trace(
            sim.url,
            out,
            dialect=ETSI,
            seconds=0.0,
            actions=(
                parse_action("status:2001:8002"),
                parse_action("text:2001:测试"),
                parse_action("call:9001"),
                parse_action("at:AT+CSQ?"),
            ),
            clock=clock,
        )
    assert result.errors == []
    records = load_trace(out)
    assert len(records) == result.records > 20
    assert records[0].direction == "tx" and records[0].data == b"AT\r"
    live = [e for e in result.events if not isinstance(e, LinkStateChanged | InitWarning)]
    replayed = replay_file(out)
    assert replayed == [event_to_dict(e) for e in live]
    kinds = {e["type"] for e in replayed}
    assert {"CommandCompleted", "TxGranted", "TxCeased", "CallReleased"} <= kinds
    assert any(isinstance(e, TxGranted) and e.ours for e in live)
    assert any(isinstance(e, CommandCompleted) and e.command == "AT+CSQ?" and e.lines for e in live)


def test_to_test_copies_writes_events_and_refuses_to_overwrite(tmp_path: Path) -> None:
    corpus = tmp_path / "traces"
    corpus.mkdir()
    source = Path(__file__).parents[1] / "drivers" / "traces" / "etsi_session.jsonl"
    entry = to_test(source, "bench_one", corpus=corpus)
    assert entry.trace == corpus / "bench_one.jsonl" and entry.copied
    assert entry.trace.read_bytes() == source.read_bytes()
    doc = json.loads(events_path(entry.trace).read_text(encoding="utf-8"))
    assert doc["trace"] == "bench_one.jsonl" and doc["dialect"] == "etsi"
    assert doc["events"] == replay_file(source) and entry.count == len(doc["events"]) == 14
    with pytest.raises(ConsoleError, match="already exists"):
        to_test(source, "bench_one", corpus=corpus)
    assert to_test(source, "bench_one", corpus=corpus, force=True).count == 14
    # Re-running on the corpus file itself refreshes the events in place.
    assert not to_test(entry.trace, "bench_one", corpus=corpus).copied
    for name in ("../evil", "a/b", "x.jsonl", ""):
        with pytest.raises(ConsoleError, match="not a plain file name"):
            to_test(source, name, corpus=corpus)
    with pytest.raises(ConsoleError, match="does not exist"):
        to_test(source, "ok", corpus=tmp_path / "nowhere")


def test_a_broken_trace_never_lands_in_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "traces"
    corpus.mkdir()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"t": 0, "dir": "rx", "hex": "zz"}\n', encoding="utf-8")
    with pytest.raises(ConsoleError, match=r"bad\.jsonl:1"):
        to_test(bad, "bad", corpus=corpus)
    assert list(corpus.iterdir()) == []


def test_cli_record_then_to_test_is_a_passing_corpus_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "sim://trace-test"  # the command defines and stops the network itself
    out = tmp_path / "rec.jsonl"
    code = main(
        [
            "trace",
            "record",
            "--gateway",
            url,
            "--out",
            str(out),
            "--seconds",
            "0",
            "--do",
            "status:2001:8002",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert f"dutydesk trace to-test {out} --name NAME --dialect etsi" in printed
    corpus = tmp_path / "traces"
    corpus.mkdir()
    args = ["trace", "to-test", str(out), "--name", "sim_status", "--dest", str(corpus)]
    assert main(args) == 0
    doc = json.loads((corpus / "sim_status.events.json").read_text(encoding="utf-8"))
    assert doc["events"] == replay_file(corpus / "sim_status.jsonl")
    assert any(
        e["type"] == "CommandCompleted" and e["command"] == "AT+CNUMF?" for e in doc["events"]
    )


def test_cli_record_from_a_missing_port_is_one_line_and_keeps_the_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rec.jsonl"
    code = main(["trace", "record", "--gateway", str(tmp_path / "ttyNONE"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "did not come up" in err and "Traceback" not in err
    assert out.exists()


class _AnswerBeforeWriteReturns:
    """A port whose answer is read and parsed while ``write`` has not yet returned.

    That is what a fast gateway does to a write that takes a moment to return (a USB
    adapter, a busy machine): the reader thread gets ``OK`` before the writer thread is
    back.  ``write`` waits (bounded) until the link has parsed the answer.
    """

    def __init__(self, parsed: threading.Event) -> None:
        self._parsed = parsed
        self._out = bytearray()
        self._lock = threading.Lock()
        self._ready = threading.Event()

    def write(self, data: bytes, /) -> int:
        self._parsed.clear()
        with self._lock:
            self._out += b"\r\nOK\r\n"
        self._ready.set()
        self._parsed.wait(2.0)
        return len(data)

    def read(self, size: int = 1) -> bytes:
        self._ready.wait(0.05)
        with self._lock:
            data, self._out = bytes(self._out[:size]), self._out[size:]
            if not self._out:
                self._ready.clear()
        return data

    @property
    def in_waiting(self) -> int:
        return len(self._out)

    def reset_input_buffer(self) -> None:
        pass

    def close(self) -> None:
        self._ready.set()


async def test_link_trace_records_a_command_before_its_answer() -> None:
    from drivers.link import PeiLink, WireTrace
    from drivers.pei import commands

    parsed = threading.Event()
    port = _AnswerBeforeWriteReturns(parsed)
    clock = SystemClock()
    trace = WireTrace(clock)
    dialect = replace(ETSI, init=())
    link = PeiLink("stub://", dialect=dialect, clock=clock, trace=trace, opener=lambda u, b: port)
    link.subscribe(lambda e: parsed.set() if isinstance(e, CommandCompleted) else None)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(link.close)
        await link.connect(timeout=5)
        await link.command(commands.at())
    directions = [r.direction for r in trace.records]
    assert directions[:2] == ["tx", "rx"], directions

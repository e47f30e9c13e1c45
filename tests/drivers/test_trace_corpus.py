"""Every recorded trace in ``traces/`` is a regression test: replay it, compare its events.

A trace becomes part of this corpus with one command (``dutydesk trace to-test FILE
--name NAME``), which copies it here and writes ``NAME.events.json``: what the parser
produced then.  If a parser change alters the events of a real gateway's conversation,
this test names the trace and the first event that differs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console.trace.replay import EVENTS_SUFFIX, events_path, replay_file

TRACES = Path(__file__).parent / "traces"
CORPUS = sorted(p for p in TRACES.glob("*.jsonl") if events_path(p).is_file())


def _first_difference(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> str:
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        if g != w:
            return f"event {i}: got {g!r}, expected {w!r}"
    return f"got {len(got)} events, expected {len(want)}"


def test_corpus_is_not_empty() -> None:
    assert CORPUS, f"no trace with a {EVENTS_SUFFIX} file in {TRACES}"


@pytest.mark.parametrize("trace", CORPUS, ids=[p.stem for p in CORPUS])
def test_trace_replays_to_its_recorded_events(trace: Path) -> None:
    doc = json.loads(events_path(trace).read_text(encoding="utf-8"))
    assert doc["trace"] == trace.name
    got = replay_file(trace, doc.get("dialect", "etsi"))
    assert got == doc["events"], f"{trace.name}: {_first_difference(got, doc['events'])}"


@pytest.mark.parametrize("trace", CORPUS, ids=[p.stem for p in CORPUS])
def test_trace_replays_the_same_when_read_byte_by_byte(trace: Path, tmp_path: Path) -> None:
    """Chunking is the transport's business: one byte per read must give the same events."""
    lines = trace.read_text(encoding="utf-8").splitlines()
    split = tmp_path / trace.name
    with split.open("w", encoding="utf-8") as fh:
        for line in lines:
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec["dir"] == "tx":
                fh.write(line + "\n")
                continue
            for i in range(0, len(rec["hex"]), 2):
                fh.write(json.dumps({"t": rec["t"], "dir": "rx", "hex": rec["hex"][i : i + 2]}))
                fh.write("\n")
    doc = json.loads(events_path(trace).read_text(encoding="utf-8"))
    assert replay_file(split, doc.get("dialect", "etsi")) == doc["events"]

"""Wire traces as regression tests: record from a gateway, replay through the parser."""

from __future__ import annotations

from console.trace.corpus import DEFAULT_CORPUS, CorpusEntry, to_test
from console.trace.replay import (
    TxSplitter,
    event_to_dict,
    events_document,
    events_path,
    replay_file,
    replay_records,
)

__all__ = [
    "DEFAULT_CORPUS",
    "CorpusEntry",
    "TxSplitter",
    "event_to_dict",
    "events_document",
    "events_path",
    "replay_file",
    "replay_records",
    "to_test",
]

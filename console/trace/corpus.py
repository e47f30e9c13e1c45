"""Turn a recorded trace into a regression test: copy it into the corpus, write its events.

The corpus folder (``tests/drivers/traces``) is replayed by
``tests/drivers/test_trace_corpus.py``; every ``NAME.jsonl`` with a ``NAME.events.json``
beside it is a test, so making one needs no code.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from console.errors import ConsoleError
from console.trace.replay import events_document, events_path, replay_file
from drivers.errors import DriverError

DEFAULT_CORPUS = Path("tests") / "drivers" / "traces"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")


@dataclass(frozen=True)
class CorpusEntry:
    trace: Path
    events: Path
    count: int
    copied: bool = True


def to_test(
    source: Path,
    name: str,
    *,
    corpus: Path = DEFAULT_CORPUS,
    dialect: str = "etsi",
    force: bool = False,
) -> CorpusEntry:
    """Copy ``source`` to ``corpus/NAME.jsonl`` and write ``NAME.events.json`` next to it."""
    if not _NAME.match(name) or name.endswith(".jsonl"):
        raise ConsoleError(
            f"trace name {name!r} is not a plain file name",
            hint="Use letters, digits, '-', '_' (e.g. sepura_stp9040_init).",
        )
    if not corpus.is_dir():
        raise ConsoleError(
            f"corpus folder {corpus} does not exist",
            hint="Run from the dutydesk source folder, or pass --dest tests/drivers/traces.",
        )
    if not source.is_file():
        raise ConsoleError(f"trace file {source} does not exist")
    target = corpus / f"{name}.jsonl"
    expected = events_path(target)
    same = target.exists() and target.resolve() == source.resolve()
    if not force and not same and (target.exists() or expected.exists()):
        raise ConsoleError(
            f"{target} already exists", hint="Choose another --name, or pass --force."
        )
    try:
        events = replay_file(source, dialect)  # first: a bad trace must not land in the corpus
    except DriverError as exc:
        raise ConsoleError(exc.message, hint=exc.hint) from None
    if not same:
        shutil.copyfile(source, target)
    expected.write_text(events_document(target.name, dialect, events), encoding="utf-8")
    return CorpusEntry(target, expected, len(events), copied=not same)

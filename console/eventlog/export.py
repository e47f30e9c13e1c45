"""Export the log as CSV or JSON Lines (``dutydesk log export --format csv|jsonl``).

Untrusted text stays inert (design §6).  Unit names, operator notes and SDS text come from
radios and keyboards and can hold newlines, quotes, commas, control characters or terminal
escape sequences; the export must be data, never instructions, to whatever opens it:

* CSV: RFC 4180 quoting by the ``csv`` module (quotes, commas, newlines); every control
  character (C0, DEL, C1 such as the 8-bit CSI ``\\x9b``), line/paragraph separators and
  bidi overrides are written as the visible text ``\\uXXXX``, so ``cat export.csv`` cannot
  drive the terminal; a text cell starting with ``= + - @`` is prefixed with ``'`` so
  spreadsheets do not evaluate it as a formula.  UTF-8; ``bom=True`` adds the BOM that
  Excel on a Chinese Windows needs to detect UTF-8 (``console.csvtext``, the writer every
  CSV of the console shares; ``dutydesk log export`` adds it unless ``--no-bom``).
* JSONL: one JSON object per line; JSON escapes C0, and DEL/C1/separators/bidi/lone
  surrogates are escaped as ``\\uXXXX`` too, which is still the same JSON value (lossless).
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Iterable
from typing import Final, TextIO

from console.csvtext import csv_writer
from console.errors import say_error
from console.exitcodes import ExitCode
from console.i18n import is_english, t

from .errors import EventLogError, LogBadQuery
from .query import TimeArg, parse_time
from .records import EventRecord
from .store import EventLog

FORMATS: Final = ("csv", "jsonl")
CSV_COLUMNS: Final = (
    "id",
    "wall_utc",
    "wall_local",
    "mono",
    "kind",
    "incident",
    "page",
    "unit",
    "group",
    "operator",
    "data",
)

# Controls and invisible direction changers; surrogates only matter for JSON output.
_UNSAFE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_UNSAFE_JSON: Final = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_FORMULA_START: Final = ("=", "+", "-", "@")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def inert_text(text: str) -> str:
    """Controls/bidi as visible ``\\uXXXX``; a leading formula character defused."""
    text = _UNSAFE.sub(_escape, text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def inert_json(value: object) -> str:
    """``json.dumps`` readable for Chinese, with every dangerous character escaped."""
    return _UNSAFE_JSON.sub(_escape, json.dumps(value, ensure_ascii=False))


def _csv_row(rec: EventRecord) -> list[str]:
    def cell(value: str | None) -> str:
        return "" if value is None else inert_text(value)

    return [
        str(rec.id),
        rec.wall_iso,
        rec.wall_local_iso,
        f"{rec.mono:.6f}",
        cell(rec.kind),
        cell(rec.incident),
        cell(rec.page),
        cell(rec.unit),
        cell(rec.group),
        cell(rec.operator),
        # Stored JSON: C0 already escaped by json; escape the rest the same way.
        _UNSAFE_JSON.sub(_escape, rec.data_json),
    ]


def write_records(
    records: Iterable[EventRecord], out: TextIO, fmt: str, *, bom: bool = False
) -> int:
    """Write records in ``fmt``; return how many.  For CSV, open ``out`` with
    ``newline=""`` (the csv module writes ``\\r\\n`` itself)."""
    if fmt not in FORMATS:
        raise LogBadQuery(f"unknown export format {fmt!r} (use csv or jsonl)")
    count = 0
    if fmt == "csv":
        writer = csv_writer(out, bom=bom)
        writer.writerow(CSV_COLUMNS)
        for rec in records:
            writer.writerow(_csv_row(rec))
            count += 1
    else:
        for rec in records:
            out.write(inert_json(rec.as_dict()) + "\n")
            count += 1
    return count


def export(
    log: EventLog,
    out: TextIO,
    fmt: str,
    *,
    since: TimeArg = None,
    until: TimeArg = None,
    incident: str | int | None = None,
    unit: str | int | None = None,
    kinds: Iterable[str] | None = None,
    bom: bool = False,
) -> int:
    """Export committed events matching the filters (``since`` inclusive, ``until``
    exclusive, ISO-8601 local or UTC) to ``out``; return the number written."""
    if fmt not in FORMATS:
        raise LogBadQuery(f"unknown export format {fmt!r} (use csv or jsonl)")
    records = log.query(since=since, until=until, incident=incident, unit=unit, kinds=kinds)
    return write_records(records, out, fmt, bom=bom)


def export_main(
    db_path: str | os.PathLike[str],
    fmt: str = "csv",
    since: str | None = None,
    until: str | None = None,
    incident: str | None = None,
    unit: str | None = None,
    out: TextIO | str | os.PathLike[str] | None = None,
    *,
    bom: bool = False,
    kinds: Iterable[str] | None = None,
    err: TextIO | None = None,
    lang: str = "en",
) -> int:
    """Entry point for ``dutydesk log export``; returns the process exit code.

    ``out`` is a text stream, a file path (written to ``<path>.part`` then renamed, so a
    pulled USB stick never leaves a truncated file under the final name) or ``None`` for
    standard output (as UTF-8 whatever the console code page).  Errors are printed as
    ``error: ...`` plus a hint, never a traceback.  The exit status is an
    :class:`~console.exitcodes.ExitCode`: 0 events exported, 1 nothing matched the
    filters (said so on ``err``: an empty file is easy to mistake for a quiet shift),
    2 bad arguments or a log or output it could not use.
    """
    err = err if err is not None else sys.stderr
    try:
        if fmt not in FORMATS:
            raise LogBadQuery(f"unknown export format {fmt!r} (use csv or jsonl)")
        parse_time(since, name="--since")
        parse_time(until, name="--until")
    except LogBadQuery as exc:
        print(_error_line(exc, lang), file=err)
        return ExitCode.ERROR
    try:
        with EventLog.open_readonly(db_path, check="none") as log:

            def write(stream: TextIO) -> int:
                return export(
                    log,
                    stream,
                    fmt,
                    since=since,
                    until=until,
                    incident=incident,
                    unit=unit,
                    kinds=kinds,
                    bom=bom,
                )

            if out is None:
                count = _to_stdout(log, fmt, since, until, incident, unit, kinds, bom)
                target = "standard output"
            elif isinstance(out, str | os.PathLike):
                target = os.fspath(out)
                part = target + ".part"
                with open(part, "w", encoding="utf-8", newline="") as fh:
                    count = write(fh)
                os.replace(part, target)
            else:
                target = getattr(out, "name", "output")
                count = write(out)
                out.flush()
    except EventLogError as exc:  # LogBadQuery too
        print(_error_line(exc, lang), file=err)
        return ExitCode.ERROR
    except OSError as exc:
        print(
            f"error: cannot write the export: {exc.strerror or exc}\n"
            "hint: check the output path, free space and that the drive is still plugged in.",
            file=err,
        )
        return ExitCode.ERROR
    if count == 0:
        filters = _filters(since=since, until=until, incident=incident, unit=unit, kinds=kinds)
        print(
            f"nothing matched: no events{filters} in {os.fspath(db_path)} "
            f"(only the header was written to {target})\n"
            "hint: check the filters; 'dutydesk log export' without them shows what is there.",
            file=err,
        )
        return ExitCode.MISSED
    print(f"exported {count} events to {target}", file=err)
    return ExitCode.OK


def _error_line(exc: EventLogError, lang: str) -> str:
    """``error: ...`` and its hint on the next line; in zh-CN one line, in Chinese."""
    if is_english(lang):
        return f"error: {exc}"
    return t("log.err.line", lang, error=say_error(exc, lang))


def _filters(**given: object) -> str:
    """`` with --unit 2001 --since ...`` for the filters that were given."""
    parts = [
        f"--{name} {', '.join(map(str, value)) if isinstance(value, list | tuple) else value}"
        for name, value in given.items()
        if value not in (None, "", (), [])
    ]
    return f" with {' '.join(parts)}" if parts else ""


def _to_stdout(
    log: EventLog,
    fmt: str,
    since: TimeArg,
    until: TimeArg,
    incident: str | None,
    unit: str | None,
    kinds: Iterable[str] | None,
    bom: bool,
) -> int:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # replaced stdout (tests, IDEs): write text as is
        return export(
            log,
            sys.stdout,
            fmt,
            since=since,
            until=until,
            incident=incident,
            unit=unit,
            kinds=kinds,
            bom=bom,
        )
    sys.stdout.flush()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=False)
    try:
        return export(
            log,
            stream,
            fmt,
            since=since,
            until=until,
            incident=incident,
            unit=unit,
            kinds=kinds,
            bom=bom,
        )
    finally:
        stream.flush()
        stream.detach()

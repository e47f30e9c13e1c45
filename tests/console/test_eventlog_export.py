"""Export to CSV / JSONL: Chinese text, hostile text kept inert, time filters, exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from console.eventlog import EventLog, export, export_main

T0 = 1_714_521_600.0  # 2024-05-01T00:00:00Z

HOSTILE = (
    'line1\nline2\r\n"quoted", comma; \x1b[2J\x1b]0;pwned\x07 csi\x9b31m del\x7f '
    "bidi\u202eevil nul\x00 tab\t"
)
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202e]")


class FakeClock:
    def __init__(self) -> None:
        self.mono = 0.0

    def monotonic(self) -> float:
        return self.mono

    def time(self) -> float:
        return T0 + self.mono


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "events.db"
    clock = FakeClock()
    with EventLog.open(
        path, clock=clock, background=False, durability="normal", record_sessions=False
    ) as lg:
        lg.append("incident.state", incident="INC-1", data={"state": "raised"})
        clock.mono += 60
        lg.append("wire.sds_in", unit="1001", incident="INC-1", data={"text": "收到,马上到"})
        clock.mono += 60
        lg.append("wire.sds_in", unit="=cmd|' /C calc'!A0", data={"text": HOSTILE})
        clock.mono += 60
        lg.append("operator.action", operator=HOSTILE, incident="INC-2", data={"k": 1})
    return path


def _export(db: Path, fmt: str, **kw: object) -> str:
    buf = io.StringIO(newline="")
    with EventLog.open_readonly(db) as ro:
        export(ro, buf, fmt, **kw)  # type: ignore[arg-type]
    return buf.getvalue()


def test_csv_is_valid_utf8_with_chinese_and_optional_bom(db: Path) -> None:
    text = _export(db, "csv", bom=True)
    assert text.startswith("\ufeffid,wall_utc,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert len(rows) == 4
    assert json.loads(rows[1]["data"]) == {"text": "收到,马上到"}
    assert rows[1]["wall_utc"] == "2024-05-01T00:01:00.000Z"
    assert rows[0]["incident"] == "INC-1" and rows[1]["unit"] == "1001"
    text.encode("utf-8")
    assert not _export(db, "csv").startswith("\ufeff")


def test_csv_keeps_hostile_text_inert(db: Path) -> None:
    text = _export(db, "csv")
    assert not RAW_CONTROL.search(text)  # no ESC, BEL, C1 CSI, DEL, NUL, bidi override
    # the only raw line breaks are the record terminators
    assert text.count("\r\n") == 5 and text.count("\n") == 5
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 4
    hostile_operator = rows[3]["operator"]
    assert '"quoted", comma;' in hostile_operator and "\\u001b[2J" in hostile_operator
    assert "\\u009b31m" in hostile_operator and "\\u202e" in hostile_operator
    assert rows[2]["unit"].startswith("'=")  # spreadsheet formula defused
    # the data column is JSON whose value is exactly the original text
    assert json.loads(rows[2]["data"])["text"] == HOSTILE


def test_jsonl_is_lossless_and_inert(db: Path) -> None:
    text = _export(db, "jsonl")
    assert not RAW_CONTROL.search(text)
    lines = text.splitlines()
    assert len(lines) == 4 and text.endswith("\n")
    records = [json.loads(line) for line in lines]
    assert records[2]["data"]["text"] == HOSTILE
    assert records[3]["operator"] == HOSTILE
    assert records[1]["data"]["text"] == "收到,马上到" and "收到" in lines[1]  # readable
    assert records[0]["wall_utc"] == "2024-05-01T00:00:00.000Z"


def test_filters_by_time_incident_unit(db: Path) -> None:
    def ids(**kw: object) -> list[int]:
        return [json.loads(x)["id"] for x in _export(db, "jsonl", **kw).splitlines()]

    assert ids(since="2024-05-01T00:01:00Z", until="2024-05-01T00:03:00Z") == [2, 3]
    assert ids(since="2024-05-01 08:01:00+08:00") == [2, 3, 4]
    assert ids(incident="INC-1") == [1, 2]
    assert ids(unit="1001") == [2]


def test_export_main_to_file_and_errors(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    err = io.StringIO()
    assert export_main(db, "csv", incident="INC-1", out=out, bom=True, err=err) == 0
    assert "exported 2 events" in err.getvalue()
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert not (tmp_path / "out.csv.part").exists()

    err = io.StringIO()
    assert export_main(db, "xml", out=io.StringIO(), err=err) == 2
    assert "unknown export format" in err.getvalue() and "hint:" in err.getvalue()
    err = io.StringIO()
    assert export_main(db, "csv", since="yesterday", out=io.StringIO(), err=err) == 2
    assert "not an ISO-8601 time" in err.getvalue()
    err = io.StringIO()
    assert export_main(tmp_path / "missing.db", "jsonl", out=io.StringIO(), err=err) == 2
    assert err.getvalue().startswith("error: ") and "hint:" in err.getvalue()
    assert "Traceback" not in err.getvalue()


def test_export_main_to_stdout_is_utf8(db: Path, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    assert export_main(db, "jsonl", unit="1001", err=io.StringIO()) == 0
    out = capfdbinary.readouterr().out.decode("utf-8")
    assert json.loads(out)["data"]["text"] == "收到,马上到"

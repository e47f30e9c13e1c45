"""Every CSV the station writes opens right in Excel: a UTF-8 BOM, unless ``--no-bom``.

Through the real CLI entry for the roll-call report and the log export; the drill
report, the city report and the console's own exports share the one writer
(``console.csvtext``), checked here on the renderers.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from console.centre.render import render_csv as city_csv
from console.centre.report import StationInputs, city_report
from console.cli import main
from console.csvtext import BOM, csv_text
from console.eventlog import EventLog
from console.exitcodes import ExitCode
from console.reports import render
from console.reports.model import Report

UTF8_BOM = b"\xef\xbb\xbf"


def test_one_writer_bom_by_default_crlf_rows() -> None:
    assert csv_text([["单元", "状态"], ["蓝海", "到场"]]) == BOM + "单元,状态\r\n蓝海,到场\r\n"
    assert csv_text([["a"]], bom=False) == "a\r\n"
    report = city_report(0.0, 1.0, [StationInputs("东湖派出所")])
    assert city_csv(report, "zh-CN").startswith(BOM)
    assert not city_csv(report, "zh-CN", bom=False).startswith(BOM)


def test_a_drill_or_rollcall_report_as_csv_has_the_bom_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "rc.db")
    argv = ["rollcall", "--gateway", "sim", "--group", "巡逻组", "--deadline", "0.2"]
    assert main([*argv, "--late-window", "0", "--json", "--db", db]) == ExitCode.MISSED
    rollcall_id = json.loads(capsys.readouterr().out)["id"]
    show = ["rollcall", "--show", rollcall_id, "--format", "csv", "--db", db]
    assert main(show) == ExitCode.OK
    text = capsys.readouterr().out
    assert text.startswith(BOM + "report,issi,alias")
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert {r[2] for r in rows[1:]} >= {"巡逻一组"}
    assert main([*show, "--no-bom"]) == ExitCode.OK
    assert capsys.readouterr().out.startswith("report,issi,alias")
    # The same renderer writes the drill report (dutydesk drill report/run --no-bom).
    empty = Report("drill", "D1", "演练", 0.0, 1.0, "passed", True, (), (), (), (), ())
    assert render(empty, "csv").startswith(BOM)
    assert not render(empty, "csv", bom=False).startswith(BOM)


def test_log_export_csv_has_the_bom_unless_asked(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    log = EventLog.open(db, background=False, record_sessions=False)
    log.append("wire.sds_in", unit=2015, data={"text": "收到"})
    log.close()
    out = tmp_path / "log.csv"
    argv = ["log", "export", "--db", str(db), "--out", str(out)]
    assert main(argv) == ExitCode.OK
    assert out.read_bytes().startswith(UTF8_BOM + b"id,wall_utc,")
    assert main([*argv, "--no-bom"]) == ExitCode.OK
    assert out.read_bytes().startswith(b"id,wall_utc,")
    jsonl = tmp_path / "log.jsonl"
    assert main(["log", "export", "--db", str(db), "--format", "jsonl", "--out", str(jsonl)]) == 0
    assert not jsonl.read_bytes().startswith(UTF8_BOM)  # JSON Lines never has one

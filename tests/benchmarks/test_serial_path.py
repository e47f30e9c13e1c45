"""The serial critical path the benchmarks divide by (issue 13): what counts, what not."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from drivers.pei.commands import send_sds
from drivers.pei.dialect import ETSI
from drivers.pei.protocol import PeiProtocol

HERE = Path(__file__).resolve().parents[2] / "benchmarks" / "serial_path.py"


def _load() -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package: load the helper by its path.
    spec = importlib.util.spec_from_file_location("serial_path", HERE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("serial_path", module)
    spec.loader.exec_module(module)
    return module


sp = _load()


def test_only_each_commands_own_answer_is_on_the_path() -> None:
    cmd = PeiProtocol(ETSI).send(send_sds(2001, b"\x82\x04\x01\x01hello"))
    tx = cmd * 3
    first, later = b"\r\n+CMGS: 7\r\n\r\nOK\r\n", b"\r\n+CMGS: 8\r\n\r\nOK\r\n" * 2
    answers = first + later
    reports = (
        b"\r\n+CMGS: 7,4,12\r\n"  # over the air: unsolicited, overlaps the next command
        b"\r\n+CTSDSR: 12,2001,0,1000,0,32\r\n10000C00\r\n"  # delivery report
    )
    rx = first + reports + later
    path = sp.critical_path(tx, rx)
    assert path.command_bytes == len(tx)
    assert path.answer_bytes == len(answers)
    assert path.finals == 3
    assert path.other_bytes == len(reports)
    assert path.seconds(115200) == pytest.approx((len(tx) + len(answers)) * 10 / 115200)
    assert path.both_ways_seconds(9600) == pytest.approx((len(tx) + len(rx)) * 10 / 9600)


def test_errors_are_answers_too() -> None:
    rx = b"\r\n+CME ERROR: 35\r\n\r\nERROR\r\n"
    path = sp.critical_path(b"AT+CMGS=1,8\r00\x1a" * 2, rx)
    assert (path.answer_bytes, path.finals, path.other_bytes) == (len(rx), 2, 0)


def test_joined_keeps_each_direction_in_order() -> None:
    tx, rx = sp.joined([("tx", b"A"), ("rx", b"1"), ("tx", b"B"), ("rx", b"2")])
    assert (tx, rx) == (b"AB", b"12")


def test_spread_is_median_with_min_and_max() -> None:
    s = sp.Spread.of([3.0, 1.0, 2.0, 10.0, 4.0])
    assert (s.median, s.low, s.high, s.runs) == (3.0, 1.0, 10.0, 5)
    assert s.fmt(".1f") == "3.0 (1.0-10.0)"
    with pytest.raises(ValueError):
        sp.Spread.of([])

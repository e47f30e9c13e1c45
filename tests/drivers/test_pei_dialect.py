"""Dialects as data: built-in tables, inheritance, and load errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.errors import DialectError
from drivers.pei import commands as c
from drivers.pei import events as ev
from drivers.pei.dialect import ETSI, builtin_dialects, load_dialect
from drivers.pei.protocol import PeiProtocol


def test_builtin_dialects_listed() -> None:
    assert {"etsi", "sepura", "pdt-generic"} <= set(builtin_dialects())


def test_etsi_defaults() -> None:
    assert ETSI.name == "etsi"
    assert ETSI.line_ending == b"\r"
    assert ETSI.baud == 115200
    assert not any(cmd.upper() == "ATZ" for cmd in ETSI.init)
    assert ETSI.urc("ctom") is not None
    assert ETSI.urc("CMGS") is not None and ETSI.urc("CMGS").min_fields == 2  # type: ignore[union-attr]


def test_sepura_line_ending_and_baud() -> None:
    sepura = load_dialect("sepura")
    assert sepura.baud == 38400
    assert sepura.line_ending == b"\r\n"
    # Inherited from etsi, unchanged.
    assert sepura.init == ETSI.init
    assert sepura.urcs == ETSI.urcs
    assert PeiProtocol(sepura).send(c.query_mode()) == b"AT+CTOM?\r\n"


def test_pdt_generic_cticn_maps_to_same_event() -> None:
    pdt = PeiProtocol(load_dialect("pdt-generic"))
    etsi = PeiProtocol()
    (pdt_call,) = pdt.receive(b"+CTICN: 1,0,0,1,23404,0,15,0,1000\r\n")
    (etsi_call,) = etsi.receive(b"+CTICN: 1,0,0,5,23404,1,1,0,1,1,5,1000,15\r\n")
    assert isinstance(pdt_call, ev.IncomingCall)
    assert isinstance(etsi_call, ev.IncomingCall)
    for attr in ("cc", "call_status", "ai_service", "calling", "called", "priority", "simplex"):
        assert getattr(pdt_call, attr) == getattr(etsi_call, attr), attr
    assert pdt_call.emergency and pdt_call.calling_ssi == "23404"


def test_pdt_generic_ctcr_and_ctcc_layouts() -> None:
    pdt = PeiProtocol(load_dialect("pdt-generic"))
    assert pdt.receive(b"+CTCR: 1,1000,13\r\n+CTCC: 1,1\r\n") == [
        ev.CallReleased(1, 13),
        ev.CallConnected(1),
    ]
    assert PeiProtocol().receive(b"+CTCR: 1,13\r\n") == [ev.CallReleased(1, 13)]
    (rel,) = pdt.receive(b"+CTCR: 2,1000,2\r\n")
    assert isinstance(rel, ev.CallReleased) and "busy" in rel.cause_text


def test_pdt_generic_settings_and_inherited_urcs() -> None:
    pdt = load_dialect("pdt-generic")
    assert pdt.baud == 9600
    assert pdt.line_ending == b"\r\n"
    assert pdt.urc("CTXG") == ETSI.urc("CTXG")
    assert PeiProtocol(pdt).receive(b"+CTXG: 1,3,0,0,0,255\r\n") == [ev.TxGranted(1, 3, "255")]


def test_unknown_dialect_name() -> None:
    with pytest.raises(DialectError) as info:
        load_dialect("no-such-dialect")
    assert "no-such-dialect" in str(info.value)
    assert "etsi" in info.value.hint


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "gw.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_dialect_file_inheriting_etsi(tmp_path: Path) -> None:
    d = load_dialect(_write(tmp_path, 'name = "bench"\ninherits = "etsi"\nbaud = 19200\n'))
    assert (d.name, d.baud, d.line_ending) == ("bench", 19200, b"\r")


@pytest.mark.parametrize("atz", ["ATZ", "atz", " ATZ "])
def test_dialect_file_with_atz_in_init(tmp_path: Path, atz: str) -> None:
    path = _write(tmp_path, f'name = "x"\ninherits = "etsi"\ninit = ["AT", "{atz}"]\n')
    with pytest.raises(DialectError) as info:
        load_dialect(path)
    assert "ATZ" in str(info.value)


@pytest.mark.parametrize("ending", ["\\t", ";", "\\r\\r", ""])
def test_dialect_file_with_bad_line_ending(tmp_path: Path, ending: str) -> None:
    path = _write(tmp_path, f'name = "x"\ninherits = "etsi"\nline_ending = "{ending}"\n')
    with pytest.raises(DialectError, match="line_ending"):
        load_dialect(path)


@pytest.mark.parametrize(
    "text",
    [
        'name = "x"\ninherits = "etsi"\nbogus = 1\n',
        'name = "x"\ninherits = "etsi"\n[urc.CTXX]\nevent = "nope"\n',
        'name = "x"\n',
        'name = "x"\ninherits = "etsi"\nbaud = "fast"\n',
        "this is = = not toml",
        'name = "x"\ninherits = "no-such-parent"\n',
    ],
)
def test_malformed_dialect_files(tmp_path: Path, text: str) -> None:
    with pytest.raises(DialectError):
        load_dialect(_write(tmp_path, text))


def test_dialect_inheritance_loop(tmp_path: Path) -> None:
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    a.write_text(f'name = "a"\ninherits = "{b}"\n', encoding="utf-8")
    b.write_text(f'name = "b"\ninherits = "{a}"\n', encoding="utf-8")
    with pytest.raises(DialectError, match="loops"):
        load_dialect(str(a))

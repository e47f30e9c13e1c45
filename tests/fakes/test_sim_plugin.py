"""The console's entry points: start_background (thread) and serve (foreground process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import serial

from fakes.plugin import start_background
from tests.factories import Reaped
from tests.fakes.simhelpers import GROUPS, UNITS

ROOT = Path(__file__).resolve().parents[2]


def test_start_background_and_call() -> None:
    handle = start_background(UNITS, GROUPS, gateway_issi=1000, background_traffic=False)
    try:
        assert os.path.islink(handle.url)
        with serial.serial_for_url(handle.url, timeout=5) as ser:
            ser.write(b"ATE0\rAT+CTSP=1,2,20\r")
            assert ser.read_until(b"OK\r\n") == b"ATE0\r\r\nOK\r\n"
            assert ser.read_until(b"OK\r\n") == b"\r\nOK\r\n"
            handle.call(lambda sim: sim.radio(2001).send_status(0x8004))
            assert ser.read_until(b"8004\r\n").endswith(
                b"+CTSDSR: 13,2001,0,1000,0,16\r\n\r\n8004\r\n"
            )
            assert handle.call(lambda sim: sorted(sim.network.radios)) == [2001, 2002, 2003, 2004]
    finally:  # kept: the test asserts what stop() leaves behind
        handle.stop()
    assert not os.path.exists(handle.url)


def test_serve_announces_first_and_stops_on_sigterm(reaped: Reaped) -> None:
    code = textwrap.dedent(
        f"""
        import fakes.plugin as p
        units = {UNITS!r}
        groups = {GROUPS!r}
        raise SystemExit(p.serve(units, groups, gateway_issi=1000, tcp_port=0,
                                 announce=lambda u: print("URL", u, flush=True)))
        """
    )
    proc = reaped(
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("URL socket://127.0.0.1:")
    ser = serial.serial_for_url(first.split()[1], timeout=5)
    ser.write(b"AT\r")
    assert ser.read_until(b"OK\r\n") == b"AT\r\r\nOK\r\n"
    ser.close()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "simulator stopped" in out


def test_fakes_never_import_console_or_textual() -> None:
    import ast

    for path in (ROOT / "fakes").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("console", "textual"), (path, name)

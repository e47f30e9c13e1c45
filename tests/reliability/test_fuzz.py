"""Hostile input to the PEI parser, the SDS decoders, the station and the drill loaders.

Properties (``fuzz_targets``): only typed errors (``DriverError`` / ``ConsoleError``
subclasses), a time bound per input, and a tracemalloc peak bound on large inputs.
Inputs: hypothesis strategies, seeded structure-aware mutations of valid files/traces,
and (when installed) a short atheris run per target.  ``--soak`` multiplies the sizes.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability import fuzz_targets
from tests.reliability.fuzz_targets import (
    DRILL_SEED,
    PEI_LINES,
    STATION_SEED,
    TARGETS,
    drill_target,
    pei_target,
    run_generated,
    sds_target,
    station_target,
)

HERE = Path(__file__).resolve().parent
CI_GENERATED, SOAK_FACTOR = 1500, 20
HYP = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

PEI_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.lists(
        st.tuples(
            st.sampled_from(PEI_LINES),
            st.binary(max_size=4),
            st.sampled_from([b"\r\n", b"\r", b"\n", b""]),
        ),
        max_size=20,
    ).map(lambda parts: b"".join(a + b + c for a, b, c in parts)),
)


@HYP
@given(PEI_BYTES)
def test_pei_parser_hypothesis(data: bytes) -> None:
    pei_target(data)


@HYP
@given(st.binary(max_size=400))
def test_sds_decoders_hypothesis(data: bytes) -> None:
    sds_target(data)


def _splice(seed: str) -> st.SearchStrategy[str]:
    lines = seed.splitlines()
    return st.tuples(
        st.integers(0, len(lines)), st.integers(0, len(lines)), st.text(max_size=60)
    ).map(lambda t: "\n".join([*lines[: t[0]], t[2], *lines[t[1] :]]))


@HYP
@given(st.one_of(st.text(max_size=300), _splice(STATION_SEED)))
def test_station_loader_hypothesis(text: str) -> None:
    station_target(text)


@HYP
@given(st.one_of(st.text(max_size=300), _splice(DRILL_SEED)))
def test_drill_loader_hypothesis(text: str) -> None:
    drill_target(text)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_seeded_generated_inputs(name: str, soak: bool) -> None:
    count = CI_GENERATED * (SOAK_FACTOR if soak else 1)
    assert run_generated(name, count) == count


# -- memory on large inputs ------------------------------------------------------------------


def _peak(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:  # kept: tracemalloc is process-wide state with no context manager of its own
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


MB = 1 << 20


@pytest.mark.parametrize(
    ("what", "call", "bound"),
    [
        # 2 MB without a line end: the framer discards past MAX_LINE instead of buffering
        ("pei-no-newline", lambda: pei_target(b"A" * (2 * MB)), 24 * MB),
        # 4000 URCs in one read: events are returned, not accumulated in the parser
        (
            "pei-many-urcs",
            lambda: pei_target(b"+CTSDSR: 13,2001,0,1000,0,16\r\n8002\r\n" * 2000),
            16 * MB,
        ),
        (
            "pei-huge-hex",
            lambda: pei_target(b"+CTSDSR: 12,2001,0,1000,0,8\r\n" + b"82" * MB),
            24 * MB,
        ),
        ("sds-256k", lambda: sds_target(b"\x82\x00\x01\x1a" + b"\xd8\x00" * (128 * 1024)), 24 * MB),
        (
            "station-256k",
            lambda: station_target(STATION_SEED + "# " + "长" * (256 * 1024)),
            48 * MB,
        ),
        (
            "drill-256k",
            lambda: drill_target(DRILL_SEED.replace("演练：", "演" * (256 * 1024))),
            48 * MB,
        ),
    ],
)
def test_memory_bound_on_large_inputs(
    what: str, call: Callable[[], None], bound: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tracemalloc slows Python several times over: the per-input bound scales with it
    monkeypatch.setattr(fuzz_targets, "TIME_BOUND", 30.0)
    peak = _peak(call)
    assert peak < bound, f"{what}: peak {peak / MB:.1f} MB (bound {bound / MB:.0f} MB)"


# -- atheris (coverage-guided), if it installed --------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris not installed")
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_atheris_short_run(name: str, tmp_path: Path, soak: bool) -> None:
    runs = 5000 * (SOAK_FACTOR if soak else 1)
    proc = subprocess.run(
        [sys.executable, str(HERE / "atheris_fuzz.py"), name, f"-runs={runs}", "-max_len=4096"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"Done {runs} runs" in proc.stderr

"""Fuzz targets and seeded input generators (hypothesis tests, atheris, the benchmark).

Each target takes one input and raises ``AssertionError`` only when a property breaks:
anything other than the package's typed errors escaping (``DriverError`` subclasses from
``drivers``, ``ConsoleError`` subclasses from ``console``), or one input taking longer
than :data:`TIME_BOUND` seconds.  Memory is bounded separately (tracemalloc) by the tests
on large inputs.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from console.config import Station, demo_station, load_station_text
from console.drills import load_drill_text
from console.errors import ConsoleError
from drivers.errors import DriverError
from drivers.pei.commands import at, raw, send_sds
from drivers.pei.dialect import ETSI
from drivers.pei.protocol import PeiProtocol
from drivers.sds import ConcatPart, ConcatReassembler, decode_sds, payload_from_hex

TIME_BOUND = 2.0  # seconds per input (generous for a loaded CI runner; typical: < 5 ms)


def _timed(fn: Callable[[], Any], what: str) -> None:
    start = time.perf_counter()
    fn()
    took = time.perf_counter() - start
    assert took < globals()["TIME_BOUND"], f"{what} took {took:.2f} s on one input"


# -- PEI parser -----------------------------------------------------------------------------


def pei_target(data: bytes) -> None:
    """Feed ``data`` (split at a byte chosen by the data) with and without a command
    outstanding; only typed events may come out."""

    def run() -> None:
        for pending in (None, "cmgs", "at"):
            proto = PeiProtocol(ETSI)
            if pending == "cmgs":
                proto.send(send_sds(2001, b"\x82\x04\x01\x01"))
            elif pending == "at":
                proto.send(raw("AT+CNUMF?") if data[:1] == b"+" else at())
            cut = data[0] % (len(data) + 1) if data else 0
            try:
                proto.receive(data[:cut])
                proto.receive(data[cut:])
                proto.abandon("fuzz")
                proto.receive(data)
            except DriverError:
                pass

    _timed(run, "PEI parser")


# -- SDS payload decoders --------------------------------------------------------------------


def _not_internal(exc: DriverError) -> None:
    """A decoder bug wrapped into the typed error is still a bug: fail the fuzz on it.

    ``decode_sds`` turns any unexpected exception into ``SdsDecodeError`` (so the console
    never crashes on a radio's bytes); the wrapped one keeps the original as its cause."""
    cause = exc.__cause__
    if cause is not None and not isinstance(cause, DriverError):
        raise AssertionError(f"internal decoder error: {type(cause).__name__}: {cause}") from exc


def sds_target(data: bytes) -> None:
    """decode_sds for every AI service, the hex parser, and concatenation."""

    def run() -> None:
        for ai in (9, 12, 13):
            for bits in (None, len(data) * 8, (data[-1] if data else 0) * 9):
                try:
                    pdu = decode_sds(ai, data, bits)
                except DriverError as exc:
                    _not_internal(exc)
                    continue
                if isinstance(pdu, ConcatPart):
                    asm = ConcatReassembler()
                    try:
                        for _ in range(pdu.total or 1):
                            asm.feed("2001", pdu)
                    except DriverError:
                        pass
        with contextlib.suppress(DriverError):
            payload_from_hex(data.decode("latin-1"))

    _timed(run, "SDS decoders")


# -- station config and drill loaders -----------------------------------------------------


@lru_cache(maxsize=1)
def _station() -> Station:
    return demo_station()


def station_target(text: str) -> None:
    def run() -> None:
        with contextlib.suppress(ConsoleError):
            load_station_text(text, "fuzz.toml")

    _timed(run, "station loader")


def drill_target(text: str) -> None:
    def run() -> None:
        with contextlib.suppress(ConsoleError):
            load_drill_text(text, _station(), "fuzz-drill.toml")

    _timed(run, "drill loader")


# -- seeded generators (structure-aware mutation of valid inputs) ----------------------------

PEI_LINES = (
    b"OK",
    b"ERROR",
    b"+CME ERROR: 42",
    b"+CME ERROR: ",
    b"+CMGS: 0",
    b"+CMGS: 0,4,17",
    b"+CMGS: 999999999999,5,",
    b"+CTSDSR: 12,2001,0,1000,0,32",
    b"+CTSDSR: 13,2001,0,1000,0,16",
    b"+CTSDSR: 12,,,,,",
    b"82000A1A6536",
    b"8002",
    b"+CTICN: 1,0,0,0,2001,1,1,0,1,1,0,9001,15",
    b"+CTXG: 1,3,0,0,0,2001",
    b"+CTCR: 1,13",
    b"+CNUMF: 6,46000000001000",
    b"+CTOM: 0",
    b"AT+CMGS=2001,32",
    b"AT",
    b"\x1b[2J\x1b]0;pwned\x07",
    b"\xff\xfe\x00",
    b">",
)
ENDINGS = (b"\r\n", b"\r", b"\n", b"", b"\x1a", b"\r\r\n")


def gen_pei(rng: random.Random) -> bytes:
    out = bytearray()
    for _ in range(rng.randint(0, 12)):
        choice = rng.random()
        if choice < 0.7:
            line = bytearray(rng.choice(PEI_LINES))
            if line and rng.random() < 0.3:
                line[rng.randrange(len(line))] = rng.randrange(256)
            out += line + rng.choice(ENDINGS)
        elif choice < 0.85:
            out += bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
        else:
            out += (
                "".join(rng.choice("0123456789ABCDEF") for _ in range(rng.randint(1, 600)))
            ).encode()
            out += b"\r\n"
    return bytes(out)


SDS_PREFIXES = (
    b"\x82\x00",
    b"\x82\x04",
    b"\x82\x10",
    b"\x8a\x00",
    b"\x89\x00",
    b"\x02",
    b"\x09",
    b"\x0a",
    b"\x7a",
    b"\x83",
    b"\x8c",
    b"\x80",
    b"",
)


def gen_sds(rng: random.Random) -> bytes:
    head = rng.choice(SDS_PREFIXES)
    body = bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 2, 3, 8, 40, 260))))
    if rng.random() < 0.3:  # a text coding byte followed by UTF-16 halves
        body = bytes((rng.choice((1, 26, 0x1A, 0x7F)),)) + body
    return head + bytes((rng.randrange(256),)) + body


STATION_SEED = """
[station]
name = "测试派出所"
operator = "值班民警"
language = "zh-CN"

[gateway]
url = "/dev/ttyUSB0"
baud = 38400
issi = 1000
dialect = "etsi"

[[groups]]
name = "演练组"
gssi = 9001
members = [2001, 2002]

[[units]]
issi = 2001
alias = "星海小学"
kind = "school"
backup = 2002

[[units]]
issi = 2002
alias = "巡逻一组"
kind = "patrol"

[targets]
acknowledge_s = 60
en_route_s = 180
on_scene_s = 300

[[zones]]
name = "河边"
[[zones.speakers]]
address = "239.1.1.1:5004"
"""

DRILL_SEED = """
[drill]
name = "演练"
groups = ["学校组"]
units = ["星海实验小学保安队", 2002]

[page]
text = "演练：收到请回复"
voice = true

[targets]
acknowledged = 60
en_route = 180
on_scene = false

[targets.escalation]
repage = true
alert_officer = true
page_backup = false

[[criteria]]
rung = "acknowledged"
within = 60
at_least = "80%"

[simulation]
seed = 3
[[simulation.units]]
units = "all"
behaviour = "status"
delivery = 1
answer_after = 10
"""

TOML_TOKENS = (
    "=",
    "[",
    "]",
    "[[",
    "]]",
    '"',
    "'",
    "\n",
    ",",
    "{",
    "}",
    "#",
    "-1",
    "0",
    "1e309",
    "nan",
    "inf",
    "true",
    "99999999999999999999",
    '"\\u0000"',
    '"\u202e"',
    "\x00",
    "\x1b[31m",
    "1979-05-27T07:32:00Z",
    '"""',
    "units",
    "issi",
    "members",
    "backup",
    "[[units]]",
    "[[groups]]",
    "[[criteria]]",
    "at_least",
    '"150%"',
    '"all"',
    "within",
    "rung",
)


def mutate_toml(rng: random.Random, seed: str) -> str:
    lines = seed.splitlines()
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        i = rng.randrange(len(lines)) if lines else 0
        if op < 0.25 and lines:
            del lines[i]
        elif op < 0.45 and lines:
            lines.insert(i, lines[rng.randrange(len(lines))])  # duplicate a line
        elif op < 0.8 and lines:
            line = lines[i]
            pos = rng.randrange(len(line) + 1)
            lines[i] = line[:pos] + rng.choice(TOML_TOKENS) + line[pos + rng.randint(0, 3) :]
        else:
            lines.insert(i, rng.choice(TOML_TOKENS) + rng.choice(TOML_TOKENS))
    return "\n".join(lines)


def gen_station(rng: random.Random) -> str:
    return mutate_toml(rng, STATION_SEED)


def gen_drill(rng: random.Random) -> str:
    return mutate_toml(rng, DRILL_SEED)


TARGETS: dict[str, tuple[Callable[[Any], None], Callable[[random.Random], Any]]] = {
    "pei": (pei_target, gen_pei),
    "sds": (sds_target, gen_sds),
    "station": (station_target, gen_station),
    "drill": (drill_target, gen_drill),
}


def run_generated(name: str, count: int, seed: int = 0) -> int:
    """Run ``count`` seeded generated inputs through target ``name``; return the count."""
    target, gen = TARGETS[name]
    rng = random.Random(f"fuzz:{name}:{seed}")
    for _ in range(count):
        target(gen(rng))
    return count

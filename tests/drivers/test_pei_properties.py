"""Property tests of the protocol core: chunking invariance, robustness, URC interleaving."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from drivers.pei import commands as c
from drivers.pei import events as ev
from drivers.pei.commands import Command
from drivers.pei.framer import MAX_LINE
from drivers.pei.protocol import PeiProtocol

# --- a realistic recorded session: (command sent first or None, bytes received) -------------

Segment = tuple[Command | None, bytes]

SESSION: list[Segment] = [
    (None, b"\x00\xff\xfe\r\n+CME ERROR: 35\r\n\n\n+CME ERROR: 35\r\n\x00"),
    (c.echo_off(), b"ATE0\r\r\nOK\r\n"),
    (c.query_mode(), b"\r\n+CTOM: 0\r\n\r\n+CTOM: 1\r\n\r\nOK\r\n"),
    (
        c.register_service(1, 3, 130),
        b"\r\n+CTSDSR: 12,23404,0,23401,0,112\r\n\r\nOK\r\n\r\n82040801476A61746A616A676A61\r\n",
    ),
    (c.register_service(1, 3, 10), b"\r\n+CME ERROR: 38\r\n"),
    (
        c.query_identity(),
        b"\r\n+CNUMF: 6,09011638300023401\r\n\r\n+CTXG: 1,3,0,0,3,09011638300023404\r\n\r\nOK\r\n",
    ),
    (
        c.send_sds(1234567, b"\x80\x0b"),
        b"AT+CMGS=1234567,16\r\n> 800B\x1a\r\n+CMGS: 0,4,6\r\n+CMGS: 1\r\n\r\nOK\r\n",
    ),
    (
        None,
        b"\r\n+CMGS: 1,4,7\r\n"
        b"+CTICN:0,0,0,0,255,1,1,0,1,1,1,216216300000300,3\r\n"
        b"+CTCC:0,1,1,0,0,1,1,3\r\n+CTXG:0,3,0,0,0,255\r\n+CDTXC:0,0\r\n+CTCR:0,13\r\n"
        b"+CTSDSR: 12,2269001,0,9999,0,84\r\n0A112853A9FF4D4FFFE810\r\n"
        b"+CTSDSR: 13,2345678,16\r+ctxg: 2,0,0,0\r800\r"
        b"+CTSDSR: 13,09011638300023404,1,2345678,0,16,0\n"
        b"+CTXI: 1\n+CLVL: 5\n+CREG: 1\n+CTOM: 0\n+CTGS: 1,1000\n"
        b"\x1a\x07RING\r\n+XYZ: garbage\r\n",
    ),
    (c.query_group(), b"+CTGS: 1,09011638300000001\r\n+CTCR: 7,2\r\n+CME ERROR: 42\r\n"),
    (
        c.dial(1000),
        b"atd1000\r\r\nOK\r\n+CTOCP: 1,0,0,1,0\r\n+CTCC: 1,1,1,0,0,1,1\r\n+CTXG: 1,0,0,0\r\n",
    ),
    (c.ptt_release(1), b"\r\nok\r\n\r\n+CDTXC: 1,0\r\n\r\n+CTCR: 1,13\r\n\r\n> "),
    (None, b"+CTSDSR: 12,1,0,2,0,24\r\n0a 11 28\r\n"),
]

STREAM_LEN = sum(len(data) for _, data in SESSION)


def run_session(split_points: Sequence[int] = ()) -> list[ev.PeiEvent]:
    """Feed SESSION, each segment cut at the (global) split points that fall inside it."""
    proto = PeiProtocol()
    out: list[ev.PeiEvent] = []
    offset = 0
    cuts = sorted(set(split_points))
    for command, data in SESSION:
        if command is not None:
            proto.send(command)
        local = [p - offset for p in cuts if offset < p < offset + len(data)]
        bounds = [0, *local, len(data)]
        for a, b in itertools.pairwise(bounds):
            out += proto.receive(data[a:b])
        offset += len(data)
    assert proto.pending is None
    return out


WHOLE = run_session()


def test_session_is_realistic() -> None:
    kinds = {type(e) for e in WHOLE}
    assert kinds >= {
        ev.StrayResult,
        ev.CommandCompleted,
        ev.CommandFailed,
        ev.ModeChanged,
        ev.SdsReceived,
        ev.SdsSendStatus,
        ev.IncomingCall,
        ev.CallProgress,
        ev.CallConnected,
        ev.TxGranted,
        ev.TxCeased,
        ev.CallReleased,
        ev.SdsHeaderOrphaned,
        ev.GroupChanged,
        ev.RegistrationChanged,
        ev.OtherUrc,
        ev.UnknownLine,
    }
    completed = [e for e in WHOLE if isinstance(e, ev.CommandCompleted | ev.CommandFailed)]
    assert [e.command for e in completed] == [cmd.line for cmd, _ in SESSION if cmd is not None]
    assert ev.CommandCompleted("AT+CMGS=1234567,16", ("+CMGS: 1",)) in completed
    assert ev.CommandCompleted("AT+CTOM?", ("+CTOM: 0",)) in completed
    sds = [e for e in WHOLE if isinstance(e, ev.SdsReceived)]
    assert [s.payload.hex() for s in sds] == [
        "82040801476a61746a616a676a61",
        "0a112853a9ff4d4fffe810",
        "8000",
        "0a1128",
    ]


@given(st.lists(st.integers(min_value=1, max_value=STREAM_LEN - 1), max_size=60))
@settings(max_examples=300, deadline=None)
def test_any_chunking_gives_same_events(split_points: list[int]) -> None:
    assert run_session(split_points) == WHOLE


@pytest.mark.parametrize("size", [1, 2, 3, 7, 32, 4096])
def test_fixed_chunk_sizes_give_same_events(size: int) -> None:
    assert run_session(range(size, STREAM_LEN, size)) == WHOLE


# --- robustness on arbitrary bytes ---------------------------------------------------------


def chunks_of(data: bytes, cuts: list[int]) -> list[bytes]:
    bounds = [0, *sorted({p for p in cuts if 0 < p < len(data)}), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


PENDING = st.sampled_from(
    [None, c.at(), c.query_mode(), c.query_group(), c.send_sds(1, b"\x80\x04"), c.raw("ATI")]
)


def check_robust(data: bytes, cuts: list[int], command: Command | None) -> None:
    proto = PeiProtocol()
    if command is not None:
        proto.send(command)
    for chunk in chunks_of(data, cuts):
        events = proto.receive(chunk)
        assert all(isinstance(e, ev.PeiEvent) for e in events)
        assert proto._framer.buffered <= MAX_LINE


@given(st.binary(max_size=3 * MAX_LINE), st.lists(st.integers(0, 3 * MAX_LINE)), PENDING)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_bytes_never_raise(data: bytes, cuts: list[int], command: Command | None) -> None:
    check_robust(data, cuts, command)


TOKENS = st.sampled_from(
    [
        b"\r",
        b"\n",
        b"\r\n",
        b"\x1a",
        b"> ",
        b",",
        b":",
        b" ",
        b"0",
        b"13",
        b"x",
        b"OK",
        b"ERROR",
        b"+CME ERROR: ",
        b"+CTOM:",
        b"+CMGS:",
        b"+CTGS:",
        b"+CTICN:",
        b"+CTCR:",
        b"+CTXG:",
        b"+CTSDSR:",
        b"+CTSDSR: 12,1,0,2,0,16\r\n",
        b"8004",
        b"AT+CTOM?",
    ]
)


@given(
    st.lists(st.one_of(TOKENS, st.binary(max_size=8)), max_size=80).map(b"".join),
    st.lists(st.integers(0, 700)),
    PENDING,
)
@example(b"+CTCR:\r\n", [], None)
@settings(max_examples=300, deadline=None)
def test_protocol_shaped_garbage_never_raises(
    data: bytes, cuts: list[int], command: Command | None
) -> None:
    check_robust(data, cuts, command)


# --- URC interleaving never changes a command's result ---------------------------------------

URC_LINES = [
    b"+CTICN: 1,0,0,5,23404,1,1,0,1,1,5,1000,0",
    b"+CTICN:0,0,0,0,255,1,1,0,1,1,1,216216300000300,3",
    b"+CTOCP: 1,0,0,1,0",
    b"+CTCC: 1,1,1,0,0,1,1",
    b"+CTXG: 1,3,0,0,3,09011638300023404",
    b"+CTXG: 1,0,0,0",
    b"+CDTXC: 1,0",
    b"+CTCR: 1,13",
    b"+CMGS: 0,4,7",
    b"+CMGS: 3,5",
    b"+CTOM: 1",
    b"+CTGS: 1,1000",
    b"+CREG: 5",
    b"+CTXI: 1",
    b"+CTSDSR: 13,1234567,0,2345678,0,16\r\n8004",
    b"+CTSDSR: 12,2269001,0,9999,0,84\r\n0A112853A9FF4D4FFFE810",
]

# (command, its information lines, URC prefixes excluded because they are the query's own)
EXCHANGES: list[tuple[Command, list[bytes], tuple[bytes, ...]]] = [
    (c.query_identity(), [b"+CNUMF: 6,09011638300023401"], ()),
    (c.send_sds(1234567, b"\x80\x0b"), [b"+CMGS: 0"], ()),
    (c.query_mode(), [b"+CTOM: 0"], (b"+CTOM",)),
    (c.query_group(), [b"+CTGS: 1,09011638300000001"], (b"+CTGS",)),
    (c.raw("ATI"), [b"MOTOROLA", b"+GMM: 5606,H63PCH6TZ7AN,43.8.0.0"], ()),
    (c.register_service(2, 0, 0), [], ()),
    (c.query_signal(), [b"+CSQ: 20,99"], ()),
]
FINALS = [b"OK", b"ERROR", b"+CME ERROR: 42", b"ok"]


@st.composite
def interleaved(draw: st.DrawFn) -> tuple[Command, list[bytes], list[bytes], bytes, bytes, bool]:
    command, lines, excluded = draw(st.sampled_from(EXCHANGES))
    allowed = [u for u in URC_LINES if not u.startswith(excluded)]
    urcs = draw(st.lists(st.sampled_from(allowed), max_size=8))
    final = draw(st.sampled_from(FINALS))
    eol = draw(st.sampled_from([b"\r\n", b"\r", b"\n"]))
    echo = draw(st.booleans())
    # Positions: 0 = before the first response line ... len(lines)+1 = after the final result.
    slots = draw(st.lists(st.integers(0, len(lines) + 1), min_size=len(urcs), max_size=len(urcs)))
    response = [*lines, final]
    merged: list[bytes] = []
    in_order: list[bytes] = []
    for pos in range(len(response) + 1):
        here = [u for u, s in zip(urcs, slots, strict=True) if s == pos]
        merged += here
        in_order += here
        if pos < len(response):
            merged.append(response[pos])
    wire = eol + eol.join(merged).replace(b"\r\n", eol) + eol
    return command, lines, in_order, final, wire, echo


@given(interleaved(), st.lists(st.integers(1, 600), max_size=10))
@settings(max_examples=400, deadline=None)
def test_urc_interleaving_never_changes_result(
    case: tuple[Command, list[bytes], list[bytes], bytes, bytes, bool], cuts: list[int]
) -> None:
    command, lines, urcs, final, wire, echo = case
    if echo:
        wire = command.encode(b"\r") + b"\r\n" + wire
    proto = PeiProtocol()
    proto.send(command)
    events: list[ev.PeiEvent] = []
    for chunk in chunks_of(wire, cuts):
        events += proto.receive(chunk)
    results = [e for e in events if isinstance(e, ev.CommandCompleted | ev.CommandFailed)]
    assert len(results) == 1
    result = results[0]
    assert result.command == command.line
    assert result.lines == tuple(x.decode() for x in lines)
    if final.upper() == b"OK":
        assert isinstance(result, ev.CommandCompleted)
    else:
        assert isinstance(result, ev.CommandFailed)
        assert result.result == final.decode()
    # The URCs come out exactly as they would with no command at all, in order.
    alone = PeiProtocol().receive(b"\r\n".join(urcs) + b"\r\n") if urcs else []
    assert [e for e in events if e is not result] == alone
    assert proto.pending is None

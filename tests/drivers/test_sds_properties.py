"""Property tests: decoders never raise anything but SdsDecodeError; encoders round-trip."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import SdsDecodeError
from drivers.sds import (
    ConcatPart,
    ConcatReassembler,
    LocationReport,
    ReportRequest,
    SdsReport,
    ShortReport,
    StatusMessage,
    TextCoding,
    TextMessage,
    decode_sds,
    encode_lip_short,
    encode_report,
    encode_status,
    encode_text,
    split_text,
)
from drivers.sds.text import choose_coding

# Payloads biased towards the interesting prefixes (PIDs, SDS-TL flags, UDH).
PREFIXES = st.sampled_from(
    [b"", b"\x82", b"\x8a", b"\x89", b"\x02", b"\x09", b"\x0a", b"\x7a", b"\x83", b"\x8c"]
)
PAYLOADS = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda p, f, rest: p + f + rest, PREFIXES, st.binary(max_size=2), st.binary(max_size=40)
    ),
)


@settings(max_examples=3000)
@given(
    ai=st.sampled_from([9, 10, 11, 12, 13, 0, 14, -1]),
    data=PAYLOADS,
    bits=st.one_of(st.none(), st.integers(-10, 5000)),
)
def test_decode_never_raises_other_errors(ai: int, data: bytes, bits: int | None) -> None:
    try:
        decode_sds(ai, data, bits)
    except SdsDecodeError as exc:
        assert "internal" not in exc.message
        assert exc.__cause__ is None or isinstance(exc.__cause__, SdsDecodeError), exc.__cause__


@given(data=st.binary(max_size=200))
def test_text_sdu_with_any_bytes_decodes(data: bytes) -> None:
    for coding in range(128):
        msg = decode_sds(12, bytes((0x82, 0x00, 0x01, coding)) + data)
        assert isinstance(msg, TextMessage)
        assert msg.raw == data


TEXTS = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=100)


@given(
    text=TEXTS,
    mr=st.integers(0, 255),
    report=st.sampled_from(list(ReportRequest)),
    immediate=st.booleans(),
)
def test_text_round_trip(text: str, mr: int, report: ReportRequest, immediate: bool) -> None:
    pid = 0x89 if immediate else 0x82
    msg = decode_sds(12, encode_text(text, mr, report=report, pid=pid))
    assert isinstance(msg, TextMessage)
    assert (msg.text, msg.message_ref, msg.report_request, msg.pid) == (text, mr, report, pid)
    assert msg.coding == choose_coding(text)


@given(value=st.integers(0, 0xFFFF).filter(lambda v: not 0x7800 <= v <= 0x7BFF))
def test_status_round_trip(value: int) -> None:
    assert decode_sds(13, encode_status(value)) == StatusMessage(value)


@given(
    status=st.integers(0, 255),
    mr=st.integers(0, 255),
    ack=st.booleans(),
    pid=st.integers(0x80, 0xFF),
)
def test_report_round_trip(status: int, mr: int, ack: bool, pid: int) -> None:
    got = decode_sds(12, encode_report(status, mr, pid=pid, ack_required=ack))
    assert got == SdsReport(pid, status, mr, ack)


@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    reason=st.integers(0, 255),
    elapsed=st.integers(0, 3),
    err=st.integers(0, 7),
    velocity=st.one_of(st.none(), st.floats(0, 1000)),
    direction=st.floats(0, 359.9),
)
def test_lip_round_trip(
    lat: float,
    lon: float,
    reason: int,
    elapsed: int,
    err: int,
    velocity: float | None,
    direction: float,
) -> None:
    pdu = encode_lip_short(
        lat,
        lon,
        reason=reason,
        time_elapsed=elapsed,
        position_error=err,
        velocity_kmh=velocity,
        direction_deg=None if velocity is None else direction,
    )
    assert len(pdu) == 11
    loc = decode_sds(12, pdu, 84)
    assert isinstance(loc, LocationReport)
    assert abs(loc.latitude - lat) <= 180 / 2**24
    assert abs(loc.longitude - lon) <= 360 / 2**25
    assert (loc.reason, loc.time_elapsed, loc.position_error) == (reason, elapsed, err)
    if velocity is None:
        assert loc.velocity_kmh is None and loc.direction_deg is None
    else:
        assert loc.velocity_kmh is not None
        # quantisation: 0.5 km/h below 28.5, else half a 3.8 % step
        assert abs(loc.velocity_kmh - velocity) <= max(0.5, velocity * 0.02) + 1e-9
        assert loc.direction_deg is not None
        diff = abs(loc.direction_deg - direction) % 360
        assert min(diff, 360 - diff) <= 11.25 + 1e-9


@settings(max_examples=200)
@given(
    text=st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=600),
    max_bits=st.integers(112, 2047),
    seed=st.randoms(use_true_random=False),
    mr=st.integers(0, 255),
)
def test_split_reassemble_round_trip(text: str, max_bits: int, seed: object, mr: int) -> None:
    result = split_text(text, mr, mr, max_pdu_bits=max_bits, report=ReportRequest.NONE)
    for _mr, pdu in result:
        assert len(pdu) * 8 <= max_bits
    decoded = [decode_sds(12, pdu) for _mr, pdu in result]
    if len(decoded) == 1 and isinstance(decoded[0], TextMessage):
        assert decoded[0].text == text
        return
    seed.shuffle(decoded)  # type: ignore[attr-defined]
    asm = ConcatReassembler()
    outs = [asm.feed("1", p) for p in decoded if isinstance(p, ConcatPart)]
    assert len(outs) == len(decoded)
    done = [m for m in outs if m is not None]
    assert len(done) == 1 and done[0].text == text
    if done[0].coding == TextCoding.UTF_16BE:
        for p in decoded:
            assert isinstance(p, ConcatPart)
            p.text_bytes.decode("utf-16-be")  # each part is whole characters


def test_short_report_not_status() -> None:
    assert isinstance(decode_sds(13, b"\x79\x01"), ShortReport)

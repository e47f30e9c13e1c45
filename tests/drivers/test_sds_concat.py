"""split_text and ConcatReassembler."""

from __future__ import annotations

import random

import pytest

from drivers.errors import SdsEncodeError
from drivers.sds import (
    ConcatPart,
    ConcatReassembler,
    Pid,
    ReportRequest,
    TextCoding,
    TextMessage,
    decode_sds,
    encode_text,
    split_text,
)

LONG_ZH = (
    "各最小应急单元注意：XX路与YY路交叉口发生交通事故，有人员受伤，"
    "请附近队员立即前往现场维持秩序并疏导交通，同时报告到达时间。🚓"
) * 4


def parts_of(text: str, **kw: object) -> list[ConcatPart]:
    out = []
    for _mr, pdu in split_text(text, 0xF0, 0xF0, **kw):  # type: ignore[arg-type]
        part = decode_sds(12, pdu)
        assert isinstance(part, ConcatPart)
        out.append(part)
    return out


def test_short_text_is_single_text_pdu() -> None:
    assert split_text("Hallo", 7, 7) == [(7, encode_text("Hallo", 7))]


def test_long_chinese_split_shuffled_reassembly() -> None:
    result = split_text(LONG_ZH, 0xFE, 0xFE)
    assert len(result) > 2
    assert [mr for mr, _ in result] == [(0xFE + i) % 256 for i in range(len(result))]
    for _mr, pdu in result:
        assert len(pdu) * 8 <= 668
        assert pdu[0] == Pid.TEXT_UDH
        assert pdu[3] == TextCoding.UTF_16BE
        assert pdu[4:8] == bytes((5, 0, 3, 0xFE))
    parts = [decode_sds(12, pdu) for _mr, pdu in result]
    random.Random(7).shuffle(parts)
    asm = ConcatReassembler()
    outs = []
    for part in [*parts, parts[0]]:  # plus a duplicate
        assert isinstance(part, ConcatPart)
        # no part is an undecodable fragment of a character
        assert "\ufffd" not in part.text_bytes.decode("utf-16-be", errors="replace")
        outs.append(asm.feed("2269001", part))
    done = [m for m in outs if m is not None]
    assert len(done) == 1
    msg = done[0]
    assert isinstance(msg, TextMessage)
    assert msg.text == LONG_ZH
    assert msg.message_ref == 0xFE
    assert msg.report_request == ReportRequest.RECEIVED
    assert asm.pending_count <= 1  # the trailing duplicate may start a new set


def test_surrogate_pairs_never_split() -> None:
    text = "🚓" * 200
    for part in parts_of(text, max_pdu_bits=8 * (10 + 6)):  # 6 text bytes per part
        assert len(part.text_bytes) == 4
        assert part.text_bytes.decode("utf-16-be") == "🚓"


def test_latin_split_and_mr_wrap() -> None:
    text = "x" * 300
    result = split_text(text, 0xFF, 0x11, report=ReportRequest.NONE)
    assert [mr for mr, _ in result] == [0xFF, 0x00, 0x01, 0x02, 0x03][: len(result)]
    assert result[0][1][1] == 0x02  # flags as in the FTL UDH vector
    asm = ConcatReassembler()
    out = [asm.feed(1234, decode_sds(12, pdu)) for _mr, pdu in result]  # type: ignore[arg-type]
    assert out[-1] is not None and out[-1].text == text


def test_split_errors() -> None:
    with pytest.raises(SdsEncodeError):
        split_text("x" * 100, 1, 1, max_pdu_bits=100)
    with pytest.raises(SdsEncodeError):
        split_text("x" * 10000, 1, 1, max_pdu_bits=120)
    with pytest.raises(SdsEncodeError):
        split_text("x", 1, 300)


def _part(ref: int, total: int, seq: int, data: bytes = b"ab") -> ConcatPart:
    return ConcatPart(Pid.TEXT_UDH, ref + seq - 1, ReportRequest.NONE, ref, total, seq, 1, data)


def test_reassembler_separates_senders_and_normalises_ids() -> None:
    asm = ConcatReassembler()
    assert asm.feed("0001234", _part(5, 2, 1, b"he")) is None
    assert asm.feed("999", _part(5, 2, 2, b"XX")) is None
    msg = asm.feed(1234, _part(5, 2, 2, b"llo"))
    assert msg is not None and msg.text == "hello"
    assert asm.pending_count == 1


def test_reassembler_ignores_impossible_parts() -> None:
    asm = ConcatReassembler()
    assert asm.feed(1, _part(5, 0, 1)) is None
    assert asm.feed(1, _part(5, 2, 3)) is None
    assert asm.feed(1, _part(5, 2, 0)) is None
    assert asm.pending_count == 0


def test_reassembler_bounded_and_expiring() -> None:
    asm = ConcatReassembler(max_pending=3, max_age=5)
    for ref in range(10):
        asm.feed(1, _part(ref, 2, 1))
    assert asm.pending_count == 3
    dropped = asm.drain_dropped()
    assert [d.concat_ref for d in dropped] == list(range(7))
    assert dropped[0].missing == (2,)
    assert asm.drain_dropped() == []
    for _ in range(6):  # other traffic that never completes anything of ref 7..9
        asm.feed(2, _part(100, 3, 1))
    assert {d.concat_ref for d in asm.drain_dropped()} == {7, 8, 9}


def test_single_part_message_completes() -> None:
    msg = ConcatReassembler().feed(1, _part(9, 1, 1, b"ok"))
    assert msg is not None and msg.text == "ok"

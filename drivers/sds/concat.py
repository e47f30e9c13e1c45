"""Splitting long texts into PID 0x8A parts and reassembling received parts.

Part layout (ftl/tetra-pei ``NewConcatenatedMessageTransfer``, reference §5.3):
``8A flags MR coding 05 00 03 <concat ref> <total> <seq> text``; the per-part SDS-TL message
reference increments (mod 256) while the UDH reference stays fixed.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field

from drivers.errors import SdsEncodeError
from drivers.sds.codes import Pid, ReportRequest
from drivers.sds.messages import encode_text
from drivers.sds.pdus import ConcatPart, TextMessage
from drivers.sds.text import choose_coding, decode_text_bytes, encode_text_bytes
from drivers.sds.tl import check_byte, encode_transfer_header

__all__ = ["ConcatReassembler", "IncompleteMessage", "split_text"]

_UDH_BYTES = 6  # 05 00 03 ref total seq
_PART_OVERHEAD = 3 + 1 + _UDH_BYTES  # PID, flags, MR, coding byte, UDH


def _chunks(text: str, coding: int, limit: int) -> list[bytes]:
    """Encode ``text`` into chunks of at most ``limit`` bytes, never splitting a character.

    Encoding per code point keeps UTF-16 surrogate pairs (4 bytes) inside one chunk.
    """
    chunks: list[bytes] = []
    current = bytearray()
    for ch in text:
        enc = encode_text_bytes(ch, coding)
        if len(current) + len(enc) > limit:
            chunks.append(bytes(current))
            current = bytearray()
        current += enc
    if current or not chunks:
        chunks.append(bytes(current))
    return chunks


def split_text(
    text: str,
    first_message_ref: int,
    concat_ref: int,
    *,
    max_pdu_bits: int = 668,
    report: ReportRequest = ReportRequest.RECEIVED,
    coding: int | None = None,
) -> list[tuple[int, bytes]]:
    """Return ``[(message_ref, pdu), ...]`` ready for ``AT+CMGS``.

    A single PID 0x82 PDU when it fits in ``max_pdu_bits`` (default 668, the value ftl's CLI
    found to work in practice), else PID 0x8A parts with a short-reference concatenation
    UDH.  Each part gets its own message reference (``first_message_ref + i`` mod 256) so its
    SDS-REPORT can be matched; the UDH reference is ``concat_ref`` (by convention the MR of
    part 1).  Flags follow :func:`encode_text` (bit 1 = 0 iff a report is requested).
    """
    check_byte("message reference", first_message_ref)
    check_byte("concatenation reference", concat_ref)
    chosen = choose_coding(text) if coding is None else coding
    single = encode_text(
        text, first_message_ref, report=report, coding=chosen, max_pdu_bits=1 << 30
    )
    if len(single) * 8 <= max_pdu_bits:
        return [(first_message_ref, single)]
    limit = min(max_pdu_bits, 2047) // 8 - _PART_OVERHEAD
    if limit < 4:
        raise SdsEncodeError(
            f"max_pdu_bits={max_pdu_bits} leaves no room for text in a concatenated part",
            hint="Use at least 112 bits per part (the radio usually allows 668 or more).",
        )
    chunks = _chunks(text, chosen, limit)
    if len(chunks) > 255:
        raise SdsEncodeError(
            f"the text needs {len(chunks)} parts, at most 255 are possible",
            hint="Shorten the message.",
        )
    parts: list[tuple[int, bytes]] = []
    for i, chunk in enumerate(chunks):
        mr = (first_message_ref + i) % 256
        head = encode_transfer_header(Pid.TEXT_UDH, mr, report)
        udh = bytes((5, 0x00, 3, concat_ref, len(chunks), i + 1))
        parts.append((mr, head + bytes((chosen,)) + udh + chunk))
    return parts


@dataclass
class _Pending:
    parts: dict[int, ConcatPart] = field(default_factory=dict)
    last_fed: int = 0


@dataclass(frozen=True)
class IncompleteMessage:
    """A concatenated text given up on (expired or evicted); kept so nothing is lost."""

    sender: str
    concat_ref: int
    total: int
    parts: tuple[ConcatPart, ...]

    @property
    def missing(self) -> tuple[int, ...]:
        """1-based sequence numbers never received."""
        have = {p.seq for p in self.parts}
        return tuple(s for s in range(1, self.total + 1) if s not in have)


def _sender_key(sender: str | int) -> str:
    """Normalise so 1234, "1234" and "0001234" are one sender (SvxLink strips zeros)."""
    s = str(sender).strip()
    return str(int(s)) if s.isdigit() else s


class ConcatReassembler:
    """Collect :class:`ConcatPart` s per (sender, concat ref, total) into one TextMessage.

    Tolerates out-of-order and duplicate parts (the first copy of a seq wins).  Memory is
    bounded without a clock: a pending message expires once ``max_age`` further parts have
    been fed without it progressing, and at most ``max_pending`` messages are kept (the
    least recently fed is evicted).  Given-up messages are queued (at most ``max_dropped``)
    for :meth:`drain_dropped` so the caller can log them.  A complete retransmission yields
    the message again; de-duplication by message reference is the caller's business.
    """

    def __init__(self, *, max_pending: int = 64, max_age: int = 512, max_dropped: int = 64):
        if max_pending < 1 or max_age < 1 or max_dropped < 0:
            raise ValueError("max_pending and max_age must be >= 1, max_dropped >= 0")
        self._max_pending = max_pending
        self._max_age = max_age
        self._pending: OrderedDict[tuple[str, int, int], _Pending] = OrderedDict()
        self._dropped: deque[IncompleteMessage] = deque(maxlen=max_dropped)
        self._fed = 0

    @property
    def pending_count(self) -> int:
        """Number of messages still waiting for parts."""
        return len(self._pending)

    def drain_dropped(self) -> list[IncompleteMessage]:
        """Return and forget the messages given up on since the last call."""
        out = list(self._dropped)
        self._dropped.clear()
        return out

    def feed(self, sender: str | int, part: ConcatPart) -> TextMessage | None:
        """Add a part; return the whole message when its last missing part arrives.

        Parts with an impossible header (total 0, seq 0 or seq > total) are ignored.
        """
        self._fed += 1
        self._expire()
        if part.total < 1 or not 1 <= part.seq <= part.total:
            return None
        key = (_sender_key(sender), part.concat_ref, part.total)
        pending = self._pending.pop(key, None) or _Pending()
        pending.parts.setdefault(part.seq, part)
        pending.last_fed = self._fed
        if len(pending.parts) == part.total:
            return self._assemble(pending)
        self._pending[key] = pending  # re-insert: most recently fed at the end
        while len(self._pending) > self._max_pending:
            self._drop(*self._pending.popitem(last=False))
        return None

    def _expire(self) -> None:
        while self._pending:
            key, oldest = next(iter(self._pending.items()))
            if self._fed - oldest.last_fed <= self._max_age:
                break
            del self._pending[key]
            self._drop(key, oldest)

    def _drop(self, key: tuple[str, int, int], pending: _Pending) -> None:
        parts = tuple(pending.parts[s] for s in sorted(pending.parts))
        self._dropped.append(IncompleteMessage(key[0], key[1], key[2], parts))

    @staticmethod
    def _assemble(pending: _Pending) -> TextMessage:
        ordered = [pending.parts[s] for s in sorted(pending.parts)]
        first = ordered[0]
        raw = b"".join(p.text_bytes for p in ordered)
        return TextMessage(
            pid=first.pid,
            message_ref=first.message_ref,
            report_request=first.report_request,
            coding=first.coding,
            text=decode_text_bytes(first.coding, raw),
            timestamp=first.timestamp,
            store_forward=first.store_forward,
            raw=raw,
            forward=first.forward,
            short_form_report=first.short_form_report,
        )

"""Text coding schemes (TS 100 392-2 table 29.29) and the text-SDU timestamp.

Decoding never raises: radios send whatever their firmware produces, and the console must
log and show *something*.  Undecodable bytes become U+FFFD; callers keep the raw bytes
(``TextMessage.raw``) so nothing is lost.  Control characters are kept exactly as sent:
sanitising for display is the UI's job, not the codec's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from drivers.errors import SdsDecodeError, SdsEncodeError

__all__ = [
    "GSM7_BASIC",
    "SdsTimestamp",
    "TextCoding",
    "choose_coding",
    "decode_text_bytes",
    "decode_timestamp",
    "encode_text_bytes",
    "encode_timestamp",
    "python_codec",
]


class TextCoding(IntEnum):
    """Text coding scheme, the low 7 bits of the text coding byte (table 29.29)."""

    PACKED_7BIT = 0
    ISO_8859_1 = 1
    ISO_8859_2 = 2
    ISO_8859_3 = 3
    ISO_8859_4 = 4
    ISO_8859_5 = 5
    ISO_8859_6 = 6
    ISO_8859_7 = 7
    ISO_8859_8 = 8
    ISO_8859_9 = 9
    ISO_8859_10 = 10
    ISO_8859_13 = 11
    ISO_8859_14 = 12
    ISO_8859_15 = 13
    CP437 = 14
    CP737 = 15
    CP850 = 16
    CP852 = 17
    CP855 = 18
    CP857 = 19
    CP860 = 20
    CP861 = 21
    CP863 = 22
    CP865 = 23
    CP866 = 24
    CP869 = 25
    UTF_16BE = 26
    VISCII = 27


_PY_CODECS: dict[int, str] = {
    **{n: f"iso8859-{n}" for n in range(1, 11)},
    11: "iso8859-13",
    12: "iso8859-14",
    13: "iso8859-15",
    14: "cp437",
    15: "cp737",
    16: "cp850",
    17: "cp852",
    18: "cp855",
    19: "cp857",
    20: "cp860",
    21: "cp861",
    22: "cp863",
    23: "cp865",
    24: "cp866",
    25: "cp869",
    26: "utf-16-be",
}

# GSM 03.38 default alphabet.  TETRA's "packed 7-bit" is *assumed* to be this alphabet packed
# LSB-first as in GSM; neither assumption could be checked against EN 300 392-2 [I].
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}


def python_codec(coding: int) -> str | None:
    """Python codec name for a TETRA coding, or None (packed 7-bit, VISCII, reserved)."""
    return _PY_CODECS.get(coding)


def _decode_packed_7bit(raw: bytes, septets: int | None) -> str:
    count = len(raw) * 8 // 7
    if septets is not None:
        count = max(0, min(count, septets))
    value = int.from_bytes(raw, "little")
    out: list[str] = []
    escape = False
    for i in range(count):
        s = (value >> (7 * i)) & 0x7F
        if escape:
            out.append(_GSM7_EXT.get(s, "\ufffd"))
            escape = False
        elif s == 0x1B:
            escape = True
        else:
            out.append(GSM7_BASIC[s])
    return "".join(out)


def decode_text_bytes(coding: int, raw: bytes, *, septets: int | None = None) -> str:
    """Decode text bytes best effort; never raises.

    * Python-supported codings decode with ``errors="replace"`` (odd-length UTF-16, lone
      surrogates and undefined bytes become U+FFFD).
    * Packed 7-bit: GSM 03.38 septets; ``septets`` (derived from the header's bit length)
      drops the fill bits at the end, otherwise every whole septet is decoded.
    * VISCII and reserved codings: printable ASCII is kept, everything else is U+FFFD
      (VISCII is ASCII in 0x20-0x7E; no Python codec exists for the rest).
    """
    codec = _PY_CODECS.get(coding)
    if codec is not None:
        return raw.decode(codec, errors="replace")
    if coding == TextCoding.PACKED_7BIT:
        return _decode_packed_7bit(raw, septets)
    return "".join(chr(b) if 0x20 <= b < 0x7F else "\ufffd" for b in raw)


def encode_text_bytes(text: str, coding: int) -> bytes:
    """Encode ``text`` in ``coding``; SdsEncodeError if the coding cannot carry it."""
    codec = _PY_CODECS.get(coding)
    if codec is None:
        raise SdsEncodeError(
            f"text coding {coding} cannot be encoded by this console",
            hint="Use ISO-8859-1 (1) or UTF-16BE (26), or leave the coding on automatic.",
        )
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        raise SdsEncodeError(
            f"the text contains characters that {codec} cannot carry "
            f"(position {exc.start}: {text[exc.start : exc.end]!r})",
            hint="Leave the coding on automatic (UTF-16BE for Chinese) or remove the character.",
        ) from exc


def choose_coding(text: str) -> TextCoding:
    """ISO-8859-1 when every character fits (half the bytes), else UTF-16BE (Chinese)."""
    try:
        text.encode("iso8859-1")
    except UnicodeEncodeError:
        return TextCoding.UTF_16BE
    return TextCoding.ISO_8859_1


@dataclass(frozen=True)
class SdsTimestamp:
    """Text-SDU timestamp (3 bytes): no year and no seconds, so it stays a plain record.

    ``timeframe`` 0 = local time, 1 = UTC (2 and 3 reserved).  Converting to a datetime needs
    a clock and a year, which is the caller's business.
    """

    timeframe: int
    month: int
    day: int
    hour: int
    minute: int


def decode_timestamp(raw: bytes) -> SdsTimestamp:
    """Decode the 24-bit timestamp: TT rr MMMM | DDDDD hhh | hh mmmmmm (FTL DecodeTimestamp)."""
    if len(raw) != 3:
        raise SdsDecodeError(f"timestamp needs 3 bytes, got {len(raw)}")
    b0, b1, b2 = raw
    return SdsTimestamp(
        timeframe=b0 >> 6,
        month=b0 & 0x0F,
        day=b1 >> 3,
        hour=((b1 & 0x07) << 2) | (b2 >> 6),
        minute=b2 & 0x3F,
    )


def encode_timestamp(ts: SdsTimestamp) -> bytes:
    """Encode a timestamp; field ranges are checked so the bits cannot spill over."""
    limits = (("timeframe", 3), ("month", 15), ("day", 31), ("hour", 31), ("minute", 63))
    for name, high in limits:
        value = getattr(ts, name)
        if not 0 <= value <= high:
            raise SdsEncodeError(f"timestamp {name} {value} out of range 0..{high}")
    return bytes(
        (
            (ts.timeframe << 6) | ts.month,
            (ts.day << 3) | (ts.hour >> 2),
            ((ts.hour & 0x03) << 6) | ts.minute,
        )
    )

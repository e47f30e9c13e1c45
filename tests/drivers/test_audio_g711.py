"""G.711 against the ITU-T G.191 vectors and an independent scalar implementation."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.audio.errors import AudioConfigError
from drivers.audio.g711 import alaw_decode, alaw_encode, decode, encode, ulaw_decode, ulaw_encode

# (x, µ-law, A-law) from the reference notes §2.5 (G.191 algorithm).
VECTORS = [
    (0, 0xFF, 0xD5),
    (4, 0xFE, 0xD5),
    (16, 0xFD, 0xD4),
    (100, 0xF2, 0xD3),
    (1000, 0xCE, 0xFA),
    (4096, 0xAF, 0x85),
    (8000, 0xA0, 0x8A),
    (16000, 0x90, 0xBA),
    (32767, 0x80, 0xAA),
    (-1, 0x7F, 0x55),
    (-5, 0x7E, 0x55),
    (-16, 0x7D, 0x55),
    (-100, 0x73, 0x53),
    (-1000, 0x4E, 0x7A),
    (-4096, 0x2F, 0x1A),
    (-8000, 0x20, 0x0A),
    (-16000, 0x10, 0x3A),
    (-32768, 0x00, 0x2A),
]
ALL = np.arange(-32768, 32768, dtype=np.int64).astype(np.int16)


# -- a straightforward scalar transcription of G.191 ulaw_compress / alaw_compress ----
def ref_ulaw(x: int) -> int:
    absno = ((~x if x < 0 else x) >> 2) + 33
    if absno > 0x1FFF:
        absno = 0x1FFF
    i = absno >> 6
    segno = 1
    while i != 0:
        segno += 1
        i >>= 1
    high_nibble = 0x0008 - segno
    low_nibble = 0x000F - ((absno >> segno) & 0x000F)
    out = (high_nibble << 4) | low_nibble
    return out | 0x0080 if x >= 0 else out


def ref_alaw(x: int) -> int:
    ix = (~x if x < 0 else x) >> 4
    if ix > 15:
        iexp = 1
        while ix > 16 + 15:
            ix >>= 1
            iexp += 1
        ix -= 16
        ix += iexp << 4
    if x >= 0:
        ix |= 0x0080
    return ix ^ 0x0055


def ref_ulaw_expand(code: int) -> int:
    sign = -1 if code < 0x80 else 1
    mantissa = ~code & 0xFF
    exponent = (mantissa >> 4) & 0x07
    segment = exponent + 1
    mantissa &= 0x0F
    step = 4 << segment
    return sign * ((0x80 << exponent) + step * mantissa + step // 2 - 4 * 33)


def ref_alaw_expand(code: int) -> int:
    ix = (code ^ 0x55) & 0x7F
    iexp = ix >> 4
    mant = ix & 0x0F
    if iexp > 0:
        mant += 16
    mant = (mant << 4) + 0x0008
    if iexp > 1:
        mant <<= iexp - 1
    return mant if code > 127 else -mant


@pytest.mark.parametrize(("x", "mu", "a"), VECTORS)
def test_g191_vectors(x: int, mu: int, a: int) -> None:
    pcm = np.array([x], dtype=np.int16)
    assert int(ulaw_encode(pcm)[0]) == mu
    assert int(alaw_encode(pcm)[0]) == a


def test_decode_anchors() -> None:
    assert ulaw_decode(bytes([0xFF, 0x7F, 0x80, 0x00])).tolist() == [0, 0, 32124, -32124]
    assert alaw_decode(bytes([0xD5, 0x55, 0xAA, 0x2A])).tolist() == [8, -8, 32256, -32256]


def test_encode_all_65536_values_matches_scalar_reference() -> None:
    mu = ulaw_encode(ALL)
    a = alaw_encode(ALL)
    assert mu.dtype == np.uint8 and a.dtype == np.uint8
    assert mu.tolist() == [ref_ulaw(int(x)) for x in ALL]
    assert a.tolist() == [ref_alaw(int(x)) for x in ALL]


def test_decode_all_256_codes_matches_scalar_reference() -> None:
    codes = np.arange(256, dtype=np.uint8)
    assert ulaw_decode(codes).tolist() == [ref_ulaw_expand(c) for c in range(256)]
    assert alaw_decode(codes).tolist() == [ref_alaw_expand(c) for c in range(256)]
    assert ulaw_decode(codes).dtype == np.int16


@pytest.mark.parametrize("codec", ["pcmu", "pcma"])
def test_round_trip_is_monotonic_and_within_half_a_step(codec: str) -> None:
    back = decode(codec, encode(codec, ALL)).astype(np.int64)
    assert np.all(np.diff(back) >= 0), "decode(encode(x)) must be non-decreasing in x"
    # Quantisation error bound: half the step of the segment at x (G.711 max 1024/2 µ, 512
    # A); relative to |x| it never exceeds ~1/32 above the first segments.
    err = np.abs(back - ALL.astype(np.int64))
    big = np.abs(ALL.astype(np.int64)) > 256
    assert np.max(err) <= 1024
    assert np.all(err[big] <= np.abs(ALL.astype(np.int64))[big] / 16 + 8)
    # Re-encoding a decoded code gives the code back, except µ-law "negative zero" (0x7F
    # decodes to 0, which encodes as 0xFF).
    codes = np.arange(256, dtype=np.uint8)
    again = encode(codec, decode(codec, codes))
    assert [int(c) for c in codes[again != codes]] == ([0x7F] if codec == "pcmu" else [])


def test_sign_symmetry_and_silence() -> None:
    pos = np.arange(0, 32768, dtype=np.int32)
    neg = (-pos - 1).astype(np.int16)  # one's complement mirrors
    assert np.array_equal(ulaw_encode(pos) & 0x7F, ulaw_encode(neg) & 0x7F)
    assert np.array_equal(alaw_encode(pos) ^ 0x80, alaw_encode(neg))
    assert ulaw_decode(ulaw_encode(np.zeros(4, dtype=np.int16))).tolist() == [0] * 4


def test_bytes_and_wider_ints_accepted_floats_refused() -> None:
    assert ulaw_decode(b"\xff\x80").tolist() == [0, 32124]
    assert ulaw_encode(np.array([40000, -40000])).tolist() == [0x80, 0x00]
    with pytest.raises(AudioConfigError):
        ulaw_encode(np.array([0.5]))
    with pytest.raises(AudioConfigError):
        encode("g722", np.zeros(1, dtype=np.int16))

"""G.711 µ-law and A-law in numpy, bit-exact with the ITU-T G.191 reference code.

Why not ``audioop``: it is deprecated and gone in Python 3.13, and its µ-law (the Sun
code) differs from G.191 for 508 negative inputs (reference notes §2.5).  The G.191
algorithm (``ulaw_compress``/``alaw_compress``) is evaluated once, vectorised, over all
65 536 int16 values at import; encoding is then a single table lookup per sample, which is
what makes it faster than the C ``audioop`` loop.  Decoding is a 256-entry table lookup.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from drivers.audio.errors import AudioConfigError

Int16Array = npt.NDArray[np.int16]
UInt8Array = npt.NDArray[np.uint8]

__all__ = ["alaw_decode", "alaw_encode", "decode", "encode", "ulaw_decode", "ulaw_encode"]


def _bit_length(values: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """Number of significant bits of non-negative ints (0 -> 0), vectorised."""
    out = np.zeros(values.shape, dtype=np.int32)
    v = values.copy()
    while np.any(v):
        nz = v != 0
        out[nz] += 1
        v >>= 1
    return out


def _ulaw_compress_all() -> UInt8Array:
    """G.191 ``ulaw_compress`` for every int16, indexed by the value's uint16 bit pattern."""
    x = np.arange(-32768, 32768, dtype=np.int32)
    # 1's complement for negatives, 14-bit magnitude, bias 33, clamp to 0x1FFF.
    absno = np.minimum((np.where(x < 0, ~x, x) >> 2) + 33, 0x1FFF)
    segno = _bit_length(absno >> 6) + 1
    high = 8 - segno
    low = 15 - ((absno >> segno) & 0x0F)
    code = (high << 4) | low
    code = np.where(x >= 0, code | 0x80, code)
    table = np.empty(65536, dtype=np.uint8)
    table[x.astype(np.uint16)] = code.astype(np.uint8)
    return table


def _alaw_compress_all() -> UInt8Array:
    """G.191 ``alaw_compress`` for every int16, indexed by the uint16 bit pattern."""
    x = np.arange(-32768, 32768, dtype=np.int32)
    ix = np.where(x < 0, ~x, x) >> 4  # 12-bit magnitude
    # Segment (exponent) = how many right shifts bring ix to <= 31, plus 1, for ix > 15.
    iexp = np.maximum(_bit_length(ix) - 4, 0)  # ix in [16,31] -> 1, [32,63] -> 2, ...
    mant = np.where(iexp > 0, (ix >> np.maximum(iexp - 1, 0)) - 16, ix)
    code = np.where(iexp > 0, mant + (iexp << 4), ix)
    code = np.where(x >= 0, code | 0x80, code) ^ 0x55
    table = np.empty(65536, dtype=np.uint8)
    table[x.astype(np.uint16)] = code.astype(np.uint8)
    return table


def _ulaw_expand_all() -> Int16Array:
    """G.191 ``ulaw_expand`` for the 256 codes."""
    code = np.arange(256, dtype=np.int32)
    sign = np.where(code < 0x80, -1, 1)
    inv = (~code) & 0xFF
    exponent = (inv >> 4) & 0x07
    segment = exponent + 1
    mantissa = inv & 0x0F
    step = 4 << segment
    mag = (0x80 << exponent) + step * mantissa + step // 2 - 4 * 33
    table: Int16Array = (sign * mag).astype(np.int16)
    return table


def _alaw_expand_all() -> Int16Array:
    """G.191 ``alaw_expand`` for the 256 codes."""
    code = np.arange(256, dtype=np.int32)
    ix = (code ^ 0x55) & 0x7F
    iexp = ix >> 4
    mant = ix & 0x0F
    mant = np.where(iexp > 0, mant + 16, mant)
    mant = (mant << 4) + 0x08
    mant = np.where(iexp > 1, mant << np.maximum(iexp - 1, 0), mant)
    table: Int16Array = np.where(code > 127, mant, -mant).astype(np.int16)
    return table


_ULAW_ENC = _ulaw_compress_all()
_ALAW_ENC = _alaw_compress_all()
_ULAW_DEC = _ulaw_expand_all()
_ALAW_DEC = _alaw_expand_all()


def _as_int16(pcm: npt.ArrayLike) -> Int16Array:
    arr = np.asarray(pcm)
    if arr.dtype == np.int16:
        return arr
    if arr.dtype.kind in "iu":
        clipped: Int16Array = np.clip(arr, -32768, 32767).astype(np.int16)
        return clipped
    raise AudioConfigError(
        f"G.711 encodes int16 samples, got {arr.dtype}",
        hint="Convert audio to int16 (e.g. np.round(x * 32767).astype(np.int16)) first.",
    )


def _as_codes(codes: npt.ArrayLike | bytes) -> UInt8Array:
    if isinstance(codes, bytes | bytearray | memoryview):
        return np.frombuffer(codes, dtype=np.uint8)
    arr = np.asarray(codes)
    if arr.dtype != np.uint8:
        arr = arr.astype(np.uint8)
    return arr


def ulaw_encode(pcm: npt.ArrayLike) -> UInt8Array:
    """int16 samples -> G.711 µ-law codes (uint8), G.191 bit-exact."""
    samples = _as_int16(pcm)
    return _ULAW_ENC[samples.view(np.uint16)]


def ulaw_decode(codes: npt.ArrayLike | bytes) -> Int16Array:
    """G.711 µ-law codes (uint8 array or bytes) -> int16 samples."""
    return _ULAW_DEC[_as_codes(codes)]


def alaw_encode(pcm: npt.ArrayLike) -> UInt8Array:
    """int16 samples -> G.711 A-law codes (uint8), G.191 bit-exact."""
    samples = _as_int16(pcm)
    return _ALAW_ENC[samples.view(np.uint16)]


def alaw_decode(codes: npt.ArrayLike | bytes) -> Int16Array:
    """G.711 A-law codes (uint8 array or bytes) -> int16 samples."""
    return _ALAW_DEC[_as_codes(codes)]


def encode(codec: str, pcm: npt.ArrayLike) -> UInt8Array:
    """Encode with the codec named ``'pcmu'`` (µ-law) or ``'pcma'`` (A-law)."""
    if codec == "pcmu":
        return ulaw_encode(pcm)
    if codec == "pcma":
        return alaw_encode(pcm)
    raise AudioConfigError(f"unknown codec {codec!r}", hint="Use 'pcmu' or 'pcma'.")


def decode(codec: str, codes: npt.ArrayLike | bytes) -> Int16Array:
    """Decode ``'pcmu'`` or ``'pcma'`` codes to int16."""
    if codec == "pcmu":
        return ulaw_decode(codes)
    if codec == "pcma":
        return alaw_decode(codes)
    raise AudioConfigError(f"unknown codec {codec!r}", hint="Use 'pcmu' or 'pcma'.")

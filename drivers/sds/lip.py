"""LIP short location report (PID 0x0A, PDU type 0), 84 bits, MSB first.

Layout (reference §5.5, checked against three real captures): PID 8 | PDU type 2 |
time elapsed 2 | longitude 25 (two's complement, x 360/2^25) | latitude 24 (two's
complement, x 180/2^24) | position error 3 | velocity 7 | direction 4 | additional data
type 1 | reason/user data 8.  Radios pad to 88 bits and report 84 in ``+CTSDSR``.

Two SvxLink bugs are avoided: the reason is the full 8-bit field (SvxLink reads only the
upper nibble, 0x81 -> 8), and negative latitudes are sign-extended over 24 bits (SvxLink
subtracts 360 instead of 180).
"""

from __future__ import annotations

import math

from drivers.errors import SdsDecodeError, SdsEncodeError
from drivers.sds.codes import Pid
from drivers.sds.pdus import LocationReport, UnknownPdu

__all__ = [
    "LIP_SHORT_BITS",
    "REASON_EMERGENCY",
    "REASON_MAX_INTERVAL",
    "VELOCITY_UNKNOWN",
    "decode_lip",
    "decode_velocity",
    "encode_lip_short",
    "encode_velocity",
]

LIP_SHORT_BITS = 84
VELOCITY_UNKNOWN = 127
REASON_EMERGENCY = 2
REASON_MAX_INTERVAL = 129
_LON_BITS, _LAT_BITS = 25, 24
_LON_SCALE = 360.0 / (1 << _LON_BITS)
_LAT_SCALE = 180.0 / (1 << _LAT_BITS)
# (name, width) in wire order after the 8-bit PID
_FIELDS = (
    ("pdu_type", 2),
    ("time_elapsed", 2),
    ("longitude", _LON_BITS),
    ("latitude", _LAT_BITS),
    ("position_error", 3),
    ("velocity", 7),
    ("direction", 4),
    ("additional_data_type", 1),
    ("reason", 8),
)


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def decode_velocity(code: int) -> float | None:
    """0..28 km/h linear, 29..126 = 16 x 1.038^(K-13) km/h, 127 unknown (None)."""
    if code >= VELOCITY_UNKNOWN:
        return None
    if code <= 28:
        return float(code)
    return 16.0 * 1.038 ** (code - 13)


def encode_velocity(kmh: float | None) -> int:
    """Nearest velocity code; None -> 127 (unknown); above ~1080 km/h saturates at 126."""
    if kmh is None:
        return VELOCITY_UNKNOWN
    if not math.isfinite(kmh) or kmh < 0:
        raise SdsEncodeError(f"velocity must be a finite number >= 0 km/h, got {kmh!r}")
    if kmh <= 28.5:
        return round(kmh)
    code = round(13 + math.log(kmh / 16.0) / math.log(1.038))
    return max(29, min(126, code))


def decode_lip(data: bytes) -> LocationReport | UnknownPdu:
    """Decode PID 0x0A; other LIP PDU types (long report, requests) come back unknown."""
    if len(data) < 2 or data[0] != Pid.LIP:
        raise SdsDecodeError(f"not a LIP PDU: {data.hex().upper()}")
    pdu_type = data[1] >> 6
    if pdu_type != 0:
        return UnknownPdu(Pid.LIP, bytes(data), note=f"LIP PDU type {pdu_type} not decoded")
    if len(data) * 8 < LIP_SHORT_BITS:
        raise SdsDecodeError(
            f"LIP short report needs {LIP_SHORT_BITS} bits, got {len(data) * 8}: "
            f"{data.hex().upper()}"
        )
    # Bits beyond 84 (the radio's padding, or anything else) are ignored.
    word = int.from_bytes(data[1:11], "big")  # 80 bits after the PID
    pos = 80
    f: dict[str, int] = {}
    for name, width in _FIELDS:
        pos -= width
        f[name] = (word >> pos) & ((1 << width) - 1)
    velocity = decode_velocity(f["velocity"])
    return LocationReport(
        latitude=_signed(f["latitude"], _LAT_BITS) * _LAT_SCALE,
        longitude=_signed(f["longitude"], _LON_BITS) * _LON_SCALE,
        time_elapsed=f["time_elapsed"],
        position_error=f["position_error"],
        velocity_kmh=velocity,
        direction_deg=None if velocity is None else f["direction"] * 22.5,
        reason=f["reason"],
        additional_data_type=f["additional_data_type"],
    )


def _check(name: str, value: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise SdsEncodeError(f"LIP {name} must be 0..{high}, got {value!r}")
    return value


def _quantise(deg: float, limit: float, scale: float, bits: int, name: str) -> int:
    if not math.isfinite(deg) or not -limit <= deg <= limit:
        raise SdsEncodeError(f"{name} must be within ±{limit:g} degrees, got {deg!r}")
    high = (1 << (bits - 1)) - 1
    value = max(-high - 1, min(high, round(deg / scale)))
    return value & ((1 << bits) - 1)


def encode_lip_short(
    latitude: float,
    longitude: float,
    *,
    reason: int = REASON_MAX_INTERVAL,
    time_elapsed: int = 0,
    position_error: int = 2,
    velocity_kmh: float | None = None,
    direction_deg: float | None = None,
    additional_data_type: int = 0,
) -> bytes:
    """Encode a LIP short report as 11 bytes (84 bits + 4 zero pad bits).

    Send it with length :data:`LIP_SHORT_BITS` (84), as radios do.  ``+90``/``+180`` clamp
    to the largest representable value.  ``direction_deg=None`` encodes 15 when the velocity
    is unknown (what radios without a fix send) and 0 otherwise.
    """
    lat = _quantise(latitude, 90.0, _LAT_SCALE, _LAT_BITS, "latitude")
    lon = _quantise(longitude, 180.0, _LON_SCALE, _LON_BITS, "longitude")
    velocity = encode_velocity(velocity_kmh)
    if direction_deg is None:
        direction = 15 if velocity == VELOCITY_UNKNOWN else 0
    elif not math.isfinite(direction_deg):
        raise SdsEncodeError(f"direction must be finite degrees, got {direction_deg!r}")
    else:
        direction = round((direction_deg % 360.0) / 22.5) % 16
    values = {
        "pdu_type": 0,
        "time_elapsed": _check("time elapsed", time_elapsed, 3),
        "longitude": lon,
        "latitude": lat,
        "position_error": _check("position error", position_error, 7),
        "velocity": velocity,
        "direction": direction,
        "additional_data_type": _check("additional data type", additional_data_type, 1),
        "reason": _check("reason", reason, 255),
    }
    word = 0
    for name, width in _FIELDS:
        word = (word << width) | values[name]
    return bytes((Pid.LIP,)) + (word << 4).to_bytes(10, "big")

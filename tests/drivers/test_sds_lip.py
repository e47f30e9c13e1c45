"""LIP short location report: real captures and encoder."""

from __future__ import annotations

import pytest

from drivers.errors import SdsEncodeError
from drivers.sds import (
    LIP_SHORT_BITS,
    LocationReport,
    UnknownPdu,
    decode_sds,
    decode_velocity,
    encode_lip_short,
    encode_velocity,
    payload_from_hex,
)

# Captures quoted in SvxLink TetraLogic (handleLipSds comment).  The reference lists their
# positions as 51.26 N 12.06 E (Motorola MTP850), 44.94 N 26.04 E (YO9ION) and
# 30.57 N -97.75 W (N5UWU, Sepura: 21 hex digits = exactly 84 bits).
CAPTURES = [
    ("0A0088BD4247F737FFE810", 51.3251, 12.0181, 0, 7, 129),
    ("0A112853A9FF4D4FFFE810", 44.9386, 26.0443, 1, 7, 129),
    ("0A0BA7D5B95BC50AFFE16", 30.5657, -97.7489, 0, 2, 0x16),
]


@pytest.mark.parametrize(("hexpdu", "lat", "lon", "elapsed", "err", "reason"), CAPTURES)
def test_real_captures(
    hexpdu: str, lat: float, lon: float, elapsed: int, err: int, reason: int
) -> None:
    data = payload_from_hex(hexpdu)
    loc = decode_sds(12, data, LIP_SHORT_BITS)
    assert isinstance(loc, LocationReport)
    assert loc.latitude == pytest.approx(lat, abs=1e-4)
    assert loc.longitude == pytest.approx(lon, abs=1e-4)
    assert (loc.time_elapsed, loc.position_error, loc.reason) == (elapsed, err, reason)
    assert loc.velocity_kmh is None and loc.direction_deg is None
    again = encode_lip_short(
        loc.latitude,
        loc.longitude,
        reason=loc.reason,
        time_elapsed=loc.time_elapsed,
        position_error=loc.position_error,
    )
    assert again == data


def test_southern_western_hemisphere_and_emergency_reason() -> None:
    pdu = encode_lip_short(-33.8568, -151.2153, reason=2, velocity_kmh=40.0, direction_deg=90.0)
    loc = decode_sds(12, pdu, 84)
    assert isinstance(loc, LocationReport)
    assert loc.latitude == pytest.approx(-33.8568, abs=2e-5)
    assert loc.longitude == pytest.approx(-151.2153, abs=2e-5)
    assert loc.reason == 2
    assert loc.direction_deg == 90.0
    assert loc.velocity_kmh == pytest.approx(40.0, rel=0.02)


def test_velocity_table() -> None:
    assert [decode_velocity(k) for k in (0, 5, 28)] == [0.0, 5.0, 28.0]
    assert decode_velocity(29) == pytest.approx(16 * 1.038**16)
    assert decode_velocity(127) is None
    assert encode_velocity(None) == 127
    assert encode_velocity(28.4) == 28
    assert encode_velocity(29.0) == 29
    assert encode_velocity(5000.0) == 126
    for k in range(127):
        v = decode_velocity(k)
        assert v is not None and encode_velocity(v) == k


def test_other_lip_pdu_types_are_unknown() -> None:
    pdu = bytes.fromhex("0A4591C128293D")  # TTERM "LIP request", PDU type 1
    got = decode_sds(12, pdu)
    assert isinstance(got, UnknownPdu) and got.pid == 0x0A and got.data == pdu


@pytest.mark.parametrize(
    "kwargs",
    [
        {"latitude": 91.0, "longitude": 0.0},
        {"latitude": 0.0, "longitude": 180.5},
        {"latitude": float("nan"), "longitude": 0.0},
        {"latitude": 0.0, "longitude": 0.0, "reason": 256},
        {"latitude": 0.0, "longitude": 0.0, "time_elapsed": 4},
        {"latitude": 0.0, "longitude": 0.0, "position_error": 8},
        {"latitude": 0.0, "longitude": 0.0, "velocity_kmh": -1.0},
        {"latitude": 0.0, "longitude": 0.0, "direction_deg": float("inf")},
    ],
)
def test_encode_errors(kwargs: dict[str, float]) -> None:
    with pytest.raises(SdsEncodeError):
        encode_lip_short(**kwargs)  # type: ignore[arg-type]


def test_poles_and_antimeridian_clamp() -> None:
    loc = decode_sds(12, encode_lip_short(90.0, 180.0), 84)
    assert isinstance(loc, LocationReport)
    assert loc.latitude == pytest.approx(90.0, abs=2e-5)
    assert loc.longitude == pytest.approx(180.0, abs=2e-5)
    loc = decode_sds(12, encode_lip_short(-90.0, -180.0), 84)
    assert isinstance(loc, LocationReport)
    assert (loc.latitude, loc.longitude) == (-90.0, -180.0)

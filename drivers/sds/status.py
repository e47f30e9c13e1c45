"""Pre-coded status (AI service 13): a bare 16-bit big-endian value.

The SDS-SHORT-REPORT also arrives under AI service 13 (FTL vector ``7ACA``).  This codec
decodes a first byte 0x78-0x7B (identifier 011110) as a short report, so statuses
0x7800-0x7BFF cannot be sent or received as statuses.  That range lies inside the ETSI
"reserved" block 1..32767, while deployments use 0 (emergency) and 0x8000+; the encoder
refuses it so that encode -> decode always round-trips.
"""

from __future__ import annotations

from drivers.errors import SdsDecodeError, SdsEncodeError
from drivers.sds.pdus import ShortReport, StatusMessage
from drivers.sds.tl import decode_short_report, is_short_report_byte

__all__ = ["EMERGENCY_STATUS", "decode_status", "encode_status"]

EMERGENCY_STATUS = 0


def decode_status(data: bytes) -> StatusMessage | ShortReport:
    """Decode AI-service-13 user data (exactly 2 bytes)."""
    if len(data) != 2:
        raise SdsDecodeError(f"status must be 2 bytes, got {len(data)}: {data.hex().upper()}")
    if is_short_report_byte(data[0]):
        return decode_short_report(data)
    return StatusMessage(int.from_bytes(data, "big"))


def encode_status(value: int) -> bytes:
    """Encode a pre-coded status, e.g. ``encode_status(0x800B) == b"\\x80\\x0b"``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF:
        raise SdsEncodeError(f"status value must be 0..65535, got {value!r}")
    if is_short_report_byte(value >> 8):
        raise SdsEncodeError(
            f"status 0x{value:04X} would be read as an SDS-SHORT-REPORT",
            hint="Use a status in 0x8000-0xFFFF (user/network range) or 0 for emergency.",
        )
    return value.to_bytes(2, "big")

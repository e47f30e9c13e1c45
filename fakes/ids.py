"""TETRA identities as they appear on the PEI wire.

The gateway prints and accepts identities in two shapes: a short SSI (``23404``) and a
17-digit TSI ``MCC(4) + MNC(5) + SSI(8)``.  Both shapes are accepted everywhere a TE may
send an identity, because real clients use both.
"""

from __future__ import annotations

# MCC 460 (China) / MNC 0: plausible defaults for a Chinese 350 MHz network.
DEFAULT_MCC = 460
DEFAULT_MNC = 0


def format_tsi(mcc: int, mnc: int, ssi: int) -> str:
    """The 17-digit TSI used by ``+CNUMF`` and ``+CTGS?``."""
    return f"{mcc:04d}{mnc:05d}{ssi:08d}"


def parse_identity(text: str) -> int | None:
    """An SSI from an SSI or TSI string (quotes and spaces tolerated); None if not digits."""
    s = text.strip().strip('"').strip()
    if not s.isdigit():
        return None
    if len(s) > 8:
        s = s[-8:]
    return int(s)

"""Where one loudspeaker listens: address, port, wire protocol, codec, Polycom channel."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from drivers.audio.errors import AudioConfigError
from drivers.audio.rtp import PAYLOAD_TYPES, Codec

Protocol = Literal["rtp", "polycom"]

__all__ = ["Destination", "Protocol"]


@dataclass(frozen=True)
class Destination:
    """One speaker or multicast group.  Hashable, so stats can be keyed by it.

    ``channel`` is used by Polycom only (26..50 = paging groups 1..25; 49 priority,
    50 emergency).  ``name`` is an optional label for messages (e.g. "河口1号").
    """

    host: str
    port: int
    protocol: Protocol = "rtp"
    codec: Codec = "pcmu"
    channel: int = 26
    name: str = ""

    def __post_init__(self) -> None:
        if not self.host:
            raise AudioConfigError("a loudspeaker needs an address")
        if not 0 < self.port < 65536:
            raise AudioConfigError(f"{self.host}: port {self.port} is not 1..65535")
        if self.protocol not in ("rtp", "polycom"):
            raise AudioConfigError(
                f"{self.host}: unknown protocol {self.protocol!r}", hint="Use 'rtp' or 'polycom'."
            )
        if self.codec not in PAYLOAD_TYPES:
            raise AudioConfigError(
                f"{self.host}: unknown codec {self.codec!r}", hint="Use 'pcmu' or 'pcma'."
            )
        if self.protocol == "polycom":
            if self.codec != "pcmu":
                raise AudioConfigError(
                    f"{self.host}: Polycom paging carries G.711 µ-law only",
                    hint="Set codec = 'pcmu' for Polycom destinations.",
                )
            if not 1 <= self.channel <= 50:
                raise AudioConfigError(
                    f"{self.host}: Polycom channel {self.channel} is not 1..50",
                    hint="Paging groups are channels 26..50 (49 priority, 50 emergency).",
                )

    @property
    def is_multicast(self) -> bool:
        """True for a multicast group address (224.0.0.0/4 or ff00::/8)."""
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_multicast
        except ValueError:
            return False

    def __str__(self) -> str:
        where = f"{self.host}:{self.port} {self.protocol}/{self.codec}"
        if self.protocol == "polycom":
            where += f" ch{self.channel}"
        return f"{self.name} ({where})" if self.name else where

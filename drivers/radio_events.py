"""Radio-level events: what an SDS *means*, after the codec has decoded its payload.

The paging engine and the UI subscribe to these (and to the call/floor events of
:mod:`drivers.pei.events`, which pass through unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.pei.events import PeiEvent
from drivers.sds import LocationReport, describe_delivery_status, is_delivered, is_failure


@dataclass(frozen=True)
class RadioEvent(PeiEvent):
    """Base of the decoded radio events."""


@dataclass(frozen=True)
class TextReceived(RadioEvent):
    """A text message from a radio (already reassembled if it came in parts)."""

    sender: str
    called: str
    text: str
    message_ref: int | None
    coding: int
    raw: bytes = b""


@dataclass(frozen=True)
class StatusReceived(RadioEvent):
    """A pre-coded status from a radio; value 0 is the emergency status."""

    sender: str
    called: str
    value: int

    @property
    def emergency(self) -> bool:
        return self.value == 0


@dataclass(frozen=True)
class DeliveryReport(RadioEvent):
    """An SDS-TL report (or short report) about a message we sent to ``sender``."""

    sender: str
    message_ref: int
    status: int

    @property
    def delivered(self) -> bool:
        """The destination received (or consumed) the message."""
        return is_delivered(self.status)

    @property
    def consumed(self) -> bool:
        return self.status in (0x02, 0x03)

    @property
    def failed(self) -> bool:
        return is_failure(self.status)

    @property
    def description(self) -> str:
        return describe_delivery_status(self.status)


@dataclass(frozen=True)
class LocationReceived(RadioEvent):
    sender: str
    report: LocationReport


@dataclass(frozen=True)
class SdsUndecodable(RadioEvent):
    """An SDS whose payload the codec could not read; kept raw for the log."""

    sender: str
    ai_service: int
    payload: bytes
    reason: str


@dataclass(frozen=True)
class SdsTransmitted(RadioEvent):
    """The gateway's later ``+CMGS`` report about a message we sent: over the air, or failed."""

    destination: str
    message_ref: int | None
    instance: int
    ok: bool


@dataclass(frozen=True)
class SentSds:
    """What sending one SDS returned: the gateway accepted it under this instance."""

    destination: str
    message_ref: int | None
    instance: int

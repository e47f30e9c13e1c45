"""Typed events out of the PEI protocol core.

The sans-I/O core turns bytes into these frozen dataclasses; the link delivers them to
subscribers; nothing above ``drivers`` ever parses an AT line.  Identities are kept as
the strings the gateway sent (ISSI, or a 17-digit TSI), with ``ssi`` helpers where the
short subscriber number is what the console wants.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.pei.tables import cme_error_text, disconnect_cause_text


def short_ssi(identity: str) -> str:
    """The SSI of an identity: a 17-digit TSI (MCC 4 + MNC 5 + SSI 8) keeps its last 8 digits.

    Leading zeros are dropped so that '00023404' and '23404' name the same radio.
    """
    ident = identity.strip().strip('"')
    if len(ident) == 17 and ident.isdigit():
        ident = ident[9:]
    stripped = ident.lstrip("0")
    return stripped if stripped else ("0" if ident else "")


@dataclass(frozen=True)
class PeiEvent:
    """Base of everything the protocol core reports."""


# --- command outcomes -----------------------------------------------------------------


@dataclass(frozen=True)
class CommandCompleted(PeiEvent):
    """The outstanding command ended with OK; ``lines`` are its information responses."""

    command: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommandFailed(PeiEvent):
    """The outstanding command ended with ERROR / +CME ERROR / +CMS ERROR (or was abandoned)."""

    command: str
    result: str
    cme: int | None = None
    lines: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        if self.cme is not None:
            return f"+CME ERROR {self.cme}: {cme_error_text(self.cme)}"
        return self.result


# --- protocol noise -------------------------------------------------------------------


@dataclass(frozen=True)
class StrayResult(PeiEvent):
    """A final result code with no command outstanding (start-up junk, late answers)."""

    line: str
    cme: int | None = None


@dataclass(frozen=True)
class UnknownLine(PeiEvent):
    """A line that is neither a known URC nor part of a command's response."""

    line: str


@dataclass(frozen=True)
class LineNoise(PeiEvent):
    """Bytes that cannot be a PEI line (overlong, binary); kept for the log, then dropped."""

    data: bytes
    reason: str


# --- SDS ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SdsReceived(PeiEvent):
    """An incoming SDS (``+CTSDSR`` header bound to its hex line).

    ``bits`` is what the header claimed; ``payload`` is what the hex carried (the truth,
    radios mis-report the length).  Decoding the payload is the SDS codec's job.
    """

    ai_service: int
    calling: str
    called: str
    bits: int
    payload: bytes
    header: str = ""

    @property
    def calling_ssi(self) -> str:
        return short_ssi(self.calling)

    @property
    def called_ssi(self) -> str:
        return short_ssi(self.called)


@dataclass(frozen=True)
class SdsHeaderOrphaned(PeiEvent):
    """A ``+CTSDSR`` header whose hex line never came (or was not hex)."""

    header: str
    reason: str


@dataclass(frozen=True)
class SdsSendStatus(PeiEvent):
    """Unsolicited ``+CMGS: <instance>,<status>,<msg ref>``: 4 = sent over the air, 5 = failed."""

    instance: int
    status: int
    message_ref: int | None

    @property
    def sent(self) -> bool:
        return self.status == 4

    @property
    def failed(self) -> bool:
        return self.status == 5


# --- calls and floor ------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingCall(PeiEvent):
    """``+CTICN``: a call arrives (group call from a radio, or an emergency call)."""

    cc: int
    call_status: int
    ai_service: int
    calling: str
    called: str
    comms_type: int
    priority: int
    hook: int = 0
    simplex: int = 1
    fields: tuple[str, ...] = field(default=(), compare=False)

    @property
    def calling_ssi(self) -> str:
        return short_ssi(self.calling)

    @property
    def called_ssi(self) -> str:
        return short_ssi(self.called)

    @property
    def emergency(self) -> bool:
        return self.priority >= 15


@dataclass(frozen=True)
class CallProgress(PeiEvent):
    """``+CTOCP``: our outgoing call is progressing (0), queued (1), paged (2) ..."""

    cc: int
    status: int


@dataclass(frozen=True)
class CallConnected(PeiEvent):
    """``+CTCC``: the call is through."""

    cc: int


@dataclass(frozen=True)
class TxGranted(PeiEvent):
    """``+CTXG``: who has the floor.  grant 0 = us, 1 = refused, 2 = queued, 3 = another radio."""

    cc: int
    grant: int
    talker: str | None = None

    @property
    def talker_ssi(self) -> str | None:
        return short_ssi(self.talker) if self.talker else None

    @property
    def ours(self) -> bool:
        return self.grant == 0


@dataclass(frozen=True)
class TxCeased(PeiEvent):
    """``+CDTXC``: the talker released PTT; the floor is free."""

    cc: int


@dataclass(frozen=True)
class CallReleased(PeiEvent):
    """``+CTCR``: the call is gone, with the disconnect cause."""

    cc: int
    cause: int

    @property
    def cause_text(self) -> str:
        return disconnect_cause_text(self.cause)


# --- identity, mode, registration -----------------------------------------------------


@dataclass(frozen=True)
class ModeChanged(PeiEvent):
    """Unsolicited ``+CTOM``: the air-interface mode changed (0 = TMO trunked)."""

    mode: int


@dataclass(frozen=True)
class GroupChanged(PeiEvent):
    """Unsolicited ``+CTGS``: the selected/scanned talkgroup changed."""

    group_type: int
    group: str


@dataclass(frozen=True)
class RegistrationChanged(PeiEvent):
    """Unsolicited ``+CREG``: network registration state (1 home, 5 roaming)."""

    state: int


@dataclass(frozen=True)
class OtherUrc(PeiEvent):
    """A URC in the dialect's table with no richer event (``+CTXI``, ``+CLVL`` ...)."""

    name: str
    fields: tuple[str, ...]
    line: str

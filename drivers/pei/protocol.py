"""The sans-I/O PEI protocol core: bytes in, typed events out; commands in, bytes out.

No serial port, thread, socket or clock in here (h11 style): the link feeds received bytes
to :meth:`PeiProtocol.receive` and writes what :meth:`PeiProtocol.send` returns.  The rules
that make PEI hard live here, in one place:

* exactly one command outstanding; its final result (OK / ERROR / +CME ERROR) completes it;
* a line whose prefix is in the dialect's URC table is an unsolicited event **even in the
  middle of a command's response**, except the answer to a query for that same prefix
  (``AT+CTOM?`` owns the first ``+CTOM:`` line);
* ``+CMGS: n`` (one field) answers ``AT+CMGS``; ``+CMGS: n,4,ref`` is the later report;
* a ``+CTSDSR`` header is bound to the next hex line even when other lines intervene;
* echoed command lines (echo on) are recognised and dropped;
* anything else becomes a typed noise event, never an exception.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from drivers.errors import CommandError
from drivers.pei import events as ev
from drivers.pei.commands import Command
from drivers.pei.dialect import ETSI, Dialect, UrcLayout
from drivers.pei.framer import LineFramer, Overflow

_URC = re.compile(r"^\+([A-Za-z]+)\s*:\s*(.*)$")
_HEX = re.compile(r"^[0-9A-Fa-f]+$")
# Numeric (+CMEE=1) or verbose (+CMEE=2) error results; only the numeric form has a code.
_CME = re.compile(r"^\+CM[ES] ERROR\s*:\s*(.*?)\s*$", re.IGNORECASE)
_FINAL_PLAIN = frozenset({"OK", "ERROR", "NO CARRIER", "COMMAND NOT SUPPORT"})
# Lines allowed to pass between a +CTSDSR header and its hex before giving up on it.
SDS_MAX_INTERVENING = 4


class ProtocolBusy(CommandError):
    """A second command was offered while one is outstanding."""

    default_hint = "Wait for the outstanding command to finish (the link queues for you)."


@dataclass
class _PendingSds:
    header: str
    ai_service: int
    calling: str
    called: str
    bits: int
    waited: int = 0


def _split_fields(rest: str) -> tuple[str, ...]:
    if not rest.strip():
        return ()
    return tuple(f.strip().strip('"') for f in rest.split(","))


def _int(value: str | None, default: int = 0) -> int:
    if value is None or value == "":
        return default
    return int(value)


class PeiProtocol:
    """State machine of the TE (console) side of a PEI link."""

    def __init__(self, dialect: Dialect = ETSI) -> None:
        self.dialect = dialect
        self._framer = LineFramer()
        self._pending: Command | None = None
        self._lines: list[str] = []
        self._owned_response_seen = False
        self._sds: _PendingSds | None = None
        # Echo of a command that already ended (start-up junk can end a command before its
        # echo arrives) must not become a response line of the next one.
        self._recent: deque[str] = deque(maxlen=4)
        # Echoed command lines seen so far: after ATE0 any new one means the gateway reset.
        self.echoes_seen = 0

    # --- outgoing ---------------------------------------------------------------------

    @property
    def pending(self) -> Command | None:
        """The command awaiting its final result, if any."""
        return self._pending

    def send(self, command: Command) -> bytes:
        """Make ``command`` the outstanding one and return the bytes to write."""
        if self._pending is not None:
            raise ProtocolBusy(f"{command.name} offered while {self._pending.name} is outstanding")
        self._pending = command
        self._recent.append(command.line.upper().replace(" ", ""))
        self._lines = []
        self._owned_response_seen = False
        return command.encode(self.dialect.line_ending)

    def abandon(self, reason: str) -> ev.CommandFailed | None:
        """Give up on the outstanding command (deadline passed, link lost)."""
        cmd = self._pending
        if cmd is None:
            return None
        self._pending = None
        lines = tuple(self._lines)
        self._lines = []
        return ev.CommandFailed(cmd.line, reason, None, lines)

    def reset(self) -> None:
        """Forget everything (a new connection): partial lines, pending SDS header, command."""
        self._framer.reset()
        self._pending = None
        self._lines = []
        self._sds = None

    # --- incoming ---------------------------------------------------------------------

    def receive(self, data: bytes) -> list[ev.PeiEvent]:
        """Feed received bytes; return the events they complete, in wire order."""
        out: list[ev.PeiEvent] = []
        for item in self._framer.feed(data):
            if isinstance(item, Overflow):
                out.append(ev.LineNoise(item.data, "line too long"))
            else:
                self._line(item, out)
        return out

    def _line(self, line: str, out: list[ev.PeiEvent]) -> None:
        pending = self._pending
        if self._is_echo(line, pending):
            self.echoes_seen += 1
            return
        if self._sds is not None and self._sds_payload(line, out):
            return
        upper = line.upper()
        if upper in _FINAL_PLAIN or _CME.match(line):
            self._final(line, out)
            return
        m = _URC.match(line)
        if m:
            self._plus_line(m.group(1).upper(), m.group(2), line, out)
            return
        if pending is not None:
            self._lines.append(line)
        else:
            out.append(ev.UnknownLine(line))

    def _is_echo(self, line: str, pending: Command | None) -> bool:
        if not line.upper().startswith("AT") and pending is None:
            return False
        upper = line.upper().replace(" ", "")
        if upper in self._recent:
            return True
        return (
            pending is not None
            and pending.data is not None
            and upper == pending.data.decode("ascii").upper()
        )

    def _final(self, line: str, out: list[ev.PeiEvent]) -> None:
        m = _CME.match(line)
        cme = int(m.group(1)) if m and m.group(1).isdigit() else None
        cmd = self._pending
        if cmd is None:
            out.append(ev.StrayResult(line, cme))
            return
        lines = tuple(self._lines)
        self._pending = None
        self._lines = []
        if line.upper() == "OK":
            out.append(ev.CommandCompleted(cmd.line, lines))
        else:
            out.append(ev.CommandFailed(cmd.line, line, cme, lines))

    def _plus_line(self, name: str, rest: str, line: str, out: list[ev.PeiEvent]) -> None:
        layout = self.dialect.urc(name)
        fields = _split_fields(rest)
        pending = self._pending
        owns = pending is not None and (pending.response or "").upper() == "+" + name
        if owns and layout is not None:
            # Same prefix as a URC: the field-count rule (+CMGS) or query ownership decides.
            owns = self._owned_by_query(layout, fields)
        if owns:
            self._owned_response_seen = True
            self._lines.append(line)
            return
        if layout is None:
            if pending is not None:
                self._lines.append(line)
            else:
                out.append(ev.UnknownLine(line))
            return
        try:
            event = self._urc(layout, fields, line)
        except (ValueError, IndexError, KeyError):
            # Too few or non-numeric fields: the line is kept as data, never an exception.
            out.append(ev.UnknownLine(line))
            return
        if event is not None:
            out.append(event)

    def _owned_by_query(self, layout: UrcLayout, fields: tuple[str, ...]) -> bool:
        if layout.min_fields:
            return len(fields) < layout.min_fields
        return not self._owned_response_seen

    def _urc(self, layout: UrcLayout, fields: tuple[str, ...], line: str) -> ev.PeiEvent | None:
        named = dict(zip(layout.fields, fields, strict=False))
        kind = layout.event
        if kind == "sds_header":
            orphan = self._sds
            self._start_sds(fields, named, line)
            if orphan is not None:
                return ev.SdsHeaderOrphaned(orphan.header, "no hex payload line followed")
            return None
        if kind == "sds_status":
            if len(fields) < 2:
                return ev.OtherUrc(layout.name, fields, line)
            ref = named.get("message_ref")
            return ev.SdsSendStatus(
                _int(named["instance"]), _int(named["status"]), int(ref) if ref else None
            )
        if kind == "incoming_call":
            return ev.IncomingCall(
                cc=_int(named["cc"]),
                call_status=_int(named.get("call_status")),
                ai_service=_int(named.get("ai_service")),
                calling=named.get("calling", ""),
                called=named.get("called", ""),
                comms_type=_int(named.get("comms_type")),
                priority=_int(named.get("priority")),
                hook=_int(named.get("hook")),
                simplex=_int(named.get("simplex"), 1),
                fields=fields,
            )
        if kind == "call_progress":
            return ev.CallProgress(_int(named["cc"]), _int(named.get("status")))
        if kind == "call_connected":
            return ev.CallConnected(_int(named["cc"]))
        if kind == "tx_granted":
            talker = named.get("talker") or None
            return ev.TxGranted(_int(named["cc"]), _int(named.get("grant")), talker)
        if kind == "tx_ceased":
            return ev.TxCeased(_int(named["cc"]))
        if kind == "call_released":
            return ev.CallReleased(_int(named["cc"]), _int(named.get("cause")))
        if kind == "mode_changed":
            return ev.ModeChanged(_int(named["mode"]))
        if kind == "group_changed":
            return ev.GroupChanged(_int(named["group_type"]), named.get("group", ""))
        if kind == "registration":
            return ev.RegistrationChanged(_int(named["state"]))
        return ev.OtherUrc(layout.name, fields, line)

    # --- the two-line +CTSDSR ---------------------------------------------------------

    def _start_sds(self, fields: tuple[str, ...], named: dict[str, str], line: str) -> None:
        # FTL accepts 3, 4, 6 or 7 fields (reference §4.5); the dialect names the full form.
        if len(fields) == 3:
            ai, calling, called, bits = fields[0], "", fields[1], fields[2]
        elif len(fields) == 4:
            ai, calling, called, bits = fields[0], "", fields[1], fields[3]
        else:
            ai = named["ai_service"]
            calling = named.get("calling", "")
            called = named["called"]
            bits = named["bits"]
        self._sds = _PendingSds(line, int(ai), calling, called, int(bits))

    def _sds_payload(self, line: str, out: list[ev.PeiEvent]) -> bool:
        sds = self._sds
        assert sds is not None
        if line.startswith(","):
            # A radio that wraps a long header (seen in Tetra-Term): rebuild and re-parse.
            self._sds = None
            self._line(sds.header + line, out)
            return True
        compact = line.replace(" ", "")
        if _HEX.match(compact):
            if len(compact) % 2:
                compact += "0"
            self._sds = None
            out.append(
                ev.SdsReceived(
                    sds.ai_service,
                    sds.calling,
                    sds.called,
                    sds.bits,
                    bytes.fromhex(compact),
                    sds.header,
                )
            )
            return True
        sds.waited += 1
        if sds.waited > SDS_MAX_INTERVENING:
            self._sds = None
            out.append(ev.SdsHeaderOrphaned(sds.header, "no hex payload line followed"))
        return False

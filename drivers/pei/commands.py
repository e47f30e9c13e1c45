"""PEI commands as values, and builders for the ones the console sends.

A :class:`Command` knows its line, its optional data block (``AT+CMGS`` user data) and the
prefix of the information response it owns (``+CTOM`` for ``AT+CTOM?``), which the protocol
core needs to tell a query's answer from the unsolicited code of the same name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drivers.errors import CommandError, ProtocolError

CTRL_Z = b"\x1a"
_DIGITS = re.compile(r"^\d{1,17}$")


@dataclass(frozen=True)
class Command:
    """One AT command line, optionally followed by a data block (sent in the same write)."""

    line: str
    data: bytes | None = None
    response: str | None = None
    timeout: float | None = None

    def encode(self, line_ending: bytes = b"\r") -> bytes:
        out = self.line.encode("ascii") + line_ending
        if self.data is not None:
            out += self.data + CTRL_Z
        return out

    @property
    def name(self) -> str:
        """The command's name without parameters, e.g. ``AT+CMGS`` (for logs and errors)."""
        m = re.match(r"^(AT[+^]?[A-Z]*|AT[A-Z&])", self.line.upper())
        return m.group(1) if m else self.line


def _identity(value: int | str) -> str:
    text = str(value).strip()
    if not _DIGITS.match(text):
        raise CommandError(
            f"'{value}' is not a radio identity",
            hint="Use an ISSI/GSSI number (up to 8 digits) or a 17-digit TSI.",
        )
    return text


def at() -> Command:
    return Command("AT")


def echo_off() -> Command:
    return Command("ATE0")


def raw(line: str, response: str | None = None) -> Command:
    """A command line from a dialect table or a technician (validated as printable ASCII)."""
    if not line or not line.isascii() or not line.isprintable():
        raise CommandError(f"not a printable AT command: {line!r}")
    if response is None and line.endswith("?"):
        m = re.match(r"^AT(\+[A-Z]+)\?$", line.upper())
        response = m.group(1) if m else None
    return Command(line, response=response)


def query_identity() -> Command:
    return Command("AT+CNUMF?", response="+CNUMF")


def query_mode() -> Command:
    return Command("AT+CTOM?", response="+CTOM")


def set_mode(mode: int) -> Command:
    return Command(f"AT+CTOM={int(mode)}")


def register_service(profile: int, layer1: int, layer2: int | None = None) -> Command:
    tail = f",{int(layer2)}" if layer2 is not None else ""
    return Command(f"AT+CTSP={int(profile)},{int(layer1)}{tail}")


def select_group(group: int | str, group_type: int = 1) -> Command:
    return Command(f"AT+CTGS={int(group_type)},{_identity(group)}")


def query_group() -> Command:
    return Command("AT+CTGS?", response="+CTGS")


def query_signal() -> Command:
    return Command("AT+CSQ?", response="+CSQ")


def send_sds(destination: int | str, payload: bytes, timeout: float | None = None) -> Command:
    """``AT+CMGS=<dest>,<bits>`` + hex + Ctrl-Z, in one write (no '>' prompt is awaited)."""
    if not payload:
        raise CommandError("empty SDS payload")
    if len(payload) * 8 > 2047:
        raise CommandError(
            f"SDS payload of {len(payload) * 8} bits exceeds the 2047-bit SDS type 4 limit",
            hint="Long texts must be split into concatenated parts.",
        )
    return Command(
        f"AT+CMGS={_identity(destination)},{len(payload) * 8}",
        data=payload.hex().upper().encode("ascii"),
        response="+CMGS",
        timeout=timeout,
    )


def dial(identity: int | str) -> Command:
    return Command(f"ATD{_identity(identity)}")


def ptt_press(cc: int, priority: int = 1) -> Command:
    return Command(f"AT+CTXD={int(cc)},{int(priority)}")


def ptt_release(cc: int) -> Command:
    return Command(f"AT+CUTXC={int(cc)}")


def hang_up() -> Command:
    return Command("ATH")


# --- parsing the information responses ------------------------------------------------


def _fields(lines: tuple[str, ...], prefix: str) -> list[str]:
    for line in lines:
        if line.upper().startswith(prefix.upper() + ":"):
            return [f.strip().strip('"') for f in line.split(":", 1)[1].split(",")]
    raise ProtocolError(f"no {prefix} line in the response {list(lines)!r}")


def parse_cmgs_instance(lines: tuple[str, ...]) -> int:
    """The SDS instance of ``+CMGS: <instance>`` (the MT accepted the message)."""
    fields = _fields(lines, "+CMGS")
    try:
        return int(fields[0])
    except ValueError:
        raise ProtocolError(f"bad +CMGS response {fields!r}") from None


def parse_cnumf(lines: tuple[str, ...]) -> tuple[int, str]:
    """``+CNUMF: <num type>,<identity>``: the gateway's own identity."""
    fields = _fields(lines, "+CNUMF")
    try:
        return int(fields[0]), fields[1]
    except (ValueError, IndexError):
        raise ProtocolError(f"bad +CNUMF response {fields!r}") from None


def parse_int_field(lines: tuple[str, ...], prefix: str, index: int = 0) -> int:
    """An integer field of a query response, e.g. ``+CTOM: 0`` or ``+CSQ: 20,99``."""
    fields = _fields(lines, prefix)
    try:
        return int(fields[index])
    except (ValueError, IndexError):
        raise ProtocolError(f"bad {prefix} response {fields!r}") from None

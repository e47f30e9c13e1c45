"""MT -> TE result framing according to the V.25ter flags (E, V, Q) and ``+CMEE``.

Verbose (``ATV1``): every line framed ``\\r\\n<line>\\r\\n``.  Numeric (``ATV0``):
information text ``<line>\\r\\n``, finals ``0\\r`` (OK) / ``4\\r`` (ERROR) /
``+CME ERROR: <n>\\r``.  Quiet (``ATQ1``): no final result codes.  Echo (``ATE1``):
the command line followed by ``\\r``, sent before any response.
"""

from __future__ import annotations

from dataclasses import dataclass

CME_TEXT = {
    3: "operation not allowed in current state",
    4: "operation not supported",
    27: "invalid characters in dial string",
    32: "user data decoding failed",
    33: "parameter of wrong type",
    34: "parameter value out of range",
    35: "syntax error",
    36: "user data without AT+CMGS",
    37: "timeout waiting for user data",
}


@dataclass
class V25Flags:
    """Mutable session flags (reset by ATZ/reboot)."""

    echo: bool = True
    verbose: bool = True
    quiet: bool = False
    cmee: int = 1


def frame_info(flags: V25Flags, text: str) -> bytes:
    if flags.verbose:
        return f"\r\n{text}\r\n".encode("latin-1", "replace")
    return f"{text}\r\n".encode("latin-1", "replace")


def frame_final(flags: V25Flags, error: int | None) -> bytes:
    """``error`` None = OK, -1 = plain ERROR, n >= 0 = ``+CME ERROR: n``."""
    if flags.quiet:
        return b""
    if error is not None and error >= 0 and flags.cmee == 0:
        error = -1
    if error is None:
        text, num = "OK", "0"
    elif error < 0:
        text, num = "ERROR", "4"
    elif flags.cmee == 2:
        text = num = f"+CME ERROR: {CME_TEXT.get(error, str(error))}"
    else:
        text = num = f"+CME ERROR: {error}"
    return f"\r\n{text}\r\n".encode() if flags.verbose else f"{num}\r".encode()


def frame_echo(flags: V25Flags, line: str) -> bytes:
    return f"{line}\r".encode("latin-1", "replace") if flags.echo else b""

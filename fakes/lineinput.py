"""TE -> MT byte stream to events: command lines, SDS user data, stray data.

Accepts CR, LF or CRLF as the command terminator (empty lines are ignored, so CRLF counts
once).  After ``AT+CMGS`` the gateway calls :meth:`LineInput.enter_data_mode`: from then
on hex is collected, whitespace (CR/LF/space/tab) skipped, until Ctrl-Z (0x1A, send) or
ESC (0x1B, abort).  Events are pulled one at a time so that a command that switches the
mode takes effect for the very next bytes of the same write.
"""

from __future__ import annotations

from dataclasses import dataclass

CTRL_Z = 0x1A
ESC = 0x1B


@dataclass(frozen=True)
class CommandLine:
    text: str


@dataclass(frozen=True)
class SdsData:
    hex: str
    aborted: bool


@dataclass(frozen=True)
class StrayData:
    """Bytes ended by Ctrl-Z outside data mode (``+CME ERROR: 36``)."""

    text: str


InputEvent = CommandLine | SdsData | StrayData


class _Skip:
    """An empty line or an ESC-cancelled line: nothing to report."""


class LineInput:
    def __init__(self) -> None:
        self._buf = bytearray()
        self.data_mode = False

    def feed(self, data: bytes) -> None:
        self._buf += data

    def clear(self) -> None:
        self._buf.clear()
        self.data_mode = False

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def enter_data_mode(self) -> None:
        self.data_mode = True

    def next_event(self) -> InputEvent | None:
        while True:
            if self.data_mode:
                return self._data_event()
            ev = self._command_event()
            if not isinstance(ev, _Skip):
                return ev

    def _data_event(self) -> SdsData | None:
        for i, b in enumerate(self._buf):
            if b in (CTRL_Z, ESC):
                raw = bytes(self._buf[:i]).decode("latin-1")
                del self._buf[: i + 1]
                self.data_mode = False
                return SdsData("".join(raw.split()), aborted=b == ESC)
        return None

    def _command_event(self) -> InputEvent | _Skip | None:
        for i, b in enumerate(self._buf):
            if b in (0x0D, 0x0A, CTRL_Z, ESC):
                text = bytes(self._buf[:i]).decode("latin-1")
                del self._buf[: i + 1]
                if b == CTRL_Z:
                    return StrayData(text)
                if b == ESC or not text.strip():
                    return _Skip()
                return CommandLine(text)
        return None

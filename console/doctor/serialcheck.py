"""Serial checks: the gateway's PEI port, from "does the file exist" to "CTSP accepted".

Order matters and each step says what to do when it fails, because each failure hides
the next: a missing device file (cable, driver), no permission (dialout group), a busy
port (ModemManager, another console), silence at the configured baud (wrong baud, PEI
not enabled), then what the radio says about itself (echo, vendor, mode, identity,
dialect) and whether it accepts the service registrations the console needs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from console.doctor.atprobe import AtProbe, Exchange
from console.doctor.model import Finding, Status
from console.doctor.portinfo import access_problem, device_path, find_holders
from drivers.errors import DriverError
from drivers.link.port import Port
from drivers.pei.dialect import Dialect

AREA = "serial"
COMMON_BAUDS = (9600, 19200, 38400, 57600, 115200)
MM_HINT = (
    'ModemManager probes serial ports: add a udev rule ENV{ID_MM_DEVICE_IGNORE}="1" for the '
    "adapter (see docs/bench.md) or run: sudo systemctl stop ModemManager"
)
# Service registrations without which paging does not work at all (the rest: warnings).
ESSENTIAL_CTSP = frozenset({"AT+CTSP=2,0,0", "AT+CTSP=1,2,20", "AT+CTSP=1,3,130"})
# Vendor string (upper case, substring) -> dialect table to suggest.
VENDOR_DIALECTS: tuple[tuple[str, str], ...] = (
    ("SEPURA", "sepura"),
    ("MOTOROLA", "etsi"),
    ("HYTERA", "pdt-generic"),
    ("海能达", "pdt-generic"),
    ("KIRISUN", "pdt-generic"),
    ("科立讯", "pdt-generic"),
    ("PDT", "pdt-generic"),
)
AI_MODES = {
    0: "TMO (trunked)",
    1: "DMO (direct mode)",
    2: "TMO with DMO dual watch",
    3: "DMO with TMO dual watch",
    4: "TMO and DMO",
    5: "gateway",
    6: "DMO repeater",
}

Opener = Callable[[str, int], Port]


@dataclass(frozen=True)
class SerialPortSetup:
    """What to check: the URL, the baud the console would use, and its dialect table."""

    url: str
    baud: int
    dialect: Dialect
    expected_issi: int | None = None


class SerialChecks:
    """Runs the serial checks in order and returns their findings."""

    def __init__(self, target: SerialPortSetup, opener: Opener, *, timeout: float = 1.5) -> None:
        self.target = target
        self.opener = opener
        self.timeout = timeout
        self.findings: list[Finding] = []
        self.working_baud: int | None = None
        self.vendor: str = ""

    def _add(self, check: str, status: Status, message: str, hint: str = "") -> None:
        self.findings.append(Finding(AREA, check, status, message, hint))

    def run(self) -> list[Finding]:
        url = self.target.url
        path = device_path(url)
        if path is not None and not self._device_ok(path):
            return self.findings
        if path is None:
            self._add("port", Status.INFO, f"{url}: network port, no device file to check")
        port = self._open(url, self.target.baud, path)
        if port is None:
            return self.findings
        try:
            probe = AtProbe(port, line_ending=self.target.dialect.line_ending)
            first = self._hello(probe)
        finally:
            port.close()
        if first is not None:
            self.working_baud = self.target.baud
        else:
            first = self._search_baud(url)
            if first is None:
                return self.findings
        port = self._open(url, self.working_baud or self.target.baud, path, quiet=True)
        if port is None:
            return self.findings
        try:
            self._converse(AtProbe(port, line_ending=self.target.dialect.line_ending), first)
        finally:
            port.close()
        return self.findings

    # --- the device file ------------------------------------------------------------

    def _device_ok(self, path: str) -> bool:
        if not os.path.exists(path):
            by_id = "/dev/serial/by-id"
            seen = sorted(os.listdir(by_id)) if os.path.isdir(by_id) else []
            listing = f" (present: {', '.join(seen)})" if seen else ""
            self._add(
                "port",
                Status.FAIL,
                f"{path} does not exist{listing}",
                "Plug in the USB-serial adapter and check `ls -l /dev/serial/by-id/` and "
                "`dmesg | tail` for its name; prefer the stable /dev/serial/by-id/... path.",
            )
            return False
        self._add("port", Status.OK, f"{path} exists")
        problem = access_problem(path)
        if problem is not None:
            self._add("permissions", Status.FAIL, problem[0], problem[1])
            return False
        self._add("permissions", Status.OK, f"{path} is readable and writable")
        return True

    def _open(self, url: str, baud: int, path: str | None, *, quiet: bool = False) -> Port | None:
        try:
            port = self.opener(url, baud)
        except DriverError as exc:
            text = exc.message
            holders = find_holders(path) if path else []
            if "lock" in text.lower() or "busy" in text.lower() or holders:
                who = ", ".join(h.describe() for h in holders) or "another process"
                mm = any("modem" in h.name.lower() for h in holders)
                self._add(
                    "busy",
                    Status.FAIL,
                    f"{url} is in use by {who}",
                    MM_HINT
                    if mm
                    else "Close the other program (another dutydesk, screen, minicom), "
                    "then run the doctor again.",
                )
            else:
                self._add("open", Status.FAIL, text, "Check the URL/device and the cable.")
            return None
        if not quiet:
            others = [h for h in find_holders(path) if not h.is_self] if path else []
            if others:
                mm = any("modem" in h.name.lower() for h in others)
                self._add(
                    "busy",
                    Status.FAIL,
                    f"{url} is also open in {', '.join(h.describe() for h in others)}: "
                    "two readers split the bytes between them",
                    MM_HINT if mm else "Close the other program using the port.",
                )
            else:
                self._add("busy", Status.OK, f"{url} opened exclusively, nobody else has it open")
        return port

    # --- finding the baud -----------------------------------------------------------

    def _hello(self, probe: AtProbe) -> Exchange | None:
        """AT (twice: the first may meet line noise); the exchange that got an answer."""
        probe.drain(0.05)
        for _ in range(2):
            ex = probe.exchange("AT", self.timeout)
            if ex.answered:
                return ex
        return None

    def _search_baud(self, url: str) -> Exchange | None:
        configured = self.target.baud
        for baud in (b for b in COMMON_BAUDS if b != configured):
            try:
                port = self.opener(url, baud)
            except DriverError:
                continue
            try:
                ex = self._hello(AtProbe(port, line_ending=self.target.dialect.line_ending))
            finally:
                port.close()
            if ex is not None:
                self.working_baud = baud
                self._add(
                    "baud",
                    Status.FAIL,
                    f"no answer to AT at {configured} baud, but the gateway answers at {baud}",
                    f"Use --baud {baud} (station file: [gateway] baud = {baud}), or set the "
                    f"radio's PEI baud rate to {configured} in its programming.",
                )
                return ex
        tried = ", ".join(str(b) for b in COMMON_BAUDS)
        self._add(
            "baud",
            Status.FAIL,
            f"no answer to AT at {configured} baud nor at any of {tried}",
            "Check that the cable is the radio's PEI/data port (TX/RX not swapped, USB-serial "
            "adapter at 3.3/5 V/RS-232 as the radio needs), that the radio is on, and that "
            "PEI/Hayes AT mode is enabled in its programming.",
        )
        return None

    # --- talking to the radio -------------------------------------------------------

    def _converse(self, probe: AtProbe, first: Exchange) -> None:
        baud = self.working_baud or self.target.baud
        if self.working_baud == self.target.baud:
            self._add("baud", Status.OK, f"the gateway answers AT at {baud} baud")
        if first.numeric:
            self._add(
                "result codes",
                Status.FAIL,
                "numeric result codes (ATV0): the console needs verbose OK/ERROR",
                "Set verbose result codes (ATV1) in the radio's PEI settings.",
            )
        if first.echoed:
            self._add(
                "echo",
                Status.OK,
                "echo is on (the console switches it off with ATE0 at start-up)",
            )
        else:
            self._add("echo", Status.OK, "echo is off")
        probe.exchange("ATE0", self.timeout)
        vendor = self._vendor(probe)
        mode = self._mode(probe)
        identity = self._identity(probe)
        self._suggest_dialect(vendor, mode is not None, identity is not None)
        self._registrations(probe)

    def _vendor(self, probe: AtProbe) -> str:
        for cmd in ("AT+GMI?", "AT+GMI", "ATI"):
            ex = probe.exchange(cmd, self.timeout)
            if not ex.ok:
                continue
            fields = ex.info("+GMI")
            vendor = fields[0] if fields else " ".join(ex.text[:1])
            if vendor:
                model = probe.exchange("AT+GMM?", self.timeout)
                extra = ",".join(model.info("+GMM")) if model.ok else ""
                self.vendor = vendor
                self._add(
                    "vendor",
                    Status.INFO,
                    f"vendor {vendor}" + (f", model {extra}" if extra else "") + f" ({cmd})",
                )
                return vendor
        self._add("vendor", Status.INFO, "the gateway does not say who made it (AT+GMI?, ATI)")
        return ""

    def _mode(self, probe: AtProbe) -> int | None:
        ex = probe.exchange("AT+CTOM?", self.timeout)
        fields = ex.info("+CTOM")
        if not ex.ok or not fields or not fields[0].isdigit():
            self._add(
                "mode",
                Status.WARN,
                f"AT+CTOM? not answered ({ex.final or 'no answer'})",
                "A PDT/vendor dialect may not have it; the console then cannot show the mode.",
            )
            return None
        mode = int(fields[0])
        name = AI_MODES.get(mode, f"mode {mode}")
        if mode == 0:
            self._add("mode", Status.OK, f"air interface mode {mode}: {name}")
        else:
            self._add(
                "mode",
                Status.FAIL,
                f"air interface mode {mode}: {name}; the console needs TMO (trunked, 0)",
                "Switch the radio to TMO (trunked mode) on its front panel or in programming.",
            )
        return mode

    def _identity(self, probe: AtProbe) -> str | None:
        ex = probe.exchange("AT+CNUMF?", self.timeout)
        fields = ex.info("+CNUMF")
        if not ex.ok or len(fields) < 2:
            self._add(
                "identity",
                Status.WARN,
                f"AT+CNUMF? not answered ({ex.final or 'no answer'})",
                "The console will not know its own ISSI; set [gateway] issi in the station file.",
            )
            return None
        ident = fields[1]
        ssi = ident[9:].lstrip("0") if len(ident) == 17 and ident.isdigit() else ident.lstrip("0")
        expected = self.target.expected_issi
        if expected is not None and ssi != str(expected):
            self._add(
                "identity",
                Status.FAIL,
                f"the gateway is ISSI {ssi}, the station file says {expected}",
                "Correct [gateway] issi in the station file, or connect the right radio.",
            )
        else:
            self._add("identity", Status.OK, f"gateway identity {ident} (ISSI {ssi})")
        return ident

    def _suggest_dialect(self, vendor: str, has_ctom: bool, has_cnumf: bool) -> None:
        upper = vendor.upper()
        suggested = next((d for key, d in VENDOR_DIALECTS if key in upper), None)
        reason = f"vendor {vendor}" if suggested else ""
        if suggested is None:
            suggested = "etsi" if has_ctom and has_cnumf else "pdt-generic"
            reason = (
                "answers the ETSI identity/mode queries"
                if suggested == "etsi"
                else "does not answer the ETSI identity/mode queries"
            )
        configured = self.target.dialect.name
        if suggested == configured:
            self._add("dialect", Status.OK, f"dialect {configured} fits ({reason})")
        else:
            self._add(
                "dialect",
                Status.WARN,
                f"dialect {suggested} suggested ({reason}); configured: {configured}",
                f'Try --dialect {suggested} ([gateway] dialect = "{suggested}"); record a '
                "trace (dutydesk trace record) to confirm the field layouts.",
            )

    def _registrations(self, probe: AtProbe) -> None:
        lines = [c for c in self.target.dialect.init if c.upper().startswith("AT+CTSP")]
        refused: list[tuple[str, Exchange]] = []
        for line in lines:
            ex = probe.exchange(line, self.timeout)
            if not ex.ok:
                refused.append((line, ex))
        if not refused:
            self._add(
                "services",
                Status.OK,
                f"all {len(lines)} service registrations (AT+CTSP) accepted",
            )
            return
        for line, ex in refused:
            essential = line.upper() in ESSENTIAL_CTSP
            self._add(
                "services",
                Status.FAIL if essential else Status.WARN,
                f"{line} refused ({ex.final or 'no answer'})",
                "Enable this service for the PEI in the radio programming (SDS, status, "
                "call control routed to the PC/TE).",
            )

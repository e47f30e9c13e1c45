"""What ``dutydesk doctor`` finds: one :class:`Finding` per check, collected in a report.

Why a flat list of findings rather than exceptions: the technician on the bench needs to
see *every* problem at once (port permissions and a missing sound card and a wrong
speaker address), each with the one thing to do about it, not the first failure only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from console.exitcodes import ExitCode

EXIT_OK = ExitCode.OK
EXIT_PROBLEMS = ExitCode.MISSED
EXIT_COULD_NOT_RUN = ExitCode.ERROR


class Status(StrEnum):
    """How one check came out; only ``FAIL`` makes the exit status 1."""

    OK = "ok"
    FAIL = "fail"
    WARN = "warn"  # works, but something is worth a look (echo on, mode, suggested dialect)
    INFO = "info"  # a fact the technician wants to see (vendor, identity)
    SKIP = "skip"  # could not be checked because an earlier check failed, or not asked


@dataclass(frozen=True)
class Finding:
    """One line of the report: ``area`` groups lines (serial / sound / speaker)."""

    area: str
    check: str
    status: Status
    message: str
    hint: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "check": self.check,
            "status": self.status.value,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Report:
    """All findings of one doctor run, in the order the checks ran."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, area: str, check: str, status: Status, message: str, hint: str = "") -> Finding:
        finding = Finding(area, check, status, message, hint)
        self.findings.append(finding)
        return finding

    def extend(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status is Status.FAIL]

    @property
    def exit_code(self) -> int:
        return EXIT_PROBLEMS if self.problems else EXIT_OK

    def by_check(self, check: str) -> Finding | None:
        """The first finding of ``check`` (tests and the JSON consumer look lines up)."""
        return next((f for f in self.findings if f.check == check), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.problems,
            "exit": self.exit_code,
            "problems": len(self.problems),
            "findings": [f.as_dict() for f in self.findings],
        }

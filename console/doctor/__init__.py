"""``dutydesk doctor``: say exactly what is wrong on the bench, and what to do about it.

Checks the gateway's serial port (device, permissions, busy, baud, echo, vendor, mode,
identity, dialect, service registrations), the sound devices named in the station file,
and the loudspeakers (resolve, route, UDP send, multicast TTL).
"""

from __future__ import annotations

from console.doctor.cli import add_doctor, cmd_doctor
from console.doctor.model import (
    EXIT_COULD_NOT_RUN,
    EXIT_OK,
    EXIT_PROBLEMS,
    Finding,
    Report,
    Status,
)

__all__ = [
    "EXIT_COULD_NOT_RUN",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "Finding",
    "Report",
    "Status",
    "add_doctor",
    "cmd_doctor",
]

"""``dutydesk doctor``: the argparse wiring and the exit status (0 good, 1 problems, 2 not run).

Kept apart from the checks so ``console/cli.py`` only needs one import and one entry in
``COMMANDS``; the checks import pyserial and the drivers only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from console.doctor.model import EXIT_COULD_NOT_RUN


def add_doctor(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``doctor`` on the ``dutydesk`` sub-command parser."""
    p = sub.add_parser(
        "doctor",
        parents=[common],
        help="check the gateway port, sound devices and loudspeakers "
        "(exit 0 all good, 1 problems, 2 could not run)",
        description="One line per check with what is wrong and what to do. "
        "See docs/bench.md for the bench procedure.",
    )
    p.add_argument("--gateway", metavar="URL", help="serial device or pyserial URL")
    p.add_argument("--baud", type=int, metavar="N", help="serial speed (default: station/dialect)")
    p.add_argument("--dialect", metavar="D", help="dialect table name or file (default: etsi)")
    p.add_argument(
        "--speaker",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="loudspeaker to check (repeatable; the station's zones are checked too)",
    )
    p.add_argument(
        "--db",
        metavar="FILE",
        default=argparse.SUPPRESS,  # keep 'dutydesk --db FILE doctor' working too
        help="event log for the replication lines (default: per-user)",
    )
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--timeout", type=float, default=1.5, metavar="S", help="seconds per AT answer")
    p.add_argument("--ascii", action="store_true", help="ASCII marks even on a UTF-8 terminal")
    p.set_defaults(handler=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from console.doctor.render import can_encode, render_json, render_lines
    from console.doctor.runner import DoctorEnvironment, DoctorOptions, run_doctor
    from console.errors import ConsoleError

    options = DoctorOptions(
        gateway=args.gateway,
        baud=args.baud,
        dialect=args.dialect,
        config=getattr(args, "config", None),
        speakers=tuple(args.speaker),
        db=getattr(args, "db", None),
    )
    try:
        report = run_doctor(options, DoctorEnvironment(at_timeout=args.timeout))
    except ConsoleError as exc:
        print(f"dutydesk doctor: could not run: {exc}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except Exception as exc:  # never a traceback for the technician
        print(f"dutydesk doctor: could not run: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    if args.json:
        print(render_json(report))
    else:
        unicode = not args.ascii and can_encode(sys.stdout)
        for line in render_lines(report, unicode=unicode):
            print(line)
    return report.exit_code

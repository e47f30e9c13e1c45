"""``dutydesk rollcall`` (registered in ``console.cli.COMMANDS``).

One command, four actions, so the officer has one thing to remember::

    dutydesk rollcall --gateway URL --group G [--mode status|voice|sequential]
                      [--deadline S] [--json] [--db FILE]      run a roll call
    dutydesk rollcall --gateway URL --recall ID [--db FILE]    re-call ID's absent
    dutydesk rollcall --list [--db FILE]                        past roll calls
    dutydesk rollcall --show ID [--compare ID2] [--format F]   reopen / compare
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from console.config.loader import say_if_demo
from console.csvtext import add_bom_option
from console.drills.cli import (
    REPORT_FORMATS,
    _open_readonly,
    _run_async,
    _station,
    report_voice,
)
from console.errors import ConsoleError
from console.exitcodes import ExitCode


def add_rollcall(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("rollcall", parents=[common], help="roll call (点名) of a group")
    p.add_argument("--gateway", metavar="URL", help="device path, URL or 'sim'")
    p.add_argument("--group", action="append", metavar="G", help="group, unit alias or number")
    p.add_argument("--mode", choices=("status", "voice", "sequential"), default="status")
    p.add_argument("--deadline", type=float, metavar="SECONDS", help="default: station's 60 s")
    p.add_argument("--late-window", type=float, metavar="SECONDS", help="default: the deadline")
    p.add_argument("--text", metavar="TEXT", help="the SDS text (status / sequential modes)")
    p.add_argument("--recall", metavar="ID", help="call again the absent members of roll call ID")
    p.add_argument("--unreachable", action="store_true", help="with --recall: the unreachable too")
    p.add_argument("--list", action="store_true", help="list past roll calls")
    p.add_argument("--show", metavar="ID", help="reopen a past roll call")
    p.add_argument("--compare", metavar="ID", help="with --show: what changed since roll call ID")
    p.add_argument("--format", choices=REPORT_FORMATS, default="terminal")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_bom_option(p)
    p.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="FILE",
        help="event log (default: the per-user log)",
    )
    p.set_defaults(handler=cmd_rollcall)


def rollcall_status(result: Any) -> ExitCode:
    """0 when every member answered (late ones too: they are there), 1 when members are
    absent or unreachable, 2 when the roll call did not finish."""
    from console.rollcall.model import Attendance

    if not result.closed:
        return ExitCode.ERROR
    missing = result.count(Attendance.ABSENT) + result.count(Attendance.UNREACHABLE)
    return ExitCode.MISSED if missing else ExitCode.OK


def cmd_rollcall(args: argparse.Namespace) -> int:
    if args.list:
        return _list(args)
    if args.show:
        return _show(args)
    if not args.gateway:
        raise ConsoleError(
            "no gateway given", hint="dutydesk rollcall --gateway sim --group 全体单元"
        )
    station = _station(args)
    if args.recall:
        log = _open_readonly(_db(args))
        try:
            from console.rollcall.analysis import (
                RollCallNotFound,
                load_rollcall,
                recall_spec,
                spec_from_log,
            )

            try:
                spec = recall_spec(
                    spec_from_log(log, args.recall),
                    load_rollcall(log, args.recall),
                    include_unreachable=args.unreachable,
                )
            except RollCallNotFound as exc:
                raise ConsoleError(str(exc)) from None
        finally:
            log.close()
        if not spec.members:
            print(f"dutydesk: nobody to re-call: everyone in {args.recall} answered")
            return ExitCode.OK
    else:
        if not args.group:
            raise ConsoleError("no group given", hint="--group 全体单元 (a name, alias or number)")
        from console.rollcall.spec import rollcall_spec

        spec = rollcall_spec(
            station,
            args.group,
            mode=args.mode,
            deadline_s=args.deadline,
            late_window_s=args.late_window,
            text=args.text,
        )
    from console.service.paths import find_service

    running = find_service(log=_db(args))
    if running is not None and not args.recall:
        return _run_async(_rollcall_via(args, running.socket, spec))
    return _run_async(_rollcall_main(args, station, spec))


async def _rollcall_via(args: argparse.Namespace, socket: str, spec: Any) -> int:
    """The station service owns this log (the console, or ``dutydesk serve``): run the
    roll call there -- no second opener of the port or the log -- and report from the log
    once the service has closed it."""
    from console.reports import report_of
    from console.rollcall.analysis import load_rollcall
    from console.service.client import StationClient

    async with StationClient(socket=socket, position="cli") as client:
        hello = await client.hello()
        doc = await client.post(
            "/v1/rollcalls",
            {"group": args.group, "mode": spec.mode.value, "deadline_s": spec.deadline_s},
        )
        rollcall_id = str(doc["rollcall"])
        print(
            f"dutydesk: roll call {rollcall_id} ({spec.mode.value}, {len(spec.members)} "
            f"members, deadline {spec.deadline_s:g} s) on the station service ({socket})",
            file=sys.stderr,
        )
        say_if_demo(args)
        async for rec in client.events(int(hello["last_seq"])):
            data = rec.get("data") or {}
            if data.get("rollcall") != rollcall_id:
                continue
            if rec["kind"] == "rollcall.answer":
                print(f"  {rec['unit']}: {data.get('status', '')}", file=sys.stderr)
            elif rec["kind"] == "rollcall.closed":
                break
    log = _open_readonly(_db(args))
    try:
        result = load_rollcall(log, rollcall_id)
    finally:
        log.close()
    report = report_of(result)
    _print_report(report, args)
    return rollcall_status(result)


async def _rollcall_main(args: argparse.Namespace, station: Any, spec: Any) -> int:
    from console.drills.session import open_session
    from console.rollcall.model import RollCallUpdate
    from console.rollcall.runner import RollCall

    async with open_session(args.gateway, _db(args), station) as s:
        call = RollCall(s.engine, spec)
        last: dict[int, str] = {}

        def show(update: RollCallUpdate) -> None:
            for m in update.result.members:
                if last.get(m.issi) != m.attendance.value and m.attendance.value != "waiting":
                    last[m.issi] = m.attendance.value
                    when = "" if m.latency_s is None else f" {m.latency_s:.1f} s"
                    print(f"  {m.issi} {m.alias}: {m.attendance.value}{when}", file=sys.stderr)

        call.subscribe(show)
        print(
            f"dutydesk: roll call {call.rollcall_id} ({spec.mode.value}, {len(spec.members)} "
            f"members, deadline {spec.deadline_s:g} s) on {s.url}",
            file=sys.stderr,
        )
        result = await call.run()
    from console.reports import report_of

    report = report_of(result)
    _print_report(report, args)
    return rollcall_status(result)


def _list(args: argparse.Namespace) -> int:
    from console.reports.render import fmt_wall, inert
    from console.rollcall.analysis import list_rollcalls

    log = _open_readonly(_db(args))
    try:
        rows = list_rollcalls(log, group=args.group[0] if args.group else None)
    finally:
        log.close()
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
        return ExitCode.OK
    for r in rows:
        counts = " ".join(f"{k}={v}" for k, v in (r.counts or {}).items()) or "(not closed)"
        again = f"  re-call of {r.recall_of}" if r.recall_of else ""
        print(
            f"{r.rollcall_id}  {fmt_wall(r.started_wall)}  {r.mode:<10} "
            f"{inert(r.group)}  {r.members} members  {counts}{again}"
        )
    return ExitCode.OK


def _show(args: argparse.Namespace) -> int:
    from console.reports import report_of
    from console.rollcall.analysis import RollCallNotFound, compare, load_rollcall

    log = _open_readonly(_db(args))
    try:
        try:
            result = load_rollcall(log, args.show)
            earlier = load_rollcall(log, args.compare) if args.compare else None
        except RollCallNotFound as exc:
            raise ConsoleError(str(exc), hint="dutydesk rollcall --list shows them") from None
    finally:
        log.close()
    _print_report(report_of(result), args, end="")
    if earlier is not None:
        changes = compare(earlier, result)
        print(f"\nchanges since {args.compare}: {len(changes)}")
        for c in changes:
            print(f"  {c.issi} {c.alias}: {c.before} -> {c.after}")
    return ExitCode.OK


def _print_report(report: Any, args: argparse.Namespace, end: str | None = None) -> None:
    """The report on stdout: JSON for machines, else ``--format`` in the station's words."""
    from console.reports import render

    if args.json:
        print(render(report, "json"), end="\n" if end is None else end)
    else:
        print(render(report, args.format, *report_voice(args), bom=args.bom), end="")


def _db(args: argparse.Namespace) -> Path:
    """``--db``, or the one per-user log every face shares."""
    from console.service.paths import default_log_path

    return Path(args.db) if args.db is not None else default_log_path()

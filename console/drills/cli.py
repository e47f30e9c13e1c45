"""``dutydesk drill run | report | history`` (registered in ``console.cli.COMMANDS``).

Exit status of ``drill run`` (:class:`~console.exitcodes.ExitCode`): 0 passed, 1 failed
its criteria, 2 could not run (bad file, no gateway), 130 interrupted.  ``drill report``
exits as the reported drill did: 0 passed, 1 failed or interrupted, 2 no such drill or
log.  Heavy imports happen inside the handlers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

from console.config.loader import say_if_demo
from console.csvtext import add_bom_option
from console.errors import ConfigError, ConsoleError
from console.exitcodes import ExitCode

EXIT_PASSED, EXIT_FAILED, EXIT_NOT_RUN = ExitCode.OK, ExitCode.MISSED, ExitCode.ERROR
DB_HELP = "event log (default: the per-user log every face shares)"
REPORT_FORMATS = ("terminal", "markdown", "csv", "json", "html")


def add_drill(sub: Any, common: argparse.ArgumentParser) -> None:
    drill = sub.add_parser("drill", parents=[common], help="readiness drills (拉动演练)")
    dsub = drill.add_subparsers(dest="drill_command", metavar="COMMAND", required=True)
    run = dsub.add_parser("run", parents=[common], help="run a drill file headless")
    run.add_argument("file", type=Path, metavar="FILE", help="drill file (TOML)")
    run.add_argument("--gateway", required=True, metavar="URL", help="device path, URL or 'sim'")
    run.add_argument("--report-dir", type=Path, metavar="DIR", help="write md/csv/json/html here")
    run.add_argument("--json", action="store_true", help="print the report as JSON")
    add_bom_option(run)
    run.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="FILE",
        help="event log (default: the per-user log)",
    )
    run.set_defaults(handler=cmd_drill_run)
    check = dsub.add_parser(
        "check", parents=[common], help="list every problem of a drill file (exit 2 if any)"
    )
    check.add_argument("file", type=Path, metavar="FILE", help="drill file (TOML)")
    check.set_defaults(handler=cmd_drill_check)
    rep = dsub.add_parser(
        "report",
        parents=[common],
        help="a drill's report from the log (exit 0 passed, 1 failed or interrupted)",
    )
    rep.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="FILE",
        help="event log (default: the per-user log)",
    )
    rep.add_argument("--drill", metavar="ID", help="drill id (default: the latest)")
    rep.add_argument("--format", choices=REPORT_FORMATS, default="terminal")
    rep.add_argument("--out", type=Path, metavar="FILE", help="write here (default stdout)")
    add_bom_option(rep)
    rep.set_defaults(handler=cmd_drill_report)
    hist = dsub.add_parser("history", parents=[common], help="past drills with pass rates")
    hist.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="FILE",
        help="event log (default: the per-user log)",
    )
    hist.add_argument("--json", action="store_true")
    hist.set_defaults(handler=cmd_drill_history)


def _station(args: argparse.Namespace) -> Any:
    """The station the command line selects (``--config``, ``$DUTYDESK_CONFIG``, the
    config folders, else the demo), as for every command."""
    from console.config.loader import load_command_station

    return load_command_station(args)


def report_voice(args: argparse.Namespace, station: Any = None) -> tuple[str, str]:
    """The language and station name a report is written in: ``--lang``, else the
    station's language (as ``console.cli.selected_lang``), and the station's name."""
    from console.i18n import normalise_lang

    station = station if station is not None else _station(args)
    lang = normalise_lang(getattr(args, "lang", None) or getattr(station, "language", None))
    return lang, str(station.display_name(lang))


def cmd_drill_check(args: argparse.Namespace) -> int:
    """Every problem of the drill file against the station, one ``file:line: message``
    line each on stdout (an editor jumps to them), then a count; 2 when there is any,
    0 and a one-line summary when there is none.  Nothing is sent."""
    from console.drills.loader import load_drill

    station = _station(args)
    try:
        drill = load_drill(args.file, station)
    except ConfigError as exc:
        problems = sorted(exc.all_problems, key=lambda p: (p.line is None, p.line or 0))
        lang, _ = report_voice(args, station)
        for problem in problems:
            print(problem.say_one(lang))
        print(f"dutydesk: {len(problems)} problem(s) in {args.file}", file=sys.stderr)
        return ExitCode.ERROR
    lang, _ = report_voice(args, station)
    print(drill_summary(drill, lang))
    return ExitCode.OK


def drill_summary(drill: Any, lang: str) -> str:
    """``drill file OK: <name>, 46 units, 5 talkgroups, 2 criteria`` (for ``check``)."""
    from console.i18n import t

    return t(
        "drill.check.ok",
        lang,
        file=drill.source,
        name=drill.name,
        units=len(drill.participants),
        groups=len(drill.talkgroups),
        criteria=len(drill.criteria),
    )


def cmd_drill_run(args: argparse.Namespace) -> int:
    from console.config import is_simulated
    from console.drills.loader import load_drill

    station = _station(args)
    drill = load_drill(args.file, station)  # ConfigError: file:line: field, before any send
    if drill.scripted and not is_simulated(args.gateway):
        line = drill.simulation.line if drill.simulation else None
        raise ConfigError(
            "scripted behaviour runs only against the simulated network, not a real gateway",
            path=str(args.file),
            line=line,
            field="simulation",
            hint="use --gateway sim to rehearse, or remove [simulation] to run on the radios",
        )
    from console.service.paths import find_service

    running = find_service(log=_db(args))
    if running is not None:
        return _run_async(_drill_via(args, running.socket))
    return _run_async(_drill_main(args, station, drill))


async def _drill_via(args: argparse.Namespace, socket: str) -> int:
    """The station service owns this log (the console, or ``dutydesk serve``): run the
    drill there, follow it on the stream, and report from the log it wrote."""
    from console.reports import drill_report
    from console.service.client import StationClient

    async with StationClient(socket=socket, position="cli") as client:
        hello = await client.hello()
        doc = await client.post("/v1/drills", {"file": str(Path(args.file).resolve())})
        drill_id = str(doc["drill"])
        print(f"dutydesk: drill {drill_id} on the station service ({socket})", file=sys.stderr)
        say_if_demo(args)
        try:
            async for rec in client.events(int(hello["last_seq"])):
                data = rec.get("data") or {}
                if rec["kind"] == "drill.finished" and data.get("drill") == drill_id:
                    break
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await client.post("/v1/drills/stop")
            raise
    log = _open_readonly(_db(args))
    try:
        report = drill_report(log, drill_id)
    finally:
        log.close()
    _emit(report, args)
    return EXIT_PASSED if report.passed else EXIT_FAILED


def _run_async(coro: Any) -> int:
    """Run ``coro``; Ctrl-C / SIGTERM cancel it (it logs the interruption) -> exit 130."""

    async def main() -> int:
        task = asyncio.ensure_future(coro)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, task.cancel)
        try:
            return int(await task)
        except asyncio.CancelledError:
            print("dutydesk: interrupted; the log is complete", file=sys.stderr)
            return ExitCode.INTERRUPTED

    return asyncio.run(main())


async def _drill_main(args: argparse.Namespace, station: Any, drill: Any) -> int:
    from console.drills.progress import ProgressDisplay
    from console.drills.runner import DrillRun
    from console.drills.session import open_session
    from console.reports import drill_ids

    display = ProgressDisplay(live=None if not args.json else False)
    async with open_session(args.gateway, _db(args), station, simulation=drill.simulation) as s:
        run = DrillRun(
            s.engine,
            drill,
            announcer=_announcer(),
            simulated=s.simulated,
            backups={u.issi: u.alias for u in station.units},
        )
        if run.drill_id in drill_ids(s.log):
            run.drill_id += f"-{len(drill_ids(s.log)) + 1}"
        run.subscribe(display.update)
        print(f"dutydesk: drill {run.drill_id} on {s.url}, log {_db(args)}", file=sys.stderr)
        say_if_demo(args)
        try:
            report = await run.run()
        except asyncio.CancelledError:
            display.close()
            print(
                f"dutydesk: drill {run.drill_id} interrupted; report it with: dutydesk drill "
                f"report --db {_db(args)} --drill {run.drill_id}",
                file=sys.stderr,
            )
            raise
        finally:
            display.close()
    _emit(report, args)
    return EXIT_PASSED if report.passed else EXIT_FAILED


def _announcer() -> Any:
    """The loudspeaker engine's ``announce`` if ``console.broadcast`` offers one."""
    import importlib

    try:
        module = importlib.import_module("console.broadcast")
    except Exception:
        return None
    func = getattr(module, "announce", None)
    return func if callable(func) else None


def _emit(report: Any, args: argparse.Namespace) -> None:
    from console.reports import render

    lang, station = report_voice(args)
    if args.report_dir is not None:
        args.report_dir.mkdir(parents=True, exist_ok=True)
        for fmt, ext in (("markdown", "md"), ("csv", "csv"), ("json", "json"), ("html", "html")):
            path = args.report_dir / f"{report.id}.{ext}"
            path.write_text(render(report, fmt, lang, station, bom=args.bom), encoding="utf-8")
    if args.json:
        print(render(report, "json"))
    else:
        print(render(report, "terminal", lang, station), end="")


def cmd_drill_report(args: argparse.Namespace) -> int:
    from console.reports import DrillNotFound, drill_report, render

    log = _open_readonly(_db(args))
    try:
        report = drill_report(log, args.drill)
    except DrillNotFound as exc:
        raise ConsoleError(str(exc), hint="dutydesk drill history --db FILE lists them") from None
    finally:
        log.close()
    _write(render(report, args.format, *report_voice(args), bom=args.bom), args.out)
    # As ``drill run`` would have exited: a drill that failed (or was interrupted before
    # it could pass) is "ran, targets missed", so a script reporting last night's drill
    # learns the verdict from the status alone.
    return EXIT_PASSED if report.passed else EXIT_FAILED


def cmd_drill_history(args: argparse.Namespace) -> int:
    from console.reports import drill_history
    from console.reports.render import fmt_time, fmt_wall, inert

    log = _open_readonly(_db(args))
    try:
        rows = drill_history(log)
    finally:
        log.close()
    if args.json:
        print(json.dumps([_history_dict(r) for r in rows], ensure_ascii=False, indent=2))
        return EXIT_PASSED
    print("drill                 started              result       criteria  on target  medians")
    for r in rows:
        medians = " ".join(f"{rung}={fmt_time(m)}" for rung, m in r.medians)
        print(
            f"{inert(r.drill_id):<21} {fmt_wall(r.started_wall)}  {r.outcome:<11}  "
            f"{r.criteria_met}/{r.criteria_total:<7}  {r.pass_rate:6.1%}    {medians}  "
            f"{inert(r.name)}"
        )
    return EXIT_PASSED


def _history_dict(r: Any) -> dict[str, Any]:
    return {
        "drill": r.drill_id,
        "name": r.name,
        "started_wall": r.started_wall,
        "outcome": r.outcome,
        "criteria_met": r.criteria_met,
        "criteria_total": r.criteria_total,
        "pass_rate": r.pass_rate,
        "medians": dict(r.medians),
    }


def _open_readonly(db: Path) -> Any:
    from console.eventlog import EventLog, EventLogError

    try:
        return EventLog.open_readonly(db)
    except EventLogError as exc:
        raise ConsoleError(exc.message, hint=exc.hint) from None


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def _db(args: argparse.Namespace) -> Path:
    """``--db``, or the one per-user log every face shares."""
    from console.service.paths import default_log_path

    return Path(args.db) if args.db is not None else default_log_path()

"""``dutydesk`` command line: the console by default, plus tools for the technician.

Every command exits with one of the statuses of :class:`console.exitcodes.ExitCode`
(0 all good, 1 ran but targets missed, 2 error, 130 interrupted): every user mistake ends
as one line on stderr and 2; Ctrl-C ends quietly with 130.  Heavy imports (Textual, the
event log, the simulator) happen inside the handler that needs them, so ``dutydesk config
check`` stays fast and works even while other parts of the program are missing.

Sub-commands are registered in :data:`COMMANDS`: each is one ``_add_<name>(sub, common)``
function that builds its parser and sets its handler.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from console.broadcast.cli import add_broadcast_parser as _add_broadcast
from console.broadcast.cli import add_fake_speaker_parser as _add_fake_speaker
from console.centre.cli import add_centre as _add_centre
from console.centre.cli import add_report as _add_report
from console.config import Station, load_station
from console.config.loader import error_lang, load_selected_station, select_station
from console.config.where import find_station_file, lookup_help
from console.csvtext import add_bom_option
from console.doctor.cli import add_doctor as _add_doctor
from console.drills.cli import add_drill as _add_drill
from console.errors import ConfigError, ConsoleError, say_error
from console.exitcodes import ExitCode, exit_table
from console.i18n import normalise_lang, t
from console.paging.cli import add_parser as _add_page
from console.rollcall.cli import add_rollcall as _add_rollcall
from console.service.serve import add_serve as _add_serve
from console.service.web import add_web as _add_web
from console.trace.cli import add_trace as _add_trace

TIME_FORMS = "ISO 8601; 12:28 = today at 12:28; -2h, -30m = that long ago"
"""How ``--since`` / ``--until`` may be written (``console.eventlog.parse_time``)."""

EXIT_OK = ExitCode.OK
EXIT_USER_ERROR = ExitCode.ERROR
EXIT_INTERRUPTED = ExitCode.INTERRUPTED

Handler = Callable[[argparse.Namespace], int]


def _user_error_types() -> tuple[type[Exception], ...]:
    """ConsoleError, plus the drivers' DriverError when the drivers package has it."""
    try:
        from drivers.errors import DriverError
    except ImportError:  # pragma: no cover - drivers is part of the same distribution
        return (ConsoleError,)
    return (ConsoleError, DriverError)


def clean(value: object) -> str:
    """Text from a file made safe for a terminal: control characters become escapes."""
    return "".join(
        f"\\x{ord(c):02x}"
        if unicodedata.category(c) in ("Cc", "Cf") and ord(c) < 0x100
        else (f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c)
        for c in str(value)
    )


# -- shared helpers ----------------------------------------------------------------------


def selected_lang(args: argparse.Namespace, station: Station | None = None) -> str:
    """``--lang`` wins, then the station's language, then zh-CN."""
    lang = getattr(args, "lang", None)
    if lang:
        return normalise_lang(lang)
    return normalise_lang(station.language if station else None)


# -- default: the Textual console --------------------------------------------------------


def cmd_console(args: argparse.Namespace) -> int:
    """Run the console as a face of the station service: attach to the one that serves
    this log (or gateway), starting it first when none runs (``--embedded``: run the
    station inside the console instead, as before the service existed)."""
    station, source = select_station(args)
    lang = selected_lang(args, station)
    from console.logsetup import configure_logging
    from console.service.paths import default_log_path
    from console.tui.logs import textual_handler

    configure_logging(extra=[textual_handler()])

    db = Path(args.db) if getattr(args, "db", None) else default_log_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    if getattr(args, "embedded", False) or getattr(args, "trace", None):
        return _console_embedded(args, station, lang, db, demo=source.demo)
    from console.service.launch import attach_target, launch_service, reap
    from console.service.remote import RemoteRuntime
    from console.tui.app import DutyDeskApp

    gateway = getattr(args, "gateway", None)
    config = getattr(args, "config", None)
    registration, started = attach_target(db, gateway=gateway, config=config)

    def relaunch() -> Any:
        from console.service.paths import find_service

        reap()
        return find_service(log=db) or launch_service(db, config=config, gateway=gateway)

    runtime = RemoteRuntime(
        station,
        registration,
        operator=getattr(args, "operator", None),
        position=getattr(args, "position", None) or "console",
        relaunch=relaunch if started else None,
        read_only=bool(getattr(args, "read_only", False)),
    )
    app = DutyDeskApp(runtime, lang, demo=source.demo)
    # The terminal window closed (SIGHUP): nothing to hand over -- the service goes on --
    # so the default action (end now) is right; writing a goodbye to a terminal that is
    # gone can hang Textual's writer thread.
    previous = signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        app.run()
    finally:
        signal.signal(signal.SIGHUP, previous)
    return EXIT_OK


def _console_embedded(
    args: argparse.Namespace, station: Station, lang: str, db: Path, *, demo: bool
) -> int:
    """The station in the console's own process, hosting the API for other faces."""
    from console.runtime import Runtime
    from console.service.handover import open_incident_pages, start_handover_service, take_back
    from console.service.host import ServiceHost

    running = take_back(db)  # a closing console's background service hands back
    if running is not None:
        raise ConsoleError(
            f"a station service (pid {running.pid}) already owns {db}",
            hint="run 'dutydesk' without --embedded/--trace to attach to it, or stop it first",
        )
    runtime = Runtime(
        station,
        gateway_url=getattr(args, "gateway", None),
        db_path=db,
        operator=getattr(args, "operator", None),
        trace_path=getattr(args, "trace", None),
    )
    runtime.add("api", ServiceHost(runtime))
    from console.tui.app import DutyDeskApp

    app = DutyDeskApp(runtime, lang, demo=demo)
    # The terminal window closed: end like 'q' so the pages in flight are handed over.
    previous = signal.signal(signal.SIGHUP, lambda _s, _f: app.exit())
    try:
        app.run()
    finally:
        signal.signal(signal.SIGHUP, previous)
    pages = open_incident_pages(db)
    if pages:
        pid = start_handover_service(
            db,
            config=getattr(args, "config", None),
            gateway=getattr(args, "gateway", None),
            operator=getattr(args, "operator", None),
        )
        with contextlib.suppress(OSError):
            print(
                f"dutydesk: {len(pages)} page(s) in flight; the station service goes on "
                f"following them in the background (pid {pid}); 'dutydesk' takes them back",
                file=sys.stderr,
            )
    return EXIT_OK


# -- sim ---------------------------------------------------------------------------------


def _add_sim(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "sim",
        parents=[common],
        help="run the simulated gateway for the station (first line: where to connect)",
        description="Run the station's simulated gateway. The first line printed is where to "
        "connect. A trainer types commands on stdin: emergency ISSI, smoke ISSI [PLACE], "
        "text ISSI TEXT, status ISSI VALUE, off/on ISSI, away/back ISSI, unplug, replug, help "
        "(or in Chinese: 紧急 烟感 短信 状态 关机 开机 离开 回来 拔线 插线 帮助).",
    )
    p.add_argument("--tcp", type=_port, metavar="PORT", help="serve on TCP (socket://) not a pty")
    p.add_argument("--baud", type=int, metavar="N", help="simulated serial speed")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="random seed (default 1)")
    p.set_defaults(handler=cmd_sim)


def cmd_sim(args: argparse.Namespace) -> int:
    from console.simulator import run_sim_command

    station = load_selected_station(args)
    return run_sim_command(station, tcp_port=args.tcp, baud=args.baud, seed=args.seed)


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1..65535, got {value}")
    return value


# -- log export --------------------------------------------------------------------------


def _add_log(sub: Any, common: argparse.ArgumentParser) -> None:
    log = sub.add_parser("log", parents=[common], help="event log tools")
    log_sub = log.add_subparsers(dest="log_command", metavar="COMMAND", required=True)
    p = log_sub.add_parser("export", parents=[common], help="export the event log")
    p.add_argument("--db", type=Path, metavar="FILE", help="event log (default: the per-user log)")
    p.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="default csv")
    p.add_argument("--since", metavar="TIME", help=f"only events at/after TIME ({TIME_FORMS})")
    p.add_argument("--until", metavar="TIME", help=f"only events before TIME ({TIME_FORMS})")
    p.add_argument("--incident", metavar="ID", help="only this incident")
    p.add_argument("--unit", metavar="UNIT", help="only this unit (ISSI or alias)")
    p.add_argument("--out", type=Path, metavar="FILE", help="write here (default stdout)")
    add_bom_option(p)
    p.set_defaults(handler=cmd_log_export)


def cmd_log_export(args: argparse.Namespace) -> int:
    """Export the log; ``--unit`` takes what the officer knows the unit by (its alias,
    English name or number), resolved through the station file."""
    try:
        from console.eventlog import export_main
    except ImportError as exc:
        raise ConsoleError(
            f"{t('cli.eventlog_missing', selected_lang(args))} ({exc})",
            hint="update dutydesk; the event log export is part of a newer version",
        ) from None
    if args.db is None:  # the one log every face writes (readable while a service runs)
        from console.service.paths import default_log_path

        args.db = default_log_path()
    unit = unit_number(load_selected_station(args), args.unit) if args.unit else None
    return export_main(
        args.db,
        args.format,
        since=args.since,
        until=args.until,
        incident=args.incident,
        unit=unit,
        out=args.out,
        bom=args.bom and args.format == "csv",
        lang=error_lang(args),
    )


def unit_number(station: Station, token: str) -> str:
    """The ISSI (as the log stores it) of the unit ``token`` names: an alias such as
    蓝海数据中心安保部, an English name or a number; a group is refused with a hint."""
    from console.config.recipients import Unit

    found = station.lookup(token)
    units = [u for u in found if isinstance(u, Unit)]
    if len(units) != 1 or len(found) != 1:
        raise ConsoleError(
            f"--unit {clean(token)!r} names a group, not one unit",
            hint="give a unit's name or number; '--incident' or several exports cover a group",
        )
    return str(units[0].issi)


# -- config check ------------------------------------------------------------------------


def _add_config(sub: Any, common: argparse.ArgumentParser) -> None:
    cfg = sub.add_parser("config", parents=[common], help="station file tools")
    cfg_sub = cfg.add_subparsers(dest="config_command", metavar="COMMAND", required=True)
    p = cfg_sub.add_parser("check", parents=[common], help="validate and summarise a station file")
    p.add_argument(
        "file", nargs="?", metavar="FILE", help="station file (default: as the console finds it)"
    )
    p.set_defaults(handler=cmd_config_check)


def cmd_config_check(args: argparse.Namespace) -> int:
    path = args.file or find_station_file(getattr(args, "config", None)).path
    if not path:
        raise ConsoleError(
            "no station file given and none found", hint="dutydesk config check station.toml"
        )
    try:
        station = load_station(path)
    except ConfigError as exc:
        lang = error_lang(args, path)
        for problem in exc.all_problems:
            print(f"dutydesk: {problem.say_one(lang)}", file=sys.stderr)
        if exc.others:
            print(
                f"dutydesk: {t('check.problems', lang, n=len(exc.all_problems))}", file=sys.stderr
            )
        return EXIT_USER_ERROR
    for line in summarise(station, selected_lang(args, station)):
        print(line)
    return EXIT_OK


def summarise(station: Station, lang: str) -> list[str]:
    """A few lines a technician can compare with the paper plan of the station."""
    gw = station.gateway
    talkgroups = [g for g in station.groups if g.is_talkgroup]
    lines = [
        f"{t('check.ok', lang)}: {clean(station.source)}",
        f"  {t('check.station', lang)}: {clean(station.name)}"
        + (f" ({clean(station.name_en)})" if station.name_en else ""),
        f"  {t('check.gateway', lang)}: {clean(gw.url)}  {gw.baud} baud"
        f"  dialect {clean(gw.dialect)}" + (f"  ISSI {gw.issi}" if gw.issi is not None else ""),
        f"  {t('check.units', lang)}: {len(station.units)} "
        f"({t('check.emergency_units', lang)} {len(station.emergency_units)}, "
        f"{t('check.patrols', lang)} {len(station.patrols)})",
        f"  {t('check.groups', lang)}: {len(talkgroups)} / {len(station.groups) - len(talkgroups)}"
        + "".join(
            f"\n    {clean(g.display_name(lang))}: "
            + (f"GSSI {g.gssi}, " if g.gssi is not None else "")
            + f"{len(g.members)}"
            for g in station.groups
        ),
        f"  {t('check.zones', lang)}: "
        + ", ".join(f"{clean(z.display_name(lang))} {len(z.speakers)}" for z in station.zones),
        f"  {t('check.templates', lang)}: {len(station.templates)}",
        f"  {t('check.targets', lang)}: {station.deadlines.acknowledge_s} s / "
        f"{station.deadlines.en_route_s} s / {station.deadlines.on_scene_s} s",
    ]
    return lines


# -- parser and entry point --------------------------------------------------------------


def _add_completion(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "completion",
        help='print shell completion: eval "$(dutydesk completion bash)" in ~/.bashrc',
    )
    p.add_argument("shell", choices=("bash", "zsh"), nargs="?", default="bash")
    p.set_defaults(handler=cmd_completion)


def cmd_completion(args: argparse.Namespace) -> int:
    from console.completion import script

    print(script(build_parser(), args.shell), end="")
    return 0


COMMANDS: tuple[Callable[[Any, argparse.ArgumentParser], object], ...] = (
    _add_completion,
    _add_sim,
    _add_log,
    _add_config,
    _add_page,
    _add_rollcall,
    _add_drill,
    _add_doctor,
    _add_trace,
    _add_broadcast,
    _add_fake_speaker,
    _add_serve,
    _add_web,
    _add_report,
    _add_centre,
)


def _common_options(for_subcommand: bool) -> argparse.ArgumentParser:
    """--config/--lang, accepted before or after the sub-command name."""
    # On sub-parsers the defaults are SUPPRESS so they don't overwrite a value given
    # before the sub-command.
    default = argparse.SUPPRESS if for_subcommand else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="station file (TOML; default: $DUTYDESK_CONFIG, the config folders)",
    )
    common.add_argument("--lang", choices=("zh-CN", "en"), default=default, help="screen language")
    return common


def version() -> str:
    """The installed distribution's version (``pyproject.toml``), for ``--version``."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("dutydesk")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dutydesk",
        parents=[_common_options(False)],
        description="Duty officer's console for TETRA-PEI trunking radios and IP loudspeakers. "
        "Without a command it starts the console. The station file: "
        + lookup_help()
        + " (marked 演示 / DEMO on screen).",
        epilog=f"{exit_table('en')}\n\n{exit_table('zh-CN')}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=cmd_console)
    parser.add_argument("--version", action="version", version=f"dutydesk {version()}")
    parser.add_argument("--gateway", metavar="URL", help="gateway port or URL (overrides --config)")
    parser.add_argument("--db", metavar="FILE", help="event log (default: per-user data folder)")
    parser.add_argument("--operator", metavar="NAME", help="officer on duty (default: station's)")
    parser.add_argument(
        "--trace", metavar="FILE", help="save every byte of the gateway link here on exit"
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="see the station and act on nothing (the browser face's default)",
    )
    parser.add_argument("--position", metavar="NAME", help="this desk's name in the log")
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="run the station inside this console instead of attaching to its service",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common_options(True)
    for add in COMMANDS:
        add(sub, common)
    return parser


TIME_OPTIONS = ("--since", "--until")


def glue_relative_times(words: list[str]) -> list[str]:
    """``--since -2h`` as ``--since=-2h``: argparse takes a value that starts with ``-``
    (and is not a plain negative number) for an option and refuses the line."""
    if not any(word in TIME_OPTIONS for word in words):
        return words  # no event-log import for the commands without times
    from console.eventlog.query import RELATIVE_TIME

    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in TIME_OPTIONS and i + 1 < len(words) and RELATIVE_TIME.fullmatch(words[i + 1]):
            out.append(f"{word}={words[i + 1]}")
            i += 2
            continue
        out.append(word)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``dutydesk`` and ``python -m console``; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    words = glue_relative_times(list(argv) if argv is not None else sys.argv[1:])
    try:
        args = build_parser().parse_args(words)
    except SystemExit as exc:  # --help, or argparse's own usage error (already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except _user_error_types() as exc:
        print(f"dutydesk: {say_error(exc, error_lang(args))}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # `dutydesk config check x | head`
        return EXIT_OK

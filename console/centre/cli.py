"""``dutydesk report --db postgresql://...`` and ``dutydesk centre --db postgresql://...``.

Both read the central PostgreSQL only (read-only sessions).  A user mistake -- a URL that
is not PostgreSQL, a centre that cannot be reached, a period that cannot be read -- ends
as one line with a hint and exit status 2, like every other ``dutydesk`` command.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Final

from console.csvtext import add_bom_option

from .errors import BadPeriod, CentreError

DB_ENV: Final = "DUTYDESK_CENTRE_DB"
"""How ``dutydesk centre --web`` hands the centre's URL to the screen each browser tab
starts: in the environment, so a password in the URL never shows in a process list."""


def add_report(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "report",
        parents=[common],
        help="city report from the centre's database (pages, roll calls, drills, incidents)",
    )
    p.add_argument("--db", required=True, metavar="URL", help="the centre: postgresql://...")
    p.add_argument(
        "--since", required=True, metavar="TIME", help="from TIME (ISO 8601, 12:28, -2h, -7d)"
    )
    p.add_argument("--until", metavar="TIME", help="up to TIME, exclusive (default: now)")
    p.add_argument("--by", choices=("station",), default="station", help="one row per station")
    p.add_argument("--format", choices=("csv", "html"), default="csv", help="default csv")
    p.add_argument("--out", type=Path, metavar="FILE", help="write here (default stdout)")
    add_bom_option(p)
    p.set_defaults(handler=cmd_report)


def add_centre(sub: Any, common: argparse.ArgumentParser) -> None:
    from console.service.web import add_listen_options

    p = sub.add_parser(
        "centre",
        parents=[common],
        help="every station on one screen, live, from the centre's database (read-only)",
    )
    p.add_argument("--db", metavar="URL", help=f"the centre: postgresql://... (default: ${DB_ENV})")
    p.add_argument(
        "--horizon",
        type=float,
        default=24.0,
        metavar="HOURS",
        help="follow pages created in the last HOURS (default 24)",
    )
    p.add_argument(
        "--dispatch",
        type=Path,
        metavar="FILE",
        help="stations the centre may page through their own API (docs/replication.md)",
    )
    p.add_argument(
        "--web",
        action="store_true",
        help="serve the centre screen to browsers (each tab its own read-only screen)",
    )
    add_listen_options(p)
    p.set_defaults(handler=cmd_centre)


def period(since: str, until: str | None, now: float) -> tuple[float, float]:
    from console.eventlog.query import parse_time

    try:
        start = parse_time(since, name="--since", now=now)
        end = parse_time(until, name="--until", now=now) if until else now
    except Exception as exc:  # LogBadQuery: says which option and why
        raise BadPeriod(str(getattr(exc, "message", exc))) from None
    assert start is not None and end is not None
    if end <= start:
        raise BadPeriod("--until must be after --since")
    return start, end


def _db_errors() -> tuple[type[BaseException], ...]:
    try:
        import psycopg
    except ImportError:
        return ()
    return (psycopg.Error,)


def cmd_report(args: argparse.Namespace) -> int:
    from .connect import connect, first_line, redact
    from .queries import report_inputs
    from .render import render, report_lang
    from .report import city_report

    since, until = period(args.since, args.until, time.time())
    with connect(args.db) as conn:
        try:
            inputs = report_inputs(conn, since, until)
        except _db_errors() as exc:
            reason = first_line(exc)
            raise CentreError(f"the centre refused the report's queries: {reason}") from None
    report = city_report(since, until, inputs)
    lang = report_lang(report, getattr(args, "lang", None))
    text = render(report, args.format, lang, source=redact(args.db), bom=args.bom)
    if args.out is not None:
        try:
            args.out.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise CentreError(
                f"cannot write {args.out}: {exc.strerror}", hint="choose another --out"
            ) from None
        print(f"dutydesk: city report written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def centre_url(args: argparse.Namespace) -> str:
    url = args.db or os.environ.get(DB_ENV)
    if not url:
        raise CentreError(
            "no centre database given",
            hint=f"dutydesk centre --db postgresql://ROLE@HOST/DB (or set {DB_ENV})",
        )
    return str(url)


def web_command(args: argparse.Namespace) -> str:
    """The command line each browser tab runs: the same centre screen, its URL taken from
    the environment (:data:`DB_ENV`), not from the command line."""
    argv = [sys.executable, "-m", "console", "centre", "--horizon", f"{args.horizon:g}"]
    if getattr(args, "lang", None):
        argv += ["--lang", args.lang]
    return shlex.join(argv)


def cmd_centre(args: argparse.Namespace) -> int:
    from console.i18n import normalise_lang

    from .connect import connect
    from .source import CentreSource

    url = centre_url(args)
    connect(url).close()  # a wrong URL or a dead centre: one line now, not a screen
    lang = normalise_lang(getattr(args, "lang", None))
    book = None
    if args.dispatch is not None:
        if args.web:
            raise CentreError(
                "--dispatch and --web together: the browser face of the centre is read-only",
                hint="run the dispatching centre in a terminal (dutydesk centre --dispatch F)",
            )
        from .dispatch import load_dispatch

        book = load_dispatch(args.dispatch)
    if args.web:
        from console.service.web import serve_in_browser
        from console.tui.strings import tr

        os.environ[DB_ENV] = url
        print(
            f"dutydesk: centre screen at http://{args.host}:{args.port}/ (read-only)",
            file=sys.stderr,
        )
        title = f"{tr('centre.title', lang)} - dutydesk"
        return serve_in_browser(web_command(args), host=args.host, port=args.port, title=title)
    source = CentreSource(url, horizon_s=max(0.1, float(args.horizon)) * 3600)
    from console.tui.centre import CentreApp

    CentreApp(source, lang, dispatch=book).run()
    return 0

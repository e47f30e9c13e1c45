"""``dutydesk web``: the console in a browser, as one more face of the station service.

``textual-serve`` serves a page that runs a terminal in the browser; each browser tab it
connects starts one ``dutydesk`` console process, which attaches to the station's service
like any other desk -- safe now that no face owns the port or the log.  It is read-only
(it sees the station and acts on nothing: the service refuses its commands) unless it is
given an operator token of the station file (``--token``), whose operator it then acts as.
Bound to 127.0.0.1 by default: putting it on a network is the technician's decision
(behind TLS, in front of it).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from console.errors import ConsoleError


def add_web(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "web",
        parents=[common],
        help="serve the console to a browser (read-only unless --token allows more)",
    )
    add_listen_options(p)
    p.add_argument("--db", metavar="FILE", help="event log (default: per-user data)")
    p.add_argument(
        "--token",
        metavar="TOKEN",
        help="an operator token (station file): act as its operator",
    )
    p.set_defaults(handler=cmd_web)


def add_listen_options(p: argparse.ArgumentParser) -> None:
    """``--host`` and ``--port`` of a browser face (``dutydesk web``, ``dutydesk centre
    --web``): one definition, so both listen where the technician expects."""
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default local)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")


def serve_in_browser(command: str, *, host: str, port: int, title: str) -> int:
    """Serve ``command`` (a shell command line running a Textual app) to browsers: each
    tab that connects starts one such process.  Blocks until interrupted."""
    from textual_serve.server import Server

    Server(command, host=host, port=port, title=title).serve()
    return 0


def console_command(args: argparse.Namespace, station: Any) -> str:
    """The command line each browser tab runs: an attached console, read-only unless the
    token is one of the station's operator tokens."""
    argv = [sys.executable, "-m", "console", "--position", "web", "--lang", args.lang or "zh-CN"]
    if getattr(args, "config", None):
        argv += ["--config", str(args.config)]
    if getattr(args, "db", None):
        argv += ["--db", str(args.db)]
    token = getattr(args, "token", None)
    if token:
        from console.service.auth import remote_principal

        who = remote_principal(f"Bearer {token}", station.service.tokens, "web")
        if who is None:
            raise ConsoleError(
                "the token is not one of the station file's tokens",
                hint="make one with 'dutydesk serve --new-token NAME' and add its lines",
            )
        if not who.may_act:
            argv.append("--read-only")
        argv += ["--operator", who.operator]
    else:
        argv.append("--read-only")
    return shlex.join(argv)


def cmd_web(args: argparse.Namespace) -> int:
    from console.config.loader import load_selected_station

    station = load_selected_station(args)
    command = console_command(args, station)
    title = f"{station.display_name(args.lang or 'zh-CN')} - dutydesk"
    return serve_in_browser(command, host=args.host, port=args.port, title=title)

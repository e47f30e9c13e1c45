"""``dutydesk page``: page units and groups from a shell and follow their ladders.

For the technician on the bench (``dutydesk page --gateway /dev/ttyUSB0 --unit 1001
--unit 1002 --text 测试``) and for scripts: it pages, prints every committed rung as it
happens (or one JSON document at the end with ``--json``), and stops when everyone has
acknowledged or ``--wait`` seconds have passed.

Exit status: 0 all acknowledged, 3 some did not, 2 error (one line on stderr, never a
traceback).  Heavy imports happen inside :func:`run` so ``dutydesk --help`` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import unicodedata
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from console.config.model import PAGE_MODES
from console.errors import ConsoleError, say_error
from console.exitcodes import ExitCode

EXIT_ALL_ACKNOWLEDGED = ExitCode.OK
EXIT_ERROR = ExitCode.ERROR
EXIT_NOT_ALL = ExitCode.MISSED


def add_parser(sub: Any, common: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """Register ``page`` on the ``dutydesk`` sub-command parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "page",
        parents=[common] if common is not None else [],
        help="page units/groups and follow who acknowledges (exit 0 all, 1 not all, 2 error)",
    )
    if common is None:
        p.add_argument("--config", metavar="FILE", help="station file (TOML)")
        p.add_argument("--lang", choices=("zh-CN", "en"), help="output language")
    p.add_argument("--gateway", metavar="URL", help="gateway port or URL (default: the station's)")
    p.add_argument("--baud", type=int, metavar="N", help="serial speed (default: the station's)")
    p.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="G",
        help="group name or GSSI (repeatable)",
    )
    p.add_argument(
        "--unit", action="append", default=[], metavar="U", help="unit alias or ISSI (repeatable)"
    )
    p.add_argument("--text", default="", metavar="TEXT", help="text message to send")
    p.add_argument("--voice", action="store_true", help="also set up a voice call to the groups")
    p.add_argument(
        "--mode",
        choices=PAGE_MODES,
        help="fast: one group SDS per talkgroup alerts every member at once, then an "
        "individual SDS-TL to those silent after a few seconds; individual: one SDS-TL per "
        "unit (default: the station file's [paging] mode, else fast)",
    )
    p.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        help="follow answers this long (default: the acknowledge target)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document at the end")
    p.add_argument("--db", type=Path, metavar="FILE", help="event log (default: a temporary one)")
    p.add_argument("--operator", metavar="NAME", help="who pages (default: the station's)")
    p.set_defaults(handler=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``dutydesk page``; returns the exit status and never raises for user errors."""
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except Exception as exc:
        from console.config.loader import error_lang

        print(f"dutydesk page: {_one_line(exc, error_lang(args))}", file=sys.stderr)
        return EXIT_ERROR


def _one_line(exc: BaseException, lang: str = "en") -> str:
    text = say_error(exc, lang) or type(exc).__name__
    return " ".join(_clean(text).split())


def _clean(value: object) -> str:
    """Radio text is untrusted: control characters become visible escapes."""
    return "".join(
        f"\\x{ord(c):02x}" if unicodedata.category(c) in ("Cc", "Cf") else c for c in str(value)
    )


def _tokens(args: argparse.Namespace) -> list[str]:
    out: list[str] = []
    for group in args.group:
        out.append(f"gssi:{group}" if str(group).strip().isdigit() else str(group))
    for unit in args.unit:
        out.append(f"issi:{unit}" if str(unit).strip().isdigit() else str(unit))
    if not out:
        raise ConsoleError("nothing to page", hint="Give at least one --unit or --group.")
    return out


async def _run(args: argparse.Namespace) -> int:
    """Page through the station service: the running one that owns this log or gateway,
    or one embedded here for the duration (built by the same root, serving the same
    socket, so the console or another position can attach meanwhile)."""
    from dataclasses import replace

    from console.config.loader import load_command_station
    from console.paging.selection import build_request
    from console.service.paths import default_log_path, find_service

    station = load_command_station(args)
    if args.baud:
        station = replace(station, gateway=replace(station.gateway, baud=args.baud))
    lang = args.lang or station.language
    if not args.text and not args.voice:
        raise ConsoleError("nothing to send", hint="Give --text TEXT and/or --voice.")
    tokens = _tokens(args)
    request = build_request(station, tokens, text=args.text, voice=args.voice, mode=args.mode)
    if args.voice and not request.talkgroups:
        raise ConsoleError(
            "--voice needs a talkgroup", hint="Add --group with a talkgroup name or GSSI."
        )
    wait = args.wait if args.wait is not None else station.deadlines.acknowledge_s or 60.0
    url = args.gateway or station.gateway.url
    db = args.db if args.db is not None else default_log_path()
    running = find_service(log=db) or (find_service(gateway=url) if args.gateway else None)
    if running is not None:
        return await _page_via(running.socket, args, tokens, station, lang, wait, url)
    async with embedded_service(station, url, db, args.operator) as socket:
        return await _page_via(socket, args, tokens, station, lang, wait, url)


@contextlib.asynccontextmanager
async def embedded_service(
    station: Any, url: str, db: Path, operator: str | None
) -> AsyncIterator[str]:
    """A station service for one command: the runtime (no background radio traffic, no
    sound), its link up (or a clear error at once), and the API on its socket."""
    from console.config import is_simulated
    from console.runtime import Runtime, ThreadedSimulator
    from console.service.host import ServiceHost

    db.parent.mkdir(parents=True, exist_ok=True)
    runtime = Runtime(
        station,
        gateway_url=url,
        db_path=db,
        operator=operator,
        simulator=ThreadedSimulator(background_traffic=False) if is_simulated(url) else None,
        voice=False,
    )
    host = ServiceHost(runtime)
    try:
        await runtime.start()
        await _connect(runtime.link, timeout=15.0)
        await host.start()
        yield str(host.socket)
    finally:
        await host.close()
        await runtime.close()


ACKNOWLEDGED_KINDS = frozenset(
    {"ladder.acknowledged", "ladder.en_route", "ladder.on_scene", "ladder.released"}
)


async def _page_via(
    socket: str,
    args: argparse.Namespace,
    tokens: list[str],
    station: Any,
    lang: str,
    wait: float,
    url: str,
) -> int:
    from console.config.loader import say_if_demo
    from console.service.client import StationClient

    printer = _Printer(lang, station, quiet=args.json)
    async with StationClient(socket=socket, operator=args.operator, position="cli") as client:
        hello = await client.hello()
        doc = await client.post(
            "/v1/pages",
            {
                "recipients": tokens,
                "text": args.text,
                "voice": args.voice,
                **({"mode": args.mode} if args.mode else {}),
            },
        )
        page_id, responders = str(doc["page"]), {int(u) for u in doc["responders"]}
        printer.page_id = page_id
        say_if_demo(args)
        acknowledged: set[int] = set()

        async def follow() -> None:
            async for rec in client.events(int(hello["last_seq"])):
                printer.record(rec, page_id)
                if rec["page"] == page_id and rec["kind"] in ACKNOWLEDGED_KINDS:
                    acknowledged.add(int(rec["unit"]))
                if responders <= acknowledged:
                    return

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(follow(), wait)
        view = await client.get(f"/v1/pages/{page_id}")
        if args.json:
            view["gateway"], view["db"] = url, hello.get("log")
            print(json.dumps(view, ensure_ascii=False, indent=2))
        else:
            printer.summary(view)
        return EXIT_ALL_ACKNOWLEDGED if view["summary"]["all_acknowledged"] else EXIT_NOT_ALL


async def _connect(link: Any, *, timeout: float) -> None:
    """Wait for the gateway; fail at once if the first open fails (a wrong port name
    should not keep a script waiting through the reconnect back-off)."""
    from drivers.link import LinkState, LinkStateChanged

    if link.state is LinkState.UP:
        return
    failed = asyncio.Event()

    def watch(event: object) -> None:
        if isinstance(event, LinkStateChanged) and event.state is LinkState.RECONNECTING:
            failed.set()

    unsubscribe = link.subscribe(watch)
    try:
        up = asyncio.ensure_future(link.wait_up(timeout))
        lost = asyncio.ensure_future(failed.wait())
        await asyncio.wait({up, lost}, return_when=asyncio.FIRST_COMPLETED)
        lost.cancel()
        if not up.done():
            up.cancel()
            raise ConsoleError(link.last_error or f"cannot open the gateway at {link.url}", hint="")
        up.result()
    finally:
        unsubscribe()


class _Printer:
    """Human output from the stream: one line per committed rung or alarm, then a summary."""

    def __init__(
        self, lang: str, station: Any, *, quiet: bool, out: Callable[[str], None] = print
    ) -> None:
        self.lang = lang
        self.station = station
        self.quiet = quiet
        self.out = out
        self.page_id = ""

    def _alias(self, unit: object) -> str:
        text = str(unit or "")
        found = self.station.unit(int(text)) if text.isdigit() else None
        return _clean(found.alias if found is not None else text)

    def record(self, rec: dict[str, Any], page_id: str) -> None:
        """Print what the officer at a shell needs: this page's rungs, and any alarm."""
        from console.paging.model import FailureCause, Rung

        if self.quiet:
            return
        stamp = datetime.fromtimestamp(float(rec["wall"])).strftime("%H:%M:%S.%f")[:-3]
        kind, data = str(rec["kind"]), rec.get("data") or {}
        if kind == "alarm.raised":
            what = "紧急报警" if self.lang != "en" else "ALARM"
            detail = _clean(data.get("text") or data.get("reason") or "")
            self.out(f"{stamp} {what} {rec['unit']} {self._alias(rec['unit'])} {detail}".rstrip())
            return
        if rec.get("page") != page_id or not kind.startswith("ladder."):
            return
        try:
            rung = Rung(kind.removeprefix("ladder."))
        except ValueError:
            return
        extra = f" ({_clean(data['detail'])})" if data.get("detail") else ""
        if data.get("cause"):
            with contextlib.suppress(ValueError):
                extra = f" [{FailureCause(data['cause']).label(self.lang)}]{extra}"
        implied = " *" if data.get("implied") else ""
        label = rung.label(self.lang)
        self.out(f"{stamp} {rec['unit']} {self._alias(rec['unit'])}: {label}{implied}{extra}")

    def summary(self, view: dict[str, Any]) -> None:
        from console.paging.model import Rung

        total = view["summary"]
        self.out(f"page {view['page']}: {total['acknowledged']}/{total['responders']} acknowledged")
        for resp in view["responders"]:
            if not resp["acknowledged"]:
                top = Rung(resp["top"]).label(self.lang) if resp["top"] else "-"
                self.out(f"  {resp['issi']} {_clean(resp['alias'])}: {top}")

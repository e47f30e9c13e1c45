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
import tempfile
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from console.errors import ConsoleError

EXIT_ALL_ACKNOWLEDGED = 0
EXIT_ERROR = 2
EXIT_NOT_ALL = 3


def add_parser(sub: Any, common: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """Register ``page`` on the ``dutydesk`` sub-command parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "page",
        parents=[common] if common is not None else [],
        help="page units/groups and follow who acknowledges (exit 0 all, 3 not all, 2 error)",
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
        return 130
    except Exception as exc:
        print(f"dutydesk page: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
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
    from console.config import demo_station, load_station
    from console.eventlog import EventLog
    from console.paging.engine import PagingEngine
    from console.paging.model import PageChanged, PagingUpdate
    from console.paging.targets import build_request, directory
    from drivers.clock import SystemClock
    from drivers.gateway import Gateway
    from drivers.link import PeiLink
    from drivers.pei.dialect import load_dialect

    station = load_station(args.config) if args.config else demo_station()
    lang = args.lang or station.language
    if not args.text and not args.voice:
        raise ConsoleError("nothing to send", hint="Give --text TEXT and/or --voice.")
    request = build_request(
        station,
        _tokens(args),
        text=args.text,
        voice=args.voice,
        operator=args.operator or station.operator,
    )
    if args.voice and not request.talkgroups:
        raise ConsoleError(
            "--voice needs a talkgroup", hint="Add --group with a talkgroup name or GSSI."
        )
    wait = args.wait if args.wait is not None else float(station.targets.acknowledge_s)
    url = args.gateway or station.gateway.url
    handle = None
    if url.startswith("sim://"):
        from console.simulator import start_in_process

        handle = start_in_process(station, background_traffic=False)
        url = handle.url
    clock = SystemClock()
    tmpdir = None
    if args.db is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="dutydesk-page-")
        db_path = Path(tmpdir.name) / "events.db"
    else:
        db_path = args.db
    log = EventLog.open(db_path, clock=clock, max_delay=0.005)
    link = PeiLink(
        url,
        dialect=load_dialect(station.gateway.dialect),
        baud=args.baud or station.gateway.baud,
        clock=clock,
    )
    gateway = Gateway(link)
    found = directory(station)
    engine = PagingEngine(
        gateway,
        log,
        clock=clock,
        status_plan=station.status_plan,
        operator=request.operator,
        directory=found.get,
    )
    changed = asyncio.Event()
    printer = _Printer(lang, quiet=args.json)

    def on_update(update: PagingUpdate) -> None:
        if isinstance(update, PageChanged):
            printer.show(update)
        changed.set()

    engine.subscribe(on_update)
    try:
        await _connect(link, timeout=15.0)
        await engine.start()
        page_id = engine.page(request)
        printer.page_id = page_id
        deadline = clock.monotonic() + wait
        while not engine.view(page_id).all_acknowledged:
            remaining = deadline - clock.monotonic()
            if remaining <= 0:
                break
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        await asyncio.to_thread(log.flush)
        await asyncio.sleep(0)  # let the commit notification reach the engine
        view = engine.view(page_id)
        if args.json:
            doc = page_document(view, url=url, db=None if tmpdir else str(db_path))
            print(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            printer.summary(view)
        return EXIT_ALL_ACKNOWLEDGED if view.all_acknowledged else EXIT_NOT_ALL
    finally:
        await engine.close()
        await link.close()
        log.close()
        if handle is not None:
            handle.stop()
        if tmpdir is not None:
            tmpdir.cleanup()


async def _connect(link: Any, *, timeout: float) -> None:
    """Open the gateway; fail at once if the first open fails (a wrong port name should
    not keep a script waiting through the reconnect back-off)."""
    from drivers.link import LinkState, LinkStateChanged

    failed = asyncio.Event()

    def watch(event: object) -> None:
        if isinstance(event, LinkStateChanged) and event.state is LinkState.RECONNECTING:
            failed.set()

    unsubscribe = link.subscribe(watch)
    try:
        await link.start()
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


def _iso(wall: float) -> str:
    return datetime.fromtimestamp(wall).astimezone().isoformat(timespec="milliseconds")


def page_document(view: Any, *, url: str, db: str | None) -> dict[str, Any]:
    """The ``--json`` document: the page, each responder's rungs with times, escalations."""
    start = view.created_mono
    responders = []
    for resp in view.responders:
        responders.append(
            {
                "issi": resp.issi,
                "alias": resp.alias,
                "kind": resp.kind,
                "via": resp.via,
                "backup_for": resp.backup_for,
                "acknowledged": resp.acknowledged,
                "top": resp.top.value if resp.top is not None else None,
                "attempts": resp.attempts,
                "rungs": [
                    {
                        "rung": r.rung.value,
                        "time": _iso(r.wall),
                        "seconds": round(r.mono - start, 3),
                        "implied": r.implied,
                        "source": r.source.value,
                        "attempt": r.attempt,
                        "cause": r.cause.value if r.cause is not None else None,
                        "detail": r.detail,
                        "retry": r.retry,
                        "message_ref": r.message_ref,
                    }
                    for r in resp.rungs
                ],
            }
        )
    acknowledged = sum(1 for r in view.responders if r.acknowledged)
    return {
        "page": view.page_id,
        "incident": view.incident_id,
        "text": view.text,
        "voice_groups": list(view.voice_groups),
        "operator": view.operator,
        "gateway": url,
        "db": db,
        "created": _iso(view.created_wall),
        "summary": {
            "responders": len(view.responders),
            "acknowledged": acknowledged,
            "not_acknowledged": len(view.responders) - acknowledged,
            "all_acknowledged": view.all_acknowledged,
        },
        "responders": responders,
        "escalations": [
            {
                "issi": e.issi,
                "target": e.target.value,
                "step": e.step.value,
                "time": _iso(e.wall),
                "seconds": round(e.mono - start, 3),
                "detail": e.detail,
                "backup": e.backup_issi,
            }
            for e in view.escalations
        ],
    }


class _Printer:
    """Human output: one line per committed rung, then a summary."""

    def __init__(self, lang: str, *, quiet: bool, out: Callable[[str], None] = print) -> None:
        self.lang = lang
        self.quiet = quiet
        self.out = out
        self.page_id = ""
        self._shown: dict[int, int] = {}

    def show(self, update: Any) -> None:
        if self.quiet:
            return
        for issi in update.changed:
            resp = update.view.responder(issi)
            if resp is None:
                continue
            done = self._shown.get(issi, 0)
            for rec in resp.rungs[done:]:
                label = rec.rung.label(self.lang)
                extra = f" ({_clean(rec.detail)})" if rec.detail else ""
                if rec.cause is not None:
                    extra = f" [{rec.cause.label(self.lang)}]{extra}"
                implied = " *" if rec.implied else ""
                stamp = datetime.fromtimestamp(rec.wall).strftime("%H:%M:%S.%f")[:-3]
                self.out(f"{stamp} {issi} {_clean(resp.alias)}: {label}{implied}{extra}")
            self._shown[issi] = len(resp.rungs)

    def summary(self, view: Any) -> None:
        ok = sum(1 for r in view.responders if r.acknowledged)
        self.out(f"page {view.page_id}: {ok}/{len(view.responders)} acknowledged")
        for resp in view.responders:
            if not resp.acknowledged:
                top = resp.top.label(self.lang) if resp.top is not None else "-"
                self.out(f"  {resp.issi} {_clean(resp.alias)}: {top}")

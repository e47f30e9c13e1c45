"""``dutydesk broadcast`` and ``dutydesk fake-speaker``: the headless loudspeaker tools.

``broadcast`` plays one broadcast, prints each loudspeaker's result and exits when it
ends: 0 when every speaker took it, 1 when one or more did not.  Ctrl-C stops it the same
way the console's Stop key does -- the engine sets the stop event, the driver ends the
stream properly (Polycom End packets; RTP simply stops on a frame boundary) -- and the
exit status is 130.  Mistakes exit 2 with one line (raised as ConsoleError/DriverError
and printed by :func:`console.cli.main`).

Only light imports at module level: ``console.cli`` builds its parser from here on every
run, including ``dutydesk config check``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import signal
from typing import Any

from console.errors import ConsoleError, SimulatorUnavailable
from console.exitcodes import ExitCode
from console.i18n import normalise_lang, t

EXIT_OK = ExitCode.OK
EXIT_SPEAKER_FAILED = ExitCode.MISSED
"""The broadcast ran but at least one loudspeaker did not get it."""
EXIT_INTERRUPTED = ExitCode.INTERRUPTED


def add_broadcast_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "broadcast",
        parents=[common],
        help="play one loudspeaker broadcast (zones or HOST:PORT) and exit when it ends",
        description="Play one broadcast to loudspeaker zones of the station file and/or "
        "explicit HOST:PORT destinations, then prints each speaker's result.  Exit 0 when "
        "every speaker took the whole broadcast, 1 when one or more failed, 2 on a mistake, "
        "130 when Ctrl-C stopped it.",
    )
    p.add_argument(
        "--zone",
        action="append",
        default=[],
        metavar="ZONE",
        help="zone id or name, Chinese or English (沿江9处, 沿江, riverside; repeatable)",
    )
    p.add_argument(
        "--to",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="technician: send to this address even if no zone lists it (logged; repeatable)",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--tone", choices=("chime", "alarm"), help="attention chime or alarm tone")
    src.add_argument("--wav", metavar="FILE", help="play a WAV file")
    src.add_argument("--tts", metavar="TEXT", help="speak TEXT (Mandarin, espeak-ng), chime first")
    src.add_argument(
        "--mic",
        nargs="?",
        const="",
        metavar="DEVICE",
        help="live microphone (default: [audio] headset_input, else the system default)",
    )
    p.add_argument(
        "--codec", choices=("pcmu", "pcma"), default="pcmu", help="for --to (default pcmu)"
    )
    p.add_argument(
        "--protocol", choices=("rtp", "polycom"), default="rtp", help="for --to (default rtp)"
    )
    p.add_argument(
        "--priority",
        choices=("routine", "urgent", "emergency"),
        default="routine",
        help="default routine",
    )
    p.add_argument("--seconds", type=float, metavar="S", help="length of --tone alarm")
    p.add_argument("--no-chime", action="store_true", help="no chime before --tts")
    p.add_argument("--operator", metavar="NAME", help="who is broadcasting (for the log)")
    p.add_argument("--db", metavar="FILE", help="also record the broadcast in this event log")
    p.set_defaults(handler=cmd_broadcast)


def add_fake_speaker_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "fake-speaker",
        parents=[common],
        help="a simulated IP loudspeaker on this PC (prints what it receives)",
    )
    p.add_argument("--port", type=int, required=True, metavar="N", help="UDP port")
    p.add_argument("--group", metavar="ADDR", help="join this multicast group")
    p.add_argument("--save", metavar="DIR", help="save each received broadcast as WAV")
    p.set_defaults(handler=cmd_fake_speaker)


def cmd_fake_speaker(args: argparse.Namespace) -> int:
    try:
        module = importlib.import_module("fakes.speaker_cli")
    except ImportError as exc:
        raise SimulatorUnavailable(f"the fake loudspeaker is not installed ({exc})") from None
    argv = ["--port", str(args.port)]
    if args.group:
        argv += ["--group", args.group]
    if args.save:
        argv += ["--save", args.save]
    return int(module.main(argv))


def source_spec(args: argparse.Namespace) -> Any:
    from console.broadcast.model import SourceSpec

    if args.tone:
        return SourceSpec.tone(args.tone, seconds=args.seconds)
    if args.wav is not None:
        return SourceSpec.wav(args.wav)
    if args.tts is not None:
        return SourceSpec.tts(args.tts, chime_first=not args.no_chime)
    return SourceSpec.mic(args.mic or "")


def cmd_broadcast(args: argparse.Namespace, *, interrupt: asyncio.Event | None = None) -> int:
    """Run one broadcast; ``interrupt`` (tests) acts like Ctrl-C when set."""
    from console.config.loader import load_command_station

    station = load_command_station(args)
    if not args.zone and not args.to:
        raise ConsoleError(
            "no loudspeakers selected",
            hint="name a zone with --zone ("
            + ", ".join(f"{z.id} / {z.name}" for z in station.zones)
            + ") or an address with --to HOST:PORT",
        )
    lang = normalise_lang(getattr(args, "lang", None) or station.language)
    running = _service_for(args)
    if running is not None:
        return asyncio.run(_broadcast_on_service(args, running, interrupt, lang))
    return asyncio.run(_broadcast(args, station, interrupt, lang))


def _service_for(args: argparse.Namespace) -> Any:
    """The station service that owns the log, when the broadcast can go through it: the
    station's zones only (a technician's ``--to`` address and ``--mic`` stay local)."""
    if args.to or args.mic is not None:
        return None
    from pathlib import Path

    from console.service.paths import default_log_path, find_service

    return find_service(log=Path(args.db) if args.db else default_log_path())


END_KINDS = ("broadcast.finished", "broadcast.stopped", "broadcast.failed", "broadcast.preempted")


async def _broadcast_on_service(
    args: argparse.Namespace, running: Any, interrupt: asyncio.Event | None, lang: str
) -> int:
    """The broadcast played by the station service (its engine, its log, the console's
    loudspeaker list); Ctrl-C stops it there.  Exit as the local one would."""
    from console.broadcast.results import end_line
    from console.config.loader import say_if_demo
    from console.service.client import StationClient
    from console.service.wire import to_wire

    async with StationClient(
        socket=running.socket, operator=args.operator, position="cli"
    ) as client:
        start = (await client.get("/v1"))["last_seq"]
        body = {
            "zones": list(args.zone),
            "source": to_wire(source_spec(args)),
            "priority": args.priority,
        }
        answer = await client.post("/v1/broadcasts", body)
        bid = answer["broadcast"]
        print(t("broadcast.on_service", lang, id=bid, zones=", ".join(answer["zones"])))
        say_if_demo(args)
        interrupted = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGINT, interrupted.set)

        async def stopper() -> None:
            waits = [asyncio.ensure_future(interrupted.wait())]
            if interrupt is not None:
                waits.append(asyncio.ensure_future(interrupt.wait()))
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            interrupted.set()
            await client.post("/v1/broadcasts/stop", {"broadcast": bid})

        stopping = asyncio.ensure_future(stopper())
        missed = False
        try:
            async for rec in client.events(start):
                if rec["kind"] in END_KINDS and rec["data"].get("broadcast") == bid:
                    stats = rec["data"].get("stats") or {}
                    state = rec["kind"].removeprefix("broadcast.")
                    frames = stats.get("frames_sent", "?")
                    print(end_line(bid, state, "", frames, lang))
                    if state == "failed":
                        from console.broadcast.errors import BroadcastError

                        raise BroadcastError(str(rec["data"].get("reason") or "failed"))
                    missed = report_speakers(bid, stats, lang)
                    break
        finally:
            stopping.cancel()
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGINT)
    if interrupted.is_set():
        return EXIT_INTERRUPTED
    return EXIT_SPEAKER_FAILED if missed else EXIT_OK


def report_speakers(broadcast_id: str, stats: Any, lang: str = "en") -> bool:
    """Print one line per loudspeaker and the count; True when any of them failed."""
    from console.broadcast.results import speaker_results, summary_line

    results = speaker_results(stats)
    for result in results:
        print(f"  {result.line(lang)}", flush=True)
    print(summary_line(broadcast_id, results, lang), flush=True)
    return any(r.failed for r in results)


async def _broadcast(
    args: argparse.Namespace, station: Any, interrupt: asyncio.Event | None, lang: str
) -> int:
    from console.broadcast.destinations import names, parse_hostport
    from console.broadcast.results import end_line, start_line
    from console.config.loader import say_if_demo
    from console.runtime.parts import loudspeakers_alone

    destinations: list[Any] = list(args.zone)
    destinations += [parse_hostport(t, codec=args.codec, protocol=args.protocol) for t in args.to]
    operator = args.operator or station.operator
    with loudspeakers_alone(station, args.db) as engine:
        b = engine.start(
            destinations,
            source_spec(args),
            priority=args.priority,
            operator=operator,
            allow_unlisted=bool(args.to),
        )
        print(start_line(b, names(b.endpoints), lang), flush=True)
        say_if_demo(args)
        interrupted = False

        def on_interrupt() -> None:
            nonlocal interrupted
            interrupted = True
            current = engine.get(b.id)
            if current is not None and current.playing:
                engine.stop(b.id, operator=operator)

        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGINT, on_interrupt)
        watcher: asyncio.Task[None] | None = None
        if interrupt is not None:

            async def watch() -> None:
                await interrupt.wait()
                on_interrupt()

            watcher = asyncio.ensure_future(watch())
        try:
            end = await engine.wait(b.id)
        finally:
            if watcher is not None:
                watcher.cancel()
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGINT)
        stats = end.stats or {}
        print(end_line(b.id, end.state, end.reason or "", stats.get("frames_sent", "?"), lang))
        if end.state == "failed":
            from console.broadcast.errors import BroadcastError

            raise BroadcastError(end.reason or "the broadcast failed")
        missed = report_speakers(b.id, stats, lang)
        if interrupted:
            return EXIT_INTERRUPTED
        return EXIT_SPEAKER_FAILED if missed else EXIT_OK


__all__ = [
    "add_broadcast_parser",
    "add_fake_speaker_parser",
    "cmd_broadcast",
    "cmd_fake_speaker",
]

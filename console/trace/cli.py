"""``dutydesk trace record`` and ``dutydesk trace to-test``: bench trace to regression test.

Two commands, one each for the technician and the developer::

    dutydesk trace record --gateway /dev/ttyUSB0 --baud 38400 --dialect sepura \\
        --out bench.jsonl --seconds 30 --do status:2001:8002 --do text:2001:测试
    dutydesk trace to-test bench.jsonl --name sepura_bench --dialect sepura
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from console.errors import ConsoleError
from console.exitcodes import ExitCode

EXIT_OK = ExitCode.OK
EXIT_ERROR = ExitCode.ERROR


def add_trace(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``trace record`` and ``trace to-test``."""
    from console.trace.record import ACTION_HELP

    tr = sub.add_parser("trace", parents=[common], help="record wire traces; make them tests")
    tr_sub = tr.add_subparsers(dest="trace_command", metavar="COMMAND", required=True)
    rec = tr_sub.add_parser(
        "record",
        parents=[common],
        help="open the gateway with a wire trace, run init (+ actions), save JSONL",
    )
    rec.add_argument("--gateway", metavar="URL", help="device, pyserial URL, or sim://")
    rec.add_argument("--baud", type=int, metavar="N", help="serial speed (default: station)")
    rec.add_argument("--dialect", metavar="D", help="dialect table (default: station / etsi)")
    rec.add_argument("--out", required=True, type=Path, metavar="FILE", help="trace file")
    rec.add_argument(
        "--seconds", type=float, default=5.0, metavar="N", help="listen after the actions"
    )
    rec.add_argument(
        "--do", action="append", default=[], metavar="ACTION", help=f"repeatable: {ACTION_HELP}"
    )
    rec.set_defaults(handler=cmd_trace_record)
    tt = tr_sub.add_parser(
        "to-test", parents=[common], help="copy a trace into the replay corpus with its events"
    )
    tt.add_argument("file", type=Path, metavar="FILE", help="trace recorded with trace record")
    tt.add_argument("--name", required=True, metavar="NAME", help="corpus name (file stem)")
    tt.add_argument(
        "--dest",
        type=Path,
        default=Path("tests") / "drivers" / "traces",
        metavar="DIR",
        help="corpus folder (default tests/drivers/traces)",
    )
    tt.add_argument("--dialect", default="etsi", metavar="D", help="dialect used to replay")
    tt.add_argument("--force", action="store_true", help="overwrite an existing corpus entry")
    tt.set_defaults(handler=cmd_trace_to_test)


def cmd_trace_record(args: argparse.Namespace) -> int:
    from console.config import demo_station, is_simulated, load_station
    from console.trace.record import parse_action, record_trace
    from drivers.pei.dialect import load_dialect

    config = getattr(args, "config", None)
    station = load_station(config) if config else None
    url = args.gateway or (station.gateway.url if station else None)
    if not url:
        raise ConsoleError("no gateway", hint="--gateway /dev/ttyUSB0 (or --config FILE)")
    dialect_name = args.dialect or (station.gateway.dialect if station else "etsi")
    dialect = load_dialect(dialect_name)
    baud = args.baud or (station.gateway.baud if station else None)
    actions = tuple(parse_action(a) for a in args.do)
    simulated = is_simulated(url)
    if simulated:  # the station's network behind the URL; the link opens it through pyserial
        from console.simulator import define_network

        define_network(station or demo_station(), url, background_traffic=False)

    def say(text: str) -> None:
        print(text, file=sys.stderr)

    try:
        result = asyncio.run(
            record_trace(
                url,
                args.out,
                dialect=dialect,
                baud=baud,
                seconds=args.seconds,
                actions=actions,
                progress=say,
            )
        )
    finally:
        if simulated:
            from console.simulator import stop_network

            stop_network(url)
    print(f"saved {result.records} wire records to {args.out}")
    for error in result.errors:
        print(f"action failed: {error}", file=sys.stderr)
    print(
        f"make it a regression test: dutydesk trace to-test {args.out} --name NAME "
        f"--dialect {dialect_name}"
    )
    return EXIT_ERROR if result.errors else EXIT_OK


def cmd_trace_to_test(args: argparse.Namespace) -> int:
    from console.trace.corpus import to_test

    entry = to_test(args.file, args.name, corpus=args.dest, dialect=args.dialect, force=args.force)
    print(f"{entry.trace}: {'copied' if entry.copied else 'already in the corpus'}")
    print(f"{entry.events}: {entry.count} expected events")
    print("run: pytest tests/drivers/test_trace_corpus.py")
    return EXIT_OK

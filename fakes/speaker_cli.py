"""``dutydesk fake-speaker --port N [--group ADDR] [--save DIR]``: a loudspeaker stand-in.

Listens like a real IP speaker and prints one line per broadcast received (sender,
packets, skipped frames, inter-arrival percentiles, jitter, violations of the RTP /
Polycom rules).  ``--save`` writes each broadcast's decoded audio as a WAV file.  Ctrl-C
exits with status 0.  The console calls ``importlib.import_module("fakes.speaker_cli")
.main(argv)``; ``python -m fakes.speaker_cli`` works too.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from drivers.audio.errors import AudioError
from fakes.speaker import FakeSpeaker, ReceivedBroadcast

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dutydesk fake-speaker",
        description="Simulated IP loudspeaker: receive RTP/Polycom pages and report them.",
    )
    parser.add_argument("--port", type=int, default=5004, help="UDP port (default 5004)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind / interface to join on"
    )
    parser.add_argument("--group", metavar="ADDR", help="join this multicast group")
    parser.add_argument("--save", metavar="DIR", type=Path, help="save each broadcast as WAV")
    parser.add_argument(
        "--timeout", type=float, default=1.0, help="seconds of silence that end a broadcast"
    )
    return parser


class _Reporter:
    def __init__(self, save: Path | None) -> None:
        self.save = save
        self.count = 0

    def __call__(self, bc: ReceivedBroadcast) -> None:
        self.count += 1
        line = bc.summary()
        if self.save is not None and bc.frames:
            path = self.save / f"{self.count:04d}-{bc.kind}-{bc.ident:08x}.wav"
            try:
                bc.save_wav(path)
                line += f" saved={path}"
            except AudioError as exc:
                line += f" not saved: {exc}"
        if bc.end_reason == "closed":
            line += " (unfinished)"
        print(line, flush=True)


async def _serve(args: argparse.Namespace, reporter: _Reporter) -> None:
    speaker = FakeSpeaker(
        args.port,
        args.host,
        multicast_group=args.group,
        timeout=args.timeout,
        on_broadcast_end=reporter,
    )
    await speaker.start()
    where = f"{args.group} (joined on {args.host})" if args.group else args.host
    print(f"fake speaker listening on {where} port {speaker.port}; Ctrl-C to stop", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await speaker.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(argv) if argv is not None else None)
    if args.save is not None:
        try:
            args.save.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"fake-speaker: cannot create {args.save}: {exc.strerror}", file=sys.stderr)
            return 2
    reporter = _Reporter(args.save)
    try:
        asyncio.run(_serve(args, reporter))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(
            f"fake-speaker: cannot listen on {args.group or args.host}:{args.port}: "
            f"{exc.strerror or exc} (is the port in use, or the address not on this PC?)",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

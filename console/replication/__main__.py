"""``python -m console.replication``: the centre administrator's set-up, and a shipper
that runs in the foreground (a station PC without the console, tests, benchmarks).

    python -m console.replication migrate --db postgresql://admin@centre/dutydesk
    python -m console.replication add-station --db URL --station donghu --role st_donghu
    python -m console.replication ship --log events.db --url URL --station donghu
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.replication")
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("migrate", help="create or upgrade the central schema and roles")
    m.add_argument("--db", required=True, metavar="URL")
    a = sub.add_parser("add-station", help="a LOGIN role that may insert one station's rows")
    a.add_argument("--db", required=True, metavar="URL")
    a.add_argument("--station", required=True)
    a.add_argument("--role", required=True)
    a.add_argument("--password-env", metavar="VAR", help="take the role's password from $VAR")
    s = sub.add_parser("ship", help="ship a station log until stopped (SIGTERM/Ctrl-C)")
    s.add_argument("--log", required=True, metavar="FILE")
    s.add_argument("--url", required=True)
    s.add_argument("--station", required=True)
    s.add_argument("--batch", type=int, default=500)
    s.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args(argv)
    from console.replication.errors import ReplicationError

    try:
        if args.cmd == "ship":
            return _ship(args)
        import psycopg

        from console.replication.schema import LATEST_VERSION, add_station, migrate

        with psycopg.connect(args.db, autocommit=True) as conn:
            if args.cmd == "migrate":
                before = migrate(conn)
                print(f"central schema: version {before} -> {LATEST_VERSION}")
            else:
                password = os.environ.get(args.password_env) if args.password_env else None
                add_station(conn, args.station, args.role, password=password)
                print(f"role {args.role} may insert rows for station {args.station}")
    except (ReplicationError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # psycopg errors: one line, no traceback
        print(f"error: {type(exc).__name__}: {str(exc).strip()}", file=sys.stderr)
        return 2
    return 0


def _ship(args: argparse.Namespace) -> int:
    from console.replication.shipper import Shipper

    shipper = Shipper(args.log, args.url, args.station, batch=args.batch, interval_s=args.interval)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    shipper.start()
    print("shipping", flush=True)
    done.wait()
    shipper.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Stand-alone simulator: ``python -m fakes.cli [--tcp PORT] [--baud N] [--seed N]``.

Runs a small demo network (Chinese aliases, the demo behaviour mix) so the driver or a
terminal program (``picocom``, ``screen``) can be pointed at it without the console.
"""

from __future__ import annotations

import argparse
from typing import Any

from fakes.plugin import serve

DEMO_UNITS: list[dict[str, Any]] = [
    {"issi": 2001, "alias": "实验小学保卫处", "kind": "school"},
    {"issi": 2002, "alias": "第一中学门卫", "kind": "school"},
    {"issi": 2003, "alias": "人民医院保卫科", "kind": "hospital"},
    {"issi": 2004, "alias": "工商银行网点", "kind": "bank"},
    {"issi": 2005, "alias": "阳光小区物业", "kind": "community"},
    {"issi": 2006, "alias": "化工园区安保", "kind": "enterprise"},
    {"issi": 2007, "alias": "巡逻一组", "kind": "patrol"},
    {"issi": 2008, "alias": "巡逻二组", "kind": "patrol"},
    {"issi": 2009, "alias": "河道值守点", "kind": "community"},
    {"issi": 2010, "alias": "物流公司安保", "kind": "enterprise"},
]
DEMO_GROUPS: list[dict[str, Any]] = [
    {"gssi": 9001, "name": "全体应急单元", "members": [u["issi"] for u in DEMO_UNITS]},
    {"gssi": 9002, "name": "学校", "members": [2001, 2002]},
    {"gssi": 9003, "name": "巡逻", "members": [2007, 2008]},
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fakes.cli", description=__doc__)
    parser.add_argument("--tcp", type=int, default=None, help="serve TCP on this port (0=any)")
    parser.add_argument("--baud", type=int, default=None, help="pace output at this baud")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gateway-issi", type=int, default=1000)
    parser.add_argument("--traffic", action="store_true", help="background chatter and LIP")
    args = parser.parse_args(argv)
    return serve(
        DEMO_UNITS,
        DEMO_GROUPS,
        gateway_issi=args.gateway_issi,
        seed=args.seed,
        tcp_port=args.tcp,
        baud=args.baud,
        background_traffic=args.traffic,
        announce=lambda url: print(f"simulated gateway at {url}", flush=True),
    )


if __name__ == "__main__":
    raise SystemExit(main())

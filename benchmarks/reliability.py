"""Reliability counts: faults injected, runs, answers lost, duplicate pages, fuzz inputs.

Runs the generators of the suites in ``tests/reliability`` (the same seeds and sizes as
CI, or ``--soak`` times more) and prints the counts that ``RELIABILITY.md`` records:

* cable pulls during a 46-unit page and during a 46-unit drill (virtual time, real pty);
* silent gateway reboots during a 46-unit page;
* SIGKILL of ``dutydesk drill run`` / ``page`` processes against a separate simulator;
* fuzz inputs per target (seeded structure-aware generators, plus atheris if installed).

"answers lost" (counted at the radios: each answer by its own rung) and "shown twice"
(messages a radio presented to its person more than once) must be 0; the script exits 1
otherwise.

Run: .venv/bin/python benchmarks/reliability.py [--soak N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "tests" / "reliability"
for p in (str(ROOT),):
    if p not in sys.path:
        sys.path.insert(0, p)

from tests.reliability import fuzz_targets  # noqa: E402
from tests.reliability.reliability_harness import (  # noqa: E402
    CI_DRILL_PULLS,
    CI_DRILL_RUNS,
    CI_PAGE_PULLS,
    CI_PAGE_RUNS,
    CI_REBOOT_RUNS,
    CI_REBOOTS,
    Outcome,
    cable_pulls_during_drill,
    cable_pulls_during_page,
    gather_runs,
    reboots_during_page,
)
from tests.simproc import simulator_process  # noqa: E402


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


async def _cable(tmp: Path, factor: int) -> dict[str, Any]:
    page_seeds = range(1, 1 + CI_PAGE_RUNS * factor)
    drill_seeds = range(101, 101 + CI_DRILL_RUNS * factor)
    pages = await gather_runs(
        lambda s: cable_pulls_during_page(tmp / f"p{s}.db", s, CI_PAGE_PULLS),
        page_seeds,
        concurrency=10,
    )
    drills = await gather_runs(
        lambda s: cable_pulls_during_drill(tmp / f"d{s}.db", s, CI_DRILL_PULLS),
        drill_seeds,
        concurrency=10,
    )
    boots = await gather_runs(
        lambda s: reboots_during_page(tmp / f"b{s}.db", s, CI_REBOOTS),
        range(201, 201 + CI_REBOOT_RUNS * factor),
        concurrency=5,
    )
    out: dict[str, Any] = {}
    suites = (("page", pages), ("drill", [o for o, _ in drills]), ("reboot", boots))
    for name, outcomes in suites:
        total = Outcome()
        for o in outcomes:
            total.add(o)
        out[name] = {
            "runs": total.runs,
            "cable_pulls": total.faults,
            "answers_checked": total.answers_checked,
            "answers_lost": len(total.answers_lost),
            "duplicate_pages": len(total.duplicate_pages),
            "never_paged": len(total.unpaged),
            "cmgs_received": total.cmgs_total,
            "same_ref_retries": total.retries_same_ref,
            # the truth at the radios (their own records): see reliability_harness.RadioTruth
            "radio_sent": total.truth.sent,
            "radio_direct": total.truth.direct,
            "radio_recovered": total.truth.recovered,
            "radio_lost": len(total.truth.lost),
            "presented_twice": len(total.truth.presented_twice),
            "recovery_s": {
                "p50": round(_quantile(total.truth.recovery_s, 0.5), 2),
                "p99": round(_quantile(total.truth.recovery_s, 0.99), 2),
                "max": round(max(total.truth.recovery_s, default=0.0), 2),
            },
        }
    out["drill"]["outcomes"] = sorted({oc for _, oc in drills})
    return out


def _kill9(tmp: Path, factor: int) -> dict[str, Any]:
    """Kill drills, all on one simulator (a real radio outlives many consoles).  Until
    December 2026 this run started a fresh simulator every 5 kills, because the drill after
    five or six kills delivered 0/46: the simulator was blocked on its own unread stdout
    pipe (see ``tests/simproc.py``), not broken by the kills."""
    import test_kill9 as k

    drills = interrupted = 0
    with simulator_process(seed=4) as path:
        for seed in range(k.CI_DRILL_KILLS * factor):
            report = k.killed_drill(path, tmp / f"k{seed}.db", seed)
            drills += 1
            interrupted += report["outcome"] == "interrupted"
        delivered = k.full_drill_delivered(path, tmp / "after.db")
    return {
        "drill_kills": drills,
        "reported_interrupted": interrupted,
        "integrity_ok": drills,
        "delivered_after": delivered,
    }


def _fuzz(factor: int) -> dict[str, Any]:
    from test_fuzz import CI_GENERATED

    counts = {
        name: fuzz_targets.run_generated(name, CI_GENERATED * factor)
        for name in fuzz_targets.TARGETS
    }
    atheris: dict[str, int] = {}
    if importlib.util.find_spec("atheris") is not None:
        runs = 5000 * factor
        for name in fuzz_targets.TARGETS:
            with tempfile.TemporaryDirectory() as d:
                proc = subprocess.run(
                    [sys.executable, str(HERE / "atheris_fuzz.py"), name, f"-runs={runs}"],
                    cwd=d,
                    capture_output=True,
                    text=True,
                )
            if proc.returncode != 0:
                raise SystemExit(f"atheris {name} crashed:\n{proc.stderr[-2000:]}")
            atheris[name] = runs
    return {"generated": counts, "atheris": atheris}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--soak", type=int, default=1, metavar="N", help="N times the CI sizes")
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--no-kill", action="store_true", help="skip the SIGKILL subprocess runs")
    args = ap.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dutydesk-rel-") as tmp:
        result: dict[str, Any] = {"cable": asyncio.run(_cable(Path(tmp), args.soak))}
        if not args.no_kill:
            result["kill9"] = _kill9(Path(tmp), args.soak)
    result["fuzz"] = _fuzz(args.soak)
    result["seconds"] = round(time.perf_counter() - started, 1)
    cable = result["cable"]
    suites = ("page", "drill", "reboot")
    lost = sum(cable[n]["answers_lost"] + cable[n]["radio_lost"] for n in suites)
    dups = sum(cable[n]["duplicate_pages"] + cable[n]["presented_twice"] for n in suites)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for name in suites:
            c = cable[name]
            fault = "silent reboots" if name == "reboot" else "cable pulls"
            rec = c["recovery_s"]
            print(
                f"{fault} during a 46-unit {'page' if name == 'reboot' else name}: "
                f"{c['runs']} runs, {c['cable_pulls']} faults; at the radios: {c['radio_sent']} "
                f"answers sent, {c['radio_direct']} received directly, {c['radio_recovered']} "
                f"recovered (p50 {rec['p50']} s, p99 {rec['p99']} s, max {rec['max']} s), "
                f"{c['radio_lost']} lost, {c['presented_twice']} shown twice; "
                f"{c['duplicate_pages']} duplicate refs, {c['same_ref_retries']} same-ref sends"
            )
        if "kill9" in result:
            k9 = result["kill9"]
            print(
                f"kill -9 during drills: {k9['drill_kills']} kills, {k9['integrity_ok']} logs "
                f"pass integrity_check, {k9['reported_interrupted']} reported interrupted, "
                f"all on one simulator; the full drill after them: "
                f"{k9['delivered_after']}/46 delivered"
            )
        fz = result["fuzz"]
        total = sum(fz["generated"].values()) + sum(fz["atheris"].values())
        print(f"fuzz inputs (seeded generators): {fz['generated']}")
        print(f"fuzz inputs (atheris): {fz['atheris'] or 'not installed'}")
        print(f"fuzz inputs total: {total}")
        print(f"answers lost: {lost}; duplicate pages: {dups}; {result['seconds']} s")
    return 0 if lost == 0 and dups == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Fault scenarios shared by the reliability tests and ``benchmarks/reliability.py``.

A scenario drives the production :class:`~drivers.link.PeiLink`, the drivers'
:class:`~drivers.gateway.Gateway` and the :class:`~console.paging.engine.PagingEngine`
(optionally under a :class:`~console.drills.DrillRun`) against the simulated network over
a real pty, on a :class:`~drivers.clock.VirtualClock`, and injects faults at seeded random
virtual times.  Afterwards it checks the two promises of design §6 from the simulator's own
records, never from the console's memory alone:

* **no answer lost** — every answer (status, text reply, delivery report) that the
  simulated MT wrote to the TE while the console's link was up is on the responder's
  ladder *and* committed in the event log (directly or as an implied rung);
* **no responder paged twice by mistake** — per destination, the fake aired at most one
  distinct SDS-TL message reference (a retry after an ambiguous loss must reuse it), and
  every ``AT+CMGS`` it received for a destination carried that same reference.

Nothing sleeps to wait: virtual time moves in steps, and between steps
:func:`fast_settle` waits (bounded, real time) until no bytes are in flight on the pty.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.config import StatusPlan
from console.deadlines import NO_DEADLINES, Deadlines
from console.eventlog import EventLog
from console.paging.engine import PagingEngine
from console.paging.matching import classify_status, classify_text
from console.paging.model import (
    PageRequest,
    Recipient,
    Rung,
)
from drivers.link import LinkState
from drivers.sds import SdsReport, StatusMessage, TextMessage, decode_sds
from drivers.sds.decode import AI_STATUS
from fakes.air import AirSds, peek_tl
from fakes.behaviour import AnswerMode, Behaviour, StatusStep, uniform
from fakes.faults import FaultPlan
from fakes.transport import PtyTransport
from tests.rig import Rig, make_rig

ISSIS: tuple[int, ...] = tuple(range(4001, 4047))  # 46 minimum emergency units
PAGE_TEXT = "集合点名：XX路发生交通事故，收到请回复"


# -- what the simulator emitted ------------------------------------------------------------


@dataclass(frozen=True)
class Emitted:
    """One SDS the simulated MT forwarded to the TE (the simulator's own record)."""

    mono: float
    sender: int
    ai: int
    data: bytes
    link_up: bool  # the console's link was UP and the cable in when it was written


@dataclass
class Recorder:
    """Taps on the simulator: forwarded SDS, SDS aired by the gateway, CMGS received."""

    emitted: list[Emitted] = field(default_factory=list)
    aired: Counter[tuple[int, int]] = field(default_factory=Counter)  # (dest, msg ref)
    cmgs: Counter[int] = field(default_factory=Counter)  # AT+CMGS received per dest
    radio_sent: list[tuple[float, int, int, bytes, bool]] = field(default_factory=list)

    def aired_to(self, dest: int) -> bool:
        """Whether the gateway put any SDS-TL transfer to ``dest`` on the air."""
        return any(d == dest for d, _ in self.aired)


def install_recorder(rig: Rig) -> Recorder:
    """Wrap the fake gateway's air listener, CMGS entry and air output (test-side taps)."""
    rec = Recorder()
    gw = rig.sim.gateway
    net = rig.sim.network
    link = rig.link
    on_sds, begin_cmgs, send_from_gateway = gw.on_sds, gw.begin_cmgs, net.send_from_gateway

    def forwarded(sds: AirSds) -> bool:
        if not (sds.called == gw.issi or sds.called in net.groups):
            return False
        if sds.ai == AI_STATUS:
            return bool(gw.registered(2))
        return bool(gw.registered(3, sds.data[0] if sds.data else -1))

    def tap_on_sds(sds: AirSds) -> None:
        up = link.state is LinkState.UP and gw.linked
        rec.radio_sent.append((rig.clock.monotonic(), sds.calling, sds.ai, sds.data, up))
        if forwarded(sds):
            rec.emitted.append(Emitted(rig.clock.monotonic(), sds.calling, sds.ai, sds.data, up))
        on_sds(sds)

    def tap_cmgs(dest: int) -> None:
        rec.cmgs[dest] += 1
        begin_cmgs(dest)

    def tap_air(sds: AirSds) -> None:
        tl = peek_tl(sds.ai, sds.data)
        if tl is not None and tl.msg_type == 0:
            rec.aired[(sds.called, tl.message_ref)] += 1
        send_from_gateway(sds)

    gw.on_sds = tap_on_sds
    gw.begin_cmgs = tap_cmgs
    net.send_from_gateway = tap_air
    return rec


# -- bounded settle ----------------------------------------------------------------------


async def fast_settle(rig: Rig, limit: float = 2.0) -> None:
    """Wait (real time, bounded) until no bytes are in flight between link and fake.

    Quiet means: nothing unread in the pty either way and the byte counters stopped
    moving for two looks in a row.  Cheaper than the paging rig's settle (which wants
    three) because the fault suites fire tens of thousands of timers.
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    transport = rig.sim.transport
    last: tuple[int, ...] = ()
    stable = 0
    while loop.time() < end:
        for _ in range(2):
            await asyncio.sleep(0)
        unread = 0
        if isinstance(transport, PtyTransport) and rig.link._port is not None:
            unread = transport.unread_by_driver()
        snap = (rig.link.bytes_in, rig.link.bytes_out, transport.bytes_in, transport.bytes_out)
        stable = stable + 1 if unread == 0 and snap == last else 0
        last = snap
        if stable >= 2:
            return
        await asyncio.sleep(0.0003)


# -- the rig ------------------------------------------------------------------------------


def seeded_behaviours(seed: int, issis: Sequence[int]) -> dict[int, Behaviour]:
    """Prompt radios with seeded delays; about a quarter answer by text (收到)."""
    rng = random.Random(f"behaviours:{seed}")
    out: dict[int, Behaviour] = {}
    for issi in issis:
        mode = AnswerMode.TEXT if rng.random() < 0.25 else AnswerMode.STATUS
        out[issi] = Behaviour(
            answer=mode,
            delivery=uniform(0.3, 2.0),
            read=uniform(0.5, 5.0),
            answer_delay=uniform(2.0, 20.0),
            ladder=(
                StatusStep(0x8002, uniform(0.0, 0.0)),
                StatusStep(0x8003, uniform(5.0, 20.0)),
                StatusStep(0x8004, uniform(10.0, 40.0)),
            ),
        )
    return out


@dataclass
class FaultRig:
    rig: Rig
    log: EventLog
    engine: PagingEngine
    rec: Recorder
    plan: StatusPlan

    @property
    def clock(self) -> Any:
        return self.rig.clock

    async def run(self, seconds: float, step: float = 0.5) -> None:
        await self.clock.run_until(lambda: False, limit=seconds, step=step)

    async def close(self) -> None:
        await self.engine.close()
        await self.rig.close()
        self.log.close()

    async def __aenter__(self) -> FaultRig:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def make_fault_rig(
    db: Path,
    *,
    seed: int,
    issis: Sequence[int] = ISSIS,
    behaviours: Mapping[int, Behaviour] | None = None,
    deadlines: Deadlines | None = NO_DEADLINES,
    retry_delay: float = 1.0,
    units: Sequence[Mapping[str, Any]] | None = None,
    groups: Sequence[Mapping[str, Any]] = (),
    **sim_kwargs: Any,
) -> FaultRig:
    unit_list = units or [{"issi": i, "alias": f"单元{i}", "kind": "school"} for i in issis]
    rig = await make_rig(
        unit_list,
        groups,
        seed=seed,
        behaviours=dict(behaviours or seeded_behaviours(seed, issis)),
        **sim_kwargs,
    )
    rig.clock.settle = lambda: fast_settle(rig)
    rec = install_recorder(rig)
    log = EventLog.open(
        db, clock=rig.clock, background=False, durability="normal", record_sessions=False
    )
    plan = StatusPlan()
    engine = PagingEngine(
        rig.gateway,
        log,
        clock=rig.clock,
        status_plan=plan,
        deadlines=deadlines,
        operator="值班民警",
        drive_log=True,
        log_tick=0.05,
        retry_delay=retry_delay,
        page_ids=iter(f"P{i}" for i in range(1, 1000)).__next__,
    )
    await engine.start()
    return FaultRig(rig, log, engine, rec, plan)


# -- the checks ---------------------------------------------------------------------------


def answer_rung(plan: StatusPlan, e: Emitted) -> Rung | None:
    """The rung an SDS the MT forwarded proves (None: not an answer to a page)."""
    try:
        pdu = decode_sds(e.ai, e.data)
    except Exception:
        return None
    if isinstance(pdu, StatusMessage):
        ans = classify_status(plan, pdu.value)
        return ans.rung if ans is not None else None
    if isinstance(pdu, TextMessage):
        ans = classify_text(plan, pdu.text)
        return ans.rung if ans is not None else None
    if isinstance(pdu, SdsReport):
        if pdu.status == 0x00:
            return Rung.DELIVERED
        if pdu.status == 0x02:
            return Rung.READ
    return None


@dataclass
class Outcome:
    """What one scenario run found (summed by the benchmark)."""

    runs: int = 0
    faults: int = 0
    answers_checked: int = 0
    answers_lost: list[str] = field(default_factory=list)
    duplicate_pages: list[str] = field(default_factory=list)
    unpaged: list[int] = field(default_factory=list)
    cmgs_total: int = 0
    retries_same_ref: int = 0
    truth: RadioTruth = field(default_factory=lambda: RadioTruth())

    def add(self, other: Outcome) -> None:
        self.truth.add(other.truth)
        self.runs += other.runs
        self.faults += other.faults
        self.answers_checked += other.answers_checked
        self.answers_lost += other.answers_lost
        self.duplicate_pages += other.duplicate_pages
        self.unpaged += other.unpaged
        self.cmgs_total += other.cmgs_total
        self.retries_same_ref += other.retries_same_ref


def check(
    frig: FaultRig,
    page_id: str,
    issis: Sequence[int],
    faults: int,
    *,
    until: float | None = None,
    exclude: Callable[[Emitted], bool] | None = None,
) -> Outcome:
    """Compare the simulator's records with the ladders and the committed log.

    ``until``: answers forwarded after this virtual time are not counted (the drill had
    closed its page by then, so they are no longer answers to it); ``exclude``: answers a
    test's own fault swallowed between the MT and the wire."""
    frig.log.flush()
    out = Outcome(runs=1, faults=faults)
    logged: set[tuple[int, str]] = set()
    for ev in frig.log.query(kinds=["ladder.*"], page=page_id):
        if ev.unit is not None:
            logged.add((int(ev.unit), ev.kind.removeprefix("ladder.")))
    page = frig.engine.pages[page_id]
    for e in frig.rec.emitted:
        if not e.link_up or e.sender not in page.responders:
            continue
        if until is not None and e.mono > until:
            continue
        if exclude is not None and exclude(e):
            continue
        rung = answer_rung(frig.plan, e)
        if rung is None:
            continue
        out.answers_checked += 1
        resp = page.responders[e.sender]
        on_ladder = resp.has(rung)
        in_log = (e.sender, rung.value) in logged
        if not (on_ladder and in_log):
            out.answers_lost.append(
                f"{e.sender} {rung.value} at {e.mono:.2f} (ladder={on_ladder}, log={in_log})"
            )
    refs: dict[int, set[int]] = {}
    for (dest, ref), _n in frig.rec.aired.items():
        refs.setdefault(dest, set()).add(ref)
    for dest, found in sorted(refs.items()):
        if len(found) > 1:
            out.duplicate_pages.append(f"{dest}: refs {sorted(found)}")
    for issi in issis:
        if (issi, "accepted") not in logged or not frig.rec.aired_to(issi):
            out.unpaged.append(issi)
    out.cmgs_total = sum(frig.rec.cmgs.values())
    out.retries_same_ref = sum(n - 1 for n in frig.rec.aired.values() if n > 1)
    out.truth = radio_truth(frig, page_id, issis, until=until)
    return out


# -- the truth at the radios ----------------------------------------------------------------


@dataclass
class RadioTruth:
    """What the radios' own records say about one page (summed by the benchmark).

    ``sent``: answers (statuses, text replies) the radios transmitted to the page, first
    transmissions only; ``direct``: on the ladder as their own rung (not implied) and in
    the log before any resend of that message; ``recovered``: arrived only after the
    console sent the message again (or re-paged) and the radio answered again; ``lost``:
    neither; ``presented_twice``: a radio showed one message to its person more than once.
    """

    sent: int = 0
    direct: int = 0
    recovered: int = 0
    lost: list[str] = field(default_factory=list)
    presented_twice: list[str] = field(default_factory=list)
    recovery_s: list[float] = field(default_factory=list)

    def add(self, other: RadioTruth) -> None:
        self.sent += other.sent
        self.direct += other.direct
        self.recovered += other.recovered
        self.lost += other.lost
        self.presented_twice += other.presented_twice
        self.recovery_s += other.recovery_s


def _answer_of(plan: StatusPlan, kind: str, value: int | str) -> Rung | None:
    if kind == "status" and isinstance(value, int):
        ans = classify_status(plan, value)
    elif kind == "text" and isinstance(value, str):
        ans = classify_text(plan, value)
    else:
        return None
    return ans.rung if ans is not None else None


def radio_truth(
    frig: FaultRig, page_id: str, issis: Sequence[int], *, until: float | None = None
) -> RadioTruth:
    """Count every answer each radio transmitted against the ladder and the log.

    An answer counts as received only by its own rung (an implied rung is not an answer),
    in memory *and* committed in the log.  ``until``: answers sent after it (the drill had
    closed its page) are not counted."""
    frig.log.flush()
    logged: dict[tuple[int, str], float] = {}
    for ev in frig.log.query(kinds=["ladder.*"], page=page_id):
        if ev.unit is not None and not ev.data.get("implied"):
            logged.setdefault((int(ev.unit), ev.kind.removeprefix("ladder.")), ev.mono or 0.0)
    page = frig.engine.pages[page_id]
    out = RadioTruth()
    net = frig.rig.sim.network
    for issi in issis:
        radio = net.radio(issi)
        for key, times in radio.presented.items():
            if times > 1:
                out.presented_twice.append(f"{issi}: message {key} shown {times} times")
        resp = page.responders.get(issi)
        if resp is None:
            continue
        for t in radio.transmitted:
            if t.repeat or t.reply_to is None or (until is not None and t.mono > until):
                continue
            rung = _answer_of(frig.plan, t.kind, t.value)
            if rung is None:
                continue
            out.sent += 1
            own = [r for r in resp.rungs if r.rung is rung and not r.implied]
            at = logged.get((issi, rung.value))
            if not own or at is None:
                out.lost.append(
                    f"{issi} {rung.value} sent at {t.mono:.2f} (ladder={bool(own)}, log={at})"
                )
                continue
            again = [
                r.mono
                for r in radio.transmitted
                if r.repeat and r.kind == t.kind and r.value == t.value and r.mono >= t.mono
            ]
            if again and own[0].mono >= min(again):
                out.recovered += 1
                out.recovery_s.append(own[0].mono - t.mono)
            else:
                out.direct += 1
    return out


# -- scenarios ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pull:
    at: float  # virtual seconds after the page (or after the previous replug)
    out_for: float  # how long the cable stays out


def pull_schedule(seed: int, pulls: int, *, window: float = 40.0) -> list[Pull]:
    """Seeded pulls: the first within ``window`` s, short and long outages, some during
    the re-init of the previous one (gap < back-off + init)."""
    rng = random.Random(f"pulls:{seed}")
    out = []
    for i in range(pulls):
        gap = (
            rng.uniform(0.0, window)
            if i == 0
            else rng.choice([rng.uniform(0.0, 1.5), rng.uniform(1.5, 15.0)])
        )
        out.append(Pull(gap, rng.choice([rng.uniform(0.05, 1.0), rng.uniform(1.0, 12.0)])))
    return out


async def pull_cable(frig: FaultRig, schedule: Sequence[Pull]) -> int:
    """Carry out the pulls on virtual time; return how many were made."""
    sim, link = frig.rig.sim, frig.rig.link
    for p in schedule:
        await frig.run(p.at, step=0.1)
        # Everything the MT wrote so far must have reached the driver before the pull,
        # or an answer counted as "sent while up" could die in the kernel's pty buffer.
        await fast_settle(frig.rig, limit=10.0)
        sim.unplug()
        await frig.clock.run_until(lambda: link.state is not LinkState.UP, limit=5, step=0.05)
        await frig.run(p.out_for, step=0.25)
        sim.replug()
    await frig.clock.run_until(lambda: link.state is LinkState.UP, limit=60, step=0.25)
    return len(schedule)


def latency_plan(seed: int) -> FaultPlan:
    """A seeded CMGS latency so pulls land between a CMGS and its answer."""
    rng = random.Random(f"latency:{seed}")
    return FaultPlan(latency_by_command={"+CMGS": rng.choice([0.0, 0.2, 0.5, 1.0])})


async def cable_pulls_during_page(db: Path, seed: int, pulls: int) -> Outcome:
    """A 46-unit page; the cable pulled ``pulls`` times at seeded random moments."""
    async with await make_fault_rig(db, seed=seed, faults=latency_plan(seed)) as frig:
        page_id = frig.engine.page(
            PageRequest(recipients=tuple(Recipient(i) for i in ISSIS), text=PAGE_TEXT)
        )
        made = await pull_cable(frig, pull_schedule(seed, pulls))

        def settled() -> bool:
            page = frig.engine.pages[page_id]
            return frig.engine.queued_sends == 0 and all(
                r.has(Rung.ON_SCENE) for r in page.responders.values()
            )

        await frig.clock.run_until(settled, limit=150, step=0.5)
        await frig.run(5.0)  # late reports of retried sends
        return check(frig, page_id, ISSIS, made)


def reboot_schedule(seed: int, reboots: int, *, window: float = 30.0) -> list[float]:
    """Seeded gaps before each silent gateway reboot (the first within ``window`` s)."""
    rng = random.Random(f"reboots:{seed}")
    return [rng.uniform(0.5, window) if i == 0 else rng.uniform(2.0, 20.0) for i in range(reboots)]


async def reboots_during_page(db: Path, seed: int, reboots: int) -> Outcome:
    """A 46-unit page; the gateway reboots silently (no cable event) ``reboots`` times.

    Nothing on the console's side says so: the link must notice (the watchful keep-alive,
    or an echo after ``ATE0``), re-initialise, and the recovery must bring back what the
    rebooted MT dropped."""
    async with await make_fault_rig(db, seed=seed, faults=latency_plan(seed)) as frig:
        page_id = frig.engine.page(
            PageRequest(recipients=tuple(Recipient(i) for i in ISSIS), text=PAGE_TEXT)
        )
        link = frig.rig.link
        for gap in reboot_schedule(seed, reboots):
            await frig.run(gap, step=0.1)
            await frig.clock.run_until(lambda: link.state is LinkState.UP, limit=60, step=0.1)
            frig.rig.sim.gateway.reboot()
        await frig.clock.run_until(lambda: link.state is LinkState.UP, limit=60, step=0.25)

        def settled() -> bool:
            page = frig.engine.pages[page_id]
            return frig.engine.queued_sends == 0 and all(
                r.has(Rung.ON_SCENE) for r in page.responders.values()
            )

        await frig.clock.run_until(settled, limit=150, step=0.5)
        await frig.run(5.0)
        return check(frig, page_id, ISSIS, reboots)


DRILL_STATION_GROUPS = ("学校组", "企业组", "医院组", "银行组", "社区组")
DRILL_TEXT = """
[drill]
name = "断线重连演练"
groups = ["学校组", "企业组", "医院组", "银行组", "社区组"]

[page]
text = "演练：XX路发生交通事故，附近队员立即回复“收到”"

[targets]
acknowledged = 90
en_route = 150
on_scene = false

[targets.escalation]
repage = false
alert_officer = true
page_backup = false

[[criteria]]
rung = "acknowledged"
within = 90
at_least = "50%"
"""


async def cable_pulls_during_drill(db: Path, seed: int, pulls: int) -> tuple[Outcome, str]:
    """The demo station's 46-unit drill with pulls; returns the checks and the outcome."""
    from console.config import demo_station
    from console.drills import DrillRun, load_drill_text
    from console.simulator import station_groups, station_units

    station = demo_station()
    drill = load_drill_text(DRILL_TEXT, station, "pulls.toml")
    issis = [r.issi for r in drill.participants]
    async with await make_fault_rig(
        db,
        seed=seed,
        issis=issis,
        units=station_units(station),
        groups=station_groups(station),
        behaviours=seeded_behaviours(seed, [u.issi for u in station.units]),
        deadlines=None,
        faults=latency_plan(seed),
    ) as frig:
        run = DrillRun(frig.engine, drill, drill_id=f"D{seed}", simulated=True)
        task = asyncio.ensure_future(run.run())
        made = await pull_cable(frig, pull_schedule(seed, pulls, window=30.0))
        await frig.clock.run_until(task.done, limit=400, step=0.5)
        report = task.result()
        page_id = run.page_id
        assert page_id is not None
        out = check(frig, page_id, issis, made, until=frig.clock.monotonic() - 1.0)
        return out, report.outcome


async def gather_runs(
    make: Callable[[int], Any], seeds: Sequence[int], *, concurrency: int = 5
) -> list[Any]:
    """Run scenario coroutines for ``seeds``, a few at a time (they mostly wait on I/O)."""
    sem = asyncio.Semaphore(concurrency)

    async def one(seed: int) -> Any:
        async with sem:
            return await make(seed)

    return list(await asyncio.gather(*(one(s) for s in seeds)))


# -- sizes (CI vs --soak), shared with benchmarks/reliability.py ----------------------------

CI_PAGE_RUNS, CI_PAGE_PULLS = 20, 4
CI_DRILL_RUNS, CI_DRILL_PULLS = 10, 3
CI_REBOOT_RUNS, CI_REBOOTS = 5, 2
SOAK_FACTOR = 10

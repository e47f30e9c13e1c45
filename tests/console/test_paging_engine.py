"""The paging engine against the simulated network (real pty, PeiLink, Gateway; virtual time).

46 units — the park's minimum emergency units — answer at once, late, never, by text, or
have their radios switched off.  The ladders, the targets, the escalations and the log
must be exactly what the rules say.
"""

from __future__ import annotations

from collections import Counter

from console.deadlines import DeadlineKind
from console.paging.model import (
    EscalationStep,
    FailureCause,
    PageRequest,
    Recipient,
    Rung,
)
from fakes.behaviour import AnswerMode, fixed
from fakes.network import NetworkConfig
from tests.console.test_paging_rig import OFF, OpenPagingRig, behaviour, units

PROMPT = list(range(3001, 3021))  # 20 answer with statuses 0x8002 -> 0x8003 -> 0x8004
TEXTERS = list(range(3021, 3031))  # 10 answer "收到" by text, never report en route
LATE = list(range(3031, 3039))  # 8 acknowledge after 90 s, then on time
NEVER = list(range(3039, 3043))  # 4 receive and read, never answer
OFFS = list(range(3043, 3047))  # 4 radios switched off
BACKUPS = {3039: 3901, 3043: 3902}  # a backup unit for one silent and one dead radio
ALL = PROMPT + TEXTERS + LATE + NEVER + OFFS

Step = tuple[str, int, bool, str]  # rung, attempt, implied, cause/detail


def ladder(*steps: tuple[Rung, int] | tuple[Rung, int, str]) -> Counter[tuple[str, int, str]]:
    out: Counter[tuple[str, int, str]] = Counter()
    for step in steps:
        rung, attempt = step[0], step[1]
        extra = step[2] if len(step) == 3 else ""
        out[(rung.value, attempt, extra)] += 1
    return out


def sds_rungs(attempt: int, *, read: bool = True) -> list[tuple[Rung, int]]:
    rungs = [Rung.QUEUED, Rung.ACCEPTED, Rung.SENT, Rung.DELIVERED] + ([Rung.READ] if read else [])
    return [(r, attempt) for r in rungs]


def no_answer(kind: DeadlineKind, attempt: int) -> tuple[Rung, int, str]:
    return (Rung.FAILED, attempt, f"no_answer:{kind.value}")


def off_attempt(attempt: int) -> list[tuple[Rung, int] | tuple[Rung, int, str]]:
    return [
        (Rung.QUEUED, attempt),
        (Rung.ACCEPTED, attempt),
        (Rung.SENT, attempt),
        (Rung.FAILED, attempt, "not_reachable:destination not reachable"),
    ]


ANSWERED = [(Rung.ACKNOWLEDGED, 1), (Rung.EN_ROUTE, 1), (Rung.ON_SCENE, 1)]
EXPECTED = {
    "prompt": ladder(*sds_rungs(1), *ANSWERED),
    "texter": ladder(
        *sds_rungs(1),
        (Rung.ACKNOWLEDGED, 1),
        no_answer(DeadlineKind.EN_ROUTE, 1),
        no_answer(DeadlineKind.ON_SCENE, 1),
    ),
    "late": ladder(
        *sds_rungs(1),
        no_answer(DeadlineKind.ACKNOWLEDGE, 1),
        *sds_rungs(2),
        (Rung.ACKNOWLEDGED, 2),
        (Rung.EN_ROUTE, 2),
        (Rung.ON_SCENE, 2),
    ),
    "never": ladder(
        *sds_rungs(1),
        no_answer(DeadlineKind.ACKNOWLEDGE, 1),
        *sds_rungs(2),
        no_answer(DeadlineKind.EN_ROUTE, 2),
        *sds_rungs(3),
        no_answer(DeadlineKind.ON_SCENE, 3),
    ),
    "off": ladder(
        *off_attempt(1),
        no_answer(DeadlineKind.ACKNOWLEDGE, 1),
        *off_attempt(2),
        no_answer(DeadlineKind.EN_ROUTE, 2),
        *off_attempt(3),
        no_answer(DeadlineKind.ON_SCENE, 3),
    ),
}


def kind_of(issi: int) -> str:
    for name, members in (
        ("prompt", PROMPT),
        ("texter", TEXTERS),
        ("late", LATE),
        ("never", NEVER),
        ("off", OFFS),
    ):
        if issi in members:
            return name
    return "prompt"  # the backup units answer promptly


def behaviours() -> dict[int, object]:
    out: dict[int, object] = {}
    for issi in PROMPT + list(BACKUPS.values()):
        out[issi] = behaviour()
    for issi in TEXTERS:
        out[issi] = behaviour(AnswerMode.TEXT)
    for issi in LATE:
        out[issi] = behaviour(answer_s=90.0)
    for issi in NEVER:
        out[issi] = behaviour(AnswerMode.NEVER)
    for issi in OFFS:
        out[issi] = OFF
    return out


def recipients() -> tuple[Recipient, ...]:
    return tuple(Recipient(issi, f"单元{issi}", "school", backup=BACKUPS.get(issi)) for issi in ALL)


def directory() -> dict[int, Recipient]:
    return {b: Recipient(b, f"增援{b}", "patrol") for b in BACKUPS.values()}


def observed(rungs: tuple[object, ...]) -> Counter[tuple[str, int, str]]:
    out: Counter[tuple[str, int, str]] = Counter()
    for rec in rungs:
        extra = ""
        if rec.rung is Rung.FAILED:  # type: ignore[attr-defined]
            extra = f"{rec.cause.value}:{rec.detail}"  # type: ignore[attr-defined]
        out[(rec.rung.value, rec.attempt, extra)] += 1  # type: ignore[attr-defined]
    return out


async def test_46_units_ladders_targets_escalations_and_log(open_paging_rig: OpenPagingRig) -> None:
    prig = await open_paging_rig(
        units(ALL + list(BACKUPS.values())),
        behaviours(),  # type: ignore[arg-type]
        directory=directory(),
        network_config=NetworkConfig(failure_delay=fixed(5.0)),
    )
    engine = prig.engine
    start = prig.clock.monotonic()
    page_id = engine.page(
        PageRequest(recipients=recipients(), text="XX路发生交通事故，附近队员立即前往处置")
    )
    await prig.run(420.0)
    view = engine.view(page_id)
    by_issi = {r.issi: r for r in view.responders}
    assert set(by_issi) == set(ALL) | set(BACKUPS.values())

    # -- every ladder, exactly ---------------------------------------------------------
    for issi, resp in by_issi.items():
        assert observed(resp.rungs) == EXPECTED[kind_of(issi)], issi
        assert all(r.committed for r in resp.rungs)
        live = engine.live_rungs(page_id, issi)  # all committed by now
        assert [r.event_id for r in resp.rungs] == [r.event_id for r in live]
    for issi in BACKUPS.values():
        assert by_issi[issi].backup_for in BACKUPS

    # -- timestamps: every rung stamped, in order, answers within the targets -----------
    for resp in view.responders:
        monos = [r.mono for r in resp.rungs]
        assert monos == sorted(monos)
    for issi in PROMPT:
        ack = by_issi[issi].first(Rung.ACKNOWLEDGED)
        assert ack is not None and ack.mono - start < 60.0
        assert ack.source.value == "status" and not ack.implied
    for issi in TEXTERS:
        ack = by_issi[issi].first(Rung.ACKNOWLEDGED)
        assert ack is not None and ack.source.value == "text"
    for issi in LATE:
        ack = by_issi[issi].first(Rung.ACKNOWLEDGED)
        assert ack is not None and 90.0 < ack.mono - start < 100.0
    for issi in NEVER + OFFS:
        fails = [
            f.mono - start for f in by_issi[issi].failures if f.cause is FailureCause.NO_ANSWER
        ]
        assert fails == [60.0, 180.0, 300.0]

    # -- escalations: exact steps in order ---------------------------------------------
    steps = Counter((e.issi, e.deadline, e.step) for e in view.escalations)
    expected: Counter[tuple[int, DeadlineKind, EscalationStep]] = Counter()
    A, E, B = DeadlineKind.ACKNOWLEDGE, DeadlineKind.EN_ROUTE, DeadlineKind.ON_SCENE
    R, AL, BK = EscalationStep.REPAGE, EscalationStep.ALERT, EscalationStep.BACKUP
    for issi in TEXTERS:
        expected.update([(issi, E, AL), (issi, B, AL)])
    for issi in LATE:
        expected.update([(issi, A, R), (issi, A, AL)])
    for issi in NEVER + OFFS:
        expected.update([(issi, A, R), (issi, A, AL), (issi, E, R), (issi, E, AL), (issi, B, AL)])
    for issi in BACKUPS:
        expected[(issi, A, BK)] += 1
    assert steps == expected
    first = [e.step for e in view.escalations if e.issi == 3039 and e.deadline is A]
    assert first == [R, AL, BK]
    assert len(prig.alerts) == sum(1 for e in view.escalations if e.step is AL) == 52

    # -- the log holds exactly the same -------------------------------------------------
    counts = prig.log.count_by_kind()
    rung_counts: Counter[str] = Counter()
    for resp in view.responders:
        rung_counts.update(f"ladder.{r.rung.value}" for r in resp.rungs)
    for kind, n in rung_counts.items():
        assert counts[kind] == n, kind
    assert counts["escalation.repage"] == 24
    assert counts["escalation.alert"] == 52
    assert counts["escalation.backup"] == 2
    assert counts["page.created"] == 1
    assert counts["ladder.queued"] == 20 + 10 + 8 * 2 + 8 * 3 + 2
    assert sum(counts.values()) == sum(rung_counts.values()) + 24 + 52 + 2 + 1
    rows = prig.log.page_responders(page_id)
    assert len(rows) == 48

    # -- one SDS per attempt on the air, never a duplicate -------------------------------
    per_dest = Counter(dest for dest, _ref in prig.aired)
    assert all(n == 1 for n in prig.aired.values())
    for issi in PROMPT + TEXTERS:
        assert per_dest[issi] == 1
    for issi in LATE:
        assert per_dest[issi] == 2
    for issi in NEVER + OFFS:
        assert per_dest[issi] == 3

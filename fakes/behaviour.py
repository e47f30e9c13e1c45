"""How a simulated radio (and the person holding it) reacts to a page.

Each radio has one frozen :class:`Behaviour`.  Every delay is a :class:`Delay`
distribution sampled from the radio's own seeded ``random.Random``, so one radio's answers
do not depend on what other radios did, and the same seed gives the same drill.

Delay model (all in seconds of the injected clock):

* ``delivery``: air time + paging of the radio; from the SDS leaving the gateway until the
  radio has it (then the SDS-TL ``received`` report goes back if requested).
* ``read``: from delivery until the person opens the message (``consumed`` report).
* ``answer``: from delivery until the person answers (status / text / key-up).
* ``StatusStep.delay``: from the previous step of a status ladder to this one.

``uniform(lo, hi)`` is used where a range is all we know; ``lognormal(median, sigma)``
models human reaction times (most answer quickly, a long tail answers late), capped by
``cap`` so a "prompt" responder never slips past the 1-minute target by accident.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass, field

STATUS_ACKNOWLEDGED = 0x8002  # 收到 (acknowledged)
STATUS_EN_ROUTE = 0x8003  # 出发 (en route)
STATUS_ON_SCENE = 0x8004  # 到场 (on scene)
STATUS_EMERGENCY = 0x0000  # pre-coded status 0 = emergency


@dataclass(frozen=True)
class Delay:
    """A delay distribution: ``fixed``, ``uniform`` (a..b) or ``lognormal`` (median a, sigma b)."""

    kind: str = "fixed"
    a: float = 0.0
    b: float = 0.0
    cap: float | None = None

    def sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            value = self.a
        elif self.kind == "uniform":
            value = rng.uniform(self.a, self.b)
        elif self.kind == "lognormal":
            value = rng.lognormvariate(math.log(max(self.a, 1e-9)), self.b)
        else:
            raise ValueError(f"unknown delay kind {self.kind!r}")
        if self.cap is not None:
            value = min(value, self.cap)
        return max(0.0, value)


def fixed(seconds: float) -> Delay:
    return Delay("fixed", seconds)


def uniform(lo: float, hi: float) -> Delay:
    return Delay("uniform", lo, hi)


def lognormal(median: float, sigma: float, cap: float | None = None) -> Delay:
    return Delay("lognormal", median, sigma, cap)


class AnswerMode(enum.Enum):
    """What the person does after reading a page."""

    STATUS = "status"  # status ladder 0x8002 -> 0x8003 -> 0x8004
    TEXT = "text"  # a text reply ("收到")
    VOICE = "voice"  # keys up on the page's group call
    NEVER = "never"  # delivered, but nobody answers


@dataclass(frozen=True)
class StatusStep:
    value: int
    delay: Delay


DEFAULT_LADDER: tuple[StatusStep, ...] = (
    StatusStep(STATUS_ACKNOWLEDGED, fixed(0.0)),
    StatusStep(STATUS_EN_ROUTE, uniform(10.0, 40.0)),
    StatusStep(STATUS_ON_SCENE, uniform(60.0, 240.0)),
)

EXACT_LADDER: tuple[StatusStep, ...] = (
    StatusStep(STATUS_ACKNOWLEDGED, fixed(0.0)),
    StatusStep(STATUS_EN_ROUTE, fixed(20.0)),
    StatusStep(STATUS_ON_SCENE, fixed(60.0)),
)
"""收到 at once, 出发 20 s later, 到场 60 s after that: the ladder with exact times."""


@dataclass(frozen=True)
class Behaviour:
    """A radio's reaction model; see the module docstring for the delay semantics."""

    answer: AnswerMode = AnswerMode.STATUS
    delivery: Delay = field(default_factory=lambda: uniform(0.5, 2.0))
    read: Delay = field(default_factory=lambda: uniform(1.0, 10.0))
    answer_delay: Delay = field(default_factory=lambda: lognormal(15.0, 0.6, cap=55.0))
    ladder: tuple[StatusStep, ...] = DEFAULT_LADDER
    text_reply: str = "收到"
    talk: Delay = field(default_factory=lambda: uniform(2.0, 4.0))
    powered: bool = True
    in_range: bool = True

    @classmethod
    def exact(cls, answer: AnswerMode = AnswerMode.STATUS, *, answer_s: float = 10.0) -> Behaviour:
        """Fixed delays, so tests and benchmarks can assert virtual times: delivered +1 s,
        read +4 s, answered ``answer_s`` after reading, the :data:`EXACT_LADDER`, 3 s of talk."""
        return cls(
            answer=answer,
            delivery=fixed(1.0),
            read=fixed(4.0),
            answer_delay=fixed(answer_s),
            ladder=EXACT_LADDER,
            talk=fixed(3.0),
        )

    @classmethod
    def prompt(cls, answer: AnswerMode = AnswerMode.STATUS) -> Behaviour:
        return cls(answer=answer)

    @classmethod
    def late(cls, answer: AnswerMode = AnswerMode.STATUS) -> Behaviour:
        return cls(answer=answer, answer_delay=uniform(80.0, 120.0))

    @classmethod
    def never(cls) -> Behaviour:
        return cls(answer=AnswerMode.NEVER)

    @classmethod
    def switched_off(cls) -> Behaviour:
        return cls(powered=False)


def named_behaviour(name: str) -> Behaviour:
    """A preset by name (used by the plugin's optional ``"behaviour"`` key of a unit)."""
    presets = {
        "status": Behaviour.prompt(AnswerMode.STATUS),
        "text": Behaviour.prompt(AnswerMode.TEXT),
        "voice": Behaviour.prompt(AnswerMode.VOICE),
        "late": Behaviour.late(),
        "never": Behaviour.never(),
        "off": Behaviour.switched_off(),
        "switched_off": Behaviour.switched_off(),
    }
    try:
        return presets[name.lower()]
    except KeyError:
        raise ValueError(f"unknown behaviour {name!r}; use one of {sorted(presets)}") from None


def demo_mix(issis: list[int], seed: int) -> dict[int, Behaviour]:
    """The demo network's mix: most answer within 60 s, a few late, one or two never, one off.

    Deterministic for a seed: the radios are shuffled with ``Random(seed)`` and the first
    ones get the rare behaviours.
    """
    rng = random.Random(f"demo-mix:{seed}")
    order = sorted(issis)
    rng.shuffle(order)
    n = len(order)
    n_off = 1 if n >= 4 else 0
    n_never = 0 if n < 3 else (1 if n < 12 else 2)
    n_late = 0 if n < 5 else max(1, n // 10)
    out: dict[int, Behaviour] = {}
    modes = (AnswerMode.STATUS, AnswerMode.STATUS, AnswerMode.TEXT, AnswerMode.VOICE)
    for i, issi in enumerate(order):
        if i < n_off:
            out[issi] = Behaviour.switched_off()
        elif i < n_off + n_never:
            out[issi] = Behaviour.never()
        elif i < n_off + n_never + n_late:
            out[issi] = Behaviour.late()
        else:
            out[issi] = Behaviour.prompt(modes[i % len(modes)])
    return out

"""Same seed, same clock steps => the same byte stream; and the demo behaviour mix."""

from __future__ import annotations

import asyncio
import contextlib

from drivers.clock import VirtualClock
from drivers.sds.messages import encode_text
from fakes.behaviour import AnswerMode, Behaviour, demo_mix, named_behaviour
from fakes.sim import start_simulation
from tests.fakes.simhelpers import GROUPS, TE, UNITS


async def _run(seed: int) -> bytes:
    clock = VirtualClock()
    async with contextlib.AsyncExitStack() as stack:
        sim = await start_simulation(clock, UNITS, GROUPS, gateway_issi=1000, seed=seed)
        stack.push_async_callback(sim.close)
        clock.settle = sim.transport.settle
        te = stack.enter_context(contextlib.closing(TE(sim.url)))
        await te.init()
        pdu = encode_text("紧急集合", 9, report=3).hex().upper()
        te.write(f"AT+CMGS=9001,{len(pdu) * 4}\r\n{pdu}\x1a".encode())
        await te.wait_for(b"OK\r\n")
        te.write(b"ATD9001\r")
        await te.wait_for(b"OK\r\n")
        sim.radio(2001).key_up(9002, 2.5)
        sim.radio(2002).send_location(30.1, 120.2)
        for _ in range(400):
            await clock.advance(1.0)
        await asyncio.wait_for(_until(lambda: sim.transport.bytes_out == _total(te)), 5)
        return bytes(te.received)


def _total(te: TE) -> int:
    return len(te.received)


async def _until(predicate: object) -> None:
    assert callable(predicate)
    while not predicate():
        await asyncio.sleep(0.001)


async def test_same_seed_same_bytes() -> None:
    first = await _run(7)
    second = await _run(7)
    assert first == second
    assert first.count(b"+CTSDSR:") >= 6


def test_demo_mix_is_seeded_and_has_the_rare_cases() -> None:
    issis = list(range(3001, 3047))  # 46 units, like the park in the design notes
    mix = demo_mix(issis, 3)
    assert mix == demo_mix(issis, 3)
    off = [i for i, b in mix.items() if not b.powered]
    never = [i for i, b in mix.items() if b.answer is AnswerMode.NEVER]
    late = [i for i, b in mix.items() if b.answer_delay.kind == "uniform"]
    assert len(off) == 1 and len(never) == 2 and 1 <= len(late) <= 5
    prompt = [b for b in mix.values() if b.powered and b.answer is not AnswerMode.NEVER]
    assert len(prompt) >= 38
    assert all(
        b.answer_delay.cap is not None and b.answer_delay.cap <= 55
        for b in prompt
        if b.answer_delay.kind == "lognormal"
    )


def test_named_behaviours() -> None:
    assert named_behaviour("off") == Behaviour.switched_off()
    assert named_behaviour("TEXT").answer is AnswerMode.TEXT
    try:
        named_behaviour("sleepy")
    except ValueError as exc:
        assert "sleepy" in str(exc)
    else:
        raise AssertionError

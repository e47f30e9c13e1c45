"""The simulated radio's own record and its SDS-TL duplicate detection (the truth tests count).

A real MS recognises a retried SDS-TL transfer by source address and message reference: it
sends the requested reports again but does not show the message to its person a second
time.  The simulated radio also repeats its person's answers to that message, so a console
that lost them in a blind window gets them back from the retry alone.
"""

from __future__ import annotations

from drivers.clock import VirtualClock
from drivers.sds import ReportRequest
from drivers.sds.messages import encode_text
from fakes.air import AI_SDS_TL, AirSds
from fakes.behaviour import STATUS_ACKNOWLEDGED, AnswerMode, Behaviour, StatusStep, fixed
from fakes.network import SimNetwork

GATEWAY = 1000
RADIO = 2001


class Listener:
    """Stands in for the gateway's MT: everything the network hands it."""

    def __init__(self) -> None:
        self.sds: list[AirSds] = []

    def on_sds(self, sds: AirSds) -> None:
        self.sds.append(sds)

    def on_call_started(self, *a: object) -> None: ...
    def on_floor_granted(self, *a: object) -> None: ...
    def on_floor_ceased(self, *a: object) -> None: ...
    def on_call_released(self, *a: object) -> None: ...


def _network(answer: AnswerMode = AnswerMode.STATUS) -> tuple[SimNetwork, VirtualClock, Listener]:
    clock = VirtualClock()
    net = SimNetwork(clock, gateway_issi=GATEWAY, seed=3)
    behaviour = Behaviour(
        answer=answer,
        delivery=fixed(0.5),
        read=fixed(1.0),
        answer_delay=fixed(2.0),
        ladder=(StatusStep(STATUS_ACKNOWLEDGED, fixed(0.0)),),
        text_reply="收到",
    )
    net.add_radio(RADIO, "一号车", behaviour=behaviour)
    listener = Listener()
    net.listeners.append(listener)
    return net, clock, listener


def _page(net: SimNetwork, ref: int) -> None:
    data = encode_text("XX路交通事故，收到请回复", ref, report=ReportRequest.BOTH)
    net.send_from_gateway(AirSds(AI_SDS_TL, GATEWAY, RADIO, data, len(data) * 8))


async def test_a_retry_with_the_same_reference_is_not_shown_again_but_answered_again() -> None:
    net, clock, listener = _network()
    radio = net.radio(RADIO)
    _page(net, 17)
    await clock.advance(10)
    first = [(t.kind, t.value) for t in radio.transmitted]
    assert first == [("report", 0), ("report", 2), ("status", STATUS_ACKNOWLEDGED)]
    assert radio.transmitted[-1].reply_to == (GATEWAY, 17)

    _page(net, 17)  # the console lost the answers and retries with the same reference
    await clock.advance(10)
    again = radio.transmitted[3:]
    assert [(t.kind, t.value, t.repeat) for t in again] == [
        ("report", 0, True),
        ("report", 2, True),
        ("status", STATUS_ACKNOWLEDGED, True),
    ]
    assert radio.presented == {(GATEWAY, 17): 1}
    assert radio.duplicates == 1
    assert len(listener.sds) == 6  # and every repeat reached the gateway's MT


async def test_a_new_reference_is_a_new_message_and_is_shown() -> None:
    net, clock, _ = _network(AnswerMode.TEXT)
    radio = net.radio(RADIO)
    _page(net, 17)
    await clock.advance(10)
    _page(net, 18)  # a deliberate re-page: a new message
    await clock.advance(10)
    assert radio.presented == {(GATEWAY, 17): 1, (GATEWAY, 18): 1}
    texts = [t for t in radio.transmitted if t.kind == "text"]
    assert [(t.value, t.reply_to, t.repeat) for t in texts] == [
        ("收到", (GATEWAY, 17), False),
        ("收到", (GATEWAY, 18), False),
    ]


async def test_answers_given_while_the_console_was_blind_are_in_the_radios_record() -> None:
    """The record is the radio's, not the gateway's: a switched-off gateway changes nothing."""
    net, clock, listener = _network()
    radio = net.radio(RADIO)
    net.listeners.remove(listener)  # nobody at the gateway end hears anything
    _page(net, 40)
    await clock.advance(10)
    assert [t.kind for t in radio.transmitted] == ["report", "report", "status"]
    assert radio.presented == {(GATEWAY, 40): 1}

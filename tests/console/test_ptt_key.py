"""The PTT key's rules with no screen, no radio and no clock: every transition by hand."""

from __future__ import annotations

from types import SimpleNamespace

from console.voice.floor import KeyAction, PttKey
from drivers.gateway import CallState
from drivers.pei import events as ev


def test_toggle_keys_then_lets_go() -> None:
    key = PttKey()
    assert key.press(0.0) is KeyAction.KEY and key.keyed
    assert key.due() is None  # toggle has no deadline
    assert key.press(5.0) is KeyAction.RELEASE and not key.keyed
    assert key.release() is None  # letting go twice tells the radio nothing


def test_hold_repeats_keep_it_keyed_and_silence_lets_go() -> None:
    key = PttKey("hold", hold_gap_s=0.7, hold_max_s=60.0)
    assert key.press(0.0) is KeyAction.KEY
    for t in (0.5, 0.6, 0.7, 0.8):  # the terminal's auto-repeat
        assert key.press(t) is None and key.keyed
    assert key.due() == 0.8 + 0.7
    assert key.expire(1.4) is None and key.keyed  # not yet
    assert key.expire(1.5) is KeyAction.RELEASE and not key.keyed
    assert key.due() is None


def test_a_stuck_key_is_let_go_after_the_longest_hold() -> None:
    key = PttKey("hold", hold_gap_s=0.7, hold_max_s=3.0)
    key.press(0.0)
    t = 0.0
    while key.keyed:
        t += 0.1
        key.press(t)  # repeats forever
        key.expire(t)
    assert 2.95 <= t <= 3.05


def test_floor_from_the_call_and_the_grant_answer() -> None:
    key = PttKey()
    assert key.floor(None) == ("idle", None)
    key.press(0.0)
    assert key.floor(None) == ("requested", None)
    key.cc = 7
    assert key.on_radio(ev.TxGranted(7, 2))
    assert key.floor(None) == ("queued", None)
    assert key.on_radio(ev.TxGranted(7, 1))
    assert key.floor(None) == ("refused", None)
    ours = CallState(7, "9001", incoming=False, ours=True)
    assert key.floor(ours) == ("ours", None)
    other = CallState(8, "9001", incoming=True, talker="2003")
    assert key.floor(other) == ("other", "2003")
    key.on_radio(ev.TxGranted(99, 0))
    assert key.grant == 1  # another call's grant answer is not ours


def test_the_network_ending_our_call_lets_the_key_up() -> None:
    key = PttKey("hold")
    key.press(0.0)
    key.cc = 7
    assert key.on_radio(ev.CallReleased(7, 1))
    assert not key.keyed and key.cc is None and key.due() is None


def test_call_prefers_ours_then_the_talkgroups() -> None:
    key = PttKey()
    calls = {3: CallState(3, "9002", incoming=True), 4: CallState(4, "9001", incoming=True)}
    assert key.call(calls, 9001) is calls[4]
    key.cc = 3
    assert key.call(calls, 9001) is calls[3]
    assert PttKey().call(calls, None) is None


def test_an_attached_consoles_floor_comes_from_the_service() -> None:
    key = PttKey()
    assert key.service_floor(None) == ("idle", None)
    assert key.service_floor(SimpleNamespace(floor="other", talker="2003")) == ("other", "2003")
    assert key.service_floor(SimpleNamespace(floor="granted")) == ("idle", None)
    key.press(0.0)
    assert key.service_floor(SimpleNamespace(floor="granted")) == ("ours", None)
    assert key.service_floor(SimpleNamespace(floor="queued")) == ("queued", None)

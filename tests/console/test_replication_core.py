"""The shipper's decisions with plain numbers: no database, no clock, no thread."""

from __future__ import annotations

import itertools
import random

import pytest

from console.replication.core import Reconnect, ShipAfter, ShipperCore, Wait


def core(**kw: object) -> ShipperCore:
    return ShipperCore("dh", rng=random.Random(1), **kw)  # type: ignore[arg-type]


def test_nothing_is_shipped_before_the_centre_says_where_it_is() -> None:
    c = core()
    c.on_local(10, 100.0)
    assert c.next_action() == Reconnect()
    c.on_connected(4)
    assert c.next_action() == ShipAfter(4, 500)


def test_ships_in_batches_then_waits() -> None:
    c = core(batch=3, interval_s=2.0)
    c.on_connected(0)
    c.on_local(5, 100.0)
    assert c.next_action() == ShipAfter(0, 3)
    c.on_shipped(3, 103.0)
    assert c.next_action() == ShipAfter(3, 3)
    c.on_shipped(5, None)
    assert c.next_action() == Wait(2.0)
    assert c.status(200.0).backlog == 0
    assert c.status(200.0).lag_s == 0.0


def test_a_failure_forgets_the_remote_position_and_backs_off() -> None:
    c = core(interval_s=1.0, max_backoff_s=30.0)
    c.on_connected(7)
    c.on_local(9, 50.0)
    delays = [c.on_failure("down") for _ in range(8)]
    assert c.next_action() == Reconnect()
    assert all(d1 <= 2 * d0 * 2 for d0, d1 in itertools.pairwise(delays))
    assert 0.5 <= delays[0] <= 1.0
    assert max(delays) <= 30.0
    status = c.status(60.0)
    assert not status.connected
    assert status.last_shipped_seq == 7  # the last position the centre confirmed
    assert (status.backlog, status.lag_s, status.failures) == (2, 10.0, 8)
    assert "centre unreachable" in status.summary()
    c.on_connected(9)
    c.on_shipped(9)
    assert c.failures == 0 and c.last_error is None


def test_shipping_backwards_is_a_bug_not_a_state() -> None:
    c = core()
    c.on_connected(10)
    with pytest.raises(ValueError):
        c.on_shipped(9)

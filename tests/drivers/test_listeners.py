"""The one subscribe/notify list: order, removal while notifying, and a broken subscriber."""

from __future__ import annotations

import pytest

from drivers.listeners import Listeners


def test_every_subscriber_hears_in_order_and_can_leave_while_hearing() -> None:
    heard: list[str] = []
    hub: Listeners[int] = Listeners()
    leave_b = hub.subscribe(lambda n: heard.append(f"a{n}"))

    def b(n: int) -> None:
        heard.append(f"b{n}")
        leave_b_self()

    leave_b_self = hub.subscribe(b)
    hub.emit(1)
    hub.emit(2)
    assert heard == ["a1", "b1", "a2"]
    leave_b()
    leave_b()  # twice is harmless
    assert len(hub) == 0


def test_a_broken_subscriber_is_reported_and_the_rest_still_hear() -> None:
    heard: list[int] = []
    failures: list[str] = []
    hub: Listeners[int] = Listeners()
    hub.subscribe(lambda n: 1 / 0)
    hub.subscribe(heard.append)
    hub.emit(7, lambda who, exc: failures.append(type(exc).__name__))
    assert heard == [7] and failures == ["ZeroDivisionError"]
    with pytest.raises(ZeroDivisionError):
        hub.emit(8)  # without a reporter the error is the caller's

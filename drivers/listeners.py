"""Who wants to hear about something: the one subscribe/notify list of the house.

The link, the gateway, the voice path, the incident book and the runtime's stream each
tell subscribers about their events; they share this instead of each keeping a list and
a remove-lambda of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Listeners(Generic[T]):
    """Callbacks that each get every event, in the order they subscribed."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[T], object]] = []

    def subscribe(self, callback: Callable[[T], object]) -> Callable[[], None]:
        """Add ``callback``; returns the function that removes it again (safe to call twice)."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def emit(
        self, event: T, on_error: Callable[[Callable[[T], object], Exception], None] | None = None
    ) -> None:
        """Give ``event`` to every callback (a snapshot: one may unsubscribe meanwhile).

        With ``on_error``, a callback that raises is reported there and the others still
        hear the event (a broken subscriber must not kill the link); without, it raises."""
        for callback in list(self._callbacks):
            if on_error is None:
                callback(event)
                continue
            try:
                callback(event)
            except Exception as exc:
                on_error(callback, exc)

    def __len__(self) -> int:
        return len(self._callbacks)

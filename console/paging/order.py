"""What a page needs before it goes out, and when the officer is asked first.

The page screen (F2) gathers a :class:`PageOrder` from its widgets and asks this module
whether it is complete (:func:`radio_request`, :func:`check`) and whether it must be
confirmed (:func:`needs_confirmation`).  The rules live here, once, so the screen only
shows and forwards, and any other face that composes a page the same way gets the same
answers.  A problem is a :class:`PageOrderError` whose ``reason`` the face words in the
officer's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from console.config import Station
from console.deadlines import Deadlines
from console.errors import ConsoleError
from console.paging.model import PageRequest
from console.paging.selection import build_request

CONFIRM_AT = 2
"""A page to this many units (or any talkgroup call / loudspeaker zone) asks first."""

REASONS = {
    "no_targets": "select units or groups first",
    "no_text": "type or pick a message",
    "no_mode": "choose text, voice or loudspeakers",
    "no_zones": "choose the loudspeaker zones",
    "deadline": "deadlines are whole seconds",
}
"""Why an order cannot be sent (English; the page screen has zh and en wording)."""


class PageOrderError(ConsoleError, ValueError):
    """The page put together is not complete; ``reason`` is one of :data:`REASONS`."""

    default_hint = "complete the page: targets, a message, and how it is sent"

    def __init__(self, reason: str, value: str = "") -> None:
        super().__init__(f"{REASONS[reason]}{f': {value}' if value else ''}")
        self.reason = reason
        self.value = value


@dataclass(frozen=True)
class PageOrder:
    """The officer's choices on the page screen, as typed (nothing resolved yet)."""

    tokens: tuple[str, ...]
    """Picked units and groups (aliases, names, numbers), in the order shown."""
    text: str = ""
    text_on: bool = True
    voice_on: bool = False
    speakers_on: bool = False
    zones: tuple[str, ...] = ()
    deadlines: tuple[str, str, str] | None = None
    """The 1 / 3 / 5-minute fields as typed (seconds); None: the station's deadlines."""
    fast: bool = True
    operator: str = ""

    @property
    def message(self) -> str:
        return self.text.strip()


def _deadlines(order: PageOrder, station: Station) -> Deadlines:
    if order.deadlines is None:
        return station.deadlines
    values: list[int] = []
    for raw in (r.strip() for r in order.deadlines):
        if not raw.isdigit() or int(raw) <= 0:
            raise PageOrderError("deadline", raw)
        values.append(int(raw))
    ack, en_route, on_scene = values
    return replace(station.deadlines, acknowledge_s=ack, en_route_s=en_route, on_scene_s=on_scene)


def radio_request(order: PageOrder, station: Station) -> PageRequest | None:
    """The radio page the order makes (None when it pages nobody by radio).

    Raises :class:`PageOrderError` (or the station's ``UnknownNameError``)."""
    if not order.text_on and not order.voice_on:
        return None
    if not order.tokens:
        raise PageOrderError("no_targets")
    if order.text_on and not order.message:
        raise PageOrderError("no_text")
    deadlines = _deadlines(order, station)
    return build_request(
        station,
        order.tokens,
        text=order.message if order.text_on else "",
        voice=order.voice_on,
        operator=order.operator,
        deadlines=deadlines,
        mode="fast" if order.fast else "individual",
    )


def check(order: PageOrder, station: Station) -> PageRequest | None:
    """Everything :func:`radio_request` checks, plus what sending needs: some way to send,
    zones for the loudspeakers, and words to speak on them."""
    request = radio_request(order, station)
    zones = order.zones if order.speakers_on else ()
    if request is None and not zones:
        raise PageOrderError("no_mode")
    if order.speakers_on and not zones:
        raise PageOrderError("no_zones")
    if request is None and not order.message:
        raise PageOrderError("no_text")
    return request


def needs_confirmation(request: PageRequest | None, zones: Sequence[str]) -> bool:
    """A page to several units, any talkgroup call, or any loudspeaker zone asks first."""
    many = request is not None and (
        len(request.recipients) >= CONFIRM_AT or bool(request.talkgroups)
    )
    return many or bool(zones)

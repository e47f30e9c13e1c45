"""Radio events from the gateway: the wire log, live unit/group/link state, activity.

Wire events worth keeping (incoming SDS, calls, link changes) are logged here -- ladder
rungs, incidents and alarms are logged by their engines.  While the link is up the
signal strength is polled every ``signal_every`` seconds for the status bar.  One odd
event is logged and skipped; it never stops the feed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from console.eventlog import EventLogError, kinds
from console.runtime.live import LiveState
from console.runtime.shared import Shared
from drivers import radio_events as rev
from drivers.errors import DriverError
from drivers.gateway import Gateway
from drivers.link import LinkState, LinkStateChanged, PeiLink
from drivers.pei import commands
from drivers.pei import events as ev

log_ = logging.getLogger(__name__)


class WireWatch:
    """Turns gateway events into log lines and live state; polls the signal.

    ``notice`` says why the gateway cannot be reached at all (it is shown instead of the
    link's own detail); it is asked at each link change because the simulator may fail
    to start after this is built.
    """

    def __init__(
        self,
        shared: Shared,
        live: LiveState,
        gateway: Gateway,
        link: PeiLink,
        *,
        signal_every: float | None,
        notice: Callable[[], str | None],
    ) -> None:
        self.shared = shared
        self.live = live
        self.gateway = gateway
        self.link = link
        self.signal_every = signal_every
        self.notice = notice
        self._signal_task: asyncio.Task[None] | None = None
        self._talkers: dict[int, tuple[str, str]] = {}
        """Call number → (talker, group) for whoever holds a floor now."""

    def close(self) -> None:
        if self._signal_task is not None:
            self._signal_task.cancel()

    def _wire(self, kind: str, unit: str | None, data: dict[str, Any]) -> None:
        try:
            self.shared.log.append(kind, unit=unit or None, data=data)
        except EventLogError:
            log_.exception("could not log %s", kind)
        self.shared.after_append()

    def on_radio(self, event: ev.PeiEvent) -> None:
        """The gateway's listener."""
        try:
            self._handle_radio(event)
        except Exception:  # one odd event must not stop the feed
            log_.exception("runtime: radio event %r", event)

    def _handle_radio(self, event: ev.PeiEvent) -> None:
        live = self.live
        if isinstance(event, rev.TextReceived):
            self._wire(kinds.WIRE_SDS_IN, event.sender, _text_data(event))
            live.touch_ssi(event.sender, what="text")
            live.activity("text", event.sender, called=event.called, text=event.text)
        elif isinstance(event, rev.StatusReceived):
            label = self._status_label(event.value)
            self._wire(
                kinds.WIRE_SDS_IN,
                event.sender,
                {"type": "status", "value": event.value, "called": event.called},
            )
            live.touch_ssi(event.sender, what="status")
            live.activity(
                "status",
                event.sender,
                called=event.called,
                value=event.value,
                label=label,
                emergency=event.emergency,
            )
        elif isinstance(event, rev.LocationReceived):
            data = {"type": "location", **_location(event.report)}
            self._wire(kinds.WIRE_SDS_IN, event.sender, data)
            live.touch_ssi(event.sender, what="location")
        elif isinstance(event, rev.SdsUndecodable):
            self._wire(
                kinds.WIRE_SDS_IN,
                event.sender,
                {"type": "undecodable", "payload": event.payload.hex(), "reason": event.reason},
            )
            live.activity("undecodable", event.sender, text=event.reason)
        elif isinstance(event, LinkStateChanged):
            self._on_link(event)
        elif isinstance(event, ev.ModeChanged):
            live.set_link(mode=event.mode)
        elif isinstance(event, ev.RegistrationChanged):
            live.set_link(registration=event.state)
        elif isinstance(event, ev.IncomingCall | ev.TxGranted | ev.TxCeased | ev.CallReleased):
            self._on_call(event)

    def _status_label(self, value: int) -> str:
        return self.shared.station.status_plan.label_of(value)

    def _on_call(self, event: ev.PeiEvent) -> None:
        live = self.live
        cc = getattr(event, "cc", 0)
        call = self.gateway.calls.get(cc)
        group = call.group if call is not None else ""
        data: dict[str, Any] = {"event": type(event).__name__, "cc": cc, "group": group}
        unit: str | None = None
        if isinstance(event, ev.IncomingCall):
            unit = event.calling_ssi
            data |= {"calling": unit, "called": event.called_ssi, "emergency": event.emergency}
            live.activity("call", unit, called=event.called_ssi, emergency=event.emergency)
            live.set_group(event.called_ssi, emergency=event.emergency)
        elif isinstance(event, ev.TxGranted):
            data |= {"grant": event.grant, "talker": event.talker_ssi}
            talker = event.talker_ssi if event.grant == 3 else None
            if event.grant == 0:
                talker = self.gateway.own_ssi or "console"
            if talker is not None:
                unit = talker
                self._clear_talker(cc)
                live.touch_ssi(talker, what="talk", talking_on=group or None)
                now = self.shared.clock.monotonic()
                live.set_group(group, talker=talker, talker_since_mono=now)
                live.activity("talk", talker, called=group)
                self._talkers[cc] = (talker, group)
        elif isinstance(event, ev.TxCeased):
            self._clear_talker(cc)
        elif isinstance(event, ev.CallReleased):
            data["cause"] = event.cause
            self._clear_talker(cc)
            live.set_group(group, emergency=False)
        self._wire("wire.call", unit, data)

    def _clear_talker(self, cc: int) -> None:
        previous = self._talkers.pop(cc, None)
        if previous is None:
            return
        talker, group = previous
        self.live.touch_ssi(talker, talking_on=None)
        self.live.set_group(group, talker=None, talker_since_mono=None)
        self.live.activity("talk_end", talker, called=group)

    def _on_link(self, event: LinkStateChanged) -> None:
        detail = event.detail if event.state is not LinkState.UP else ""
        notice = self.notice()
        if notice is not None:
            detail = notice
        mode = self.link.identity.mode if event.state is LinkState.UP else None
        self.live.set_link(state=event.state.value, detail=detail, mode=mode)
        self._wire(kinds.WIRE_LINK, None, {"state": event.state.value, "detail": event.detail})
        polling = self._signal_task is not None and not self._signal_task.done()
        if event.state is LinkState.UP and self.signal_every is not None and not polling:
            self._signal_task = asyncio.ensure_future(self._poll_signal())
        if event.state is not LinkState.UP:
            for cc in list(self._talkers):
                self._clear_talker(cc)

    async def _poll_signal(self) -> None:
        """``AT+CSQ?`` now and every ``signal_every`` seconds while the link is up."""
        assert self.signal_every is not None
        while self.link.state is LinkState.UP:
            try:
                done = await self.link.command(commands.query_signal(), priority=9)
                self.live.set_link(signal=commands.parse_int_field(done.lines, "+CSQ"))
            except DriverError:
                pass
            await self.shared.clock.sleep(self.signal_every)


def _text_data(event: rev.TextReceived) -> dict[str, Any]:
    return {
        "type": "text",
        "text": event.text,
        "called": event.called,
        "message_ref": event.message_ref,
        "coding": event.coding,
    }


def _location(report: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("latitude", "longitude", "lat", "lon", "reason"):
        value = getattr(report, name, None)
        if isinstance(value, int | float | str):
            out[name] = value
    return out

"""A trunking gateway as the console sees it: send texts, statuses and calls; hear answers.

Sits on a :class:`~drivers.link.PeiLink`, decodes incoming SDS with :mod:`drivers.sds`,
answers delivery-report requests the way a radio does, reassembles concatenated texts,
allocates SDS-TL message references, and keeps track of calls and who has the floor.
It knows nothing of stations, units or incidents.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from drivers import radio_events as rev
from drivers.errors import CommandError, DriverError, SdsDecodeError
from drivers.link import PRIORITY_LOW, PRIORITY_NORMAL, LinkState, LinkStateChanged, PeiLink
from drivers.listeners import Listeners
from drivers.pei import commands
from drivers.pei import events as ev
from drivers.pei.events import short_ssi
from drivers.sds import (
    AI_SDS_TL,
    AI_STATUS,
    ConcatPart,
    ConcatReassembler,
    LocationReport,
    ReportRequest,
    SdsAck,
    SdsReport,
    ShortReport,
    StatusMessage,
    TextMessage,
    decode_sds,
    encode_report,
    encode_status,
    split_text,
)

Listener = Callable[[ev.PeiEvent], None]
# Short report types (received / consumed / memory full / not supported) as full statuses.
_SHORT_REPORT_STATUS = {0: 0x50, 1: 0x42, 2: 0x00, 3: 0x02}


@dataclass(frozen=True)
class CallState:
    """A call the gateway is part of, and who has the floor."""

    cc: int
    group: str
    incoming: bool
    emergency: bool = False
    talker: str | None = None
    ours: bool = False
    connected: bool = False


def call_on(calls: Mapping[int, CallState], group: int | str) -> int | None:
    """The call id of the call on talkgroup ``group`` among ``calls``, if any (one place
    for the lookup the voice path, PTT and the paging engine all need)."""
    wanted = str(group)
    return next((cc for cc, call in calls.items() if call.group == wanted), None)


class Gateway:
    """Radio operations over one PEI link."""

    def __init__(self, link: PeiLink, *, auto_report: bool = True) -> None:
        self.link = link
        self.auto_report = auto_report
        self.calls: dict[int, CallState] = {}
        self.listeners: Listeners[ev.PeiEvent] = Listeners()
        # Radios de-duplicate SDS-TL by (source, reference): a process that starts again
        # at 1 would have its first pages taken for retries of the last process's.  So
        # start from the wall clock (a restart minutes later starts elsewhere); a service
        # with a log goes on after the log's last reference (continue_refs_after).
        self._refs = itertools.cycle(range(1, 256))
        self.continue_refs_after(int(link.clock.time()) % 255)
        self._concat_refs = itertools.cycle(range(1, 256))
        self._sds_mode: int | None = None
        self._sds_lock = asyncio.Lock()
        self._instances: dict[int, str] = {}
        self._reassembler = ConcatReassembler()
        self._call_waiters: list[asyncio.Future[int]] = []
        self._background: set[asyncio.Future[None]] = set()
        link.subscribe(self._on_link_event)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self.listeners.subscribe(listener)

    @property
    def own_ssi(self) -> str | None:
        return self.link.identity.ssi

    # --- sending ----------------------------------------------------------------------

    def call_on(self, group: int | str) -> int | None:
        """The call id of a call up on talkgroup ``group`` (ours or a radio's), if any."""
        return call_on(self.calls, group)

    def next_message_ref(self) -> int:
        return next(self._refs)

    def continue_refs_after(self, last: int) -> None:
        """Go on from ``last`` (the previous process's last SDS-TL reference, from its
        log): radios de-duplicate by reference, so starting again at 1 would make a new
        page look like a retry of an old one and it would never be shown."""
        start = last % 255 + 1
        self._refs = itertools.cycle([*range(start, 256), *range(1, start)])

    async def _sds(self, ai_service: int, dest: str, payload: bytes, priority: int) -> int:
        """Select the AI service if needed, then AT+CMGS; return the SDS instance."""
        async with self._sds_lock:
            if self._sds_mode != ai_service:
                params = (
                    self.link.dialect.sds_text_params
                    if ai_service == AI_SDS_TL
                    else self.link.dialect.sds_status_params
                )
                await self.link.command(commands.raw(params), priority=priority)
                self._sds_mode = ai_service
            done = await self.link.command(commands.send_sds(dest, payload), priority=priority)
        instance = commands.parse_cmgs_instance(done.lines)
        self._instances[instance] = dest
        if len(self._instances) > 1024:
            self._instances.pop(next(iter(self._instances)))
        return instance

    async def send_text(
        self,
        destination: int | str,
        text: str,
        *,
        report: ReportRequest = ReportRequest.RECEIVED,
        priority: int = PRIORITY_NORMAL,
        message_ref: int | None = None,
    ) -> list[rev.SentSds]:
        """Send ``text`` (split into concatenated parts if long); one SentSds per part."""
        dest = str(destination)
        first = message_ref if message_ref is not None else self.next_message_ref()
        parts = split_text(text, first, next(self._concat_refs), report=report)
        sent: list[rev.SentSds] = []
        for ref, pdu in parts:
            instance = await self._sds(AI_SDS_TL, dest, pdu, priority)
            sent.append(rev.SentSds(dest, ref, instance))
        # Keep the allocator ahead of references used by multi-part messages.
        for _ in range(len(parts) - 1):
            self.next_message_ref()
        return sent

    async def send_status(
        self, destination: int | str, value: int, *, priority: int = PRIORITY_NORMAL
    ) -> rev.SentSds:
        dest = str(destination)
        instance = await self._sds(AI_STATUS, dest, encode_status(value), priority)
        return rev.SentSds(dest, None, instance)

    async def send_raw_sds(
        self, destination: int | str, payload: bytes, *, ai_service: int = AI_SDS_TL
    ) -> rev.SentSds:
        dest = str(destination)
        instance = await self._sds(ai_service, dest, payload, PRIORITY_NORMAL)
        return rev.SentSds(dest, None, instance)

    async def start_group_call(
        self, group: int | str, *, emergency: bool = False, timeout: float = 10.0
    ) -> int:
        """Set up a group call to ``group`` and return its CC instance."""
        params = (
            self.link.dialect.emergency_call_params
            if emergency
            else self.link.dialect.group_call_params
        )
        await self.link.command(commands.raw(params), priority=0 if emergency else 1)
        fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._call_waiters.append(fut)
        try:
            await self.link.command(commands.dial(group), priority=0 if emergency else 1)
            waiter: asyncio.Future[None] = asyncio.ensure_future(self.link.clock.sleep(timeout))
            racers: list[asyncio.Future[Any]] = [fut, waiter]
            await asyncio.wait(racers, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if not fut.done():
                raise CommandError(
                    f"group call to {group}: the gateway never reported the call",
                    hint="The network may be busy; try again.",
                )
            cc = fut.result()
        finally:
            if fut in self._call_waiters:
                self._call_waiters.remove(fut)
        state = self.calls.get(cc, CallState(cc, str(group), incoming=False))
        self.calls[cc] = replace(state, group=str(group), emergency=emergency)
        return cc

    async def ptt_press(self, cc: int, *, priority: int | None = None) -> None:
        prio = self.link.dialect.ptt_priority if priority is None else priority
        await self.link.command(commands.ptt_press(cc, prio), priority=0)

    async def ptt_release(self, cc: int) -> None:
        await self.link.command(commands.ptt_release(cc), priority=0)

    async def hang_up(self) -> None:
        await self.link.command(commands.hang_up(), priority=1)

    # --- receiving --------------------------------------------------------------------

    def _emit(self, event: ev.PeiEvent) -> None:
        self.listeners.emit(event)

    def _on_link_event(self, event: ev.PeiEvent) -> None:
        if isinstance(event, ev.SdsReceived):
            self._on_sds(event)
            return
        if isinstance(event, ev.SdsSendStatus):
            dest = self._instances.get(event.instance, "")
            self._emit(rev.SdsTransmitted(dest, event.message_ref, event.instance, event.sent))
        elif isinstance(event, LinkStateChanged) and event.state is not LinkState.UP:
            self._sds_mode = None  # a rebooted gateway forgot it
            self.calls.clear()
        else:
            self._track_call(event)
        self._emit(event)

    def _on_sds(self, event: ev.SdsReceived) -> None:
        sender = event.calling_ssi
        try:
            pdu = decode_sds(event.ai_service, event.payload, event.bits)
        except SdsDecodeError as exc:
            self._emit(rev.SdsUndecodable(sender, event.ai_service, event.payload, str(exc)))
            return
        called = event.called_ssi
        if isinstance(pdu, TextMessage):
            self._emit(
                rev.TextReceived(sender, called, pdu.text, pdu.message_ref, pdu.coding, pdu.raw)
            )
            self._answer_report(sender, pdu.message_ref, pdu.report_request, pdu.pid)
        elif isinstance(pdu, ConcatPart):
            self._answer_report(sender, pdu.message_ref, pdu.report_request, pdu.pid)
            whole = self._reassembler.feed(sender, pdu)
            if whole is not None:
                self._emit(
                    rev.TextReceived(
                        sender, called, whole.text, whole.message_ref, whole.coding, whole.raw
                    )
                )
        elif isinstance(pdu, SdsReport | SdsAck):
            self._emit(rev.DeliveryReport(sender, pdu.message_ref, pdu.status))
        elif isinstance(pdu, ShortReport):
            status = _SHORT_REPORT_STATUS.get(pdu.report_type, 0x50)
            self._emit(rev.DeliveryReport(sender, pdu.message_ref, status))
        elif isinstance(pdu, StatusMessage):
            self._emit(rev.StatusReceived(sender, called, pdu.value))
        elif isinstance(pdu, LocationReport):
            self._emit(rev.LocationReceived(sender, pdu))
        else:
            self._emit(
                rev.SdsUndecodable(sender, event.ai_service, event.payload, "unsupported PDU")
            )

    def _answer_report(
        self, sender: str, ref: int | None, request: ReportRequest, pid: int
    ) -> None:
        """Tell the sender we have it, as a radio would (SDS-REPORT 'received')."""
        if not self.auto_report or ref is None or request == ReportRequest.NONE:
            return
        statuses = []
        if request in (ReportRequest.RECEIVED, ReportRequest.BOTH):
            statuses.append(0x00)
        if request in (ReportRequest.CONSUMED, ReportRequest.BOTH):
            statuses.append(0x02)  # shown on the console at once: consumed
        for status in statuses:
            payload = encode_report(status, ref, pid=pid)
            task = asyncio.ensure_future(self._send_report(sender, payload))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _send_report(self, sender: str, payload: bytes) -> None:
        # Best effort: the sender's radio retries or shows "not delivered".
        with contextlib.suppress(DriverError):
            await self._sds(AI_SDS_TL, sender, payload, PRIORITY_LOW)

    def _track_call(self, event: ev.PeiEvent) -> None:
        if isinstance(event, ev.IncomingCall):
            self.calls[event.cc] = CallState(
                event.cc, event.called_ssi, incoming=True, emergency=event.emergency
            )
        elif isinstance(event, ev.CallProgress | ev.CallConnected):
            if event.cc not in self.calls:
                self.calls[event.cc] = CallState(event.cc, "", incoming=False)
                for fut in self._call_waiters:
                    if not fut.done():
                        fut.set_result(event.cc)
                        break
            if isinstance(event, ev.CallConnected):
                self.calls[event.cc] = replace(self.calls[event.cc], connected=True)
        elif isinstance(event, ev.TxGranted):
            state = self.calls.get(event.cc, CallState(event.cc, "", incoming=True))
            if event.grant == 0:
                self.calls[event.cc] = replace(state, ours=True, talker=self.own_ssi)
            elif event.grant == 3:
                talker = short_ssi(event.talker) if event.talker else None
                self.calls[event.cc] = replace(state, ours=False, talker=talker)
        elif isinstance(event, ev.TxCeased) and event.cc in self.calls:
            self.calls[event.cc] = replace(self.calls[event.cc], ours=False, talker=None)
        elif isinstance(event, ev.CallReleased):
            self.calls.pop(event.cc, None)

"""``/v1/live``: the screen feed for attached consoles (the TUI, the browser face).

The service's runtime already coalesces radio traffic into a few batches a second for a
screen (:mod:`console.runtime.stream`); this hands each batch to every attached face.
A batch is encoded once, whatever the number of faces.  Each face has a bounded queue: one
that cannot keep up (a stalled terminal, a dead network) is cut off with close code 4008
rather than slowing the service or the others; it reconnects and gets a fresh snapshot,
which is the whole picture, so its view resumes without a gap.  The log's own records
travel on ``/v1/stream`` (by sequence number); this stream is the view.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from console.runtime.view import Batch
from console.service.auth import CALLER
from console.service.view import LiveMessage, header, snapshot
from console.service.wire import to_wire

log_ = logging.getLogger(__name__)

QUEUE_LIMIT = 64
"""Batches a face may fall behind (~5 s at the busiest pace) before it is cut off."""
SLOW_CLIENT = 4008


def encode(message: LiveMessage) -> str:
    return json.dumps(to_wire(message), ensure_ascii=False, separators=(",", ":"))


class LiveHub:
    """Fans the runtime's batches out to the attached faces."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self._queues: set[asyncio.Queue[str | None]] = set()
        self.who: dict[asyncio.Queue[str | None], dict[str, str]] = {}
        """Who is behind each attached face (operator, position, role): ``/v1/faces``."""
        self._unsubscribe: Callable[[], None] | None = None
        self.sent = 0
        self.cut_off = 0

    @property
    def faces(self) -> int:
        return len(self._queues)

    def attach(self) -> None:
        self._unsubscribe = self.runtime.subscribe(self._on_batch)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for queue in list(self._queues):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)

    def _on_batch(self, batch: Batch) -> None:
        if not self._queues:
            return
        text = encode(LiveMessage(header(self.runtime), batch=batch))
        for queue in list(self._queues):
            try:
                queue.put_nowait(text)
            except asyncio.QueueFull:
                self._queues.discard(queue)
                self.cut_off += 1
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                queue.put_nowait(None)

    async def faces_handler(self, request: web.Request) -> web.Response:
        """``/v1/faces``: the consoles attached now, who and where."""
        return web.json_response(
            {"faces": list(self.who.values())}, dumps=lambda d: json.dumps(d, ensure_ascii=False)
        )

    async def snapshot(self, request: web.Request) -> web.Response:
        """``/v1/live/snapshot``: the picture now, as the stream's first message has it
        (a console draws it before its first frame, then follows the stream)."""
        text = encode(LiveMessage(header(self.runtime), snapshot=snapshot(self.runtime)))
        return web.Response(text=text, content_type="application/json")

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=10.0, max_msg_size=0)
        await ws.prepare(request)
        queue: asyncio.Queue[str | None] = asyncio.Queue(QUEUE_LIMIT)
        # The snapshot is taken and the queue joined in one step on the loop, so no
        # batch falls between them.
        first = encode(LiveMessage(header(self.runtime), snapshot=snapshot(self.runtime)))
        self._queues.add(queue)
        caller = request.get(CALLER)
        if caller is not None:
            self.who[queue] = {
                "operator": caller.operator,
                "position": caller.position,
                "role": caller.role.value,
            }
        reader = asyncio.ensure_future(self._drain(ws, queue))
        try:
            await ws.send_str(first)
            while not ws.closed:
                text = await queue.get()
                if text is None:
                    if queue not in self._queues:
                        await ws.close(code=SLOW_CLIENT, message=b"too slow: reconnect")
                    break
                await ws.send_str(text)
                self.sent += 1
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            reader.cancel()
            self._queues.discard(queue)
            self.who.pop(queue, None)
        return ws

    async def _drain(self, ws: web.WebSocketResponse, queue: asyncio.Queue[str | None]) -> None:
        """One-way stream: reading answers pings and notices the face going away."""
        async for msg in ws:
            if msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                break
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(None)

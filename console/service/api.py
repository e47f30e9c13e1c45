"""The client API of the station service: HTTP/JSON commands and one WebSocket stream.

Why HTTP/JSON + WebSocket on aiohttp: every face (the TUI, the command line, a browser,
the centre's tools, ``curl --unix-socket``) already speaks it; aiohttp is a mature asyncio
server that serves a Unix socket and TLS TCP from one application, and it is what
``textual-serve`` (the browser face) runs on, so the service has one server library.

Versioned under ``/v1``; every message is documented in ``docs/api.md``.  The stream is
the event log itself: each message carries the record's log id as ``seq``, and a client
that reconnects with ``?after=<last seq it saw>`` gets every later record, in order, with
no gap and nothing twice -- the log is read, never a buffer that could overflow.

Handlers hold no rules: they parse, check the caller's role, call the
:class:`~console.runtime.Runtime` (the one composition root) as that caller, log the
command with the operator and position (``operator.command``), and answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import WSMsgType, web

from console.errors import ConsoleError
from console.eventlog import EventLogError, EventRecord, kinds
from console.i18n import Phrase
from console.service.auth import (
    CALLER,
    OPERATOR_HEADER,
    POSITION_HEADER,
    ROLE_HEADER,
    Principal,
    local_principal,
    remote_principal,
)
from console.service.codec import record_json, to_json
from console.service.live import LiveHub
from console.service.state import StationState
from console.service.view import REGISTRY
from console.service.wire import WireError, to_wire

log_ = logging.getLogger(__name__)

API_VERSION = 1
PrincipalFactory = Callable[[web.Request], "Principal | None"]
PRINCIPAL: web.AppKey[PrincipalFactory] = web.AppKey("principal_factory")
STREAM_BATCH = 500
"""Records per stream message burst read from the log (keeps one read short)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """A refused command: HTTP status, one-line message, and a hint the user can act on."""

    def __init__(self, status: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint


def _json(data: Any, *, status: int = 200) -> web.Response:
    """A JSON answer with Chinese kept readable (UTF-8, not \\u escapes)."""
    return web.Response(
        text=json.dumps(data, ensure_ascii=False), status=status, content_type="application/json"
    )


def _error_response(status: int, message: str, hint: str = "") -> web.Response:
    """``error`` and ``hint`` in English for any client; ``words`` (when they are
    phrases) lets an attached console say them in its own language."""
    body: dict[str, Any] = {"error": str(message), "hint": str(hint)}
    words = {k: v.data() for k, v in (("error", message), ("hint", hint)) if isinstance(v, Phrase)}
    if words:
        body["words"] = words
    return _json(body, status=status)


def _incident(inc: Any, *, status: int = 200) -> web.Response:
    """An incident after a change: its id and state, and itself for a Python face."""
    return _json(
        {"incident": inc.id, "state": inc.state.value, "wire": to_wire(inc)}, status=status
    )


def _rollcall(call: Any, *, status: int = 200) -> web.Response:
    """A roll call just started: its id, and for a Python face its spec and first table."""
    return _json(
        {
            "rollcall": call.rollcall_id,
            "spec": to_wire(call.spec),
            "started_mono": call.started_mono,
            "wire": to_wire(call.result or call.snapshot()),
        },
        status=status,
    )


class StationApi:
    """The routes over one running :class:`~console.runtime.Runtime`."""

    def __init__(self, runtime: Any, *, tokens: tuple[Any, ...] = ()) -> None:
        self.runtime = runtime
        self.tokens = tokens
        self.state = StationState(runtime)
        self._waiters: set[asyncio.Event] = set()
        self._committed = runtime.log.committed_id
        self._remove_listener: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.clients = 0
        self._sockets: set[web.WebSocketResponse] = set()
        self.live = LiveHub(runtime)
        """The screen feed for attached consoles (``/v1/live``)."""

    # --- the application -----------------------------------------------------------------

    def app(self, *, remote: bool) -> web.Application:
        """One aiohttp application; ``remote`` ones require a token on every request."""
        app = web.Application(middlewares=[self._middleware])
        app[PRINCIPAL] = self._remote_principal if remote else self._local_principal
        r = app.router
        r.add_get("/v1", self.hello)
        r.add_get("/v1/state", self.get_state)
        r.add_get("/v1/events", self.get_events)
        r.add_get("/v1/stream", self.stream)
        r.add_get("/v1/live", self.live.handle)
        r.add_get("/v1/live/snapshot", self.live.snapshot)
        r.add_get("/v1/faces", self.live.faces_handler)
        r.add_get("/v1/export", self.export)
        r.add_post("/v1/pages", self.page)
        r.add_get("/v1/pages/{page}", self.get_page)
        r.add_post("/v1/pages/{page}/repage", self.repage)
        r.add_post("/v1/pages/{page}/acknowledge", self.mark_answered)
        r.add_post("/v1/pages/{page}/cancel", self.cancel)
        r.add_post("/v1/alarms/{alarm}/acknowledge", self.acknowledge_alarm)
        r.add_post("/v1/incidents", self.open_incident)
        r.add_post("/v1/incidents/{incident}/state", self.move_incident)
        r.add_post("/v1/incidents/{incident}/notes", self.add_note)
        r.add_post("/v1/incidents/{incident}/reopen", self.reopen_incident)
        r.add_post("/v1/rollcalls", self.start_rollcall)
        r.add_post("/v1/rollcalls/stop", self.stop_rollcall)
        r.add_post("/v1/rollcalls/{rollcall}/recall", self.recall)
        r.add_get("/v1/rollcalls/{rollcall}/report", self.rollcall_report)
        r.add_post("/v1/drills", self.start_drill)
        r.add_post("/v1/drills/stop", self.stop_drill)
        r.add_get("/v1/drills/{drill}/report", self.drill_report)
        r.add_post("/v1/broadcasts", self.start_broadcast)
        r.add_post("/v1/broadcasts/stop", self.stop_broadcast)
        r.add_post("/v1/ptt/press", self.ptt_press)
        r.add_post("/v1/ptt/release", self.ptt_release)
        return app

    def attach(self) -> None:
        """Follow the log's commits (the stream wakes on them)."""
        self._loop = asyncio.get_running_loop()
        self._remove_listener = self.runtime.log.add_commit_listener(self._on_commit_threadsafe)
        self.live.attach()

    async def close(self) -> None:
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        self.live.close()
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"service stopping")

    def _on_commit_threadsafe(self, committed_id: int) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._on_commit, committed_id)

    def _on_commit(self, committed_id: int) -> None:
        self._committed = max(self._committed, committed_id)
        for waiter in self._waiters:
            waiter.set()

    # --- who is asking -------------------------------------------------------------------

    def _local_principal(self, request: web.Request) -> Principal | None:
        return local_principal(
            request.headers.get(OPERATOR_HEADER),
            request.headers.get(POSITION_HEADER),
            self.runtime.operator,
            request.headers.get(ROLE_HEADER),
        )

    def _remote_principal(self, request: web.Request) -> Principal | None:
        peer = request.remote or "remote"
        return remote_principal(request.headers.get("Authorization"), self.tokens, peer)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        principal = request.app[PRINCIPAL](request)
        if principal is None:
            return _error_response(
                401, "a token is required", "send 'Authorization: Bearer <token>' (station file)"
            )
        if request.method == "POST" and not principal.may_act:
            return _error_response(
                403,
                f"{principal.operator} has a read-only token",
                "ask the station's technician for an operator token",
            )
        request[CALLER] = principal
        try:
            return await handler(request)
        except ApiError as exc:
            return _error_response(exc.status, exc.message, exc.hint)
        except ConsoleError as exc:
            return _error_response(400, exc.message, exc.hint or "")
        except EventLogError as exc:
            return _error_response(503, f"event log: {exc.message}", exc.hint or "")
        except (KeyError, LookupError) as exc:
            return _error_response(404, f"not found: {exc}")
        except ValueError as exc:
            return _error_response(400, str(exc))

    # --- reading -------------------------------------------------------------------------

    async def hello(self, request: web.Request) -> web.Response:
        p: Principal = request[CALLER]
        rt = self.runtime
        return _json(
            {
                "api": API_VERSION,
                "station": rt.station.name,
                "gateway": rt.url,
                "log": str(rt.log.path),
                "last_seq": rt.log.committed_id,
                "you": to_json(p),
            }
        )

    async def get_state(self, request: web.Request) -> web.Response:
        return _json(self.state.snapshot())

    async def get_events(self, request: web.Request) -> web.Response:
        q = request.query
        limit = min(int(q.get("limit", "1000")), 10000)
        kinds_ = q.getall("kind", []) or None
        records = await asyncio.to_thread(
            lambda: list(
                self.runtime.log.query(
                    after=int(q["after"]) if "after" in q else None,
                    since=q.get("since"),
                    until=q.get("until"),
                    kinds=kinds_,
                    unit=q.get("unit"),
                    incident=q.get("incident"),
                    page=q.get("page"),
                    text=q.get("text"),
                    limit=limit,
                )
            )
        )
        return _json({"events": [record_json(r) for r in records], "last_seq": self._committed})

    async def export(self, request: web.Request) -> web.StreamResponse:
        from console.eventlog import write_records

        q = request.query
        fmt = q.get("format", "csv")
        if fmt not in ("csv", "jsonl"):
            raise ApiError(400, f"unknown export format {fmt!r}", "use csv or jsonl")
        records = await asyncio.to_thread(
            lambda: list(
                self.runtime.log.query(
                    since=q.get("since"),
                    until=q.get("until"),
                    unit=q.get("unit"),
                    incident=q.get("incident"),
                )
            )
        )
        import io

        buf = io.StringIO()
        write_records(records, buf, fmt)
        ctype = "text/csv" if fmt == "csv" else "application/x-ndjson"
        return web.Response(text=buf.getvalue(), content_type=ctype, charset="utf-8")

    async def get_page(self, request: web.Request) -> web.Response:
        page_id = request.match_info["page"]
        if page_id not in self.runtime.paging.pages:
            raise ApiError(404, f"no page {page_id} in this service")
        view = self.runtime.paging.view(page_id)
        if request.query.get("form") == "wire":
            return _json({"wire": to_wire(view)})
        from console.paging.document import page_document

        return _json(page_document(view, url=self.runtime.url))

    async def stream(self, request: web.Request) -> web.WebSocketResponse:
        """The live stream: every committed log record after ``?after=N``, then new ones."""
        ws = web.WebSocketResponse(heartbeat=10.0)
        await ws.prepare(request)
        after = int(request.query.get("after", "-1"))
        if after < 0:  # a new client starts from now (its snapshot came from /v1/state)
            after = self.runtime.log.committed_id
        self.clients += 1
        self._sockets.add(ws)
        wake = asyncio.Event()
        self._waiters.add(wake)
        reader = asyncio.ensure_future(self._drain_incoming(ws, wake))
        try:
            await ws.send_json({"type": "hello", "api": API_VERSION, "after": after})
            while not ws.closed:
                wake.clear()
                records = await asyncio.to_thread(self._read_after, after)
                for rec in records:
                    await ws.send_str(
                        json.dumps({"type": "event", **record_json(rec)}, ensure_ascii=False)
                    )
                    after = rec.id
                if len(records) == STREAM_BATCH:
                    continue
                if self._committed <= after and not ws.closed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), 5.0)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            reader.cancel()
            self._waiters.discard(wake)
            self.clients -= 1
            self._sockets.discard(ws)
        return ws

    def _read_after(self, after: int) -> list[EventRecord]:
        return list(self.runtime.log.query(after=after, limit=STREAM_BATCH))

    async def _drain_incoming(self, ws: web.WebSocketResponse, wake: asyncio.Event) -> None:
        """The stream is one-way; reading keeps pings answered and notices a close."""
        async for msg in ws:
            if msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                break
        wake.set()

    # --- commands ------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ApiError(400, "the request body is not JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "the request body must be a JSON object")
        return body

    def _audit(self, request: web.Request, command: str, **data: Any) -> None:
        """Log the command with who sent it and from where (before it is carried out)."""
        p: Principal = request[CALLER]
        self.runtime.log.append(
            kinds.OPERATOR_COMMAND,
            operator=p.operator,
            data={"command": command, "position": p.position, "role": p.role.value, **data},
        )

    def _wire(self, body: dict[str, Any], key: str, cls: type) -> Any:
        """A value a Python face sent in wire form (:mod:`console.service.wire`)."""
        try:
            value = REGISTRY.decode(body[key], cls)
        except WireError as exc:
            raise ApiError(400, f"{key}: {exc}", "client and service differ in version?") from None
        if not isinstance(value, cls):
            raise ApiError(400, f"{key} is not a {cls.__name__}")
        return value

    async def page(self, request: web.Request) -> web.Response:
        from console.config.model import PAGE_MODES
        from console.paging.model import PageRequest
        from console.paging.selection import build_request

        body = await self._body(request)
        p: Principal = request[CALLER]
        if "request" in body:  # a console's own page dialog built the request
            req = replace(self._wire(body, "request", PageRequest), operator=p.operator)
            self._audit(request, "page", responders=[r.issi for r in req.recipients])
            page_id = self.runtime.page(req, incident_id=body.get("incident"))
            return _json(
                {"page": page_id, "responders": [r.issi for r in req.recipients]}, status=201
            )
        # "targets" is what clients before December 2026 sent
        names = [str(t) for t in body.get("recipients", body.get("targets", []))]
        text, voice = str(body.get("text", "")), bool(body.get("voice", False))
        mode = str(body.get("mode") or self.runtime.station.paging.mode)
        if mode not in PAGE_MODES:
            raise ApiError(400, f"unknown mode {mode!r}", f"one of {', '.join(PAGE_MODES)}")
        if not names:
            raise ApiError(400, "nothing to page", "give at least one unit or group in recipients")
        if not text and not voice:
            raise ApiError(400, "nothing to send", "give a text and/or voice: true")
        station = self.runtime.station
        req = build_request(station, names, text=text, voice=voice, operator=p.operator, mode=mode)
        if voice and not req.talkgroups:
            raise ApiError(400, "voice needs a talkgroup", "add a talkgroup to recipients")
        self._audit(request, "page", recipients=names, text=text, voice=voice, mode=mode)
        page_id = self.runtime.page(req, incident_id=body.get("incident"))
        return _json({"page": page_id, "responders": [r.issi for r in req.recipients]}, status=201)

    async def repage(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        page_id = request.match_info["page"]
        units = tuple(int(u) for u in body["units"]) if "units" in body else None
        self._require_page(page_id)
        self._audit(request, "repage", page=page_id, units=list(units) if units else None)
        done = self.runtime.repage(page_id, units=units, operator=request[CALLER].operator)
        return _json({"page": page_id, "repaged": done})

    async def mark_answered(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        page_id = request.match_info["page"]
        self._require_page(page_id)
        unit, note = int(body["unit"]), str(body.get("note", ""))
        method, rung = str(body.get("method", "phone")), str(body.get("rung", "acknowledged"))
        self._audit(
            request, "acknowledge_for", page=page_id, unit=unit, note=note, method=method, rung=rung
        )
        done = self.runtime.mark_answered(
            page_id, unit, method=method, rung=rung, operator=request[CALLER].operator, note=note
        )
        return _json({"page": page_id, "unit": unit, "recorded": done})

    async def cancel(self, request: web.Request) -> web.Response:
        page_id = request.match_info["page"]
        self._require_page(page_id)
        self._audit(request, "cancel", page=page_id)
        self.runtime.close_page(page_id, operator=request[CALLER].operator)
        return _json({"page": page_id, "closed": True})

    def _require_page(self, page_id: str) -> None:
        if page_id not in self.runtime.paging.pages:
            raise ApiError(404, f"no page {page_id} in this service")

    async def acknowledge_alarm(self, request: web.Request) -> web.Response:
        alarm = request.match_info["alarm"]
        wanted = None if alarm == "oldest" else alarm
        if wanted is not None and self.runtime.alarms.get(wanted) is None:
            raise ApiError(404, f"no alarm {wanted}")
        self._audit(request, "acknowledge_alarm", alarm=alarm)
        done = self.runtime.acknowledge_alarm(wanted, operator=request[CALLER].operator)
        return _json({"alarm": done})

    async def move_incident(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        incident = request.match_info["incident"]
        state = str(body.get("state", ""))
        self._audit(request, "move_incident", incident=incident, state=state)
        inc = self.runtime.move_incident(
            incident, state, operator=request[CALLER].operator, note=body.get("note")
        )
        return _incident(inc)

    async def open_incident(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        kind, title = str(body.get("kind", "")), str(body.get("title", ""))
        self._audit(request, "open_incident", kind=kind, title=title)
        inc = self.runtime.open_incident(
            kind,
            title,
            operator=request[CALLER].operator,
            priority=str(body.get("priority", "normal")),
            location=body.get("location"),
        )
        return _incident(inc, status=201)

    async def add_note(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        incident = request.match_info["incident"]
        self._audit(request, "add_note", incident=incident)
        inc = self.runtime.add_note(
            incident, str(body.get("text", "")), operator=request[CALLER].operator
        )
        return _incident(inc)

    async def reopen_incident(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        incident = request.match_info["incident"]
        self._audit(request, "reopen_incident", incident=incident)
        inc = self.runtime.reopen_incident(
            incident, operator=request[CALLER].operator, reason=str(body.get("reason", ""))
        )
        return _incident(inc)

    async def start_rollcall(self, request: web.Request) -> web.Response:
        from console.rollcall import RollCallSpec

        body = await self._body(request)
        if "spec" in body:  # a console's roll call screen resolved the group itself
            spec = replace(
                self._wire(body, "spec", RollCallSpec), operator=request[CALLER].operator
            )
            self._audit(request, "start_rollcall", group=spec.group, mode=str(spec.mode))
            return _rollcall(self.runtime.start_rollcall(spec), status=201)
        group = body.get("group")
        if not group:
            raise ApiError(400, "which group?", "give group: a group name or GSSI")
        names = [str(g) for g in group] if isinstance(group, list) else str(group)
        spec = self.runtime.rollcall_spec(
            names,
            mode=str(body.get("mode", "status")),
            deadline_s=body.get("deadline_s"),
        )
        self._audit(request, "start_rollcall", group=names, mode=str(spec.mode))
        return _rollcall(self.runtime.start_rollcall(spec), status=201)

    async def stop_rollcall(self, request: web.Request) -> web.Response:
        self._audit(request, "stop_rollcall")
        result = self.runtime.stop_rollcall()
        return _json({"stopped": result is not None, "wire": to_wire(result) if result else None})

    async def recall(self, request: web.Request) -> web.Response:
        rid = request.match_info["rollcall"]
        self._audit(request, "recall_absent", rollcall=rid)
        call = self.runtime.recall_of(rid)
        return _rollcall(call) if call is not None else _json({"rollcall": None})

    async def rollcall_report(self, request: web.Request) -> web.Response:
        rid = request.match_info["rollcall"]
        await asyncio.to_thread(self.runtime.flush_log)
        report = self.runtime.rollcall_report(rid)
        return _json(to_json(report))

    async def start_drill(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        path = body.get("file")
        if not path:
            raise ApiError(400, "which drill file?", "give file: the drill file's path")
        drill = self.runtime.load_drill(str(path))
        self._audit(request, "start_drill", file=str(path))
        run = await self.runtime.start_drill(drill)
        return _json(
            {"drill": run.drill_id, "page": run.page_id, "wire": to_wire(run.progress())},
            status=201,
        )

    async def stop_drill(self, request: web.Request) -> web.Response:
        self._audit(request, "stop_drill")
        self.runtime.stop_drill()
        return _json({"stopped": True})

    async def drill_report(self, request: web.Request) -> web.Response:
        did = request.match_info["drill"]
        report = self.runtime.drill_report(did)
        return _json(to_json(report))

    async def start_broadcast(self, request: web.Request) -> web.Response:
        from console.broadcast.model import SourceSpec

        body = await self._body(request)
        zones = [str(z) for z in body.get("zones", [])]
        if "source" in body:
            source = self._wire(body, "source", SourceSpec)
        elif "tts" in body:
            source = SourceSpec.tts(str(body["tts"]))
        elif "wav" in body:
            source = SourceSpec.wav(str(body["wav"]))
        else:
            source = SourceSpec.tone(str(body.get("tone", "chime")), seconds=body.get("seconds"))
        self._audit(request, "start_broadcast", zones=zones, source=source.kind)
        bc = self.runtime.start_broadcast(
            zones,
            source,
            priority=str(body.get("priority", "routine")),
            incident=body.get("incident"),
            operator=request[CALLER].operator,
        )
        return _json({"broadcast": bc.id, "zones": list(bc.zones)}, status=201)

    async def stop_broadcast(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self._audit(request, "stop_broadcast", broadcast=body.get("broadcast"))
        self.runtime.stop_broadcast(body.get("broadcast"))
        return _json({"stopped": True})

    async def ptt_press(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self._audit(request, "ptt_press", group=body.get("group"))
        call = await self.runtime.ptt_press(body.get("group"), operator=request[CALLER].operator)
        return _json({"call": call})

    async def ptt_release(self, request: web.Request) -> web.Response:
        self._audit(request, "ptt_release")
        await self.runtime.ptt_release(operator=request[CALLER].operator)
        return _json({"released": True})

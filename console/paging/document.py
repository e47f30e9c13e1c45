"""A page as one JSON document: what ``dutydesk page --json`` prints and the API serves.

Its own module (not the command line's) so the station service can serve it without
importing the command that talks to the service (that was an import cycle).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def _iso(wall: float) -> str:
    return datetime.fromtimestamp(wall).astimezone().isoformat(timespec="milliseconds")


def page_document(view: Any, *, url: str | None = None, db: str | None = None) -> dict[str, Any]:
    """The ``--json`` document: the page, each responder's rungs with times, escalations."""
    start = view.created_mono
    responders = []
    for resp in view.responders:
        responders.append(
            {
                "issi": resp.issi,
                "alias": resp.alias,
                "kind": resp.kind,
                "via": resp.via,
                "backup_for": resp.backup_for,
                "acknowledged": resp.acknowledged,
                "top": resp.top.value if resp.top is not None else None,
                "attempts": resp.attempts,
                "rungs": [
                    {
                        "rung": r.rung.value,
                        "time": _iso(r.wall),
                        "seconds": round(r.mono - start, 3),
                        "implied": r.implied,
                        "source": r.source.value,
                        "attempt": r.attempt,
                        "cause": r.cause.value if r.cause is not None else None,
                        "detail": r.detail,
                        "retry": r.retry,
                        "message_ref": r.message_ref,
                    }
                    for r in resp.rungs
                ],
            }
        )
    acknowledged = sum(1 for r in view.responders if r.acknowledged)
    return {
        "page": view.page_id,
        "incident": view.incident_id,
        "text": view.text,
        "voice_groups": list(view.voice_groups),
        "operator": view.operator,
        "gateway": url,
        "db": db,
        "created": _iso(view.created_wall),
        "summary": {
            "responders": len(view.responders),
            "acknowledged": acknowledged,
            "not_acknowledged": len(view.responders) - acknowledged,
            "all_acknowledged": view.all_acknowledged,
        },
        "responders": responders,
        "escalations": [
            {
                "issi": e.issi,
                "target": e.deadline.value,
                "step": e.step.value,
                "time": _iso(e.wall),
                "seconds": round(e.mono - start, 3),
                "detail": e.detail,
                "backup": e.backup_issi,
            }
            for e in view.escalations
        ],
    }

"""The station's picture at one moment, for a face that has just attached (``/v1/state``).

A face takes this snapshot, then follows the stream from its ``last_seq``: the snapshot
says where things stand (link, units, open pages with their ladders, unacknowledged
alarms, open incidents, the running roll call or drill), the stream says what happened
since.  Read from the engines, which show only what the log has committed.
"""

from __future__ import annotations

from typing import Any

from console.service.codec import to_json


class StationState:
    """Builds snapshots of one :class:`~console.runtime.Runtime`."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    def snapshot(self) -> dict[str, Any]:
        rt = self.runtime
        last_seq = rt.log.committed_id
        pages = [v for v in rt.paging.views() if not v.closed]
        rollcall = rt.rollcall
        drill = rt.drill
        return {
            "last_seq": last_seq,
            "station": {"name": rt.station.name, "name_en": rt.station.name_en},
            "gateway": rt.url,
            "operator": rt.operator,
            "link": to_json(rt.link_status),
            "units": [to_json(u) for u in rt.units.values()],
            "groups": [to_json(g) for g in rt.groups.values()],
            "current_page": rt.current_page_id,
            "pages": [to_json(v) for v in pages],
            "alarms": [to_json(a) for a in rt.alarms.unacknowledged()],
            "incidents": [to_json(i) for i in rt.book.active()],
            "rollcall": {
                "id": rollcall.rollcall_id,
                "running": rt.rollcall_running,
            }
            if rollcall is not None
            else None,
            "drill": {"id": drill.drill_id, "running": rt.drill_running}
            if drill is not None
            else None,
        }

"""The ``replication`` lines of ``dutydesk doctor``: can this station reach the centre,
and how far behind is it (last shipped seq, backlog, lag)?

The doctor asks the centre and reads the log itself rather than asking a running
console, so it works on the bench whether or not the console is up.
"""

from __future__ import annotations

from pathlib import Path

from console.config import Station
from console.doctor.model import Finding, Status

LAG_WARN_S = 60.0


def check_replication(station: Station, log_path: Path) -> list[Finding]:
    from console.replication.probe import probe
    from console.replication.service import station_key

    rep = station.replication
    key = station_key(station)
    if not rep.url:
        return [Finding("replication", "centre", Status.SKIP, "no [replication] url")]
    status = probe(rep.url, key, log_path)
    host = rep.url.split("@")[-1].split("?")[0]
    if not status.connected:
        return [
            Finding(
                "replication",
                "centre",
                Status.FAIL,
                f"cannot ship to {host} as station {key!r}: {status.last_error}",
                "The station keeps paging and its log keeps every event for later. Check "
                "the network, the role and password (~/.pgpass), and that the centre ran "
                "'python -m console.replication migrate' and add-station for this role.",
            ),
            Finding(
                "replication",
                "backlog",
                Status.INFO,
                f"{status.backlog} events in {log_path} (not known which the centre has)",
            ),
        ]
    line = (
        f"shipped up to #{status.last_shipped_seq}, backlog {status.backlog}, "
        f"lag {status.lag_s:.1f} s"
    )
    lagging = status.backlog > 0 and status.lag_s > LAG_WARN_S
    return [
        Finding("replication", "centre", Status.OK, f"{host} answers for station {key!r}"),
        Finding(
            "replication",
            "backlog",
            Status.WARN if lagging else Status.OK,
            line,
            "Is the console (or 'dutydesk serve') running? It ships the backlog."
            if lagging
            else "",
        ),
    ]

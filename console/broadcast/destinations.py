"""Turn what the officer or technician named (zones by id or name, HOST:PORT) into endpoints.

The rule that matters: an address is only shouted at if the station file lists it, or a
technician typed it with ``--to`` (``allow_unlisted``), in which case the engine logs it.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from console.broadcast.errors import BadDestination, DestinationNotAllowed, UnknownZoneError
from console.broadcast.model import Codec, Endpoint, Protocol
from console.config import Speaker, Station, Zone

Destination = str | Endpoint
"""A zone id, a ``HOST:PORT`` text, or an :class:`Endpoint`."""


@dataclass(frozen=True)
class Resolved:
    """The endpoints of a request, deduplicated, with the zones they came from."""

    zones: tuple[str, ...]
    endpoints: tuple[Endpoint, ...]

    @property
    def unlisted(self) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.endpoints if not e.configured)


def speaker_endpoint(speaker: Speaker, zone: str | None) -> Endpoint:
    return Endpoint(
        host=speaker.host,
        port=speaker.port,
        codec=speaker.codec,
        protocol=speaker.protocol,
        channel=speaker.channel,
        name=speaker.name,
        zone=zone,
    )


def configured_endpoints(station: Station) -> dict[tuple[str, int], Endpoint]:
    """Every speaker of the station by address (first zone wins for shared ones)."""
    out: dict[tuple[str, int], Endpoint] = {}
    for zone in station.zones:
        for speaker in zone.speakers:
            ep = speaker_endpoint(speaker, zone.id)
            out.setdefault(ep.key, ep)
    return out


def parse_hostport(
    text: str, *, codec: Codec = "pcmu", protocol: Protocol = "rtp", channel: int | None = None
) -> Endpoint:
    """``HOST:PORT`` or ``[v6]:PORT`` -> an (unconfigured) endpoint."""
    raw = text.strip()
    if raw.startswith("["):
        host, sep, port_text = raw[1:].partition("]:")
    else:
        host, sep, port_text = raw.rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise BadDestination(f"not a HOST:PORT destination: {text!r}")
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise BadDestination(f"port must be 1..65535 in {text!r}")
    if protocol == "polycom" and channel is None:
        channel = 26
    return Endpoint(host, port, codec, protocol, channel, name=raw, configured=False)


def find_zone(station: Station, text: str) -> Zone | None:
    """The zone the officer named: its id, its Chinese or English name (case-insensitive),
    else the one zone whose Chinese name starts with ``text`` (``沿江`` for 沿江9处: the
    short form people say); None when there is no such zone or more than one would fit.
    English and ids match whole only, so a typo (``riversid``) asks instead of playing."""
    wanted = text.strip()
    folded = wanted.casefold()
    if not wanted:
        return None
    for zone in station.zones:
        if wanted == zone.id or wanted == zone.name or folded == zone.name_en.casefold():
            return zone
    starting = [z for z in station.zones if z.name.startswith(wanted)]
    return starting[0] if len(starting) == 1 else None


def _zone_error(station: Station, zone_id: str) -> UnknownZoneError:
    ids = [z.id for z in station.zones]
    folded = zone_id.casefold()
    close = [i for i in ids if folded and (folded in i.casefold() or i.casefold() in folded)]
    close += [c for c in difflib.get_close_matches(zone_id, ids, n=2, cutoff=0.5) if c not in close]
    for zone in station.zones:  # a part of a name fitting more than one zone
        named = folded in zone.name.casefold() or (folded and folded in zone.name_en.casefold())
        if named and zone.id not in close:
            close.append(zone.id)
    known = [f"{z.id} ({z.name})" for z in station.zones]
    return UnknownZoneError(zone_id, close[:3], known)


def resolve(
    station: Station, destinations: Iterable[Destination], *, allow_unlisted: bool = False
) -> Resolved:
    """Zones and addresses -> endpoints.

    A ``HOST:PORT`` that matches a configured speaker is that speaker (its codec and
    protocol win, since the station file describes the real device).  Any other address
    needs ``allow_unlisted`` (a technician's ``--to``), else :class:`DestinationNotAllowed`.
    """
    known = configured_endpoints(station)
    zones: list[str] = []
    out: dict[tuple[str, int], Endpoint] = {}
    for destination in destinations:
        if isinstance(destination, str) and ":" not in destination:
            zone = find_zone(station, destination)
            if zone is None:
                raise _zone_error(station, destination.strip())
            if zone.id not in zones:
                zones.append(zone.id)
            for speaker in zone.speakers:
                ep = speaker_endpoint(speaker, zone.id)
                out.setdefault(ep.key, ep)
            continue
        ep = parse_hostport(destination) if isinstance(destination, str) else destination
        listed = known.get(ep.key)
        if listed is not None:
            out.setdefault(ep.key, listed)
        elif not allow_unlisted:
            raise DestinationNotAllowed(
                f"{ep.address} is not a loudspeaker of this station ({station.source})"
            )
        else:
            out.setdefault(ep.key, replace(ep, configured=False))
    if not out:
        raise BadDestination(
            "no loudspeaker selected", hint="name a zone (--zone) or a destination (--to)"
        )
    return Resolved(tuple(zones), tuple(out.values()))


def is_multicast(endpoint: Endpoint) -> bool:
    try:
        return ipaddress.ip_address(endpoint.host).is_multicast
    except ValueError:
        return False


def names(endpoints: Sequence[Endpoint]) -> str:
    """``"1号点 江滨公园码头, 127.0.0.1:5006"`` for messages."""
    return ", ".join(e.name or e.address for e in endpoints)

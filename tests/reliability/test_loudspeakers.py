"""Loudspeakers: nothing goes to an address outside the station file; multicast stays local.

``console/broadcast`` resolves zones and ``HOST:PORT`` targets against the station's
configured speakers; ``drivers/audio/udp.py`` sets the multicast TTL from the station's
``audio.multicast_ttl`` (default 1: the datagrams never leave the station's subnet).
"""

from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.broadcast.destinations import configured_endpoints, resolve
from console.broadcast.errors import DestinationNotAllowed
from console.config import demo_station
from drivers.audio.udp import UdpSender

STATION = demo_station()
KNOWN = set(configured_endpoints(STATION))

HOSTS = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.sampled_from(["239.255.0.1", "224.0.0.1", "255.255.255.255", "127.0.0.1", "0.0.0.0"]),
    st.sampled_from(sorted({h for h, _ in KNOWN})),  # a configured host, another port
)


@settings(max_examples=300, deadline=None, database=None)
@given(host=HOSTS, port=st.integers(1, 65535))
def test_no_broadcast_to_an_unlisted_destination(host: str, port: int) -> None:
    if (host, port) in KNOWN:
        return
    with pytest.raises(DestinationNotAllowed):
        resolve(STATION, [f"{host}:{port}"])


def test_configured_speakers_resolve_and_nothing_else() -> None:
    assert KNOWN, "the demo station has loudspeakers"
    for zone in STATION.zones:
        resolved = resolve(STATION, [zone.id])
        assert {e.key for e in resolved.endpoints} <= KNOWN
        assert resolved.unlisted == ()


def test_multicast_ttl_stays_local_unless_configured() -> None:
    assert STATION.audio.multicast_ttl == 1
    sender = UdpSender()
    with sender._make_socket(socket.AF_INET) as sock:
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == 1
    sender = UdpSender(ttl=4)  # a station that configured audio.multicast_ttl = 4
    with sender._make_socket(socket.AF_INET) as sock:
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == 4

"""Loudspeaker checks: does the address resolve, can a UDP packet leave, is there a route?

RTP to a loudspeaker is one-way, so "the speaker is fine" cannot be proven from here;
what can be proven is everything on this PC's side: the name resolves, the kernel has a
route (and for multicast, which interface and TTL it will use), a datagram can be sent
(no firewall refusal), and -- on a LAN -- whether the host answered with ICMP "port
unreachable", which means it is up but nothing listens on that port.  The probe is one
empty UDP datagram, which a speaker ignores.
"""

from __future__ import annotations

import errno
import select
import socket
from dataclasses import dataclass

from console.doctor.model import Finding, Status

AREA = "speaker"


@dataclass(frozen=True)
class SpeakerAddress:
    """One loudspeaker (or multicast group) to check."""

    host: str
    port: int
    name: str = ""
    multicast_ttl: int = 1

    @property
    def label(self) -> str:
        where = f"{self.host}:{self.port}"
        return f"{self.name} ({where})" if self.name else where


def parse_host_port(text: str) -> SpeakerAddress:
    """``HOST:PORT`` or ``[v6]:PORT``; raises ValueError with a readable message."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"speaker {text!r} is not HOST:PORT (e.g. 192.168.1.50:5004)")
    return SpeakerAddress(host.strip("[]"), int(port))


def check_speaker(target: SpeakerAddress, *, wait: float = 0.3) -> list[Finding]:
    """Resolve, route, send one empty datagram, listen briefly for "port unreachable"."""
    label = target.label
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_DGRAM)
    except OSError as exc:
        return [
            Finding(
                AREA,
                "resolve",
                Status.FAIL,
                f"{label}: cannot resolve {target.host!r} ({exc})",
                "Use the speaker's IP address, or fix the name / DNS.",
            )
        ]
    family, _, _, _, sockaddr = infos[0]
    address = str(sockaddr[0])
    out = [Finding(AREA, "resolve", Status.OK, f"{label}: address {address}")]
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        multicast = _is_multicast(address)
        if multicast:
            if family == socket.AF_INET:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, target.multicast_ttl)
            else:
                sock.setsockopt(
                    socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, target.multicast_ttl
                )
        try:
            sock.connect(sockaddr)
            local = sock.getsockname()[0]
        except OSError as exc:
            return [*out, _route_failure(label, multicast, exc)]
        if multicast:
            ttl_note = " (stays on this LAN segment)" if target.multicast_ttl == 1 else ""
            out.append(
                Finding(
                    AREA,
                    "route",
                    Status.OK,
                    f"{label}: multicast leaves via interface {local}, "
                    f"TTL {target.multicast_ttl}{ttl_note}",
                )
            )
        else:
            out.append(Finding(AREA, "route", Status.OK, f"{label}: route via {local}"))
        try:
            sock.send(b"")
        except OSError as exc:
            out.append(
                Finding(
                    AREA,
                    "send",
                    Status.FAIL,
                    f"{label}: UDP send refused ({exc.strerror or exc})",
                    "Check the firewall (outgoing UDP) and the address.",
                )
            )
            return out
        refused = False if multicast else _port_unreachable(sock, wait)
        if refused:
            out.append(
                Finding(
                    AREA,
                    "send",
                    Status.WARN,
                    f"{label}: the host answered 'port unreachable': nothing listens on "
                    f"UDP port {target.port}",
                    "Check the speaker's RTP/paging port setting and that its paging is on.",
                )
            )
        else:
            out.append(Finding(AREA, "send", Status.OK, f"{label}: UDP packets can be sent"))
        return out
    finally:
        sock.close()


def _is_multicast(address: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(address).is_multicast
    except ValueError:
        return False


def _route_failure(label: str, multicast: bool, exc: OSError) -> Finding:
    if multicast:
        hint = (
            "No multicast route: add one for the speakers' interface, e.g. "
            "sudo ip route add 224.0.0.0/4 dev eth0 (or give this PC a default route)."
        )
    elif exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        hint = "No route to that network: check this PC's IP address, netmask and gateway."
    else:
        hint = "Check the speaker's address and this PC's network settings."
    return Finding(AREA, "route", Status.FAIL, f"{label}: {exc.strerror or exc}", hint)


def _port_unreachable(sock: socket.socket, wait: float) -> bool:
    """After a send on a connected UDP socket, Linux reports an ICMP port-unreachable as
    ECONNREFUSED on the next receive; wait (bounded) for it."""
    sock.setblocking(False)
    readable, _, _ = select.select([sock], [], [], wait)
    if not readable:
        return False
    try:
        sock.recv(2048)
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    return False

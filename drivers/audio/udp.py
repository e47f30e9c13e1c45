"""The thin I/O shell: UDP datagrams to loudspeakers, unicast and multicast alike.

One non-blocking socket per address family carries every destination; multicast needs
no separate code path, only socket options set once: ``IP_MULTICAST_TTL`` (default 1, so
pages never leave the LAN unless configured), ``IP_MULTICAST_LOOP`` (lets a receiver on
this PC hear the page), ``IP_MULTICAST_IF`` (which NIC) and ``IP_TOS`` 0xB8 (DSCP EF, what
baresip and VoIP switches expect for voice).  A failed ``sendto`` becomes a
:class:`SendError` with an actionable hint; it concerns one speaker only, and the
Broadcaster carries on with the others.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Callable
from typing import Protocol

from drivers.audio.destination import Destination
from drivers.audio.errors import AudioConfigError, SendError

__all__ = ["PacketSender", "UdpSender"]

_HINTS = {
    errno.ENETUNREACH: "No route to the speaker's network: check this PC's network cable, "
    "IP address and gateway, and the speaker's address.",
    errno.EHOSTUNREACH: "The speaker's host is unreachable: check its address and that it is "
    "powered and on the same network.",
    errno.EACCES: "The system refused the packet (firewall, or a broadcast address): check "
    "the speaker's address and the firewall.",
    errno.EPERM: "The system refused the packet (firewall rules): check the firewall.",
    errno.EMSGSIZE: "The packet is too large for the network (MTU); use 20 ms frames.",
    errno.EADDRNOTAVAIL: "This PC has no address that can reach the speaker: check the "
    "network interface and the multicast interface setting.",
    errno.ENOBUFS: "The network card is overloaded; packets are being dropped.",
    errno.EAGAIN: "The network send buffer is full; packets are being dropped (too many "
    "speakers for this link?).",
    errno.EINVAL: "The speaker's address is not valid for this socket; check it.",
}


class PacketSender(Protocol):
    """What the Broadcaster sends through (a UdpSender, or a recorder in tests)."""

    def send(self, dest: Destination, data: bytes) -> None:
        """Send one datagram to ``dest`` or raise :class:`SendError`."""

    def close(self) -> None:
        """Release the sockets."""


class UdpSender:
    """UDP sockets for pages: one per address family, created on first use."""

    def __init__(
        self,
        *,
        ttl: int = 1,
        tos: int = 0xB8,
        loop: bool = True,
        bind: str | None = None,
        interface: str | None = None,
    ) -> None:
        if not 0 <= ttl <= 255:
            raise AudioConfigError(f"multicast TTL {ttl} is not 0..255")
        if not 0 <= tos <= 255:
            raise AudioConfigError(f"IP TOS {tos} is not 0..255")
        self.ttl = ttl
        self.tos = tos
        self.loop = loop
        self.bind = bind
        self.interface = interface
        self._sockets: dict[int, socket.socket] = {}
        self._addresses: dict[tuple[str, int], tuple[int, tuple[str, int]]] = {}
        self.packets_sent = 0
        self.bytes_sent = 0

    def _make_socket(self, family: int) -> socket.socket:
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            if family == socket.AF_INET:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, self.ttl)
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(self.loop))
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, self.tos)
                if self.interface:
                    sock.setsockopt(
                        socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(self.interface)
                    )
            else:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, self.ttl)
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, int(self.loop))
                if hasattr(socket, "IPV6_TCLASS"):
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, self.tos)
            if self.bind:
                bind_family = (
                    socket.AF_INET6
                    if ipaddress.ip_address(self.bind).version == 6
                    else socket.AF_INET
                )
                if bind_family == family:
                    sock.bind((self.bind, 0))
            sock.setblocking(False)
        except (OSError, ValueError) as exc:
            sock.close()
            raise SendError(
                f"cannot set up the UDP socket ({exc})",
                hint="Check the bind/interface address: it must belong to this PC.",
            ) from None
        return sock

    def _resolve(self, dest: Destination) -> tuple[int, tuple[str, int]]:
        key = (dest.host, dest.port)
        found = self._addresses.get(key)
        if found is not None:
            return found
        host = dest.host.strip("[]")
        try:
            ip = ipaddress.ip_address(host)
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            result: tuple[int, tuple[str, int]] = (int(family), (host, dest.port))
        except ValueError:
            # A host name: resolved once (blocking) and cached; prefer IP addresses.
            try:
                infos = socket.getaddrinfo(host, dest.port, type=socket.SOCK_DGRAM)
            except OSError as exc:
                raise SendError(
                    f"{dest}: cannot resolve {host!r} ({exc})",
                    hint="Use the speaker's IP address, or check the name and DNS.",
                ) from None
            family, _, _, _, sockaddr = infos[0]
            result = (int(family), (str(sockaddr[0]), int(sockaddr[1])))
        self._addresses[key] = result
        return result

    def _socket(self, family: int) -> socket.socket:
        sock = self._sockets.get(family)
        if sock is None:
            sock = self._sockets[family] = self._make_socket(family)
        return sock

    @staticmethod
    def _error(dest: Destination, exc: OSError) -> SendError:
        code = exc.errno if exc.errno is not None else 0
        if isinstance(exc, BlockingIOError):
            code = errno.EAGAIN
        reason = exc.strerror or type(exc).__name__
        return SendError(f"{dest}: {reason}", hint=_HINTS.get(code))

    def send(self, dest: Destination, data: bytes) -> None:
        family, addr = self._resolve(dest)
        sock = self._socket(family)
        try:
            sock.sendto(data, addr)
        except OSError as exc:
            raise self._error(dest, exc) from None
        self.packets_sent += 1
        self.bytes_sent += len(data)

    def sender_for(self, dest: Destination) -> Callable[[bytes], None]:
        """A send function bound to one destination (address resolved, socket chosen once).

        The Broadcaster uses it instead of ``send`` (so a subclass that wants to see
        every packet overrides this too): at 200 speakers x 50 packets/s the
        per-packet lookups of :meth:`send` are a measurable share of the 20 ms frame.
        Raises :class:`SendError` exactly like ``send``.
        """
        try:
            family, addr = self._resolve(dest)
            sendto = self._socket(family).sendto
        except SendError as exc:
            failure = exc

            def failed(data: bytes) -> None:
                raise failure

            return failed

        def send(data: bytes) -> None:
            try:
                sendto(data, addr)
            except OSError as exc:
                raise self._error(dest, exc) from None
            self.packets_sent += 1
            self.bytes_sent += len(data)

        return send

    def close(self) -> None:
        for sock in self._sockets.values():
            sock.close()
        self._sockets.clear()

    def __enter__(self) -> UdpSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""UdpSender: socket options, loopback delivery, typed errors with hints."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from drivers.audio.errors import SendError
from drivers.audio.sender import Destination, UdpSender


@pytest.fixture
def receiver() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2)
    yield sock
    sock.close()


def test_unicast_delivery_and_default_socket_options(receiver: socket.socket) -> None:
    port = receiver.getsockname()[1]
    with UdpSender() as sender:
        sender.send(Destination("127.0.0.1", port), b"hello")
        data, _ = receiver.recvfrom(100)
        assert data == b"hello"
        sock = sender._sockets[socket.AF_INET]
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_TOS) == 0xB8
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == 1
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP) == 1
        assert sender.packets_sent == 1 and sender.bytes_sent == 5


def test_options_are_configurable(receiver: socket.socket) -> None:
    port = receiver.getsockname()[1]
    with UdpSender(ttl=16, tos=0, loop=False, bind="127.0.0.1") as sender:
        sender.send(Destination("127.0.0.1", port), b"x")
        _, src = receiver.recvfrom(10)
        sock = sender._sockets[socket.AF_INET]
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == 16
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP) == 0
        assert src[0] == "127.0.0.1"


def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    rx = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:
        rx.bind(("::1", 0))
    except OSError as exc:
        rx.close()
        pytest.skip(f"IPv6 loopback unavailable: {exc}")
    rx.settimeout(2)
    with rx, UdpSender() as sender:
        sender.send(Destination("::1", rx.getsockname()[1]), b"v6")
        assert rx.recvfrom(10)[0] == b"v6"


def test_refused_packet_is_a_send_error_with_hint() -> None:
    with UdpSender() as sender, pytest.raises(SendError) as info:
        sender.send(Destination("255.255.255.255", 5004, name="广场"), b"x")
    text = str(info.value)
    assert text.startswith("广场 (255.255.255.255:5004 rtp/pcmu): ")
    assert "hint:" in text and "address" in text


def test_unresolvable_name_is_a_send_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with UdpSender() as sender, pytest.raises(SendError, match="cannot resolve 'speaker-7'"):
        sender.send(Destination("speaker-7", 5004), b"x")


def test_bad_bind_address_is_a_send_error() -> None:
    with UdpSender(bind="192.0.2.77") as sender, pytest.raises(SendError, match="UDP socket"):
        sender.send(Destination("127.0.0.1", 9), b"x")


def test_destination_multicast_detection_and_label() -> None:
    assert Destination("239.255.42.1", 50000).is_multicast
    assert Destination("ff02::1", 5004).is_multicast
    assert not Destination("10.1.2.3", 5004).is_multicast
    assert not Destination("speaker.local", 5004).is_multicast
    assert str(Destination("224.0.1.116", 5001, protocol="polycom", channel=50)) == (
        "224.0.1.116:5001 polycom/pcmu ch50"
    )


async def test_broadcaster_counts_an_unresolvable_speaker_and_carries_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import random

    from drivers.audio.sender import Broadcaster
    from drivers.audio.sources import silence
    from drivers.clock import VirtualClock

    real = socket.getaddrinfo

    def fake(host: str, *args: object, **kwargs: object) -> object:
        if host == "speaker-7":
            raise socket.gaierror(-2, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(2)
    clock = VirtualClock()
    bad, good = Destination("speaker-7", 5004), Destination("127.0.0.1", rx.getsockname()[1])
    with rx, UdpSender() as sender:
        bc = Broadcaster([bad, good], clock=clock, sender=sender, rng=random.Random(1))
        task = asyncio.create_task(bc.play(silence(0.06)))
        await clock.run_until(task.done, limit=1)
        stats = await task
        assert len(rx.recvfrom(200)[0]) == 172
    assert stats.errors == {bad: 3}
    assert [d.packets_sent for d in stats.destinations] == [0, 3]

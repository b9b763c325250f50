"""Issue 18 items 9 and 10: every non-global address is refused (IPv4 wrapped in IPv6
included), and a fetch has a total deadline, not just a per-read timeout."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator

import pytest

from takeaways.errors import FetchError, FetchTimeoutError
from takeaways.ingest import fetch

REFUSED = [
    # the addresses, accepted before
    "::127.0.0.1",  # IPv4-compatible loopback
    "::ffff:0:7f00:1",  # IPv4-translated loopback
    "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata address 169.254.169.254
    "64:ff9b:1::a00:1",  # local-use NAT64 of 10.0.0.1
    "fec0::1",  # site-local
    "192.0.0.8",  # IETF protocol assignments (dummy address)
    # more of the same families
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::10.0.0.1",
    "64:ff9b::7f00:1", "64:ff9b::c0a8:101", "2002:7f00:1::1", "2002:c0a8:101::1",
    "::", "::1", "0.0.0.0", "127.0.0.1", "10.1.2.3", "100.64.0.1", "169.254.169.254",
    "172.16.0.1", "192.0.0.9", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1",
    "198.51.100.1", "203.0.113.1", "224.0.0.1", "240.0.0.1", "255.255.255.255",
    "100::1", "2001:db8::1", "2001:10::1", "3fff::1", "5f00::1", "fc00::1", "fd12::1",
    "fe80::1", "ff02::1", "fe80::1%1",
]
ALLOWED = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2001:4860:4860::8888",
           "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", REFUSED)
def test_fetch_refuses_every_non_global_address(address: str) -> None:
    assert not fetch.is_public_address(ipaddress.ip_address(address))
    host = f"[{address}]" if ":" in address else address
    if "%" not in address:
        with pytest.raises(FetchError, match="non-public"):
            fetch.check_url(f"http://{host}/")


@pytest.mark.parametrize("address", ALLOWED)
def test_fetch_allows_global_addresses(address: str) -> None:
    assert fetch.is_public_address(ipaddress.ip_address(address))


def test_fetch_unwraps_ipv4_in_ipv6() -> None:
    unwrap = fetch.embedded_ipv4
    assert str(unwrap(ipaddress.IPv6Address("::127.0.0.1"))) == "127.0.0.1"
    assert str(unwrap(ipaddress.IPv6Address("::ffff:0:7f00:1"))) == "127.0.0.1"
    assert str(unwrap(ipaddress.IPv6Address("64:ff9b::a9fe:a9fe"))) == "169.254.169.254"
    assert unwrap(ipaddress.IPv6Address("2606:4700::1")) is None


@pytest.fixture()
def trickle_server() -> Iterator[int]:
    """A server that sends its response one byte at a time, slowly, forever."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>"
            try:
                conn.sendall(head)
                while not stop.wait(0.2):
                    conn.sendall(b"x")
            except OSError:
                pass
            finally:
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield srv.getsockname()[1]
    stop.set()
    srv.close()


@pytest.fixture()
def slow_headers_server() -> Iterator[int]:
    """A server that trickles its status line and headers and never ends them."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    stop = threading.Event()

    def serve() -> None:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        conn.recv(65536)
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
                if stop.wait(0.2):
                    break
                conn.sendall(bytes([byte]))
        except OSError:
            pass
        finally:
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield srv.getsockname()[1]
    stop.set()
    srv.close()


def _loopback(port: int) -> fetch.Policy:
    return lambda ip, p: (ip.is_loopback and p == port) or fetch.is_public_address(ip, p)


def test_fetch_has_a_total_deadline_for_a_trickled_body(trickle_server: int) -> None:
    # a timeout is its own kind of fetch error (the server answers it 504, not 400)
    # every read returns within the 10 s per-read timeout; only the deadline stops it
    with pytest.raises(FetchTimeoutError, match="deadline"):
        fetch.fetch_url(f"http://127.0.0.1:{trickle_server}/", max_bytes=1_000_000,
                        timeout=10.0, deadline=1.0, policy=_loopback(trickle_server))


def test_fetch_has_a_total_deadline_for_trickled_headers(slow_headers_server: int) -> None:
    with pytest.raises(FetchTimeoutError, match="deadline"):
        fetch.fetch_url(f"http://127.0.0.1:{slow_headers_server}/", max_bytes=1_000_000,
                        timeout=10.0, deadline=1.0, policy=_loopback(slow_headers_server))


@pytest.mark.parametrize("deadline", [0, -1.0, float("nan")])
def test_fetch_deadline_must_be_positive(deadline: float) -> None:
    with pytest.raises(FetchError, match="deadline must be positive"):
        fetch.fetch_url("http://8.8.8.8/", max_bytes=1000, deadline=deadline)


def test_fetch_deadline_bounds_the_name_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolver that never answers held the fetch past its deadline (getaddrinfo has no
    timeout): the lookup now waits at most what is left of the deadline."""
    release = threading.Event()

    def stuck(*args: object, **kwargs: object) -> list[object]:
        release.wait(30)
        raise socket.gaierror("released")

    monkeypatch.setattr(fetch.socket, "getaddrinfo", stuck)
    try:
        with pytest.raises(FetchTimeoutError, match="resolving host 'news.example' took longer"):
            fetch.fetch_url("http://news.example/a", max_bytes=10_000, deadline=0.5)
    finally:
        release.set()


def test_fetch_resolve_passes_lookup_errors_on(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror("Name or service not known")

    monkeypatch.setattr(fetch.socket, "getaddrinfo", missing)
    with pytest.raises(FetchError, match="cannot resolve host 'nowhere.example'"):
        fetch.resolve("nowhere.example", 80, timeout=5)

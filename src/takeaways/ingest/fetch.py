"""Fetch a URL safely: http(s) only, no loopback/private/link-local/metadata targets,
checked after DNS resolution and again on every redirect.

`is_public_address` refuses every address that is not global unicast: ``ipaddress``'s
``is_global`` plus an explicit list of special-purpose blocks (which older Pythons
count as global, e.g. ``fec0::/10`` and ``192.0.0.0/24``), after unwrapping the IPv6
forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
``::a.b.c.d``, IPv4-translated ``::ffff:0:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 and
Teredo); the local-use NAT64 block ``64:ff9b:1::/48`` is refused outright.

A fetch has a total deadline (``deadline`` seconds, default 30) on top of the
per-read ``timeout``: each connect and read phase waits at most the time left, the body
loop checks the clock after every chunk, and at the deadline a watchdog timer shuts the
fetch's sockets down, so a server that trickles its headers or body a byte at a time
cannot hold it.

The connection goes to the very address that was checked (the URL's host is sent in
the ``Host`` header and as the TLS server name), so a DNS answer that changes between
the check and the connect (DNS rebinding) cannot reach an internal address.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from takeaways.errors import FetchError, FetchTimeoutError, LimitError
from takeaways.ingest.loading import check_max_bytes

MAX_REDIRECTS = 5
#: Seconds a whole fetch (every redirect, headers and body) may take.
FETCH_DEADLINE_S = 30.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``policy(ip, port) -> bool``: may this address be contacted? Tests inject their own.
Policy = Callable[[IPAddress, int], bool]


_net = ipaddress.ip_network

#: Special-purpose blocks refused whatever ``is_global`` says (IANA registries, RFC 6890).
BLOCKED_V4 = tuple(_net(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
))
BLOCKED_V6 = tuple(_net(n) for n in (
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
    "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_IPV4_COMPATIBLE = _net("::/96")
_IPV4_TRANSLATED = _net("::ffff:0:0:0/96")
_NAT64 = _net("64:ff9b::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, translated, NAT64,
    6to4, Teredo client), or None."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _IPV4_COMPATIBLE or ip in _IPV4_TRANSLATED or ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public_address(ip: IPAddress, port: int = 0) -> bool:
    """True for globally routable unicast addresses only: not loopback, private,
    link-local, site-local, metadata, shared, reserved, documentation, benchmarking,
    multicast or unspecified, including when wrapped in an IPv6 form."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id or any(ip in net for net in BLOCKED_V6):
            return False
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(embedded, port)
    elif any(ip in net for net in BLOCKED_V4):
        return False
    return bool(ip.is_global) and not ip.is_multicast


def resolve(host: str, port: int, *, timeout: float | None = None) -> list[IPAddress]:
    """Every address ``host`` resolves to (IP literals resolve to themselves). With
    ``timeout`` the lookup runs in a daemon thread and a resolver slower than that is a
    `FetchError` (``getaddrinfo`` itself has no timeout; the thread ends with it)."""
    box: dict[str, Any] = {}

    def lookup() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            box["exc"] = exc

    if timeout is None:
        lookup()
    else:
        worker = threading.Thread(target=lookup, name="takeaways-resolve", daemon=True)
        worker.start()
        worker.join(max(0.0, timeout))
        if worker.is_alive():
            raise FetchTimeoutError(
                f"resolving host {host!r} took longer than the fetch's deadline "
                f"({timeout:.3g} s left); check the name or try again later.")
    exc = box.get("exc")
    if isinstance(exc, socket.gaierror | UnicodeError):
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    if exc is not None:
        raise exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in box["infos"]]


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def check_url(url: str, *, policy: Policy = is_public_address,
              end: float | None = None) -> IPAddress:
    """Raise `FetchError` unless ``url`` is http(s) to a public address; returns the
    checked address to connect to. ``end``: the fetch's deadline (`time.monotonic`), which
    bounds the name lookup too."""
    try:
        parts = urlsplit(url)
        port = _port(parts.scheme, parts.port)
    except ValueError as exc:
        raise FetchError(f"refusing to fetch {url!r}: {exc}.") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refusing to fetch {url!r}: only http and https URLs are allowed.")
    if not parts.hostname:
        raise FetchError(f"refusing to fetch {url!r}: it has no host.")
    addresses = resolve(parts.hostname, port,
                        timeout=None if end is None else end - time.monotonic())
    if not addresses:
        raise FetchError(f"cannot resolve host {parts.hostname!r}.")
    for ip in addresses:
        if not policy(ip, port):
            raise FetchError(
                f"refusing to fetch {parts.hostname!r}: it resolves to a non-public address "
                f"({ip}). Only public http(s) URLs can be fetched."
            )
    return addresses[0]


def _pinned(url: str, ip: IPAddress) -> tuple[str, str, str]:
    """The URL rewritten to connect to ``ip``; plus the Host header and TLS server name."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header, host


class _TimeLeft(dict[str, Any]):
    """httpcore's ``timeout`` extension, read before every connect, read and write: each
    one may wait at most its own timeout and never past the fetch's deadline."""

    def __init__(self, timeouts: dict[str, Any], end: float) -> None:
        super().__init__(timeouts)
        self.end = end

    def get(self, key: str, default: Any = None) -> Any:
        value = super().get(key, default)
        left = max(0.001, self.end - time.monotonic())
        return left if value is None else min(float(value), left)


class _Watchdog:
    """Shuts the sockets of one fetch down at its deadline: a read blocked on a server
    that trickles bytes then returns at once (``sock.shutdown`` wakes a blocked ``recv``)."""

    def __init__(self, end: float) -> None:
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self.fired = False
        self._timer = threading.Timer(max(0.0, end - time.monotonic()), self.fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)
            if self.fired:
                _shut(sock)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._socks:
                _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


def _transport(dog: _Watchdog) -> Any:
    """An httpx transport whose connections report their sockets to ``dog`` (through
    httpcore's network backend; without that hook the other deadline checks remain)."""
    import httpcore
    import httpx

    class Backend(httpcore.SyncBackend):
        def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
            stream = super().connect_tcp(*args, **kwargs)
            sock = stream.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                dog.watch(sock)
            return stream

    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    if pool is not None and hasattr(pool, "_network_backend"):
        pool._network_backend = Backend()
    return transport


def fetch_url(
    url: str, *, max_bytes: int, timeout: float = 10.0, policy: Policy = is_public_address,
    deadline: float = FETCH_DEADLINE_S,
) -> tuple[bytes, str]:
    """GET ``url`` with every hop checked; returns the body and the final URL. ``timeout``
    bounds each connect/read, ``deadline`` the whole fetch (`FetchTimeoutError`, a
    `FetchError`, past it)."""
    max_bytes = check_max_bytes(max_bytes)
    if not deadline > 0 or deadline == float("inf"):
        raise FetchError(f"the fetch deadline must be positive, got {deadline!r}.")
    end = time.monotonic() + deadline
    dog = _Watchdog(end)
    try:
        return _fetch(url, max_bytes=max_bytes, timeout=timeout, policy=policy,
                      deadline=deadline, end=end, dog=dog)
    finally:
        dog.cancel()


def _fetch(url: str, *, max_bytes: int, timeout: float, policy: Policy, deadline: float,
           end: float, dog: _Watchdog) -> tuple[bytes, str]:
    import httpx

    current = url
    with httpx.Client(follow_redirects=False, timeout=timeout, trust_env=False,
                      transport=_transport(dog)) as client:
        for _ in range(MAX_REDIRECTS + 1):
            ip = check_url(current, policy=policy, end=end)
            target, host_header, sni = _pinned(current, ip)
            headers = {"User-Agent": "takeaways", "Host": host_header, "Accept-Encoding": "gzip"}
            request = client.build_request(
                "GET", target, headers=headers, extensions={"sni_hostname": sni}
            )
            request.extensions["timeout"] = _TimeLeft(request.extensions.get("timeout", {}), end)
            try:
                resp = client.send(request, stream=True)
                try:
                    if resp.is_redirect and "location" in resp.headers:
                        current = urljoin(current, resp.headers["location"])
                        continue
                    if resp.status_code >= 400:
                        raise FetchError(f"fetching {current} failed: HTTP {resp.status_code}.")
                    return _read_body(resp, current, max_bytes, end, deadline), current
                finally:
                    resp.close()
            except httpx.HTTPError as exc:
                if dog.fired or time.monotonic() >= end:
                    raise _late(current, deadline) from exc
                raise FetchError(f"fetching {current} failed: {exc}") from exc
    raise FetchError(f"fetching {url} failed: more than {MAX_REDIRECTS} redirects.")


def _late(url: str, deadline: float) -> FetchTimeoutError:
    return FetchTimeoutError(
        f"fetching {url} took longer than the {deadline:g} s deadline; the server is too "
        "slow; save the page and pass the file."
    )


def _read_body(resp: object, url: str, max_bytes: int, end: float, deadline: float) -> bytes:
    import httpx

    assert isinstance(resp, httpx.Response)
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise LimitError(f"{url}: the page is over {max_bytes:,} bytes.")
    body = bytearray()
    for chunk in resp.iter_raw():  # raw: gzip is inflated later, under the same limit
        body += chunk
        if len(body) > max_bytes:
            raise LimitError(f"{url}: the page is over {max_bytes:,} bytes.")
        if time.monotonic() >= end:
            raise _late(url, deadline)
    if time.monotonic() >= end:  # the watchdog's shutdown looks like the end of the body
        raise _late(url, deadline)
    return bytes(body)

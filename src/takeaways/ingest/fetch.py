"""Fetch a URL safely: http(s) only, no loopback/private/link-local/metadata targets,
checked after DNS resolution and again on every redirect.

The connection goes to the very address that was checked (the URL's host is sent in
the ``Host`` header and as the TLS server name), so a DNS answer that changes between
the check and the connect (DNS rebinding) cannot reach an internal address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

from takeaways.errors import FetchError, LimitError

MAX_REDIRECTS = 5

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``policy(ip, port) -> bool``: may this address be contacted? Tests inject their own.
Policy = Callable[[IPAddress, int], bool]


def is_public_address(ip: IPAddress, port: int = 0) -> bool:
    """True for globally routable unicast addresses (not loopback, private, link-local,
    metadata, shared, reserved, multicast or unspecified)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return is_public_address(embedded, port)
    return bool(ip.is_global) and not ip.is_multicast


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (IP literals resolve to themselves)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def check_url(url: str, *, policy: Policy = is_public_address) -> IPAddress:
    """Raise `FetchError` unless ``url`` is http(s) to a public address; returns the
    checked address to connect to."""
    try:
        parts = urlsplit(url)
        port = _port(parts.scheme, parts.port)
    except ValueError as exc:
        raise FetchError(f"refusing to fetch {url!r}: {exc}.") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refusing to fetch {url!r}: only http and https URLs are allowed.")
    if not parts.hostname:
        raise FetchError(f"refusing to fetch {url!r}: it has no host.")
    addresses = resolve(parts.hostname, port)
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


def fetch_url(
    url: str, *, max_bytes: int, timeout: float = 10.0, policy: Policy = is_public_address,
) -> tuple[bytes, str]:
    """GET ``url`` with every hop checked; returns the body and the final URL."""
    import httpx

    current = url
    with httpx.Client(follow_redirects=False, timeout=timeout, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            ip = check_url(current, policy=policy)
            target, host_header, sni = _pinned(current, ip)
            headers = {"User-Agent": "takeaways", "Host": host_header, "Accept-Encoding": "gzip"}
            try:
                with client.stream(
                    "GET", target, headers=headers, extensions={"sni_hostname": sni}
                ) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        current = urljoin(current, resp.headers["location"])
                        continue
                    if resp.status_code >= 400:
                        raise FetchError(f"fetching {current} failed: HTTP {resp.status_code}.")
                    return _read_body(resp, current, max_bytes), current
            except httpx.HTTPError as exc:
                raise FetchError(f"fetching {current} failed: {exc}") from exc
    raise FetchError(f"fetching {url} failed: more than {MAX_REDIRECTS} redirects.")


def _read_body(resp: object, url: str, max_bytes: int) -> bytes:
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
    return bytes(body)

"""Fetch a URL safely: http(s) only, no loopback/private/link-local/metadata targets,
checked after DNS resolution and again on every redirect."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

from takeaways.errors import FetchError, LimitError

MAX_REDIRECTS = 5


def _check_host(host: str) -> None:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if (
            ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified
            or (isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None
                and not ip.ipv4_mapped.is_global)
        ):
            raise FetchError(
                f"refusing to fetch {host!r}: it resolves to a non-public address ({ip}). "
                "Only public http(s) URLs can be fetched."
            )


def check_url(url: str) -> None:
    """Raise `FetchError` unless ``url`` is http(s) to a public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refusing to fetch {url!r}: only http and https URLs are allowed.")
    if not parts.hostname:
        raise FetchError(f"refusing to fetch {url!r}: it has no host.")
    _check_host(parts.hostname)


def fetch_url(url: str, *, max_bytes: int, timeout: float = 10.0) -> tuple[bytes, str]:
    """GET ``url`` with every hop checked; returns the body and the final URL."""
    import httpx

    current = url
    with httpx.Client(follow_redirects=False, timeout=timeout, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current)
            try:
                with client.stream("GET", current, headers={"User-Agent": "takeaways"}) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        current = urljoin(current, resp.headers["location"])
                        continue
                    if resp.status_code >= 400:
                        raise FetchError(f"fetching {current} failed: HTTP {resp.status_code}.")
                    body = bytearray()
                    for chunk in resp.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise LimitError(f"{current}: the page is over {max_bytes:,} bytes.")
                    return bytes(body), current
            except httpx.HTTPError as exc:
                raise FetchError(f"fetching {current} failed: {exc}") from exc
    raise FetchError(f"fetching {url} failed: more than {MAX_REDIRECTS} redirects.")

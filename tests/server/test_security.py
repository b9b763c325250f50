"""Security: escaping, CSP, cross-site posts, no file reads, and SSRF-guarded fetching."""

# Fixtures are imported from server_fakes (no second conftest.py), so their names are
# "redefined" as test parameters; that is how pytest injects them.
# ruff: noqa: F811

from __future__ import annotations

import http.server
import ipaddress
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from takeaways.errors import FetchError
from takeaways.ingest import fetch
from tests.server.server_fakes import ARTICLE, XSS, anyio_backend, client, fake, make_client  # noqa: F401

pytestmark = pytest.mark.anyio


async def test_server_csp_and_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/", "/healthz", "/static/app.js"):
        r = await client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"


async def test_server_pages_have_no_inline_script_or_style(client: httpx.AsyncClient) -> None:
    r = await client.post("/analyze", data={"text": ARTICLE, "summary": "A.\nB."})
    for html in ((await client.get("/")).text, (await client.get(r.headers["location"])).text):
        assert "<script>" not in html and " style=" not in html and "<style" not in html
        assert " on" + "click=" not in html


async def test_server_article_content_is_escaped(client: httpx.AsyncClient) -> None:
    r = await client.post("/analyze", data={"text": XSS, "kind": "plain", "summary": "<b>x</b>"})
    assert r.status_code == 303
    html = (await client.get(r.headers["location"])).text
    assert "<script>window" not in html and "&lt;script&gt;window.__xss" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html
    assert '<a href="javascript:' not in html
    assert "<b>Speaker</b>" not in html and "&lt;b&gt;Speaker&lt;/b&gt;" in html
    assert "<i>reason" not in html and "<b>x</b>" not in html


async def test_server_error_messages_are_escaped(client: httpx.AsyncClient) -> None:
    r = await client.post("/analyze", data={"text": "<script>alert(1)</script>", "kind": "plain"},
                          headers={"accept": "text/html"})
    assert r.status_code == 422 and "<script>alert" not in r.text


async def test_server_never_reads_server_paths(client: httpx.AsyncClient) -> None:
    for text in ("/etc/passwd", "../../../../etc/hostname", "pyproject.toml", "-"):
        r = await client.post("/v1/read", json={"text": text})
        assert r.status_code == 422, (text, r.text)  # read as (too short) text, never opened


async def test_server_refuses_cross_site_form_posts(client: httpx.AsyncClient) -> None:
    r = await client.post("/analyze", data={"text": ARTICLE},
                          headers={"origin": "https://evil.example", "accept": "text/html"})
    assert r.status_code == 403
    r = await client.post("/v1/read", data={"text": ARTICLE},
                          headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "cross_site"
    r = await client.post("/analyze", data={"text": ARTICLE},
                          headers={"origin": "http://testserver"})
    assert r.status_code == 303


async def test_server_fetch_is_off_by_default(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/read", json={"url": "https://example.com/"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "fetch_disabled"
    assert 'id="url"' not in (await client.get("/")).text


REFUSED = [
    "http://127.0.0.1/", "http://127.0.0.1:8000/admin", "http://10.0.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/", "http://localhost/", "http://100.64.0.1/", "http://192.168.1.1/",
    "file:///etc/passwd", "ftp://example.com/", "gopher://127.0.0.1/", "http:///nohost",
]


@pytest.mark.parametrize("url", REFUSED)
async def test_server_fetch_refuses_internal_targets(
    make_client: Callable[..., httpx.AsyncClient], url: str
) -> None:
    async with make_client(allow_fetch=True) as c:
        r = await c.post("/v1/read", json={"url": url})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "fetch_refused"


@pytest.mark.parametrize("url", REFUSED)
def test_fetch_check_url_refuses(url: str) -> None:
    with pytest.raises(FetchError):
        fetch.check_url(url)


def test_fetch_public_addresses_allowed() -> None:
    for ip in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert fetch.is_public_address(ipaddress.ip_address(ip))
    for ip in ("127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fe80::1", "fc00::1",
               "::ffff:10.0.0.1", "2002:7f00:1::", "224.0.0.1", "100.64.0.1"):
        assert not fetch.is_public_address(ipaddress.ip_address(ip)), ip


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: list[tuple[int, str, str]] = []
    redirect_to = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        port = self.server.server_address[1]
        _Handler.hits.append((port, self.path, self.headers.get("Host", "")))
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", _Handler.redirect_to)
            self.end_headers()
            return
        body = f"<html><body><p>{ARTICLE}</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture()
def local_servers() -> Iterator[tuple[int, int]]:
    """Two loopback HTTP servers: a 'public' one (allowed by the test policy) and an
    'internal' one that must never be reached."""
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler) for _ in range(2)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    _Handler.hits = []
    yield servers[0].server_address[1], servers[1].server_address[1]
    for s in servers:
        s.shutdown()
        s.server_close()


def _only_port(port: int) -> fetch.Policy:
    """Treat the loopback test server on ``port`` as public; everything else by the rules."""
    return lambda ip, p: (ip.is_loopback and p == port) or fetch.is_public_address(ip, p)


def test_fetch_follows_allowed_hops(local_servers: tuple[int, int]) -> None:
    public, _internal = local_servers
    data, final = fetch.fetch_url(f"http://127.0.0.1:{public}/page", max_bytes=100_000,
                                  policy=_only_port(public))
    assert b"Officials in the city" in data and final.endswith("/page")


@pytest.mark.parametrize("target", ["http://127.0.0.1:{internal}/secret", "http://localhost:{internal}/",
                                    "http://169.254.169.254/latest/", "file:///etc/passwd"])
def test_fetch_refuses_redirect_to_internal(local_servers: tuple[int, int], target: str) -> None:
    public, internal = local_servers
    _Handler.redirect_to = target.format(internal=internal)
    with pytest.raises(FetchError, match="refusing"):
        fetch.fetch_url(f"http://127.0.0.1:{public}/redirect", max_bytes=100_000,
                        policy=_only_port(public))
    assert [h[0] for h in _Handler.hits] == [public]  # the internal server was never reached


async def test_server_fetch_redirect_to_loopback_refused(
    make_client: Callable[..., httpx.AsyncClient], local_servers: tuple[int, int]
) -> None:
    public, internal = local_servers
    _Handler.redirect_to = f"http://127.0.0.1:{internal}/secret"
    async with make_client(allow_fetch=True) as c:
        c._transport.app.state.services.engine.fetch_policy = _only_port(public)  # type: ignore[attr-defined]
        ok = await c.post("/v1/read", json={"url": f"http://127.0.0.1:{public}/page"})
        assert ok.status_code == 200, ok.text
        r = await c.post("/v1/read", json={"url": f"http://127.0.0.1:{public}/redirect"})
    assert r.status_code == 400 and "127.0.0.1" in r.json()["error"]["message"]
    assert internal not in [h[0] for h in _Handler.hits]


def test_fetch_connects_to_the_checked_address(
    local_servers: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the connection goes to the address that passed the check, with the
    original host name in the Host header; the name is not resolved a second time."""
    public, _ = local_servers
    answers = iter([[ipaddress.ip_address("127.0.0.1")]])
    monkeypatch.setattr(fetch, "resolve", lambda host, port, **kw: next(answers))
    data, _ = fetch.fetch_url(f"http://news.invalid:{public}/page", max_bytes=100_000,
                              policy=_only_port(public))
    assert b"Officials" in data
    assert _Handler.hits == [(public, "/page", f"news.invalid:{public}")]


def test_fetch_dns_answer_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "resolve",
                        lambda host, port, **kw: [ipaddress.ip_address("10.1.2.3")])
    with pytest.raises(FetchError, match="non-public"):
        fetch.check_url("https://rebind.example/")


def test_fetch_size_limit(local_servers: tuple[int, int]) -> None:
    from takeaways.errors import LimitError

    public, _ = local_servers
    with pytest.raises(LimitError):
        fetch.fetch_url(f"http://127.0.0.1:{public}/page", max_bytes=50, policy=_only_port(public))


# -- issue 18, item 6: Host header (DNS rebinding) -----------------------------------------
async def test_server_refuses_a_foreign_host_header(client: httpx.AsyncClient) -> None:
    evil = {"host": "evil.example:8000"}
    r = await client.get("/v1/analyses", headers=evil)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_host"
    assert "content-security-policy" in r.headers
    rid = (await client.post("/v1/read", json={"text": ARTICLE})).headers["x-analysis-id"]
    both = evil | {"origin": "http://evil.example:8000"}
    r = await client.post(f"/a/{rid}/delete", headers=both)
    assert r.status_code == 400
    r = await client.post("/analyze", data={"text": ARTICLE}, headers=both)
    assert r.status_code == 400
    assert (await client.get(f"/v1/analyses/{rid}")).status_code == 200  # still there
    for host in ("127.0.0.1:8000", "localhost", "[::1]:8000", "LOCALHOST.", "testserver"):
        assert (await client.get("/healthz", headers={"host": host})).status_code == 200, host


async def test_server_same_origin_compares_with_allowed_hosts(
    client: httpx.AsyncClient,
) -> None:
    """The Origin is checked against the allowed hosts, not against the Host header (which
    a rebound DNS name controls)."""
    r = await client.post("/analyze", data={"text": ARTICLE},
                          headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    r = await client.post("/analyze", data={"text": ARTICLE},
                          headers={"origin": "http://localhost:8000"})
    assert r.status_code == 303
    r = await client.post("/analyze", data={"text": ARTICLE}, headers={"origin": "null"})
    assert r.status_code == 403


async def test_server_any_host_when_asked(make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client(allowed_hosts=("*",)) as c:
        assert (await c.get("/healthz", headers={"host": "anything.example"})).status_code == 200


def test_server_default_allowed_hosts() -> None:
    from takeaways.server.serving import allowed_hosts

    assert allowed_hosts("127.0.0.1") == ("127.0.0.1", "localhost", "::1")
    assert allowed_hosts("0.0.0.0", ["box.lan"]) == ("box.lan", "localhost", "127.0.0.1", "::1")
    assert "192.168.1.5" in allowed_hosts("192.168.1.5")


# -- issue 18, item 7: API token and cross-site deletes ------------------------------------
async def test_server_delete_refuses_cross_site(client: httpx.AsyncClient) -> None:
    rid = (await client.post("/v1/read", json={"text": ARTICLE})).headers["x-analysis-id"]
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}):
        r = await client.delete(f"/v1/analyses/{rid}", headers=headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "cross_site"
    assert (await client.get(f"/v1/analyses/{rid}")).status_code == 200
    assert (await client.delete(f"/v1/analyses/{rid}")).status_code == 204  # curl: no Origin


async def test_server_token_guards_writes_and_deletes(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    good = {"authorization": "Bearer s3cret"}
    async with make_client(token="s3cret") as c:
        r = await c.post("/v1/read", json={"text": ARTICLE})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        assert r.headers["www-authenticate"].startswith("Bearer")
        r = await c.post("/v1/read", json={"text": ARTICLE},
                         headers={"authorization": "Bearer wrong"})
        assert r.status_code == 401
        r = await c.post("/v1/read", data={"text": ARTICLE})  # a form without the field
        assert r.status_code == 401
        r = await c.post("/v1/read", json={"text": ARTICLE}, headers=good)
        assert r.status_code == 200
        rid = r.headers["x-analysis-id"]
        assert (await c.get(f"/v1/analyses/{rid}")).status_code == 200  # reads stay open
        assert (await c.get(f"/a/{rid}")).status_code == 200
        assert (await c.delete(f"/v1/analyses/{rid}")).status_code == 401
        assert (await c.post(f"/a/{rid}/delete")).status_code == 401
        r = await c.post("/analyze", data={"text": ARTICLE}, headers={"accept": "text/html"})
        assert r.status_code == 401 and 'name="token"' in r.text
        r = await c.post("/analyze", data={"text": ARTICLE, "token": "s3cret"})
        assert r.status_code == 303
        assert 'name="token"' in (await c.get(r.headers["location"])).text
        assert (await c.post(f"/a/{rid}/delete", data={"token": "s3cret"})).status_code == 303
        rid = (await c.post("/v1/read", json={"text": ARTICLE + " 2."}, headers=good)
               ).headers["x-analysis-id"]
        assert (await c.delete(f"/v1/analyses/{rid}", headers=good)).status_code == 204


def test_server_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from takeaways.server.settings import ServerSettings

    monkeypatch.setenv("TAKEAWAYS_TOKEN", "from-env")
    assert ServerSettings().token == "from-env"
    monkeypatch.setenv("TAKEAWAYS_TOKEN", "")
    assert ServerSettings().token is None


def test_server_warns_when_exposed() -> None:
    from takeaways.server.serving import exposure_warning
    from takeaways.server.settings import ServerSettings

    assert exposure_warning("127.0.0.1", ServerSettings(token=None)) is None
    warning = exposure_warning("0.0.0.0", ServerSettings(token=None))
    assert warning and "--token" in warning and "--allowed-host" in warning
    warning = exposure_warning("0.0.0.0", ServerSettings(token="t", allowed_hosts=("box",)))
    assert warning and "--token" not in warning and "--allowed-host" not in warning


def test_cli_serve_options(monkeypatch: pytest.MonkeyPatch) -> None:
    from takeaways import cli, server

    seen: dict[str, object] = {}
    monkeypatch.setattr(server, "serve", lambda **kw: seen.update(kw))
    code = cli.main(["serve", "--host", "0.0.0.0", "--allowed-host", "box.lan",
                     "--allowed-host", "10.0.0.5", "--token", "t", "--timeout", "5"])
    assert code == 0
    assert seen["allowed_hosts"] == ["box.lan", "10.0.0.5"] and seen["token"] == "t"
    assert seen["request_timeout_s"] == 5.0 and seen["host"] == "0.0.0.0"


def test_a_fetch_that_times_out_is_a_gateway_timeout_not_a_refusal() -> None:
    from takeaways.errors import FetchTimeoutError
    from takeaways.server.engine import error_from

    late = error_from(FetchTimeoutError("fetching https://slow.example took longer than 30 s"))
    assert (late.status, late.code) == (504, "fetch_timeout")
    refused = error_from(FetchError("refusing to fetch 'http://127.0.0.1/'"))
    assert (refused.status, refused.code) == (400, "fetch_refused")

"""Issue 18, the server: slow work never blocks the event loop, a time limit really stops
the work (worker processes), every error is JSON with a code and the security headers,
slow clients are cut off, and the caches are bounded. No timings are asserted: slow work
is a gate or a spin, and each check is an ordering of events."""

# Fixtures are imported from server_fakes (no second conftest.py), so their names are
# "redefined" as test parameters; that is how pytest injects them.
# ruff: noqa: F811

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from takeaways.server import view
from takeaways.server.app import create_app
from takeaways.server.engine import Engine, Source
from takeaways.server.services import ResponseCache
from takeaways.server.settings import ServerSettings
from tests.server.server_fakes import (  # noqa: F401
    ARTICLE,
    HOSTS,
    DyingLibrary,
    FakeLibrary,
    SpinLibrary,
    anyio_backend,
    client,
    fake,
    make_client,
)

#: A safety net so that a regression fails instead of hanging; never an assertion.
PATIENCE_S = 120

RAIN = "Rain fell again today. " * 30000  # issue 18, item 1 (690 KB)
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
       b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/'
       b'2000/svg" version="1.1"><circle cx="5" cy="5" r="4"/></svg>')


def _settings(**extra: Any) -> ServerSettings:
    return ServerSettings(**({"db_path": ":memory:", "allowed_hosts": HOSTS} | extra))


# -- item 1: the event loop stays free ------------------------------------------------------
def test_server_healthz_answers_while_a_permalink_renders(
    fake: FakeLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view of a long article ran on the event loop (an ``async`` route) and held
    /healthz for 71 s. Now the slow view waits until /healthz has been answered: if the
    view blocked the loop, /healthz could not be answered and the view would give up."""
    healthz_done = threading.Event()
    in_view = threading.Event()
    order: list[str] = []
    real_blocks = view.article_blocks

    def slow_blocks(record: dict[str, Any]) -> list[view.Block]:
        in_view.set()
        order.append("view waits" if healthz_done.wait(PATIENCE_S) else "view gave up")
        return real_blocks(record)

    app = create_app(_settings(), library=fake)
    with TestClient(app, base_url="http://testserver") as c:
        rid = c.post("/v1/read", json={"text": RAIN}).headers["x-analysis-id"]
        monkeypatch.setattr(view, "article_blocks", slow_blocks)
        page: dict[str, httpx.Response] = {}
        t = threading.Thread(target=lambda: page.setdefault("r", c.get(f"/a/{rid}")))
        t.start()
        assert in_view.wait(PATIENCE_S)
        health = c.get("/healthz")
        order.append("healthz answered")
        healthz_done.set()
        t.join(PATIENCE_S)
    assert health.status_code == 200
    assert order == ["healthz answered", "view waits"]
    assert page["r"].status_code == 200 and 'id="article"' in page["r"].text


# -- item 2: a time limit that really stops the work ---------------------------------------
def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a killed child not yet reaped is a zombie: dead for our purpose
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_server_slow_analyses_are_stopped_and_free_their_slots() -> None:
    """Issue 18: two 22 KB requests held both analysis slots past their 504 for ~95 s, so
    a normal request got 504 too. Now each analysis runs in a worker process that is
    killed at the limit: both slow requests get a JSON 504 ``timeout``, their processes
    are gone, /healthz answers meanwhile, and the next normal request is served."""
    slow = [ARTICLE + " SPIN. " + "More words follow here. " * 950 + f" {i}." for i in (1, 2)]
    assert all(len(s) > 22_000 for s in slow)
    settings = _settings(max_workers=2, request_timeout_s=3.0)  # ample for a normal job
    app = create_app(settings, library_factory=SpinLibrary)
    with TestClient(app, base_url="http://testserver") as c:
        pool = app.state.services.pool
        answers: list[httpx.Response] = []
        threads = [threading.Thread(target=lambda s=s: answers.append(
            c.post("/v1/key-points", json={"text": s}))) for s in slow]
        for t in threads:
            t.start()
        health = c.get("/healthz")  # answered whether or not the slow ones are running
        for t in threads:
            t.join(PATIENCE_S)
        first = pool.replaced
        pids = pool.pids
        normal = c.post("/v1/key-points", json={"text": ARTICLE})
        again = c.post("/v1/quotes", json={"text": ARTICLE})
        killed = pool.pids
        for pid in killed:  # workers killed from outside while idle are replaced too
            os.kill(pid, signal.SIGKILL)
        for pid in killed:  # wait for the deaths (an event), with a safety net
            stop = time.monotonic() + PATIENCE_S
            while _alive(pid) and time.monotonic() < stop:
                time.sleep(0.05)
        after_kill = [c.post("/v1/read", json={"text": ARTICLE + f" {i}."}) for i in (1, 2)]
        pids += pool.pids
    assert health.status_code == 200
    assert [r.status_code for r in answers] == [504, 504]
    for r in answers:
        assert r.json()["error"]["code"] == "timeout" and "stopped" in r.json()["error"]["message"]
        assert "content-security-policy" in r.headers
    assert first == 2  # both runaway processes were killed and replaced
    assert normal.status_code == 200, normal.text
    assert again.status_code == 200
    assert [r.status_code for r in after_kill] == [200, 200]
    assert pids and not any(_alive(p) for p in pids)  # the server closed its workers


def test_server_retries_a_job_once_when_its_worker_dies(tmp_path: Any) -> None:
    """A worker that ends before it answers (killed from outside between two jobs, or out
    of memory) costs the request nothing when a fresh worker can do the job: the job is
    tried once more. A job that kills every worker is a JSON 500 ``worker_died`` after the
    second try, and the pool is whole again afterwards."""
    marker = tmp_path / "died-once"
    settings = _settings(max_workers=1, request_timeout_s=30.0)
    app = create_app(settings, library_factory=DyingLibrary)
    with TestClient(app, base_url="http://testserver") as c:
        pool = app.state.services.pool
        once = c.post("/v1/key-points", json={"text": ARTICLE.replace(
            "the news.", f"the news DIE-ONCE:{marker} today.")})
        after_once = pool.replaced
        always = c.post("/v1/key-points", json={"text": ARTICLE.replace(
            "the news.", "the news DIE-ALWAYS today.")})
        after_always = pool.replaced
        normal = c.post("/v1/read", json={"text": ARTICLE})
    assert marker.exists()
    assert once.status_code == 200, once.text
    assert after_once == 1
    assert always.status_code == 500
    assert always.json()["error"]["code"] == "worker_died"
    assert after_always == 3  # two more workers ended, each replaced
    assert normal.status_code == 200


def test_server_workers_killed_together_cost_no_request() -> None:
    """Workers killed together from outside (the OOM killer, a ``kill`` of the group), with
    the request sent at once: a worker whose threads are still exiting looks alive, so the
    job may land on a dying one. Its retry goes to the worker started in its place, never
    to another idle one that may be dying too (CI once got a 500 here)."""
    settings = _settings(max_workers=2, request_timeout_s=30.0)
    app = create_app(settings, library_factory=SpinLibrary)
    with TestClient(app, base_url="http://testserver") as c:
        pool = app.state.services.pool
        warm = [c.post("/v1/read", json={"text": ARTICLE + f" {i}."}) for i in (1, 2)]
        for _ in range(2):
            for pid in pool.pids:
                os.kill(pid, signal.SIGKILL)
            answers = [c.post("/v1/read", json={"text": ARTICLE + f" {i}."}) for i in (3, 4)]
            assert [r.status_code for r in answers] == [200, 200], [r.text for r in answers]
        pids = pool.pids
        assert len(pids) == 2  # the pool is whole
    assert [r.status_code for r in warm] == [200, 200]
    assert not any(_alive(p) for p in pids)


# -- item 5: every error is JSON with a code -----------------------------------------------
@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [
        {"text": "x \ud800 y " + ARTICLE},
        {"html": "<p>\udfff</p>" + ARTICLE},
        {"text": ARTICLE, "summary": "A claim \ud83d."},
        {"text": ARTICLE, "summary": ["fine", "bad \udc00"]},
        {"url": "http://example.com/\ud800"},
    ],
)
async def test_server_lone_surrogates_are_a_json_422(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    import json

    raw = json.dumps(body).encode()  # ensure_ascii: the surrogate travels as "\ud800"
    for path in ("/v1/read", "/v1/audit"):
        r = await client.post(path, content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "invalid_request"
        assert "surrogate" in r.json()["error"]["message"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "raw",
    [b"[" * 100000, b'{"text": ' + b"[" * 100000, b'{"text": "caf\xe9"}', b"\xff\xfe{",
     b'{"text": "a"', b""],
)
async def test_server_unparsable_bodies_are_json_400(
    client: httpx.AsyncClient, raw: bytes
) -> None:
    r = await client.post("/v1/read", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "bad_json"


@pytest.mark.anyio
async def test_server_svg_document_is_bad_input(client: httpx.AsyncClient) -> None:
    """htmldate raises AssertionError on this SVG; the answer is a 422, not a 500."""
    for body in ({"html": SVG.decode()}, {"text": SVG.decode()}):
        r = await client.post("/v1/read", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "bad_input"
    r = await client.post("/v1/read", files={"file": ("a.svg", SVG, "image/svg+xml")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_input"


@pytest.mark.anyio
@pytest.mark.parametrize("where", ["read", "analyze"])
async def test_server_spacy_length_limit_is_a_json_413(
    client: httpx.AsyncClient, fake: FakeLibrary, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Text over spaCy's 1,000,000 characters (but under the 5 MB body limit) raised E088,
    answered as a 500. Whatever the library raises for it, the answer is JSON."""

    def e088(*_a: object, **_k: object) -> None:
        raise ValueError("[E088] Text of length 1200000 exceeds maximum of 1000000.")

    monkeypatch.setattr(fake, where, e088)
    text = "The minister spoke. " * 60_000 if where == "read" else ARTICLE  # read is faked
    r = await client.post("/v1/key-points", json={"text": text})
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "too_large"


@pytest.mark.anyio
async def test_server_unexpected_read_error_is_bad_input(
    client: httpx.AsyncClient, fake: FakeLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(fake, "read", boom)
    r = await client.post("/v1/read", json={"text": ARTICLE})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_input"
    assert "RecursionError" in r.json()["error"]["message"]


# -- item 11: security headers on 413 and on an unhandled 500 -------------------------------
@pytest.mark.anyio
async def test_server_413_and_500_carry_the_security_headers(
    make_client: Callable[..., httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with make_client(max_body_bytes=1000) as c:
        r = await c.post("/v1/read", json={"text": "x" * 2000})
        assert r.status_code == 413
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"

        def broken(*_a: object, **_k: object) -> None:
            raise RuntimeError("secret internals")

        store = c._transport.app.state.services.store  # type: ignore[attr-defined]
        monkeypatch.setattr(store, "recent", broken)
        r = await c.get("/v1/analyses")
    assert r.status_code == 500 and r.headers["content-type"] == "application/json"
    assert r.json()["error"]["code"] == "internal" and "secret" not in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


# -- load: bounded caches -------------------------------------------------------------------
def test_server_article_cache_is_bounded_by_count_and_characters(fake: FakeLibrary) -> None:
    engine = Engine(_settings(cache_size=8, cache_max_chars=20_000), fake)
    for i in range(30):
        engine._entry(Source(data=(ARTICLE + f" Extra {i}.").encode(), kind="plain"))
    assert engine.cached == 8
    for i in range(30):
        engine._entry(Source(data=(ARTICLE * 20 + f" Extra {i}.").encode(), kind="plain"))
    held = sum(len(e.article.text) for e in engine._entries.values())
    assert 1 < engine.cached < 8 and held <= 20_000
    engine._entry(Source(data=(ARTICLE * 100).encode(), kind="plain"))
    assert engine.cached == 1  # the newest always stays


def test_server_response_cache_is_bounded_by_bytes() -> None:
    cache = ResponseCache(size=100, max_bytes=10_000)
    for i in range(50):
        cache.put((f"k{i}", "article", True), b"x" * 1000, None)
    assert len(cache) == 10 and cache.bytes == 10_000
    cache.put(("big", "article", True), b"x" * 5000, None)  # over a quarter: not kept
    assert cache.get(("big", "article", True)) is None


# -- item 10: slow and vanishing clients, through real uvicorn -------------------------------
@pytest.fixture()
def live_server(fake: FakeLibrary) -> Iterator[Callable[..., int]]:
    """Start real uvicorn servers (the `serving` protocol) on free ports; their port."""
    import uvicorn

    from takeaways.server.serving import MAX_HEADER_BYTES, protocol_for

    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**extra: Any) -> int:
        settings = _settings(**extra)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        config = uvicorn.Config(create_app(settings, library=fake), host="127.0.0.1",
                                port=port, log_level="warning", http=protocol_for(settings),
                                h11_max_incomplete_event_size=MAX_HEADER_BYTES)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        running.append((server, thread))
        deadline = time.monotonic() + PATIENCE_S
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        return port

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(PATIENCE_S)


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(PATIENCE_S)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_server_closes_a_connection_whose_headers_trickle(
    live_server: Callable[..., int],
) -> None:
    """Slowloris: request headers that never finish. The server closes the connection
    (recv returns end of file) instead of holding it for ever."""
    port = live_server(header_timeout_s=0.5)
    with _connect(port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert _read_all(sock) == b""
    with _connect(port) as sock:  # a well-behaved client on a fresh connection is served
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert _read_all(sock).startswith(b"HTTP/1.1 200")


def test_server_unparsable_request_is_a_json_400(live_server: Callable[..., int]) -> None:
    port = live_server()
    # headers still incomplete past 16 KB (a client that never ends them), and garbage
    for raw in (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 40_000,
                b"NOT HTTP AT ALL\r\n\r\n"):
        with _connect(port) as sock:
            sock.sendall(raw)
            head, _, body = _read_all(sock).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), head
        assert b"application/json" in head and b"content-security-policy" in head.lower()
        assert b'"bad_request"' in body


def test_server_answers_408_when_the_body_stalls(live_server: Callable[..., int]) -> None:
    port = live_server(body_timeout_s=0.5)
    with _connect(port) as sock:
        sock.sendall(b"POST /v1/read HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     b"application/json\r\nContent-Length: 1000\r\n\r\n{\"text\": \"abc")
        reply = _read_all(sock)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408") and b"content-security-policy" in head.lower()
    assert b'"body_timeout"' in body


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.disconnected = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if "disconnected" in record.getMessage():
            self.disconnected.set()


def test_server_aborted_request_logs_one_short_line(live_server: Callable[..., int]) -> None:
    """Each aborted request logged a ~70-line ClientDisconnect traceback."""
    port = live_server()
    handler = _Records()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        with _connect(port) as sock:
            sock.sendall(b"POST /v1/read HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                         b"application/json\r\nContent-Length: 1000\r\n\r\n{\"text\": ")
        assert handler.disconnected.wait(PATIENCE_S)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    mine = [r for r in handler.records if "disconnected" in r.getMessage()]
    assert len(mine) == 1 and mine[0].exc_info is None
    assert not [r for r in handler.records if r.exc_info]  # no traceback anywhere


def test_a_worker_gives_freed_heap_pages_back_after_each_job() -> None:
    import sys

    from takeaways.server.workers import release_memory

    got = release_memory()
    assert isinstance(got, bool)
    assert got is sys.platform.startswith("linux") or not got  # glibc where there is one
    assert release_memory() is got  # looked up once, callable again

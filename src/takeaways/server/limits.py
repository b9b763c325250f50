"""Request limits and security headers as plain ASGI middleware, plus the work runner
that bounds concurrency and time per request."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from takeaways.server.engine import ServerError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
T = TypeVar("T")

#: Strict policy for every page: scripts and styles only from our own /static files.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: FastAPI's Swagger UI needs its CDN bundle and one inline bootstrap script (/docs only).
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


class BodyTooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
        ],
    })
    await send({"type": "http.response.body", "body": data})


def _too_large(limit: int) -> dict[str, Any]:
    return ServerError(
        413, "too_large", f"the request body is over the {limit:,}-byte limit; send a smaller page."
    ).to_dict()


class BodyLimitMiddleware:
    """Answer 413 (JSON) when a request body is over ``limit`` bytes, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await _send_json(send, 413, _too_large(self.limit))
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send_json(send, 413, _too_large(self.limit))


class SecurityHeadersMiddleware:
    """Content-Security-Policy and friends on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope.get("path") in DOCS_PATHS else CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class Runner:
    """Runs blocking work on ``workers`` threads, at most ``max_queue`` waiting (else 503),
    each request answered within ``timeout`` seconds (else 504). A timed-out job keeps
    its slot until it really ends, so the limit bounds the CPU work, not just replies."""

    def __init__(self, workers: int, max_queue: int, timeout: float) -> None:
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, max_queue)
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="takeaways-server")
        self._lock = threading.Lock()
        self.pending = 0

    def _done(self, _fut: Future[Any]) -> None:
        with self._lock:
            self.pending -= 1

    async def run(self, fn: Callable[[], T]) -> T:
        with self._lock:
            if self.pending >= self.capacity:
                raise ServerError(
                    503, "busy", "the server is at its concurrency limit; retry in a moment."
                )
            self.pending += 1
        fut = self._pool.submit(fn)
        fut.add_done_callback(self._done)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout)
        except TimeoutError:
            fut.cancel()
            raise ServerError(
                504, "timeout", f"the analysis took longer than {self.timeout:g} s; "
                "try a shorter page or raise the server's time limit.",
            ) from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

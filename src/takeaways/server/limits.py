"""Request limits and security headers as plain ASGI middleware, plus the work runner
that bounds concurrency and time per request."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
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
log = logging.getLogger(__name__)

#: Strict policy for every page: scripts and styles only from our own /static files.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: /docs and /redoc: their bundles are local files (``server/docs.py``); ReDoc adds
#: <style> elements and Swagger UI inline styles, and ReDoc starts a worker from a blob.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; worker-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


class BodyTooLarge(Exception):
    pass


class BodyTimeout(Exception):
    pass


async def _send_json(send: Send, status: int, body: dict[str, Any],
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
            *(headers or []),
        ],
    })
    await send({"type": "http.response.body", "body": data})


def _too_large(limit: int) -> dict[str, Any]:
    return ServerError(
        413, "too_large", f"the request body is over the {limit:,}-byte limit; send a smaller page."
    ).to_dict()


class BodyLimitMiddleware:
    """Answer 413 (JSON) when a request body is over ``limit`` bytes, declared or streamed,
    and 408 when the body has not arrived ``timeout`` seconds after the request began
    (a client trickling its body cannot hold a connection for ever)."""

    def __init__(self, app: ASGIApp, limit: int, timeout: float = 30.0) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await _send_json(send, 413, _too_large(self.limit), [(b"connection", b"close")])
            return
        seen = 0
        started = False
        deadline = time.monotonic() + self.timeout
        body_done = False

        async def limited_receive() -> Message:
            nonlocal seen, body_done
            if body_done:  # after the body: only a disconnect can come, wait for it freely
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise BodyTimeout() from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
                body_done = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send_json(send, 413, _too_large(self.limit), [(b"connection", b"close")])
        except BodyTimeout:
            log.info("request body not received within %g s: %s %s",
                     self.timeout, scope.get("method"), scope.get("path"))
            if not started:
                err = ServerError(408, "body_timeout", f"the request body did not arrive within "
                                  f"{self.timeout:g} s; send it at once.")
                await _send_json(send, 408, err.to_dict(), [(b"connection", b"close")])


def host_name(value: str) -> str:
    """The host name of a ``Host`` header or an ``Origin`` authority: no port, no brackets
    around an IPv6 address, lower case, no trailing dot."""
    value = value.strip().lower()
    if value.startswith("["):
        value = value[1:value.find("]")] if "]" in value else value[1:]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def host_allowed(name: str, allowed: tuple[str, ...]) -> bool:
    names = {host_name(a) if a != "*" else a for a in allowed}
    return "*" in names or (bool(name) and host_name(name) in names)


class HostMiddleware:
    """Refuse (400, JSON) a request whose ``Host`` header names a host not in ``allowed``:
    a page on another site that rebinds its DNS name to this address cannot reach it."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = tuple(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if host_allowed(raw, self.allowed):
            await self.app(scope, receive, send)
            return
        shown = raw[:80].encode("ascii", "backslashreplace").decode()
        err = ServerError(
            400, "bad_host", f"this server does not answer to the host {shown!r}; use one of "
            f"{', '.join(self.allowed)} or start it with --allowed-host NAME.",
        )
        await _send_json(send, 400, err.to_dict(), [(b"connection", b"close")])


class SecurityHeadersMiddleware:
    """Content-Security-Policy and friends on every response, including the ones inner
    middleware sends (413, 408, 400) and the JSON 500 of an unhandled error, which this
    middleware answers itself (the log gets one traceback). A client that went away
    before its body arrived gets one short log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.requests import ClientDisconnect

        csp = DOCS_CSP if scope.get("path") in DOCS_PATHS else CSP
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
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

        try:
            await self.app(scope, receive, with_headers)
        except ClientDisconnect:
            log.info("client disconnected before its request was read: %s %s",
                     scope.get("method"), scope.get("path"))
        except Exception as exc:  # noqa: BLE001 - the last line: a JSON 500, never plain text
            log.error("unhandled error on %s %s", scope.get("method"), scope.get("path"),
                      exc_info=exc)
            if started:
                raise
            err = ServerError(500, "internal", "the server failed with an internal error; "
                              "see the log.")
            await _send_json(with_headers, 500, err.to_dict())


class Runner:
    """Runs blocking work on ``workers`` threads, at most ``max_queue`` waiting (else 503).
    With ``enforce`` the request is answered 504 ``timeout`` seconds after it came while
    the thread's job runs on to its end, keeping its slot (an app over a library object,
    in this process); without it the job stops itself at its time limit (worker
    processes, `takeaways.server.workers`) and the slot is free again at once."""

    def __init__(self, workers: int, max_queue: int, timeout: float, *,
                 enforce: bool = True) -> None:
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, max_queue)
        self.timeout = timeout
        self.enforce = enforce
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
        if not self.enforce:
            return await asyncio.wrap_future(fut)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout)
        except TimeoutError:
            fut.cancel()
            raise ServerError(504, "timeout", timeout_message(self.timeout)) from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def timeout_message(timeout: float) -> str:
    return (f"the analysis took longer than {timeout:g} s and was stopped; "
            "try a shorter page or raise the server's time limit.")

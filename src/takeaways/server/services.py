"""What the routes and pages share: the request model, the services, input parsing."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from takeaways.errors import DeadlineError
from takeaways.keypoints import MAX_KEY_POINTS
from takeaways.server.engine import (
    Engine,
    Job,
    Library,
    ServerError,
    Source,
    error_from,
    fetch_disabled,
)
from takeaways.server.limits import Runner, host_allowed
from takeaways.server.settings import ServerSettings
from takeaways.server.store import Store
from takeaways.server.workers import LibraryFactory, WorkerPool

log = logging.getLogger(__name__)
T = TypeVar("T")
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class AnalyzeRequest(BaseModel):
    """The body of every POST /v1/… call: exactly one of ``html``, ``text`` or ``url``.
    Strict types: ``"n": "4"`` or ``"store": "yes"`` is a 422 naming the field, not a
    guess (the Python API refuses them too)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    html: str | None = Field(None, description="the page as HTML")
    text: str | None = Field(None, description="scraped or pasted page text")
    url: str | None = Field(None, description="an http(s) URL (only if the server allows fetching)")
    kind: Literal["html", "text", "plain"] | None = Field(
        None, description="force how the input is read; default: detect"
    )
    n: int = Field(4, ge=1, le=MAX_KEY_POINTS, description="number of key points")
    summary: str | list[str] | None = Field(
        None, description="audit only: the summary to check (default: the page's own summary box)"
    )
    store: bool = Field(True, description="keep the analysis and return its permalink")

    @model_validator(mode="after")
    def _one_source(self) -> AnalyzeRequest:
        given = [k for k in ("html", "text", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of 'html', 'text' or 'url'")
        for name in ("html", "text", "url", "summary"):
            value = getattr(self, name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    _no_surrogates(name, item)
        return self

    def job(self, what: tuple[str, ...]) -> Job:
        summary = "\n".join(self.summary) if isinstance(self.summary, list) else self.summary
        if self.url is not None:
            source = Source(url=self.url.strip(), kind=self.kind)
        elif self.html is not None:
            source = Source(data=self.html.encode("utf-8"), kind=self.kind or "html")
        else:
            source = Source(data=(self.text or "").encode("utf-8"), kind=self.kind)
        return Job(source, what=what, n=self.n, summary=summary or None, store=self.store)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(name: str, value: str) -> None:
    """Refuse a lone UTF-16 surrogate (JSON may escape one, ``"\\ud800"``; no UTF-8 text
    can hold it)."""
    found = _SURROGATE.search(value)
    if found:
        raise ValueError(
            f"'{name}' holds a lone UTF-16 surrogate (U+{ord(found.group()):04X}) at "
            f"character {found.start()}; send valid Unicode text"
        )


class ResponseCache:
    """Serialised JSON answers by (request content key, feature): a repeated request is
    answered on the event loop, with no thread hop, no parse and no database call."""

    def __init__(self, size: int, max_bytes: int = 64_000_000) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[tuple[str, str, bool], tuple[bytes, str | None]] = OrderedDict()

    def get(self, key: tuple[str, str, bool]) -> tuple[bytes, str | None] | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[str, str, bool], body: bytes, rid: str | None) -> None:
        """Keep at most ``size`` answers and ``max_bytes`` bytes (an answer bigger than a
        quarter of that is not kept)."""
        if len(body) * 4 > self.max_bytes:
            return
        old = self._items.pop(key, None)
        self.bytes -= len(old[0]) if old else 0
        self._items[key] = (body, rid)
        self.bytes += len(body)
        while len(self._items) > self.size or self.bytes > self.max_bytes:
            _k, (gone, _r) = self._items.popitem(last=False)
            self.bytes -= len(gone)

    def forget(self, rid: str) -> None:
        for key in [k for k, (_b, r) in self._items.items() if r == rid]:
            self.bytes -= len(self._items.pop(key)[0])

    def __len__(self) -> int:
        return len(self._items)


class Services:
    """What the routes share: settings, runner (and worker processes), store, caches.

    With a ``library`` object (tests) or ``isolation="thread"``, analyses run in this
    process on the runner's threads; otherwise each runs in a worker process made with
    ``library_factory`` (default: the real `Library`) and stopped at its deadline."""

    def __init__(self, settings: ServerSettings, library: Library | None,
                 library_factory: LibraryFactory | None = None) -> None:
        self.settings = settings
        self.pool: WorkerPool | None = None
        self.engine: Engine | None = None
        if library is None and settings.isolation == "process":
            self.pool = WorkerPool(settings, library_factory)
        else:
            self.engine = Engine(settings, library)
        self.runner = Runner(settings.max_workers, settings.max_queue, settings.request_timeout_s,
                             enforce=self.pool is None)
        self.store = Store(settings.db_path)
        self.responses = ResponseCache(max(1, settings.cache_size) * 4)

    def start(self) -> None:
        if self.pool is not None:
            self.pool.start()

    def process(self, job: Job, *, strict: bool) -> dict[str, Any]:
        """Blocking: compute, then store (deduplicated by content key)."""
        if self.pool is not None:
            try:
                record = self.pool.call(job, strict=strict)
            except DeadlineError as exc:
                raise error_from(exc) from None
        else:
            assert self.engine is not None
            record = self.engine.run(job, strict=strict)
        if job.store:
            record["id"] = self.store.find(record["content_key"]) or self.store.save(record)
        return record

    async def submit(self, job: Job, *, strict: bool = True,
                     then: Callable[[dict[str, Any]], T] | None = None) -> Any:
        """The record of ``job`` or, with ``then``, ``then(record)``; all of it on a
        runner thread, never on the event loop."""
        if job.source.url is not None and not self.settings.allow_fetch:
            raise fetch_disabled()

        def work() -> Any:
            record = self.process(job, strict=strict)
            return record if then is None else then(record)

        return await self.runner.run(work)

    def close(self) -> None:
        self.runner.close()
        if self.pool is not None:
            self.pool.close()
        self.store.close()


def error_response(err: ServerError) -> JSONResponse:
    headers = {"Retry-After": "1"} if err.status == 503 else (
        {"WWW-Authenticate": 'Bearer realm="takeaways"'} if err.status == 401 else None)
    return JSONResponse(err.to_dict(), status_code=err.status, headers=headers)


def same_origin(request: Request) -> bool:
    """False for a cross-site request: ``Sec-Fetch-Site`` other than same-origin/none
    (every current browser sends it), or an ``Origin`` whose host is not one this server
    answers to (``allowed_hosts``; never the request's own ``Host``, which a rebound DNS
    name controls). No ``Origin`` at all: not a browser (curl, scripts)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    settings: ServerSettings = request.app.state.services.settings
    authority = origin.split("://", 1)[-1].split("/", 1)[0]
    return origin != "null" and host_allowed(authority, settings.allowed_hosts)


def check_token(request: Request, supplied: str | None = None) -> None:
    """With a configured token, a write or delete must carry it: ``Authorization: Bearer
    TOKEN``, or (a form of the web page) a ``token`` field."""
    expected = request.app.state.services.settings.token
    if not expected:
        return
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    given = value.strip() if scheme.lower() == "bearer" else (supplied or "")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
        raise ServerError(401, "unauthorized", "this server needs its API token for writes and "
                          "deletes; send 'Authorization: Bearer TOKEN' (the token given to "
                          "takeaways serve --token or $TAKEAWAYS_TOKEN).")


async def parse_job(request: Request, what: tuple[str, ...], max_part: int) -> Job:
    """A `Job` from a JSON body, or from a form with an uploaded ``file``."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if not same_origin(request):
            raise ServerError(403, "cross_site", "cross-site form posts are refused.")
        payload = await form_payload(request, max_part)
        check_token(request, payload.pop("token", None))
    elif ctype == "application/json":
        check_token(request)
        body = await request.body()
        payload = await asyncio.to_thread(_json, body) if len(body) > 65536 else _json(body)
    else:
        raise ServerError(415, "unsupported_media_type", "send application/json or a form.")
    if not isinstance(payload, dict):
        raise ServerError(400, "bad_json", "the body must be a JSON object.")
    try:
        return AnalyzeRequest.model_validate(payload).job(what)
    except ValidationError as exc:
        raise ServerError(422, "invalid_request", validation_message(exc.errors())) from None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise ServerError(400, "bad_json", "the body is JSON nested too deeply; send an "
                          "object of the documented fields.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ServerError(400, "bad_json", f"the body is not valid JSON: {exc}") from None


async def form_payload(
    request: Request, max_part: int, *, keep: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Form fields as an `AnalyzeRequest` payload. A non-empty ``file`` replaces the
    ``text`` field; both at once is refused (422), as the reader could not know which
    one was meant."""
    form = await request.form(max_files=1, max_fields=20, max_part_size=max_part)
    payload: dict[str, Any] = {}
    for key in ("text", "html", "url", "kind", "summary", "n", "token"):
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            payload[key] = value
    if keep is not None:  # what the page shows again when it answers with an error
        shown = ("text", "kind", "n", "summary", "url")
        keep.update((k, v) for k, v in payload.items() if k in shown)
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str):
        data = await upload.read()
        if data:
            if "text" in payload or "html" in payload:
                raise ServerError(422, "two_inputs", "you gave both pasted text and a file: "
                                  "clear the text box or remove the file, then try again.")
            payload.pop("text", None)
            payload.pop("html", None)
            payload["text"] = _decode_upload(data)
    return payload


def _decode_upload(data: bytes) -> str:
    from takeaways.ingest.loading import decode

    if data[:2] == b"\x1f\x8b":
        raise ServerError(
            415, "unsupported_media_type", "upload an uncompressed .html or .txt file."
        )
    return decode(data)[0]


def validation_message(errors: list[Any]) -> str:
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        msg = str(e.get("msg", "invalid"))
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"

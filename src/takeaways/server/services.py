"""What the routes and pages share: the request model, the services, input parsing."""

from __future__ import annotations

import json
import logging
import re
from collections import OrderedDict
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from takeaways.server.engine import Engine, Job, Library, ServerError, Source
from takeaways.server.limits import Runner
from takeaways.server.settings import ServerSettings
from takeaways.server.store import Store

log = logging.getLogger(__name__)
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class AnalyzeRequest(BaseModel):
    """The body of every POST /v1/… call: exactly one of ``html``, ``text`` or ``url``."""

    model_config = ConfigDict(extra="forbid")

    html: str | None = Field(None, description="the page as HTML")
    text: str | None = Field(None, description="scraped or pasted page text")
    url: str | None = Field(None, description="an http(s) URL (only if the server allows fetching)")
    kind: Literal["html", "text", "plain"] | None = Field(
        None, description="force how the input is read; default: detect"
    )
    n: int = Field(4, ge=1, le=12, description="number of key points")
    summary: str | list[str] | None = Field(
        None, description="audit only: the summary to check (default: the page's own summary box)"
    )
    store: bool = Field(True, description="keep the analysis and return its permalink")

    @model_validator(mode="after")
    def _one_source(self) -> AnalyzeRequest:
        given = [k for k in ("html", "text", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of 'html', 'text' or 'url'")
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


class ResponseCache:
    """Serialised JSON answers by (request content key, feature): a repeated request is
    answered on the event loop, with no thread hop, no parse and no database call."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str, bool], tuple[bytes, str | None]] = OrderedDict()

    def get(self, key: tuple[str, str, bool]) -> tuple[bytes, str | None] | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[str, str, bool], body: bytes, rid: str | None) -> None:
        self._items[key] = (body, rid)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def forget(self, rid: str) -> None:
        for key in [k for k, (_b, r) in self._items.items() if r == rid]:
            del self._items[key]


class Services:
    """What the routes share: settings, engine, runner, store."""

    def __init__(self, settings: ServerSettings, library: Library | None) -> None:
        self.settings = settings
        self.engine = Engine(settings, library)
        self.runner = Runner(settings.max_workers, settings.max_queue, settings.request_timeout_s)
        self.store = Store(settings.db_path)
        self.responses = ResponseCache(max(1, settings.cache_size) * 4)

    def process(self, job: Job, *, strict: bool) -> dict[str, Any]:
        """Blocking: compute, then store (deduplicated by content key)."""
        record = self.engine.run(job, strict=strict)
        if job.store:
            record["id"] = self.store.find(record["content_key"]) or self.store.save(record)
        return record

    async def submit(self, job: Job, *, strict: bool = True) -> dict[str, Any]:
        if job.source.url is not None and not self.settings.allow_fetch:
            self.engine.fetch(job.source.url)  # raises the 403
        return await self.runner.run(lambda: self.process(job, strict=strict))

    def close(self) -> None:
        self.runner.close()
        self.store.close()


def error_response(err: ServerError) -> JSONResponse:
    headers = {"Retry-After": "1"} if err.status == 503 else None
    return JSONResponse(err.to_dict(), status_code=err.status, headers=headers)


def same_origin(request: Request) -> bool:
    """False for a cross-site form post (the only kind a browser sends without CORS)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:  # every current browser sends it
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:  # not a browser: curl, scripts
        return True
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


async def parse_job(request: Request, what: tuple[str, ...], max_part: int) -> Job:
    """A `Job` from a JSON body, or from a form with an uploaded ``file``."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if not same_origin(request):
            raise ServerError(403, "cross_site", "cross-site form posts are refused.")
        payload = await form_payload(request, max_part)
    elif ctype == "application/json":
        try:
            payload = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError) as exc:
            raise ServerError(400, "bad_json", f"the body is not valid JSON: {exc}") from None
    else:
        raise ServerError(415, "unsupported_media_type", "send application/json or a form.")
    if not isinstance(payload, dict):
        raise ServerError(400, "bad_json", "the body must be a JSON object.")
    try:
        return AnalyzeRequest.model_validate(payload).job(what)
    except ValidationError as exc:
        raise ServerError(422, "invalid_request", validation_message(exc.errors())) from None


async def form_payload(request: Request, max_part: int) -> dict[str, Any]:
    """Form fields as an `AnalyzeRequest` payload; a non-empty ``file`` wins over ``text``."""
    form = await request.form(max_files=1, max_fields=20, max_part_size=max_part)
    payload: dict[str, Any] = {}
    for key in ("text", "html", "url", "kind", "summary", "n"):
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            payload[key] = value
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str):
        data = await upload.read()
        if data:
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

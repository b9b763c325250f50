"""JSON endpoints. Each POST returns the library's own ``to_dict()`` output; the stored
analysis id travels in the ``X-Analysis-Id`` header and a ``Link`` to its permalink."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from takeaways.pipeline.envelope import standalone
from takeaways.server.docs import ok_response
from takeaways.server.engine import ServerError
from takeaways.server.services import (
    ID_RE,
    AnalyzeRequest,
    Services,
    check_token,
    error_response,
    parse_job,
    same_origin,
)

router = APIRouter()

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": AnalyzeRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "text": {"type": "string"}, "kind": {"type": "string"},
                        "n": {"type": "integer"}, "summary": {"type": "string"},
                    },
                }
            },
        },
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": desc} for code, desc in {
        401: "the server has an API token and the request lacks it",
        403: "URL fetching disabled, or a cross-site form post",
        413: "body over the size limit", 422: "input is not a readable article",
        501: "the feature is not available in this build", 503: "busy: retry",
        504: "the analysis ran over the time limit",
    }.items()
}


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _analyze(request: Request, feature: str) -> Response:
    services = _services(request)
    what = ("read",) if feature == "article" else ("read", feature)
    job = await parse_job(request, what, services.settings.max_body_bytes)
    key = (job.key(), feature, job.store)
    cached = services.responses.get(key)
    if cached is None:
        cached = await services.submit(job, strict=True, then=lambda r: _answer(r, feature))
        services.responses.put(key, *cached)
    body, rid = cached
    headers = {}
    if rid:
        headers["X-Analysis-Id"] = rid
        headers["Link"] = f'</a/{rid}>; rel="alternate"; type="text/html"'
    return Response(body, media_type="application/json", headers=headers)


def _answer(record: dict[str, Any], feature: str) -> tuple[bytes, str | None]:
    """The JSON answer for ``feature`` of a record, and its id (on a worker thread: the
    article of a long page takes a while to serialise)."""
    result = record[feature]
    if feature != "article" and isinstance(result, dict):
        result = standalone(result, record.get("article"))  # offsets need the article
    return json.dumps(result, ensure_ascii=False).encode("utf-8"), record.get("id")


@router.get("/healthz", tags=["meta"])
def healthz(request: Request) -> dict[str, Any]:
    """Liveness: the server answers and its database opens."""
    services = _services(request)
    return {
        "status": "ok", "db_version": services.store.version,
        "allow_fetch": services.settings.allow_fetch, "pending": services.runner.pending,
    }


@router.post("/v1/read", tags=["analyze"], openapi_extra=_BODY,
             responses={**ok_response("article"), **_ERRORS})
async def read(request: Request) -> Response:
    """The clean article (`Article.to_dict()`): text, paragraphs, sentences with offsets."""
    return await _analyze(request, "article")


@router.post("/v1/key-points", tags=["analyze"], openapi_extra=_BODY,
             responses={**ok_response("key_points"), **_ERRORS})
async def key_points(request: Request) -> Response:
    """Numbered key points, each with its evidence sentences (`KeyPoints.to_dict()`)."""
    return await _analyze(request, "key_points")


@router.post("/v1/quotes", tags=["analyze"], openapi_extra=_BODY,
             responses={**ok_response("quotes"), **_ERRORS})
async def quotes(request: Request) -> Response:
    """Who said what (`Quotes.to_dict()`)."""
    return await _analyze(request, "quotes")


@router.post("/v1/audit", tags=["analyze"], openapi_extra=_BODY,
             responses={**ok_response("audit"), **_ERRORS})
async def audit(request: Request) -> Response:
    """Claim-by-claim audit of ``summary`` (default: the page's own summary box)."""
    return await _analyze(request, "audit")


def _checked_id(analysis_id: str) -> str:
    if not ID_RE.match(analysis_id):
        raise ServerError(404, "not_found", "no such analysis.")
    return analysis_id


# Routes that only read the store are plain functions: FastAPI runs them on its thread
# pool, so decoding a large stored analysis never holds up the event loop.
@router.get("/v1/analyses", tags=["analyses"])
def recent(request: Request, limit: int = 20) -> dict[str, Any]:
    """Recent analyses, newest first (id, created_at, title, source_kind, permalink)."""
    services = _services(request)
    rows = services.store.recent(min(max(limit, 1), 200))
    return {"analyses": [{**r, "permalink": f"/a/{r['id']}"} for r in rows]}


@router.get("/v1/analyses/{analysis_id}", tags=["analyses"])
def get_analysis(request: Request, analysis_id: str) -> Response:
    """One stored analysis: article plus every result computed for it."""
    record = _services(request).store.get(_checked_id(analysis_id))
    if record is None:
        return error_response(ServerError(404, "not_found", "no such analysis."))
    record["permalink"] = f"/a/{analysis_id}"
    return JSONResponse(record)


@router.delete("/v1/analyses/{analysis_id}", tags=["analyses"], status_code=204)
def delete_analysis(request: Request, analysis_id: str) -> Response:
    """Delete a stored analysis; 404 when there is none. Refused cross-site (403), and
    without the API token when the server has one (401)."""
    services = _services(request)
    if not same_origin(request):
        raise ServerError(403, "cross_site", "cross-site deletes are refused.")
    check_token(request)
    services.responses.forget(analysis_id)
    if not services.store.delete(_checked_id(analysis_id)):
        return error_response(ServerError(404, "not_found", "no such analysis."))
    return Response(status_code=204)

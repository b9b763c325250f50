"""The web page: a form, the analysis view (permalink) and the recent list.

Server-rendered with autoescaping Jinja2; ``static/app.js`` adds the highlighting.
Every form post is same-origin only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from takeaways.server import view
from takeaways.server.engine import FEATURES, ServerError
from takeaways.server.services import ID_RE, Services, form_payload, same_origin

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    folder = resources.files("takeaways.server").joinpath("templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(
        css=view.css_token, ranges=view.ranges, sids=view.sentence_ids, label=view.label,
        when=lambda ts: datetime.fromtimestamp(float(ts), UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    env.globals.update(
        speaker=view.speaker, quote_ranges=view.quote_ranges, claim_parts=view.claim_parts
    )
    return env


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _env().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _index_context(services: Services) -> dict[str, Any]:
    s = services.settings
    return {
        "recent": services.store.recent(s.recent_limit), "allow_fetch": s.allow_fetch,
        "max_mb": s.max_body_bytes / 1_000_000, "default_n": s.default_n, "form": {},
        "error": None,
    }


def error_page(request: Request, err: ServerError, form: dict[str, Any] | None = None) -> Response:
    services = _services(request)
    context = _index_context(services) | {"error": err, "form": form or {}}
    return render("index.html", status=err.status, **context)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    return render("index.html", **_index_context(_services(request)))


@router.post("/analyze")
async def analyze(request: Request) -> Response:
    """Form post: compute everything, store it, redirect to the permalink."""
    from pydantic import ValidationError

    from takeaways.server.services import AnalyzeRequest, validation_message

    services = _services(request)
    if not same_origin(request):
        raise ServerError(403, "cross_site", "cross-site form posts are refused.")
    payload = await form_payload(request, services.settings.max_body_bytes)
    form = {k: v for k, v in payload.items() if k in ("kind", "n", "summary", "url")}
    try:
        job = AnalyzeRequest.model_validate(payload).job(("read", *FEATURES))
        record = await services.submit(job, strict=False)
    except ValidationError as exc:
        err = ServerError(422, "invalid_request", validation_message(exc.errors()))
        return error_page(request, err, form)
    except ServerError as err:
        return error_page(request, err, form)
    return RedirectResponse(f"/a/{record['id']}", status_code=303)


def _record(request: Request, analysis_id: str) -> dict[str, Any]:
    record = _services(request).store.get(analysis_id) if ID_RE.match(analysis_id) else None
    if record is None:
        raise ServerError(404, "not_found", "no such analysis; it may have been deleted.")
    return record


@router.get("/a/{analysis_id}", response_class=HTMLResponse)
async def permalink(request: Request, analysis_id: str) -> Response:
    record = _record(request, analysis_id)
    return render(
        "analysis.html", record=record, blocks=view.article_blocks(record),
        errors=record.get("errors") or {}, recent=_services(request).store.recent(10),
    )


@router.post("/a/{analysis_id}/delete")
async def delete(request: Request, analysis_id: str) -> Response:
    if not same_origin(request):
        raise ServerError(403, "cross_site", "cross-site form posts are refused.")
    _record(request, analysis_id)
    _services(request).responses.forget(analysis_id)
    _services(request).store.delete(analysis_id)
    return RedirectResponse("/", status_code=303)

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
from takeaways.server.services import ID_RE, Services, check_token, form_payload, same_origin

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
        "error": None, "token_required": bool(s.token),
    }


def error_page(request: Request, err: ServerError, form: dict[str, Any] | None = None) -> Response:
    services = _services(request)
    context = _index_context(services) | {"error": err, "form": form or {}}
    return render("index.html", status=err.status, **context)


# Pages that only read are plain functions: FastAPI runs them on its thread pool, so
# cutting and rendering a long article never blocks the event loop (and /healthz).
@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> Response:
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
        check_token(request, payload.pop("token", None))
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
def permalink(request: Request, analysis_id: str) -> Response:
    record = _record(request, analysis_id)
    services = _services(request)
    return render(
        "analysis.html", record=record, blocks=view.article_blocks(record),
        errors=record.get("errors") or {}, recent=services.store.recent(10),
        token_required=bool(services.settings.token),
    )


@router.post("/a/{analysis_id}/delete")
async def delete(request: Request, analysis_id: str) -> Response:
    if not same_origin(request):
        raise ServerError(403, "cross_site", "cross-site form posts are refused.")
    form = await request.form(max_files=0, max_fields=5)
    token = form.get("token")
    check_token(request, token if isinstance(token, str) else None)
    services = _services(request)
    services.responses.forget(analysis_id)
    if not ID_RE.match(analysis_id) or not services.store.delete(analysis_id):
        raise ServerError(404, "not_found", "no such analysis; it may have been deleted.")
    return RedirectResponse("/", status_code=303)

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
        speaker=view.speaker, quote_ranges=view.quote_ranges, claim_parts=view.claim_parts,
        source_line=view.source_line, markdown=view.markdown, cites=view.cites,
        rewrites=view.rewrites, quote_groups=view.quote_groups, percent=view.percent,
        error_words=view.error_words, recent_label=view.recent_label, error_title=error_title,
    )
    return env


#: The headline of an error on the page, by HTTP status (the message says the rest).
_TITLES = {
    400: "That did not work.", 401: "This server needs its API token.",
    403: "Not allowed.", 404: "Not found.", 413: "That is too large.",
    415: "That file type cannot be read.", 422: "Nothing to analyse yet.",
    501: "Not available here.", 503: "The server is busy.", 504: "That took too long.",
}


def error_title(err: ServerError) -> str:
    if err.status == 422 and err.code != "invalid_request":
        return "This cannot be analysed."
    return _TITLES.get(err.status, "Something went wrong.")


#: What to tell a person for a form field pydantic refused.
_FIELD_WORDS = {
    "n": "Key points: choose a whole number from 1 to 12.",
    "kind": "Read the input as: choose one of the listed options.",
    "summary": "Summary to audit: send plain text.",
    "url": "URL: give one public http(s) address.",
}


def form_message(errors: list[Any]) -> str:
    """Form errors in words a person can act on (no field paths, no pydantic wording)."""
    out: list[str] = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ()) if x != "body"]
        msg = str(e.get("msg", ""))
        if loc and loc[0] in _FIELD_WORDS:
            text = _FIELD_WORDS[loc[0]]
        elif "exactly one of" in msg:
            text = "Paste the article's text or HTML in the box, or choose a file to upload."
        else:
            text = msg.removeprefix("Value error, ")
        if text not in out:
            out.append(text)
    return " ".join(out) or "Check the form and try again."


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

    from takeaways.server.services import AnalyzeRequest

    services = _services(request)
    if not same_origin(request):
        raise ServerError(403, "cross_site", "cross-site form posts are refused.")
    form: dict[str, Any] = {}
    try:
        payload = await form_payload(request, services.settings.max_body_bytes, keep=form)
        check_token(request, payload.pop("token", None))
        # form fields are strings by nature: "n" is "4" here (JSON requests are strict)
        job = AnalyzeRequest.model_validate(payload, strict=False).job(("read", *FEATURES))
        record = await services.submit(job, strict=False)
    except ValidationError as exc:
        err = ServerError(422, "invalid_request", form_message(exc.errors()))
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

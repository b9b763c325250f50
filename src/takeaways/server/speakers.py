"""Speaker pages over a quote store (``takeaways serve --quote-store PATH``).

``/speakers`` lists the store's speakers; ``/speakers/{id}`` is one speaker's timeline,
each quote linking to ``/stored?doc=…&start=…&end=…``, the article with that quote
highlighted. Read-only: the store is opened per request.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from takeaways.errors import StoreError, UnknownSpeakerError
from takeaways.server.engine import ServerError

router = APIRouter(include_in_schema=False)


def _path(request: Request) -> str:
    path: str | None = request.app.state.services.settings.quote_store
    if not path:
        raise ServerError(501, "no_quote_store", "this server has no quote store; start it "
                          "with takeaways serve --quote-store PATH.")
    return path


def _open(request: Request) -> Any:
    from takeaways.store import open_store

    try:
        return open_store(_path(request))
    except StoreError as exc:
        raise ServerError(503, "quote_store", str(exc)) from exc


def _render(template: str, **context: Any) -> HTMLResponse:
    from takeaways.server.pages import render

    return render(template, **context)


@router.get("/speakers", response_class=HTMLResponse)
def speaker_list(request: Request) -> Response:
    from takeaways.store import speakers

    with _open(request) as store:
        groups = speakers(store)
    return _render("speakers.html", groups=groups[:500], total=len(groups))


@router.get("/speakers/{speaker_id}", response_class=HTMLResponse)
def speaker_page(request: Request, speaker_id: str, since: str | None = None,
                 until: str | None = None) -> Response:
    from takeaways.store import said

    try:
        with _open(request) as store:
            rows = said(store, speaker_id, since=since or None, until=until or None)
    except UnknownSpeakerError as exc:
        raise ServerError(404, "unknown_speaker", str(exc)) from exc
    except ValueError as exc:
        raise ServerError(400, "invalid_request", str(exc)) from exc
    return _render("speaker.html", rows=rows, speaker_id=speaker_id,
                   speaker=rows[0].speaker if rows else speaker_id)


@router.get("/stored", response_class=HTMLResponse)
def stored_article(request: Request, doc: str, start: int = 0, end: int = 0) -> Response:
    with _open(request) as store:
        row = store.con.execute("SELECT title, url, date, text FROM articles WHERE doc_id = ?",
                                [doc]).fetchone()
    if row is None:
        raise ServerError(404, "not_found", "no such article in the quote store.")
    title, url, date, text = row
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    start, end = min(start, end), max(start, end)
    return _render("stored.html", title=title or doc, url=url, date=date, doc=doc,
                   before=text[:start], quote=text[start:end], after=text[end:])

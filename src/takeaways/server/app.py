"""The FastAPI application: JSON API under /v1, the web page, limits and storage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from takeaways.server import docs, pages, routes, speakers
from takeaways.server.engine import Library, ServerError
from takeaways.server.limits import BodyLimitMiddleware, HostMiddleware, SecurityHeadersMiddleware
from takeaways.server.services import Services, error_response, validation_message
from takeaways.server.settings import ServerSettings
from takeaways.server.workers import LibraryFactory


def create_app(
    settings: ServerSettings | None = None, *, library: Library | None = None,
    library_factory: LibraryFactory | None = None,
) -> FastAPI:
    """The ASGI app. ``library`` replaces the real models and runs analyses in this
    process (tests); ``library_factory`` makes the library of each worker process."""
    from takeaways import __version__

    settings = settings or ServerSettings()
    services = Services(settings, library, library_factory)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        services.start()
        yield
        services.close()

    app = FastAPI(
        title="takeaways", version=__version__, lifespan=lifespan,
        description="Grounded key points, who-said-what and summary audits for news articles.",
        docs_url=None, redoc_url=None,  # served from local files below: no CDN
    )
    app.state.services = services
    # the last added runs first: headers on every answer, then Host, then the body limits
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes,
                       timeout=settings.body_timeout_s)
    app.add_middleware(HostMiddleware, allowed=settings.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    static = resources.files("takeaways.server").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    docs.mount(app)
    _handlers(app)
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.include_router(speakers.router)
    return app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ServerError)
    async def _server_error(request: Request, exc: ServerError) -> Response:
        if _wants_html(request):
            return pages.error_page(request, exc)
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> Response:
        message = validation_message(list(exc.errors()))
        return error_response(ServerError(422, "invalid_request", message))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        err = ServerError(exc.status_code, "http_error", str(exc.detail))
        if _wants_html(request):
            return pages.error_page(request, err)
        return error_response(err)


def _wants_html(request: Request) -> bool:
    """An HTML error page for the web pages (``/``, ``/analyze``, ``/a/…``) unless the
    client asks for JSON only; elsewhere only for a client that accepts HTML."""
    path = request.url.path
    if path.startswith("/v1") or path == "/healthz":
        return False
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return True
    page = path in ("/", "/analyze") or path.startswith("/a/")
    return page and "application/json" not in accept

"""``/docs`` (Swagger UI) and ``/redoc`` from local files, and the OpenAPI document with
the published JSON Schemas of the results.

The UI bundles come from the ``fastapi-offline`` package, so the pages work with no
network; ``static/docs.js`` starts Swagger UI (the CSP forbids inline scripts). The
200 answers of ``/v1/…`` point at ``components/schemas`` built from
``takeaways/schema/*.schema.json``: each schema's ``$defs`` become components of their
own and every ``$ref`` is rewritten to point at them.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

#: Result name → its component name in the OpenAPI document.
COMPONENTS = {"article": "Article", "key_points": "KeyPoints", "quotes": "Quotes",
              "audit": "Audit"}
ASSETS = "/static-docs"

_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>takeaways API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head><body>
<div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body></html>
"""
_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>takeaways API (ReDoc)</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head><body>
<redoc spec-url="/openapi.json"></redoc>
<script src="{assets}/redoc.standalone.js"></script>
</body></html>
"""


def _assets() -> str:
    return str(resources.files("fastapi_offline").joinpath("static"))


def mount(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc``, their assets and the OpenAPI document with schemas."""
    app.mount(ASSETS, StaticFiles(directory=_assets()), name="static-docs")

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return HTMLResponse(_SWAGGER.format(assets=ASSETS))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(_REDOC.format(assets=ASSETS))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version,
                              description=app.description, routes=app.routes)
            doc.setdefault("components", {}).setdefault("schemas", {}).update(components())
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def ok_response(name: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entry of a route answering the result ``name``."""
    ref = {"$ref": f"#/components/schemas/{COMPONENTS[name]}"}
    return {200: {"description": f"the {name.replace('_', ' ')} result",
                  "content": {"application/json": {"schema": ref}}}}


def components() -> dict[str, Any]:
    """Every published result schema (and its ``$defs``) as OpenAPI components."""
    from takeaways.schema import load_schema

    out: dict[str, Any] = {}
    for name, component in COMPONENTS.items():
        schema = dict(load_schema(name))
        defs = schema.pop("$defs", {})
        schema.pop("$schema", None)
        schema.pop("$id", None)
        out[component] = _rewrite(schema, component)
        for key, sub in defs.items():
            out[f"{component}_{key}"] = _rewrite(sub, component)
    return out


def _rewrite(node: Any, component: str) -> Any:
    if isinstance(node, list):
        return [_rewrite(x, component) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _rewrite(v, component) for k, v in node.items()}
    if isinstance(out.get("$ref"), str):
        out["$ref"] = _ref(out["$ref"], component)
    return out


def _ref(ref: str, component: str) -> str:
    """``#/$defs/span`` → ``#/components/schemas/Audit_span``; ``article.schema.json`` →
    ``#/components/schemas/Article`` (with its own ``#/$defs/…`` fragment likewise)."""
    file, _, fragment = ref.partition("#")
    if file:
        component = COMPONENTS[file.rsplit("/", 1)[-1].removesuffix(".schema.json")]
    if fragment.startswith("/$defs/"):
        return f"#/components/schemas/{component}_{fragment.removeprefix('/$defs/')}"
    return f"#/components/schemas/{component}"

"""JSON API through httpx's ASGI transport, over the fake library."""

# Fixtures are imported from server_fakes (no second conftest.py), so their names are
# "redefined" as test parameters; that is how pytest injects them.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from tests.server.server_fakes import ARTICLE, FakeLibrary, anyio_backend, client, fake, make_client  # noqa: F401

pytestmark = pytest.mark.anyio


async def test_server_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["allow_fetch"] is False


async def test_server_read_returns_article_dict_and_permalink(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/read", json={"text": ARTICLE})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["type"] == "article" and body["schema_version"]
    for s in body["sentences"]:
        assert body["text"][s["start"]:s["end"]] == s["text"]
    rid = r.headers["x-analysis-id"]
    assert f"</a/{rid}>" in r.headers["link"]
    stored = (await client.get(f"/v1/analyses/{rid}")).json()
    assert stored["article"] == body and stored["permalink"] == f"/a/{rid}"
    assert (await client.get(f"/a/{rid}")).status_code == 200


@pytest.mark.parametrize(
    ("path", "key"),
    [("/v1/key-points", "key_points"), ("/v1/quotes", "quotes"), ("/v1/audit", "claims")],
)
async def test_server_feature_endpoints(client: httpx.AsyncClient, path: str, key: str) -> None:
    r = await client.post(path, json={"html": f"<html><body><p>{ARTICLE}</p></body></html>",
                                      "summary": "One.\nTwo."})
    assert r.status_code == 200, r.text
    assert key in r.json()


async def test_server_analyses_once_per_article(
    client: httpx.AsyncClient, fake: FakeLibrary
) -> None:
    for path in ("/v1/key-points", "/v1/quotes", "/v1/audit", "/v1/key-points"):
        assert (await client.post(path, json={"text": ARTICLE})).status_code == 200
    assert fake.calls.count("analyze") == 1
    assert fake.calls.count("key_points") == 1  # second call is served from the cache


async def test_server_same_request_same_permalink(client: httpx.AsyncClient) -> None:
    a = await client.post("/v1/key-points", json={"text": ARTICLE})
    b = await client.post("/v1/key-points", json={"text": ARTICLE})
    c = await client.post("/v1/key-points", json={"text": ARTICLE, "n": 2})
    assert a.headers["x-analysis-id"] == b.headers["x-analysis-id"] != c.headers["x-analysis-id"]
    d = await client.post("/v1/key-points", json={"text": ARTICLE, "store": False})
    assert "x-analysis-id" not in d.headers


async def test_server_recent_and_delete(client: httpx.AsyncClient) -> None:
    ids = []
    for i in range(3):
        r = await client.post("/v1/read", json={"text": ARTICLE + f" Extra {i}."})
        ids.append(r.headers["x-analysis-id"])
    recent = (await client.get("/v1/analyses", params={"limit": 2})).json()["analyses"]
    assert [a["id"] for a in recent] == ids[::-1][:2]
    assert (await client.delete(f"/v1/analyses/{ids[0]}")).status_code == 204
    assert (await client.get(f"/v1/analyses/{ids[0]}")).status_code == 404
    assert (await client.delete(f"/v1/analyses/{ids[0]}")).status_code == 404
    assert (await client.get("/v1/analyses/..%2Fetc")).status_code == 404
    again = await client.post("/v1/read", json={"text": ARTICLE + " Extra 0."})
    assert again.headers["x-analysis-id"] not in ids  # no cached answer points at a deleted one


async def test_server_failing_feature_is_500_json_and_the_page_shows_the_rest(
    client: httpx.AsyncClient, fake: FakeLibrary
) -> None:
    fake.missing = {"quotes"}
    r = await client.post("/v1/quotes", json={"text": ARTICLE})
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal"
    page = await client.post("/analyze", data={"text": ARTICLE})
    assert page.status_code == 303  # the page still shows what did work
    html = (await client.get(page.headers["location"])).text
    assert "quotes failed with an internal error" in html and 'id="kp-1"' in html


async def test_server_library_crash_is_500_json(
    client: httpx.AsyncClient, fake: FakeLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(fake, "audit", boom)
    r = await client.post("/v1/audit", json={"text": ARTICLE})
    assert r.status_code == 500
    assert "secret" not in r.text and r.json()["error"]["code"] == "internal"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 422, "invalid_request"),
        ({"text": "a", "html": "b"}, 422, "invalid_request"),
        ({"text": ARTICLE, "n": 0}, 422, "invalid_request"),
        ({"text": ARTICLE, "bogus": 1}, 422, "invalid_request"),
        ({"text": ARTICLE, "n": "4"}, 422, "invalid_request"),  # strict: no guessing
        ({"text": ARTICLE, "n": 1.5}, 422, "invalid_request"),
        ({"text": ARTICLE, "store": "yes"}, 422, "invalid_request"),
        ({"text": "   "}, 422, "bad_input"),
        ({"text": "tiny"}, 422, "bad_input"),
        ([1, 2], 400, "bad_json"),
    ],
)
async def test_server_bad_requests_are_json_errors(
    client: httpx.AsyncClient, body: object, status: int, code: str
) -> None:
    r = await client.post("/v1/read", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


async def test_server_needs_json_or_form(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/read", content=b"{}", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    json_type = {"content-type": "application/json"}
    r = await client.post("/v1/read", content=b"{not json", headers=json_type)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_json"


async def test_server_upload_file(client: httpx.AsyncClient) -> None:
    files = {"file": ("page.txt", ARTICLE.encode("utf-8"), "text/plain")}
    r = await client.post("/v1/read", files=files, data={"kind": "plain"})
    assert r.status_code == 200, r.text
    assert r.json()["text"].startswith("Officials in the city")


async def test_server_body_limit_413(make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client() as c:  # the default 5 MB limit, declared length
        r = await c.post("/v1/read", json={"text": "x" * 5_000_001})
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    async with make_client(max_body_bytes=1000) as c:  # streamed, no content-length

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(10):
                yield b" " * 200

        r = await c.post("/v1/read", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
        r = await c.post("/analyze", files={"file": ("a.txt", b"a" * 2000, "text/plain")})
        assert r.status_code == 413


async def test_server_timeout_504(
    make_client: Callable[..., httpx.AsyncClient], fake: FakeLibrary
) -> None:
    import threading

    fake.gate = threading.Event()
    async with make_client(request_timeout_s=0.2) as c:
        r = await c.post("/v1/key-points", json={"text": ARTICLE})
        fake.gate.set()
    assert r.status_code == 504 and r.json()["error"]["code"] == "timeout"


async def test_server_concurrency_limit_503(
    make_client: Callable[..., httpx.AsyncClient], fake: FakeLibrary
) -> None:
    import threading

    fake.gate = threading.Event()
    async with make_client(max_workers=1, max_queue=1, request_timeout_s=5) as c:
        tasks = [
            asyncio.ensure_future(c.post("/v1/key-points", json={"text": ARTICLE + f" {i}."}))
            for i in range(3)
        ]
        await asyncio.sleep(0.3)
        fake.gate.set()
        codes = sorted(r.status_code for r in await asyncio.gather(*tasks))
    assert codes == [200, 200, 503]


async def test_server_openapi_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in ("/v1/read", "/v1/key-points", "/v1/quotes", "/v1/audit", "/v1/analyses",
                 "/v1/analyses/{analysis_id}", "/healthz"):
        assert path in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_server_openapi_answers_carry_the_published_schemas(
    client: httpx.AsyncClient,
) -> None:
    import json as json_

    import jsonschema

    import takeaways

    spec = (await client.get("/openapi.json")).json()
    for path, name in (("/v1/read", "Article"), ("/v1/key-points", "KeyPoints"),
                       ("/v1/quotes", "Quotes"), ("/v1/audit", "Audit")):
        schema = spec["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]
        assert schema["schema"] == {"$ref": f"#/components/schemas/{name}"}
    components = spec["components"]["schemas"]
    refs = {r.split("/")[-1] for r in _refs(spec)}
    assert refs <= set(components), refs - set(components)  # every $ref resolves
    assert "$defs" not in json_.dumps(spec)
    article = takeaways.read(ARTICLE, kind="plain").to_dict()
    doc = {"$ref": "#/components/schemas/Article", "components": spec["components"]}
    jsonschema.Draft202012Validator(doc).validate(article)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(doc).validate({**article, "sentences": "none"})


async def test_server_docs_pages_use_local_assets(client: httpx.AsyncClient) -> None:
    for page in ("/docs", "/redoc"):
        r = await client.get(page)
        assert r.status_code == 200 and "cdn." not in r.text and "https://" not in r.text
        assert "'unsafe-inline'" not in r.headers["content-security-policy"].split("style-src")[0]
        for asset in ("/static-docs/swagger-ui-bundle.js", "/static-docs/redoc.standalone.js"):
            if asset in r.text:
                assert (await client.get(asset)).status_code == 200


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


async def test_server_index_lists_recent(client: httpx.AsyncClient) -> None:
    rid = (await client.post("/v1/read", json={"text": ARTICLE})).headers["x-analysis-id"]
    html = (await client.get("/")).text
    assert f'href="/a/{rid}"' in html and '<label for="text">' in html


async def test_server_page_delete(client: httpx.AsyncClient) -> None:
    rid = (await client.post("/v1/read", json={"text": ARTICLE})).headers["x-analysis-id"]
    r = await client.post(f"/a/{rid}/delete")
    assert r.status_code == 303
    r = await client.get(f"/a/{rid}", headers={"accept": "text/html"})
    assert r.status_code == 404 and "no such analysis" in r.text


async def test_server_page_shows_evidence_and_attribution(
    client: httpx.AsyncClient, fake: FakeLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = fake.key_points

    def rewritten(analysis: object, *, n: int) -> dict[str, object]:
        result = plain(analysis, n=n)
        result["key_points"][0]["edits"] = [{  # type: ignore[index]
            "kind": "substitute", "start": 0, "end": 3, "original": "the mayor",
            "replacement": "Mayor Ann Lee", "reason": "coreference", "source": None}]
        return result

    monkeypatch.setattr(fake, "key_points", rewritten)
    page = await client.post("/analyze", data={"text": ARTICLE, "summary": "A.\nB."})
    html = (await client.get(page.headers["location"])).text
    assert "<span class=\"rewrite\">“the mayor” → “Mayor Ann Lee”</span>" in html
    assert 'class="cite"' in html and 'aria-controls="ev-1"' in html
    assert 'id="ev-1" hidden' in html and "Sentence " in html
    assert '<h3 class="speaker">&lt;b&gt;Speaker&lt;/b&gt;</h3>' in html  # grouped, escaped
    assert "“Officials in the city said" in html  # a direct quote in quote marks
    assert "chance the summary is faithful to the article: 50%" in html and "score 0.5" not in html
    assert "What is wrong: a name, number or place differs from the article" in html
    assert "Errors: entity" not in html
    assert 'id="download-json"' in html and 'id="copy-md"' in html
    assert "## Key points" in html  # the Markdown the copy button copies


async def test_server_form_errors_speak_plainly(client: httpx.AsyncClient) -> None:
    empty = await client.post("/analyze", data={"text": ""})
    assert empty.status_code == 422
    assert "Paste the article&#39;s text or HTML in the box, or choose a file" in empty.text
    assert "Value error" not in empty.text and "&#39;url&#39;" not in empty.text
    many = await client.post("/analyze", data={"text": ARTICLE, "n": "13"})
    assert "Key points: choose a whole number from 1 to 12." in many.text
    both = await client.post("/analyze", data={"text": "pasted words"},
                             files={"file": ("a.txt", ARTICLE.encode(), "text/plain")})
    assert both.status_code == 422 and "both pasted text and a file" in both.text
    assert ">pasted words</textarea>" in both.text  # what was typed is kept
    missing = await client.get("/a/unknown", headers={"accept": "*/*"})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "Not found." in missing.text
    api = await client.get("/a/unknown", headers={"accept": "application/json"})
    assert api.headers["content-type"] == "application/json"


async def test_server_recent_titles_can_be_told_apart(client: httpx.AsyncClient) -> None:
    ids = [(await client.post("/v1/read", json={"text": ARTICLE + f" Extra {i}."})).headers[
        "x-analysis-id"] for i in range(2)]
    html = (await client.get("/")).text
    for rid in ids:
        assert f"#{rid[:6]}" in html

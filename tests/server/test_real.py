"""The server over the real library (spaCy loads once per session; fake embedder).
A feature that is not built yet answers 501, never a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from takeaways.schema import validate
from takeaways.server import ServerSettings, create_app
from tests.conftest import assert_span_in
from tests.server.server_fakes import anyio_backend  # noqa: F401

pytestmark = pytest.mark.anyio


@pytest.fixture()
async def real_client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ServerSettings(db_path=":memory:", isolation="thread"))  # the fake embedder
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as c:
        yield c


async def test_server_real_library_endpoints(
    real_client: httpx.AsyncClient, seed_text: str
) -> None:
    text = (await real_client.post("/v1/read", json={"text": seed_text})).json()["text"]
    r = await real_client.post("/v1/key-points", json={"text": seed_text, "n": 3})
    validate(r.json(), "key_points")  # a result on its own holds its article
    assert r.json()["article"]["text"] == text
    assert r.status_code in (200, 501), r.text
    if r.status_code == 200:
        points = r.json()["key_points"]
        assert 1 <= len(points) <= 3
        for p in points:
            for e in p["evidence"]:
                assert_span_in(text, e["start"], e["end"], e["text"])
    r = await real_client.post("/v1/quotes", json={"text": seed_text})
    assert r.status_code in (200, 501), r.text
    if r.status_code == 200:
        for q in r.json()["quotes"]:
            c = q["content"]
            assert_span_in(text, c["start"], c["end"], c["text"])
    r = await real_client.post("/v1/audit", json={"text": seed_text})
    assert r.status_code in (200, 501), r.text
    if r.status_code == 200:
        for claim in r.json()["claims"]:
            for e in claim["evidence"]:
                assert_span_in(text, e["start"], e["end"], e["text"])


async def test_server_real_page_renders_everything(
    real_client: httpx.AsyncClient, seed_text: str
) -> None:
    r = await real_client.post("/analyze", data={"text": seed_text})
    assert r.status_code == 303
    html = (await real_client.get(r.headers["location"])).text
    assert 'id="article"' in html and 'class="sent"' in html
    record = (await real_client.get("/v1" + r.headers["location"].replace("/a/", "/analyses/")
                                    )).json()
    validate(record, "analysis")  # a stored record is an envelope: the article once
    assert record["key_points"]["article_id"] == record["article"]["id"]
    assert "article" not in record["key_points"] and "article" not in record["audit"]
    assert "Internal" not in html

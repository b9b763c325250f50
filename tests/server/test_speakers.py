"""The speaker pages over a quote store: list, timeline, the article with the quote marked."""

# Fixtures are imported from server_fakes (no second conftest.py), so they are redefined.
# ruff: noqa: F811
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.server.server_fakes import FakeLibrary, anyio_backend, fake, make_client  # noqa: F401
from tests.store._envelopes import corpus

pytestmark = pytest.mark.anyio
pytest.importorskip("duckdb")


def _store(tmp_path: Path) -> str:
    from takeaways.store.batch import BatchStore

    store = BatchStore.open(tmp_path / "q.duckdb")
    store.write_results(corpus())
    store.close()
    return str(tmp_path / "q.duckdb")


async def test_server_speaker_pages(tmp_path: Path,
                                    make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client(quote_store=_store(tmp_path)) as c:
        listing = await c.get("/speakers")
        assert listing.status_code == 200 and 'href="/speakers/dmitry-peskov"' in listing.text
        page = await c.get("/speakers/dmitry-peskov")
        assert page.status_code == 200 and "the talks are over" in page.text
        assert "/stored?doc=d1&amp;start=" in page.text
        text = corpus()[0]["article"]["text"]  # type: ignore[index]
        start = text.index("We will")
        art = await c.get(f"/stored?doc=d1&start={start}&end={start + 20}")
        assert '<mark id="quote">We will not comment.</mark>' in art.text
        missing = await c.get("/speakers/peskow", headers={"accept": "text/html"})
        assert missing.status_code == 404 and "Dmitry Peskov" in missing.text


async def test_server_speaker_pages_without_a_store(
        make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client() as c:
        r = await c.get("/speakers", headers={"accept": "text/html"})
        assert r.status_code == 501 and "--quote-store" in r.text

"""Server test helpers and fixtures, imported by the test modules (a second conftest.py
would shadow the top-level one): an app over a fast fake library (real reader, canned
results with real offsets) and an httpx client on the ASGI transport. No network."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from takeaways.document import Article
from takeaways.server.app import create_app
from takeaways.server.engine import Library
from takeaways.server.settings import ServerSettings


class FakeLibrary(Library):
    """Real `read`; analysis and results faked from the article's own sentences."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.gate: threading.Event | None = None  # when set, features wait on it
        self.missing: set[str] = set()

    def _wait(self) -> None:
        if self.gate is not None:
            self.gate.wait(5)

    def analyze(self, article: Article) -> Any:
        self.calls.append("analyze")
        self._wait()
        return {"article": article}

    def _check(self, name: str) -> None:
        self.calls.append(name)
        if name in self.missing:
            raise RuntimeError(f"{name} broke")

    def key_points(self, analysis: Any, *, n: int) -> dict[str, Any]:
        self._check("key_points")
        article: Article = analysis["article"]
        points = [
            {"n": i + 1, "text": s.text, "score": 1.0, "edits": [],
             "evidence": [{"sentence_id": s.id, "start": s.start, "end": s.end, "text": s.text}]}
            for i, s in enumerate(article.sentences[-n:])
        ]
        return {"schema_version": "2.0", "type": "key_points", "key_points": points,
                "article": {"id": article.id}}

    def quotes(self, analysis: Any) -> dict[str, Any]:
        self._check("quotes")
        article: Article = analysis["article"]
        s = article.sentences[0]
        quote = {"kind": "direct", "content": {"start": s.start, "end": s.end, "text": s.text},
                 "cue": {"start": s.start, "end": s.start, "text": "said"},
                 "speaker": {"mention": {"start": s.start, "end": s.start + 1, "text": s.text[0]},
                             "entity": "<b>Speaker</b>", "how": "fake"}, "embedded": False}
        return {"schema_version": "2.0", "type": "quotes", "quotes": [quote], "entities": [],
                "article": {"id": article.id}}

    def audit(self, analysis: Any, summary: str | None) -> dict[str, Any]:
        self._check("audit")
        article: Article = analysis["article"]
        s = article.sentences[0]
        claims = [{"text": line, "verdict": "supported" if i % 2 == 0 else "contradicted",
                   "error_types": [] if i % 2 == 0 else ["entity"],
                   "evidence": [{"start": s.start, "end": s.end, "text": s.text}],
                   "faulty_span": None, "reason": f"<i>reason {i}</i>", "confidence": 0.9}
                  for i, line in enumerate((summary or "A claim.").splitlines())]
        return {"schema_version": "2.0", "type": "audit", "claims": claims,
                "verdict": "contradicted", "score": 0.5, "article": {"id": article.id}}


#: The test client's host name and the loopback ones.
HOSTS = ("testserver", "localhost", "127.0.0.1", "::1")

ARTICLE = (
    "Officials in the city said on Monday that the bridge would reopen next week.\n\n"
    "The mayor said repairs cost more than expected. Residents welcomed the news.\n\n"
    "Traffic had been diverted for three months while engineers replaced the deck."
)
XSS = (
    "Local council publishes a notice about the new park and its opening hours today.\n\n"
    "<script>window.__xss = 1; alert(1)</script> The council said visitors are welcome.\n\n"
    '<img src=x onerror="window.__xss = 2"> Payload text follows here for the test case.\n\n'
    '<a href="javascript:window.__xss=3">click me</a> and "quoted" words end the article.'
)


@pytest.fixture()
def fake() -> FakeLibrary:
    return FakeLibrary()


@pytest.fixture()
def make_client(fake: FakeLibrary) -> Callable[..., httpx.AsyncClient]:
    def make(**settings: Any) -> httpx.AsyncClient:
        options: dict[str, Any] = {"db_path": ":memory:", "allowed_hosts": HOSTS} | settings
        app = create_app(ServerSettings(**options), library=fake)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    return make


@pytest.fixture()
async def client(make_client: Callable[..., httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as c:
        yield c


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


class SpinLibrary(FakeLibrary):
    """For worker processes: ``analyze`` never returns when the article mentions SPIN
    (a runaway parse), so only killing its process stops it."""

    def analyze(self, article: Article) -> Any:
        if "SPIN" in article.text:
            while True:
                pass
        return super().analyze(article)


class DyingLibrary(FakeLibrary):
    """For worker processes: ``analyze`` ends its process (as the out-of-memory killer
    would) when the article mentions DIE-ALWAYS, or mentions DIE-ONCE:<path> and no file
    is at <path> yet (it creates the file first, so the retry on a fresh worker lives)."""

    def analyze(self, article: Article) -> Any:
        import os
        import re

        if "DIE-ALWAYS" in article.text:
            os._exit(9)
        once = re.search(r"DIE-ONCE:(\S+)", article.text)
        if once and not os.path.exists(once.group(1)):
            open(once.group(1), "w").close()
            os._exit(9)
        return super().analyze(article)

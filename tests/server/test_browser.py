"""End to end in real headless Chromium: paste the bundled example, click key point 1,
its evidence sentence is highlighted; a hostile article renders inert. Real reader and
spaCy (loaded once), the session's fake embedder."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.server_fakes import XSS

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from takeaways.server import ServerSettings, create_app

    settings = ServerSettings(db_path=tmp_path_factory.mktemp("db") / "e2e.db",
                              isolation="thread")  # the session's fake embedder
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _page(browser: Any, problems: list[str], width: int = 1280) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return page


def test_server_browser_key_point_highlights_evidence(
    browser: Any, base_url: str, seed_text: str
) -> None:
    problems: list[str] = []
    page = _page(browser, problems)
    page.goto(base_url + "/")
    page.fill("#text", seed_text)
    page.click("#go")
    page.wait_for_url("**/a/*", timeout=60_000)
    point = page.locator("#kp-1")
    point.click()
    sids = point.get_attribute("data-sids").split()
    assert sids, "key point 1 cites no evidence sentence"
    evidence = page.locator(f"#s-{sids[0]}")
    assert "hl" in (evidence.get_attribute("class") or "").split()
    assert point.get_attribute("aria-pressed") == "true"
    assert evidence.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "server-key-point-1.png"), full_page=False)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "server-375px.png"))
    assert problems == [], problems  # no CSP violations, no script errors
    page.close()


def test_server_browser_hostile_article_is_inert(browser: Any, base_url: str) -> None:
    problems: list[str] = []
    page = _page(browser, problems)
    page.goto(base_url + "/")
    page.fill("#text", XSS)
    page.select_option("#kind", "plain")
    page.click("#go")
    page.wait_for_url("**/a/*", timeout=60_000)
    article = page.locator("#article")
    text = article.inner_text()
    assert "<script>window.__xss = 1" in text and 'onerror="window.__xss = 2"' in text
    assert page.evaluate("window.__xss") is None
    assert article.locator("script, img, a, iframe").count() == 0
    page.locator("#kp-1").click()  # the page's own script still runs
    assert page.locator("#article .hl").count() > 0
    assert page.evaluate("window.__xss") is None
    assert not [p for p in problems if "dialog" in p or "pageerror" in p], problems
    page.close()

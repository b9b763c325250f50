"""When trafilatura's precision mode keeps little (< 1000 characters), the default mode
is tried (it wins when ≥ 4× longer and ≥ 250 characters), then the page's JSON-LD
``articleBody`` (script-rendered and paywalled pages)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import takeaways
from takeaways.document import Article
from takeaways.errors import NoArticleError
from takeaways.ingest.html import _ld_article, _main_chars, parse_html
from tests.ingest.conftest import FakeExtract, trafilatura_xml
from tests.ingest.ingest_checks import assert_article_valid

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "html"
PAGE = "<html><body><article><p>stand-in page</p></article></body></html>"
SENTENCE = "The council voted on Tuesday to approve a new budget for roads and schools. "
ALT = "Inspectors found corroded steel under the old deck of the harbour bridge. "


def prose(chars: int, sentence: str = SENTENCE) -> str:
    """Whole sentences adding up to about ``chars`` non-space characters."""
    per = len(sentence.replace(" ", ""))
    return (sentence * max(1, round(chars / per))).strip()


def doc(*paras: str, title: str | None = "Budget approved") -> str:
    return trafilatura_xml("".join(f"<p>{p}</p>" for p in paras), title=title)


def read(html: str = PAGE) -> Article:
    a = takeaways.read(html)
    assert_article_valid(a)
    return a


# ---- default-mode fallback: thresholds --------------------------------------------------


def test_default_mode_wins_when_four_times_longer(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    precision, default = doc(prose(100)), doc(prose(200, ALT), prose(300, ALT))
    assert _main_chars(default) >= 4 * _main_chars(precision)
    fake = fake_extract(precision=precision, default=default)
    a = read()
    assert fake.calls == ["precision", "default"]
    assert ALT.strip() in a.text
    assert SENTENCE.strip() not in a.text


def test_default_mode_loses_when_not_four_times_longer(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    precision, default = doc(prose(200)), doc(prose(600, ALT))
    assert _main_chars(default) < 4 * _main_chars(precision)
    fake_extract(precision=precision, default=default)
    a = read()
    assert SENTENCE.strip() in a.text
    assert ALT.strip() not in a.text


def test_default_mode_loses_when_under_250_chars(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    precision, default = doc("Please enable JavaScript to read this article now."), doc(prose(220))
    assert _main_chars(default) >= 4 * _main_chars(precision)
    assert _main_chars(default) < 250
    fake_extract(precision=precision, default=default)
    a = read()
    assert a.text == "Please enable JavaScript to read this article now."


def test_default_mode_not_tried_when_precision_keeps_1000_chars(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    fake = fake_extract(precision=doc(prose(1100)), default=doc(prose(9000, ALT)))
    a = read()
    assert fake.calls == ["precision"]
    assert ALT.strip() not in a.text


def test_default_mode_used_when_precision_finds_nothing(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    fake_extract(precision=None, default=doc(prose(300, ALT)))
    assert read().text.startswith(ALT.strip())


def test_neither_mode_finds_text(fake_extract: Callable[..., FakeExtract]) -> None:
    fake_extract(precision=None, default=None)
    with pytest.raises(NoArticleError, match="trafilatura found no main text"):
        takeaways.read(PAGE)


def test_trafilatura_error_is_no_article(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def broken(*_: object, **__: object) -> str:
        raise ValueError("bad markup")

    monkeypatch.setattr(trafilatura, "extract", broken)
    with pytest.raises(NoArticleError, match="could not parse"):
        takeaways.read(PAGE)


def test_script_rendered_page_takes_default_mode() -> None:
    """Real trafilatura: precision mode keeps only the "enable JavaScript" notice."""
    a = read((GOLDEN / "script_rendered.html").read_text("utf-8"))
    assert a.title == "Rail strike called off after late-night deal"
    assert a.text.startswith("A national rail strike planned for Friday was called off")
    assert "Friday & Saturday" in a.text
    assert "enable JavaScript" not in a.text


# ---- JSON-LD articleBody ----------------------------------------------------------------


def ld_page(*nodes: object, body_html: str = "") -> str:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(n)}</script>'
                      for n in nodes)
    return f"<html><head>{scripts}</head><body>{body_html}</body></html>"


@pytest.fixture(scope="module")
def paywall() -> Article:
    return read((GOLDEN / "jsonld_paywall.html").read_text("utf-8"))


@pytest.mark.parametrize(
    "snippet",
    [
        "A water company was fined a record 90 million pounds on Tuesday",
        "The judge said the company had shown a deliberate disregard for the law",
        "paid from the company's profits, not from customers' bills",  # &#39; unescaped
        "The government said it would publish new rules for the industry",
    ],
)
def test_jsonld_paywall_with(paywall: Article, snippet: str) -> None:
    assert snippet in paywall.text


@pytest.mark.parametrize(
    "snippet",
    ["Subscribers can read the full story", "free trial", "<p>", "&#39;", "in a case the judge"],
)
def test_jsonld_paywall_without(paywall: Article, snippet: str) -> None:
    assert snippet not in paywall.text


def test_jsonld_paywall_one_paragraph_per_html_paragraph(paywall: Article) -> None:
    assert len(paywall.paragraphs) == 9
    assert paywall.title == "Water company fined record sum over sewage spills"


def test_jsonld_used_when_trafilatura_finds_nothing(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    fake_extract(precision=None, default=None)
    body = f"<p>{prose(200)}</p><div>{prose(200, ALT)}</div>Last line, loose.<br/>Final line."
    page = ld_page({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example"},
        {"@type": "NewsArticle", "headline": "Budget &amp; bridges", "articleBody": body},
    ]})
    a = read(page)
    assert a.title == "Budget & bridges"
    assert [p.text for p in a.paragraphs] == [
        prose(200), prose(200, ALT), "Last line, loose.", "Final line."]


def test_jsonld_too_short_is_ignored(fake_extract: Callable[..., FakeExtract]) -> None:
    fake_extract(precision=None, default=None)
    page = ld_page({"@type": "NewsArticle", "articleBody": prose(150)})
    with pytest.raises(NoArticleError, match="no main text"):
        takeaways.read(page)


def test_jsonld_must_be_four_times_what_trafilatura_kept(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    fake_extract(precision=doc(prose(300)), default=None)
    page = ld_page({"@type": "NewsArticle", "articleBody": prose(1000, ALT)})
    assert ALT.strip() not in read(page).text
    page = ld_page({"@type": "NewsArticle", "articleBody": prose(1300, ALT)})
    text = read(page).text
    assert ALT.strip() in text
    assert SENTENCE.strip() not in text


def test_jsonld_keeps_trafilatura_title_and_metadata(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    fake_extract(precision=trafilatura_xml("<p>Loading…</p>", title="Real title"), default=None)
    page = ld_page({"@type": "NewsArticle", "headline": "LD headline",
                    "articleBody": prose(400)})
    parts = parse_html(page, url="https://example.org/a")
    assert parts.title == "Real title"
    assert parts.metadata.url == "https://example.org/a"
    assert [b.text for b in parts.blocks] == [prose(400)]


def test_ld_article_longest_body_anywhere() -> None:
    page = ld_page(
        [{"@type": "NewsArticle", "headline": "Short", "articleBody": "Short body."}],
        {"mainEntity": {"@type": "Article", "headline": "Long", "articleBody": prose(300)}},
    )
    assert _ld_article(page) == (prose(300), "Long")


def test_ld_article_skips_broken_json_and_bad_types() -> None:
    page = ("<html><head>"
            '<script type="application/ld+json">{"articleBody": "broken", </script>'
            "<script type='application/ld+json'>"
            '{"articleBody": ["not", "a", "string"], "headline": 5}</script>'
            '<script type="application/ld+json">{"articleBody": "Line one\nline two",'
            ' "headline": 7}</script>'
            "</head><body></body></html>")
    assert _ld_article(page) == ("Line one\nline two", None)  # raw newline: strict=False


def test_ld_article_none_without_json_ld() -> None:
    assert _ld_article("<html><body><p>No scripts here.</p></body></html>") is None

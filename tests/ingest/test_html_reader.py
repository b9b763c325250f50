"""The HTML reader: structure, summary box, page chrome, metadata and encodings."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

import takeaways
from takeaways.document import Article
from tests.ingest.ingest_checks import assert_article_valid

PAGE = Path(__file__).resolve().parents[1] / "golden" / "html" / "courier_budget.html"
LEDE = "The city council voted on Tuesday to approve a new budget"


@pytest.fixture(scope="module")
def article() -> Article:
    a = takeaways.read(PAGE)
    assert_article_valid(a)
    return a


def test_html_reader_detects_html(article: Article) -> None:
    assert article.source_kind == "html"


def test_html_reader_title(article: Article) -> None:
    assert article.title == "Council approves city budget after long fight"
    assert article.title not in article.text


def test_html_reader_headings_kept(article: Article) -> None:
    assert [h.text for h in article.headings] == ["Opposition vows a referendum",
                                                   "What happens next"]
    assert [len(s.paragraph_ids) for s in article.sections[1:]] == [2, 1]


def test_html_reader_lede_skips_kicker_label(article: Article) -> None:
    assert article.lede is not None
    assert article.lede.text.startswith(LEDE)


def test_html_reader_summary_box(article: Article) -> None:
    assert [i.text for i in article.existing_summary] == [
        "The council approved a budget that raises property taxes by two percent.",
        "The money goes first to bridges flagged by inspectors.",
        "Opponents want a referendum next year.",
    ]
    assert "Key takeaways" not in article.text
    for item in article.existing_summary:
        assert item.text not in article.text


def test_html_reader_metadata(article: Article) -> None:
    m = article.metadata
    assert m.url == "https://courier.example.com/news/2024/03/12/council-budget"
    assert m.site == "The Riverside Courier"
    assert m.author == "Jane Smith"
    assert m.date == "2024-03-12"
    assert m.language == "en"


def test_html_reader_url_argument_fills_missing_url() -> None:
    html = PAGE.read_text("utf-8").replace('<meta property="og:url"', '<meta property="og:x"')
    a = takeaways.read(html, url="https://example.org/story")
    assert a.metadata.url == "https://example.org/story"


@pytest.mark.parametrize(
    "snippet",
    [
        "Council members vote on Tuesday evening",  # figure caption
        "Related stories",
        "Bridge inspection report released",  # related-links box
        "Sign up for our newsletter",
        "Subscribe to our daily newsletter",
        "All rights reserved",
        "Home",
    ],
)
def test_html_reader_drops_chrome(article: Article, snippet: str) -> None:
    assert snippet not in article.text


@pytest.mark.parametrize(
    "snippet",
    [
        LEDE,
        "Mayor Ana Ruiz said the plan would raise property taxes by two percent",
        '"We heard from thousands of residents who want safe roads," Ruiz told reporters',
        "The budget takes effect on the first of January",
    ],
)
def test_html_reader_keeps_body(article: Article, snippet: str) -> None:
    assert snippet in article.text


def test_html_reader_sentences(article: Article) -> None:
    texts = [s.text for s in article.sentences]
    assert '"This budget delivers exactly that, and it does so without cutting a single teacher."' \
        in texts


# ---- encodings -----------------------------------------------------------------------

BODY = ("<p>\u201cWe will rebuild,\u201d the mayor said \u2013 the caf\u00e9 owners cheered. The "
        "city council voted on Tuesday to approve a new budget for the coming year.</p><p>After "
        "months of debate about how to pay for repairs to roads and schools, the vote was 7 to 2."
        "</p>")


def _page(head: str = "") -> str:
    return (f"<!doctype html><html lang='en'><head>{head}<title>Budget vote</title></head>"
            f"<body><article><h1>Budget vote</h1>{BODY}</article></body></html>")


def _assert_decoded(a: Article) -> None:
    assert_article_valid(a)
    assert "\u201cWe will rebuild,\u201d the mayor said \u2013 the caf\u00e9 owners" in a.text


def test_html_reader_meta_charset_windows_1252() -> None:
    _assert_decoded(takeaways.read(_page("<meta charset='windows-1252'>").encode("cp1252")))


def test_html_reader_http_equiv_charset() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    _assert_decoded(takeaways.read(_page(head).encode("cp1252")))


def test_html_reader_utf8_bom() -> None:
    _assert_decoded(takeaways.read(codecs.BOM_UTF8 + _page().encode("utf-8")))


def test_html_reader_utf16_bom() -> None:
    _assert_decoded(takeaways.read(_page().encode("utf-16")))


def test_html_reader_latin1_fallback_without_declaration() -> None:
    page = _page().replace("\u201c", '"').replace("\u201d", '"').replace("\u2013", "-")
    a = takeaways.read(page.encode("latin-1"))
    assert_article_valid(a)
    assert "the caf\u00e9 owners cheered" in a.text


def test_html_reader_wrong_declared_charset_does_not_crash() -> None:
    a = takeaways.read(_page("<meta charset='utf-8'>").encode("cp1252"))
    assert_article_valid(a)
    assert "caf\u00e9" in a.text


def test_html_reader_bogus_charset_name() -> None:
    _assert_decoded(takeaways.read(_page("<meta charset='no-such-codec'>").encode("utf-8")))


def test_html_reader_kind_override_reads_markup_as_text() -> None:
    a = takeaways.read(_page(), kind="text")
    assert a.source_kind == "text"

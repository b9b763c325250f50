"""Hostile reads that crashed (issue 18, item 5): lone surrogates and an SVG document."""

from __future__ import annotations

import pytest

import takeaways
from takeaways.errors import NoArticleError
from takeaways.ingest.builder import replace_surrogates

BODY = "The minister spoke at length about the budget today. " * 3


@pytest.mark.parametrize("kind", ["text", "plain"])
def test_reader_lone_surrogates_become_replacement_characters(kind: str) -> None:
    """A lone surrogate ('\\ud800', from broken UTF-16 or JSON) made spaCy and every writer
    raise UnicodeEncodeError; it becomes U+FFFD, one code point for one."""
    raw = "x \ud800 y. " + BODY + "\udfff end."
    article = takeaways.read(raw, kind=kind)
    assert "\ud800" not in article.text and "\udfff" not in article.text
    assert article.text.count("\ufffd") == 2
    article.text.encode("utf-8")  # encodable now
    if kind == "plain":  # kept byte for byte: same offsets
        assert article.text == raw.replace("\ud800", "\ufffd").replace("\udfff", "\ufffd")
    takeaways.key_points(article, n=1)


def test_reader_lone_surrogates_in_html() -> None:
    html = f"<html><body><article><p>{BODY} \ud83d</p><p>{BODY}</p></article></body></html>"
    article = takeaways.read(html, kind="html")
    assert "\ufffd" in article.text
    article.text.encode("utf-8")


def test_reader_replace_surrogates_keeps_length() -> None:
    assert replace_surrogates("a\ud800b\udc00") == "a\ufffdb\ufffd"
    assert replace_surrogates("clean") == "clean"


def test_reader_svg_document_is_read_or_refused_cleanly() -> None:
    """htmldate asserted (AssertionError → 500) on an SVG document."""
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="10"><title>A chart</title>'
           '<text x="1" y="2">' + "Rain fell in the north again today. " * 20 + "</text></svg>")
    try:
        article = takeaways.read(svg)
    except NoArticleError:
        return
    assert "Rain fell" in article.text and article.metadata.date is None


def test_reader_long_paragraph_builds_its_word_set_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The glued-caption check needs the paragraph's word set; it was built once per
    sentence, so one paragraph of 29,000 sentences (4.4 MB) took minutes in `read`
    (issue 18, item 5). Counted, not timed."""
    from takeaways.ingest import sentences

    calls = []
    real = sentences._WORD

    class Counting:
        def findall(self, text: str) -> list[str]:
            calls.append(len(text))
            return real.findall(text)

    monkeypatch.setattr(sentences, "_WORD", Counting())
    # capitalised common words after lower-case ones: every sentence asks for the set
    para = "The city council voted to approve repairs today Council members said so. " * 300
    import re

    cut = [(m.start(), m.end()) for m in re.finditer(r"\S[^.]*\.", para)]
    spans = sentences._refine(para, cut)
    assert len(spans) >= 300
    assert len(calls) <= 1

"""Offsets are the truth: ``article.text[s.start:s.end] == s.text`` for every sentence.

A Hypothesis property over generated pages, and a sweep over every dev page of the
shared extraction benchmark (HTML) and its pasted-text twin (text and plain readers).
The sweep reads ~360 documents; it took ~30 s on a loaded 4-core machine.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import takeaways
from takeaways.document import Article
from takeaways.errors import InputError
from tests.ingest.ingest_checks import assert_article_valid

WORDS = [
    "the", "council", "said", "Mr.", "Dr.", "U.S.", "budget", "vote", "3.5", "percent",
    "e.g.", "Putin", "Zelenskyy", "café", "naïve", "Москва", "北京", "القاهرة", "שלום",
    "😀", "👨\u200d👩\u200d👧", "—", "–", "...", "…", "(", ")", "[1]", "&", "%", "$5",
]
PUNCT = [".", "!", "?", ",", ";", ":", "\"", "'", "“", "”", "‘", "’", "«", "»", "„", ". ", "?!"]
token = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(PUNCT),
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=8),
)
paragraph = st.lists(token, min_size=1, max_size=80).map(" ".join)
long_paragraph = st.lists(token, min_size=15, max_size=80).map(" ".join)
line_break = st.sampled_from(["\n\n", "\n", "\r\n", "\n \n", "\n\n\n"])


@st.composite
def pages(draw: st.DrawFn) -> str:
    paras = draw(st.lists(st.one_of(paragraph, long_paragraph), min_size=1, max_size=8))
    paras.insert(draw(st.integers(0, len(paras))), draw(long_paragraph))  # usually an article
    out = paras[0]
    for p in paras[1:]:
        out += draw(line_break) + p
    return out + "\n"


def _read(text: str, kind: str) -> Article | None:
    try:
        return takeaways.read(text, kind=kind)
    except InputError:  # empty, no article, binary: clear errors are fine here
        return None


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(pages())
def test_offsets_text_reader_property(page: str) -> None:
    article = _read(page, "text")
    if article is not None:
        assert_article_valid(article)
        for s in article.sentences:
            assert "\n\n" not in s.text


@PROPERTY
@given(pages())
def test_offsets_plain_reader_property(page: str) -> None:
    article = _read(page, "plain")
    if article is None:
        return
    assert article.text == page, "kind='plain' must keep the text byte-for-byte"
    assert_article_valid(article)
    for s in article.sentences:
        assert "\n" not in s.text, "a plain paragraph is one line; sentences stay inside it"
    lines = {ln.strip() for ln in page.split("\n") if ln.strip()}
    assert {p.text for p in article.paragraphs} <= lines


def test_offsets_plain_reader_keeps_odd_whitespace() -> None:
    page = ("  Indented first line with enough words to count as text.\r\n"
            "\n\tTab\u00a0led  second line. \n")
    article = takeaways.read(page, kind="plain")
    assert article.text == page
    assert_article_valid(article)
    assert [p.text for p in article.paragraphs] == [
        "Indented first line with enough words to count as text.",
        "Tab\u00a0led  second line.",
    ]


# ---- every dev page of the shared benchmark ------------------------------------------


def _check_all(docs: list[tuple[str, str | bytes]], kind: str) -> tuple[int, list[str]]:
    n_sentences, problems = 0, []
    for doc_id, source in docs:
        try:
            article = takeaways.read(source, kind=kind)
        except InputError as exc:  # allowed: a clear error, recorded below
            problems.append(f"{doc_id[:12]}: {type(exc).__name__}")
            continue
        assert_article_valid(article)
        if kind == "plain":
            assert article.text == source, doc_id
        n_sentences += len(article.sentences)
    return n_sentences, problems


def test_offsets_every_benchmark_html_page(shared_data: Path) -> None:
    root = shared_data / "article_extraction_benchmark"
    rows = [json.loads(ln) for ln in (root / "pages.jsonl").open(encoding="utf-8")]
    docs: list[tuple[str, str | bytes]] = [(r["id"], (root / r["html_path"]).read_bytes())
                                           for r in rows]
    n, problems = _check_all(docs, "html")
    assert n > 3000
    assert len(problems) <= 3, problems  # a page or two with no main text is tolerated


@pytest.mark.parametrize("kind", ["text", "plain"])
def test_offsets_every_pasted_text_page(shared_data: Path, kind: str) -> None:
    path = shared_data / "pasted_text" / "pasted_text.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        recs = [json.loads(ln) for ln in fh]
    docs: list[tuple[str, str | bytes]] = [(r["id"], r["text"]) for r in recs]
    n, problems = _check_all(docs, kind)
    assert n > 3000
    assert problems == []

"""Tokenising and parsing in bounded time and memory (`takeaways.nlp.tokens`, issue 18
items 2 and 5): over-long runs without spaces reach spaCy's tokenizer in pieces, long
texts reach the parser in parts cut at sentence starts, and the joined `Doc` has exactly
the article's text and offsets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import takeaways
import takeaways.nlp.analyze as analyze
from takeaways.nlp import tokens
from takeaways.nlp.analyze import Analysis, parse_articles
from takeaways.nlp.models import get_nlp

TEXTS = [
    "Hello there  world.\n\nNext para here.  ",
    "a" * 450 + " b c",
    "  lead and\ttabs\n",
    "a:" * 300 + "\n\nThen words. " + "http://a" * 60 + "  tail",
    "x" * 200 + " " + "y" * 201,
]


@pytest.fixture()
def tokenizer_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The length of every text spaCy's tokenizer is given."""
    nlp = get_nlp()
    real = nlp.tokenizer
    seen: list[int] = []

    class Spy:
        def __call__(self, text: str) -> Any:
            seen.append(len(text))
            return real(text)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(nlp, "tokenizer", Spy())
    yield seen


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_tokenize_keeps_the_text_exactly(text: str) -> None:
    doc = tokens.tokenize(get_nlp(), text)
    assert doc.text == text
    for tok in doc:
        assert text[tok.idx : tok.idx + len(tok.text)] == tok.text


def test_tokens_tokenize_is_spacy_s_own_on_ordinary_text() -> None:
    nlp = get_nlp()
    text = "The minister, Anna Berg, said: \u201cWe will win.\u201d Then she left. " * 40
    assert [t.text for t in tokens.tokenize(nlp, text)] == [t.text for t in nlp(text)]


def test_tokens_tokenizer_never_sees_an_over_long_run(tokenizer_calls: list[int]) -> None:
    """10 KB of 'a:a:…' took spaCy's tokenizer seconds (quadratic in a run's length)."""
    doc = tokens.tokenize(get_nlp(), "a:" * 5000)
    assert doc.text == "a:" * 5000
    assert max(tokenizer_calls) <= tokens.LONG_RUN + 1


def test_tokens_reading_junk_without_spaces_tokenises_in_pieces(
    tokenizer_calls: list[int],
) -> None:
    junk = "Junk: " + "http://a" * 2500  # 20 KB of URL-like junk (a bare URL is fetched)
    article = takeaways.read(junk)
    assert article.text == junk
    assert max(tokenizer_calls) <= tokens.LONG_RUN + 1


def test_tokens_segments_cover_the_text_in_order() -> None:
    text = ("word " * 30_000) + "z" * 1000 + (" end" * 10)
    cuts = tokens.segments(text)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:], strict=False))
    assert max(b - a for a, b in cuts) <= tokens.SEGMENT_CHARS


def test_tokens_pieces_cut_at_boundaries_within_the_limit() -> None:
    assert tokens.pieces(10, [3, 6], limit=4) == [(0, 3), (3, 6), (6, 10)]
    assert tokens.pieces(10, [], limit=4) == [(0, 4), (4, 8), (8, 10)]  # hard cuts
    assert tokens.pieces(5, [2], limit=10) == [(0, 5)]


def test_tokens_batches_bound_items_and_characters() -> None:
    assert tokens.batches([5, 5, 5, 20, 1], max_items=2, max_chars=12) == [
        [0, 1], [2], [3], [4]]


def _long_article() -> takeaways.Article:
    text = "\n\n".join(f"Minister Anna Berg of town number {i} said the rain fell again. "
                       "She left." for i in range(60))
    return takeaways.read(text, kind="plain")


def test_tokens_long_article_parses_in_parts_like_one_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = _long_article()
    whole = parse_articles([article])[0]
    sizes: list[int] = []
    real = analyze.parse_long

    def spy(nlp: Any, items: Any, make: Any, chars: Any, **kw: Any) -> Any:
        sizes.extend(chars)
        return real(nlp, items, make, chars, **kw)

    monkeypatch.setattr(analyze, "PARSE_CHUNK", 1000)
    monkeypatch.setattr(analyze, "parse_long", spy)
    parts = parse_articles([article])[0]
    assert len(sizes) > 1 and max(sizes) <= 1000
    assert parts.text == article.text
    key = [(t.idx, t.text, t.dep_, t.head.i, t.tag_, t.ent_type_, t.is_sent_start)
           for t in whole]
    assert [(t.idx, t.text, t.dep_, t.head.i, t.tag_, t.ent_type_, t.is_sent_start)
            for t in parts] == key


def test_tokens_text_over_nlp_max_length_is_analysed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over ``nlp.max_length`` (1,000,000 characters by default) spaCy raised E088 and the
    server answered 500; the parts stay under it."""
    nlp = get_nlp()
    monkeypatch.setattr(nlp, "max_length", 3000)
    monkeypatch.setattr(analyze, "PARSE_CHUNK", 2000)
    monkeypatch.setattr(tokens, "SEGMENT_CHARS", 2000)
    article = _long_article()
    assert len(article.text) > 3000
    points = takeaways.key_points(Analysis(article), n=2)
    assert len(points.points) == 2


def test_tokens_parse_batches_are_bounded_in_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 4.9 MB paragraph peaked at 2.5 GB in `read`: every chunk went to the senter in
    one batch. Batches now hold at most `BATCH_CHARS` characters."""
    nlp = get_nlp()
    real = nlp.pipe
    batch_chars: list[int] = []

    def pipe(docs: Any, **kw: Any) -> Any:
        docs = list(docs)
        batch_chars.append(sum(len(d.text) for d in docs))
        return real(docs, **kw)

    import takeaways.ingest.sentences as sentences

    monkeypatch.setattr(nlp, "pipe", pipe)
    monkeypatch.setattr(sentences, "_CHUNK", 1000)
    monkeypatch.setattr(tokens, "BATCH_CHARS", 3000)
    text = "Rain fell again today and the river rose. " * 400
    assert takeaways.read(text).text == text.strip()
    assert len(batch_chars) > 1 and max(batch_chars) <= 3000

"""The article model, built by hand (no reader, no model)."""

from __future__ import annotations

import pytest

from takeaways.document import Article, Heading, Paragraph, Section, Sentence, Span

TEXT = "First one. Second one.\n\nNext part\n\nThird one."


def _article() -> Article:
    s = [Sentence(0, 0, 10, "First one.", 0), Sentence(1, 11, 22, "Second one.", 0),
         Sentence(2, 35, 45, "Third one.", 1)]
    p = [Paragraph(0, 0, 22, TEXT[0:22], 0, (0, 1)), Paragraph(1, 35, 45, TEXT[35:45], 1, (2,))]
    h = Heading(24, 33, "Next part", 2)
    return Article(id="x", text=TEXT, title="T", kicker=None, lede=Span(0, 22, TEXT[0:22]),
                   headings=[h], sections=[Section(0, None, (0,)), Section(1, h, (1,))],
                   paragraphs=p, sentences=s)


def test_document_hand_built_offsets() -> None:
    a = _article()
    for x in [*a.sentences, *a.paragraphs, *a.headings]:
        assert a.text[x.start : x.end] == x.text


def test_document_span() -> None:
    a = _article()
    assert a.span(11, 17) == Span(11, 17, "Second")
    with pytest.raises(ValueError, match="outside the article text"):
        a.span(40, 99)
    with pytest.raises(ValueError):
        a.span(5, 2)


def test_document_sentence_at() -> None:
    a = _article()
    assert a.sentence_at(0) == a.sentences[0]
    assert a.sentence_at(12) == a.sentences[1]
    assert a.sentence_at(10) is None  # the space between sentences
    assert a.sentence_at(36) == a.sentences[2]


def test_document_to_dict_round_trip() -> None:
    a = _article()
    d = a.to_dict()
    assert d["schema_version"] == "2.0" and d["type"] == "article"
    assert Article.from_dict(d) == a


def test_document_from_dict_tolerates_missing_optional_fields() -> None:
    d = _article().to_dict()
    del d["warnings"], d["source_kind"]
    a = Article.from_dict(d)
    assert a.warnings == [] and a.source_kind == "text"


def test_document_model_is_stdlib_only() -> None:
    import ast
    from pathlib import Path

    import takeaways.document as doc

    tree = ast.parse(Path(doc.__file__).read_text("utf-8"))
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert mods <= {"__future__", "bisect", "dataclasses", "typing"}


def _hand_article(spans: list[tuple[int, int]]) -> Article:
    text = "x" * (spans[-1][1] + 5)
    sents = [Sentence(i, a, b, text[a:b], 0) for i, (a, b) in enumerate(spans)]
    return Article("a", text, None, None, None, [], [], [], sents)


def test_document_sentence_at_is_a_binary_search_with_the_linear_answer() -> None:
    import random

    rng = random.Random(18)
    spans, pos = [], 0
    for _ in range(300):
        pos += rng.randrange(0, 3)  # gaps between sentences, sometimes none
        end = pos + rng.randrange(1, 9)
        spans.append((pos, end))
        pos = end
    art = _hand_article(spans)
    for offset in range(-1, len(art.text) + 1):
        want = next((s for s in art.sentences if s.start <= offset < s.end), None)
        assert art.sentence_at(offset) is want
    for _ in range(300):
        a = rng.randrange(0, len(art.text))
        b = a + rng.randrange(0, 20)
        want = [s for s in art.sentences if s.start < b and a < s.end]
        assert art.sentences_overlapping(a, b) == want


def test_document_sentence_index_follows_a_replaced_sentence_list() -> None:
    art = _hand_article([(0, 5), (6, 10)])
    assert art.sentence_at(7) is art.sentences[1]
    art.sentences = art.sentences[:1]
    assert art.sentence_at(7) is None
    art.sentences.append(_hand_article([(0, 5), (6, 10)]).sentences[1])
    assert art.sentence_at(7) is art.sentences[1]


def test_document_sentences_out_of_order_are_still_found() -> None:
    art = _hand_article([(6, 10), (0, 5)])  # a hand-made article, not in text order
    assert art.sentence_at(2) is art.sentences[1]
    assert art.sentences_overlapping(0, 20) == art.sentences


def test_document_sentence_index_is_not_part_of_the_model() -> None:
    art = _hand_article([(0, 5)])
    art.sentence_at(1)
    assert "_index" not in art.to_dict()
    assert Article.from_dict(art.to_dict()) == art

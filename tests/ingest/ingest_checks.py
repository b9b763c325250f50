"""Structural checks every `Article` must pass, whatever the input (used by the ingest tests)."""

from __future__ import annotations

from takeaways.document import Article
from tests.conftest import assert_span_in


def assert_article_valid(article: Article) -> None:
    """All offsets index ``article.text``; sentences stay inside their paragraph, in order."""
    text = article.text
    for h in article.headings:
        assert_span_in(text, h.start, h.end, h.text)
    _check_paragraphs(article)
    _check_sentences(article)
    if article.lede is not None:
        assert_span_in(text, article.lede.start, article.lede.end, article.lede.text)
    n_paras = len(article.paragraphs)
    listed = [pid for sec in article.sections for pid in sec.paragraph_ids]
    assert listed == list(range(n_paras)), "sections must list every paragraph once, in order"


def _check_paragraphs(article: Article) -> None:
    prev_end = 0
    for i, p in enumerate(article.paragraphs):
        assert p.id == i
        assert_span_in(article.text, p.start, p.end, p.text)
        assert p.text and p.text == p.text.strip(), repr(p.text[:40])
        assert p.start >= prev_end, "paragraphs overlap or are out of order"
        prev_end = p.end
        for sid in p.sentence_ids:
            s = article.sentences[sid]
            assert s.paragraph == p.id
            assert p.start <= s.start < s.end <= p.end, "sentence crosses its paragraph boundary"


def _check_sentences(article: Article) -> None:
    owned = sorted(sid for p in article.paragraphs for sid in p.sentence_ids)
    assert owned == list(range(len(article.sentences))), "every sentence belongs to one paragraph"
    prev_end = 0
    for i, s in enumerate(article.sentences):
        assert s.id == i
        assert_span_in(article.text, s.start, s.end, s.text)
        assert s.text and s.text == s.text.strip(), repr(s.text[:40])
        assert s.start >= prev_end, "sentences overlap or are out of order"
        prev_end = s.end

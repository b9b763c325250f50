"""The audit's article index: which article words a novel claim word is compared with."""

from __future__ import annotations

import pytest

import takeaways
from takeaways.auditing.context import ArticleIndex
from takeaways.auditing.settings import _build, raw_settings
from takeaways.config import Settings
from takeaways.errors import ConfigError
from takeaways.nlp.analyze import Analysis
from takeaways.pipeline import Pipeline

ARTICLE = (
    "The video shows the crowd outside the stadium on Sunday, police said.\n\n"
    "Officers arrested two men after the match, which ended in a draw.\n\n"
    "The club said it would review what happened before the next game in 1944 style."
)


@pytest.fixture(scope="module")
def index() -> ArticleIndex:
    return ArticleIndex(Analysis(takeaways.read(ARTICLE, kind="plain")))


def test_word_candidates_are_the_nearest_article_words_by_static_vectors(
    index: ArticleIndex,
) -> None:
    cands = index.word_candidates(["footage", "saturday"], 3)
    assert cands is not None and [len(c) for c in cands] == [3, 3]
    assert all(c == sorted(c) and all(0 <= j < len(index.vocab) for j in c) for c in cands)
    assert "video" in [index.vocab[j] for j in cands[0]]
    assert "sunday" in [index.vocab[j] for j in cands[1]]


def test_every_article_word_is_compared_when_candidates_are_off_or_too_few(
    index: ArticleIndex,
) -> None:
    assert index.word_candidates(["footage"], 0) is None
    assert index.word_candidates(["footage"], len(index.vocab)) is None
    assert index.word_candidates([], 3) is None


def test_negative_word_candidates_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="word_candidates must be 0"):
        _build({**raw_settings(), "word_candidates": -1})
    assert _build(raw_settings()).word_candidates == 5


CLAIMS = [
    "Footage shows fans outside the ground on Saturday.",
    "Police detained two men after the game.",
    "The club promised an inquiry into the incident.",
]


@pytest.mark.slow  # real MiniLM word vectors
def test_candidates_give_the_verdicts_of_comparing_every_word(real_embedder: object) -> None:
    article = takeaways.read(ARTICLE, kind="plain")
    reports = [
        Pipeline(Settings.load().replace(audit={"word_candidates": k})).audit(article, CLAIMS)
        for k in (0, 5)
    ]
    every, few = ([(c.verdict, c.probability) for c in r.claims] for r in reports)
    assert every == few
    para = [{k: v for k, v in (c.signals["audit.signal.novel_content.v1"].debug or {})
             .get("paraphrased", {}).items()} for r in reports for c in r.claims]
    assert para[:3] == para[3:] and any(para)  # some words were paraphrased

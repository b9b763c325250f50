"""Sentence features for key-point scoring. Each is a number in about [0, 1]."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from takeaways.lexicon import quote_marks
from takeaways.nlp.analyze import Analysis
from takeaways.registry import register
from takeaways.resources import word_list, word_set

FEATURES = (
    "position", "first", "second", "third", "relative_position", "lede", "centrality",
    "title_overlap", "entity_salience", "quote", "length",
    "caption",
    # word-statistics features (keypoints.features.v2)
    "words", "words_squared", "long", "early", "top5", "frequency", "lead_overlap",
    "first_overlap", "content_words", "shared_words", "word_spread",
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_QUOTE_CHARS = re.compile(f"[{quote_marks().char_class(quote_marks().double)}]")
_CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}


@dataclass(frozen=True, slots=True)
class FeatureTable:
    names: tuple[str, ...]
    values: np.ndarray  # (n_sentences, n_features)

    def column(self, name: str) -> np.ndarray:
        return self.values[:, self.names.index(name)]

    def with_column(self, name: str, column: np.ndarray) -> FeatureTable:
        """A copy with feature ``name`` replaced by ``column``."""
        values = self.values.copy()
        values[:, self.names.index(name)] = column
        return FeatureTable(self.names, values)


@lru_cache(maxsize=1)
def _caption_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in word_list("caption_cues"))


def _content_lemmas(analysis: Analysis, start: int, end: int) -> set[str]:
    span = analysis.doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return set()
    return {t.lemma_.lower() for t in span if t.pos_ in _CONTENT_POS and not t.is_stop}


def _title_lemmas(analysis: Analysis) -> set[str]:
    art = analysis.article
    lemmas: set[str] = set()
    for h in art.headings:
        lemmas |= _content_lemmas(analysis, h.start, h.end)
    if art.title:
        from takeaways.nlp.models import get_nlp

        # NER sets nothing the lemmas read, and it is the dearest pipe on a short text
        title_doc = get_nlp()(art.title, disable=["ner"])
        lemmas |= {t.lemma_.lower() for t in title_doc if t.pos_ in _CONTENT_POS and not t.is_stop}
    return lemmas


def _length_score(words: int) -> float:
    if 15 <= words <= 35:
        return 1.0
    if words < 15:
        return max(0.0, words / 15)
    return max(0.0, 1.0 - (words - 35) / 40)


def caption_cue(text: str) -> bool:
    """Whether ``text`` holds a photo-caption, video-prompt or chrome cue
    (``data/caption_cues.txt``)."""
    return any(p.search(text) for p in _caption_patterns())


def _is_caption(text: str, has_verb: bool) -> float:
    if not has_verb or caption_cue(text):
        return 1.0
    return 0.0


def _entities_by_sentence(analysis: Analysis, ents: list[Any]) -> dict[int, list[str]]:
    """Lower-cased entity texts per sentence id, in one pass (``Span.ents`` is O(doc))."""
    starts = [s.start for s in analysis.article.sentences]
    out: dict[int, list[str]] = {}
    for e in ents:
        i = bisect_right(starts, e.start_char) - 1
        if i >= 0 and e.end_char <= analysis.article.sentences[i].end:
            out.setdefault(i, []).append(e.text.lower())
    return out


def centrality(analysis: Analysis, ids: list[int]) -> np.ndarray:
    """Cosine of each sentence in ``ids`` to their centroid; 0 for the others."""
    central = np.zeros(len(analysis.article.sentences), dtype=np.float32)
    if ids:
        emb = analysis.point_embeddings_for(ids)
        centroid = emb.mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
        central[ids] = emb @ centroid
    return central


def _content_tokens(text: str) -> list[str]:
    stop = word_set("stopwords_en")
    return [w for w in _TOKEN.findall(text.lower()) if w not in stop and len(w) > 2]


def _word_statistics(texts: list[str]) -> np.ndarray:
    """Length, position and word-frequency features from the sentence texts alone: the
    mean article frequency of a sentence's content words (SumBasic), their overlap with
    the lede (first three sentences) and the first sentence, and how many recur."""
    toks = [_content_tokens(t) for t in texts]
    n = len(toks)
    counts = Counter(w for t in toks for w in t)
    total = sum(counts.values()) or 1
    lead = {w for t in toks[:3] for w in t}
    first = set(toks[0]) if toks else set()
    spread = Counter(w for t in toks for w in set(t))
    out = np.zeros((n, 11), dtype=np.float32)
    for i, (text, t) in enumerate(zip(texts, toks, strict=True)):
        words = len(text.split())
        uniq = set(t)
        size = max(len(uniq), 1)
        out[i] = (
            words / 30.0,
            (words / 30.0) ** 2,
            1.0 if words > 40 else 0.0,
            min(i, 10) / 10.0,
            1.0 if i < 5 else 0.0,
            50.0 * float(np.mean([counts[w] / total for w in t])) if t else 0.0,
            len(uniq & lead) / size if i >= 3 else 1.0,
            len(uniq & first) / size if i >= 1 else 1.0,
            len(t) / 20.0,
            float(np.mean([spread[w] > 1 for w in uniq])) if uniq else 0.0,
            sum(spread[w] for w in uniq) / max(n, 1) / size,
        )
    return out


@register("keypoints.features.v2")
def sentence_features(analysis: Analysis, embed_ids: Sequence[int] | None = None) -> FeatureTable:
    """The feature table of every article sentence (rows follow sentence ids).

    Centrality is computed over ``embed_ids`` only (default: every sentence), so long
    articles can embed just their candidate sentences."""
    art = analysis.article
    n = len(art.sentences)
    values = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return FeatureTable(FEATURES, values)
    central = centrality(analysis, list(range(n)) if embed_ids is None else list(embed_ids))
    title = _title_lemmas(analysis)
    named = [e for e in analysis.doc.ents if e.label_ not in ("CARDINAL", "ORDINAL")]
    ent_counts = Counter(e.text.lower() for e in named)
    by_sentence = _entities_by_sentence(analysis, named)
    first_para = art.sentences[0].paragraph
    stats = _word_statistics([s.text for s in art.sentences])
    for s in art.sentences:
        span = analysis.sentence_span(s.id)
        lemmas = {t.lemma_.lower() for t in span if t.pos_ in _CONTENT_POS and not t.is_stop}
        ents = by_sentence.get(s.id, [])
        salience = sum(max(ent_counts[e] - 1, 0) for e in set(ents))
        has_verb = any(t.pos_ in ("VERB", "AUX") for t in span)
        values[s.id] = (
            1.0 / (1.0 + s.id),
            1.0 if s.id == 0 else 0.0,
            1.0 if s.id == 1 else 0.0,
            1.0 if s.id == 2 else 0.0,
            s.id / max(n - 1, 1),
            1.0 if s.paragraph == first_para else 0.0,
            float(central[s.id]),
            len(lemmas & title) / len(title) if title else 0.0,
            float(salience),
            1.0 if _QUOTE_CHARS.search(s.text) else 0.0,
            _length_score(len(s.text.split())),
            _is_caption(s.text, has_verb),
            *stats[s.id],
        )
    sal = values[:, FEATURES.index("entity_salience")]
    if sal.max() > 0:
        values[:, FEATURES.index("entity_salience")] = sal / sal.max()
    return FeatureTable(FEATURES, values)

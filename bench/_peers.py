"""Extractive peers for the key-point benchmarks, all fed one shared sentence split.

Every selector takes the article's sentences (already split, the same list for
every system) and returns the indices of the chosen sentences in document
order, so no peer re-splits the text or needs NLTK's punkt data:

- ``lead``: the first N sentences.
- ``lexrank``, ``textrank``, ``luhn``: sumy's summarizers over a document model
  built here from our sentences, with a regex word tokenizer, sumy's English
  (snowball) stemmer and sumy's English stop words.
- ``newspaper``: newspaper4k's ``nlp.summarize`` with its punkt splitter
  swapped for our sentences (keywords still come from the article text).
- ``oracle``: greedy extractive oracle on ROUGE-1 + ROUGE-2 F1 against the
  reference (Nallapati et al. 2017 / BertSum style): add the sentence that most
  improves the sum, stop at N or when nothing improves it.

``run_peers(sentences, n)`` runs them all; each selector is importable alone.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any

__all__ = [
    "PEER_NAMES",
    "RegexTokenizer",
    "lead",
    "newspaper_select",
    "oracle_select",
    "run_peers",
    "select",
    "sumy_select",
]

PEER_NAMES: tuple[str, ...] = ("lead", "lexrank", "textrank", "luhn", "newspaper", "oracle")
SUMY_ALGORITHMS: tuple[str, ...] = ("lexrank", "textrank", "luhn")

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_SPACES_RE = re.compile(r"[\n ]+")


# --------------------------------------------------------------------------- lead


def lead(sentences: Sequence[str], n: int) -> list[int]:
    """Indices of the first ``n`` sentences."""
    return list(range(min(n, len(sentences))))


# --------------------------------------------------------------------------- sumy


class RegexTokenizer:
    """sumy-compatible tokenizer: words are runs of letters (as sumy keeps them).

    sumy's own ``Tokenizer`` needs NLTK punkt; this one needs nothing.
    """

    language = "english"

    def to_words(self, text: str) -> tuple[str, ...]:
        return tuple(_WORD_RE.findall(text))

    def to_sentences(self, text: str) -> tuple[str, ...]:
        # Never used for splitting: documents are built from given sentences.
        return tuple(line.strip() for line in text.split("\n") if line.strip())


@cache
def _sumy_summarizer(algorithm: str, defaults: bool = False) -> Any:
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    classes = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "luhn": LuhnSummarizer}
    if defaults:  # sumy's bare defaults: no stemmer, no stop words
        return classes[algorithm]()
    summarizer = classes[algorithm](Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return summarizer


def _sumy_document(sentences: Sequence[str]) -> tuple[Any, list[Any]]:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = RegexTokenizer()
    objects = [Sentence(text, tokenizer) for text in sentences]
    return ObjectDocumentModel([Paragraph(objects)]), objects


def sumy_select(
    sentences: Sequence[str], n: int, algorithm: str, *, defaults: bool = False
) -> list[int]:
    """Indices chosen by sumy's ``algorithm`` (lexrank, textrank or luhn).

    With sumy's English stemmer and stop words; ``defaults=True`` uses sumy's
    bare defaults instead (no stemming, no stop words).
    """
    if not sentences or n <= 0:
        return []
    document, objects = _sumy_document(sentences)
    chosen = _sumy_summarizer(algorithm, defaults)(document, n)
    by_identity = {id(obj): i for i, obj in enumerate(objects)}
    return sorted(by_identity[id(s)] for s in chosen)


# --------------------------------------------------------------------------- newspaper4k

_NEWSPAPER_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _newspaper_stopwords() -> Any:
    from newspaper.text import StopWords

    return StopWords("en")


@contextmanager
def _fed_splitter(prepared: list[str]) -> Iterator[None]:
    """Make ``newspaper.nlp.split_sentences`` return ``prepared`` (no punkt)."""
    from newspaper import nlp

    original = nlp.split_sentences
    with _NEWSPAPER_LOCK:
        nlp.split_sentences = lambda text: list(prepared)
        try:
            yield
        finally:
            nlp.split_sentences = original


def _newspaper_prepare(sentences: Sequence[str]) -> tuple[list[str], list[int]]:
    """Apply newspaper's own post-split cleanup: squash whitespace, drop <= 10 chars."""
    prepared, origin = [], []
    for i, sentence in enumerate(sentences):
        if len(sentence) > 10:
            prepared.append(_SPACES_RE.sub(" ", sentence))
            origin.append(i)
    return prepared, origin


def newspaper_select(
    sentences: Sequence[str], n: int, *, title: str = " ", text: str | None = None
) -> list[int]:
    """Indices chosen by newspaper4k's ``nlp.summarize``.

    ``title`` feeds its title-overlap feature; an empty title makes newspaper
    return nothing, so a blank title is passed as a single space (feature = 0).
    ``text`` (default: the sentences joined) is where keywords are counted.
    """
    from newspaper import nlp

    if not sentences or n <= 0:
        return []
    prepared, origin = _newspaper_prepare(sentences)
    body = text if text is not None else " ".join(sentences)
    with _fed_splitter(prepared):
        chosen = nlp.summarize(
            title=title or " ", text=body, stopwords=_newspaper_stopwords(), max_sents=n
        )
    return _indices_of(chosen, prepared, origin)


def _indices_of(chosen: Sequence[str], prepared: Sequence[str], origin: Sequence[int]) -> list[int]:
    """Map returned strings back to sentence indices (duplicates taken in order)."""
    slots: dict[str, list[int]] = defaultdict(list)
    for text, i in zip(prepared, origin, strict=True):
        slots[text].append(i)
    return sorted(slots[text].pop(0) for text in chosen)


# --------------------------------------------------------------------------- oracle


@lru_cache(maxsize=1)
def _rouge_tokenizer() -> Any:
    from rouge_score.tokenizers import DefaultTokenizer

    return DefaultTokenizer(use_stemmer=True)


def _ngrams(tokens: Sequence[str], order: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + order]) for i in range(len(tokens) - order + 1))


def _f1(reference: Counter[tuple[str, ...]], candidate: Counter[tuple[str, ...]]) -> float:
    overlap = sum((reference & candidate).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def _oracle_gain(
    chosen: Sequence[int],
    tokens: Sequence[Sequence[str]],
    ref1: Counter[tuple[str, ...]],
    ref2: Counter[tuple[str, ...]],
) -> float:
    """R-1 + R-2 F1 of the chosen sentences, concatenated in document order.

    rouge-score tokenises token by token, so concatenating per-sentence tokens
    equals tokenising the joined text (bigrams across sentences included).
    """
    joined = [t for i in sorted(chosen) for t in tokens[i]]
    return _f1(ref1, _ngrams(joined, 1)) + _f1(ref2, _ngrams(joined, 2))


def oracle_select(sentences: Sequence[str], n: int, reference: Sequence[str]) -> list[int]:
    """Greedy ROUGE-1 + ROUGE-2 oracle against ``reference`` bullets."""
    tokenizer = _rouge_tokenizer()
    ref_tokens = tokenizer.tokenize("\n".join(reference))
    ref1, ref2 = _ngrams(ref_tokens, 1), _ngrams(ref_tokens, 2)
    tokens = [tokenizer.tokenize(s) for s in sentences]
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < n:
        gains = [
            (_oracle_gain([*chosen, i], tokens, ref1, ref2), i)
            for i in range(len(sentences))
            if i not in chosen
        ]
        if not gains:
            break
        score, index = max(gains, key=lambda g: (g[0], -g[1]))
        if score <= best:
            break
        chosen.append(index)
        best = score
    return sorted(chosen)


# --------------------------------------------------------------------------- dispatch


def select(
    name: str,
    sentences: Sequence[str],
    n: int,
    *,
    title: str = " ",
    text: str | None = None,
    reference: Sequence[str] | None = None,
    sumy_defaults: bool = False,
) -> list[int]:
    """Run one peer by name; see ``PEER_NAMES``."""
    if name == "lead":
        return lead(sentences, n)
    if name in SUMY_ALGORITHMS:
        return sumy_select(sentences, n, name, defaults=sumy_defaults)
    if name == "newspaper":
        return newspaper_select(sentences, n, title=title, text=text)
    if name == "oracle":
        if reference is None:
            raise ValueError("the oracle needs reference bullets; pass reference=[...]")
        return oracle_select(sentences, n, reference)
    raise ValueError(f"unknown peer {name!r}; choose from {', '.join(PEER_NAMES)}")


def run_peers(
    sentences: Sequence[str],
    n: int,
    *,
    names: Sequence[str] | None = None,
    title: str = " ",
    text: str | None = None,
    reference: Sequence[str] | None = None,
    sumy_defaults: bool = False,
) -> dict[str, list[str]]:
    """Selected sentence texts for each peer (the oracle only if ``reference`` is given)."""
    wanted = names or [p for p in PEER_NAMES if p != "oracle" or reference is not None]
    options = {"title": title, "text": text, "reference": reference, "sumy_defaults": sumy_defaults}
    return {
        name: [sentences[i] for i in select(name, sentences, n, **options)]  # type: ignore[arg-type]
        for name in wanted
    }

"""Sentence segmentation with spaCy's statistical ``senter`` (fast; no parser).

Each paragraph is segmented on its own, so sentences never cross a paragraph
boundary. Offsets are relative to the paragraph text. Work is bounded: a long paragraph
is cut at whitespace into parts of `_CHUNK` characters, over-long runs without spaces are
tokenised in pieces (`takeaways.nlp.tokens.tokenize`), and the senter sees at most
`takeaways.nlp.tokens.BATCH_CHARS` characters per batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from takeaways.deadline import check
from takeaways.lexicon import quote_marks
from takeaways.nlp.models import get_nlp
from takeaways.nlp.tokens import parse_long, tokenize
from takeaways.resources import word_list, word_set

_CHUNK = 50_000
_ONLY_PUNCT = re.compile(r"^[\W_]+$")
# A sentence-final mark (optionally closed by a quote) followed by a new quotation.
_Q = quote_marks()
_QUOTE_RESTART = re.compile(
    f"[.!?][{_Q.char_class(_Q.closing)}]?\\s+(?=[{_Q.char_class(_Q.opening)}][A-Z])")
# A scraped photo caption glued to the next sentence with no full stop ("... on Wednesday
# He said"): a lower-case word, then a capitalised sentence opener from
# data/glued_openers.txt, or a capitalised common word (`_common_opener`), followed by a
# lower-case word.
_GLUED = re.compile(r"(?<=[a-z0-9])[ \t]+(?=([A-Z][a-z]*)[ \t]+[a-z])")
_MIN_WORDS = 4
_PERSONAL = frozenset({"he", "she", "they", "we"})


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Cut very long paragraphs at whitespace so spaCy's max_length is never hit."""
    start = 0
    while len(text) - start > _CHUNK:
        cut = text.rfind(" ", start + _CHUNK // 2, start + _CHUNK)
        cut = cut if cut > start else start + _CHUNK
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _ends_with_title(text: str, start: int, end: int) -> bool:
    """The sentence ends with an abbreviated title ("… Navy Cmdr."), which a name follows."""
    last = text[start:end].rsplit(None, 1)[-1] if end > start else ""
    return last in _titles() or last.rsplit("(", 1)[-1] in _titles()


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    return frozenset(word_list("abbreviations"))


def _refine(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge punctuation-only fragments into the previous sentence, join a sentence cut
    after an abbreviated title ("Cmdr.", "Gov.": ``data/abbreviations.txt``) to the next,
    and split glued quotes."""
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and (_ONLY_PUNCT.match(text[s:e]) or _ends_with_title(text, *merged[-1])):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    out: list[tuple[int, int]] = []
    words: dict[str, set[str]] = {}  # the paragraph's word set, built once when first needed
    for s, e in merged:
        cuts = [m.end() for m in _QUOTE_RESTART.finditer(text, s, e)]
        cuts = sorted(cuts + _glued_cuts(text, s, e, words))
        bounds = [s, *cuts, e]
        for a, b in zip(bounds, bounds[1:], strict=False):
            a2, b2 = _trim(text, a, b)
            if b2 > a2:
                out.append((a2, b2))
    return out


def _common_opener(text: str, word: str, at: int, prev: str,
                   words: set[str] | None = None) -> bool:
    """A capitalised common word (the paragraph also writes it in lower case) after a
    lower-case word and before a lower-case content word: "… ground shark teeth Charity
    workers say …". Not before a function word ("the new Director of …"). ``words``: the
    paragraph's word set (``\\w+`` runs), computed here when not given."""
    nxt = text[at : at + _LOOK].split(None, 1)
    stop = word_set("stopwords_en")
    if not nxt or not nxt[0][:1].islower() or nxt[0].lower() in stop or not prev[:1].islower():
        return False
    return word.lower() in (words if words is not None else set(_WORD.findall(text)))


#: how far `_glued_cuts` looks on either side of a candidate cut (characters): enough for
#: the words it counts, and it keeps the scan linear in the paragraph's length
_LOOK = 400
_WORD = re.compile(r"\w+")


def _glued_cuts(text: str, start: int, end: int,
                cache: dict[str, set[str]] | None = None) -> list[int]:
    """Where a caption and a sentence were glued together without a full stop.
    ``cache``: shared by the calls for one paragraph's sentences, so that the paragraph's
    word set is built once (per sentence it made one long paragraph quadratic)."""
    openers, stop = word_set("glued_openers"), word_set("stopwords_en")
    cuts: list[int] = []
    last = start
    cache = {} if cache is None else cache
    for m in _GLUED.finditer(text, start, end):
        before = text[max(last, m.start() - _LOOK) : m.start()].split()
        word_end = m.end() + len(m.group(1))
        if not before:
            continue
        if m.group(1).lower() not in openers:
            if "words" not in cache:
                cache["words"] = set(_WORD.findall(text))
            if not _common_opener(text, m.group(1), word_end, before[-1], cache["words"]):
                continue
        word, opener = before[-1], m.group(1).lower()
        # after a capitalised word only a personal pronoun opens: "on Wednesday He said";
        # "Don't Push It won" and "Bob Dylan's The Times" stay whole
        capital_ok = opener in _PERSONAL
        if not (word[0].islower() or word[0].isdigit() or capital_ok) or word.lower() in stop:
            continue
        if len(before) >= _MIN_WORDS and len(text[m.end() : min(end, m.end() + _LOOK)].split()
                                             ) >= _MIN_WORDS:
            cuts.append(m.end())
            last = m.end()
    return cuts


def split_sentences(paragraphs: list[str]) -> list[list[tuple[int, int]]]:
    """Sentence offsets for each paragraph, relative to that paragraph's text."""
    nlp = get_nlp()
    pieces: list[tuple[int, int, str]] = []
    for i, para in enumerate(paragraphs):
        pieces.extend((i, off, chunk) for off, chunk in _chunks(para))
    others = [p for p in nlp.pipe_names if p != "senter"]
    result: list[list[tuple[int, int]]] = [[] for _ in paragraphs]
    chunks = [c for _, _, c in pieces]
    docs = parse_long(nlp, chunks, lambda c: tokenize(nlp, c), [len(c) for c in chunks],
                      batch_size=256, disable=others)
    for k, ((i, off, _), doc) in enumerate(zip(pieces, docs, strict=True)):
        if k % 16 == 0:
            check()
        for sent in doc.sents:
            s, e = _trim(paragraphs[i], off + sent.start_char, off + sent.end_char)
            if e > s:
                result[i].append((s, e))
    out = []
    for k, (p, spans) in enumerate(zip(paragraphs, result, strict=True)):
        if k % 256 == 0 or len(spans) > 256:
            check()
        out.append(_refine(p, spans))
    return out

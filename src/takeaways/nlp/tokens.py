"""Tokenise and parse text of any length in bounded time and memory, offsets exact.

spaCy's tokenizer is quadratic in the length of a run without whitespace (its prefix,
suffix and infix searches restart on what is left: 16,000 characters of ``a:a:…`` take
3 s, 10 KB of URL-like junk as long), it refuses texts over ``nlp.max_length`` (E088),
and its parser needs memory in proportion to the text it is given at once. So:

* `tokenize` cuts a run of more than `LONG_RUN` non-space characters into pieces of
  `LONG_RUN` (each tokenised on its own) and a text longer than `SEGMENT_CHARS` at token
  starts, then joins the pieces into one `Doc` whose text is exactly the input;
* `pieces` cuts a long text at given boundaries (sentence starts) into parts of at most
  `PARSE_CHUNK` characters, which `parse_long` parses one batch at a time (at most
  `BATCH_CHARS` characters at once) and joins: the same annotations as one parse when the
  sentence starts are preset, since every parse is sentence by sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from takeaways.deadline import check

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: a run of non-space characters longer than this is cut into pieces of this length
#: (a URL with its query string fits; spaCy's cost per character is flat up to ~400)
LONG_RUN = 200
#: the tokenizer gets at most this many characters at once (below nlp.max_length)
SEGMENT_CHARS = 100_000
#: the parser gets texts of at most this many characters (cut at sentence starts)
PARSE_CHUNK = 20_000
#: the parser gets at most this many characters per batch (peak memory; the deadline is
#: checked between batches, so this is its granularity: ~0.5 s of parsing on one core)
BATCH_CHARS = 20_000

_LONG = re.compile(rf"\S{{{LONG_RUN + 1},}}")
_TOKEN_START = re.compile(r"(?<=\s)\S")
T = TypeVar("T")

__all__ = ["BATCH_CHARS", "LONG_RUN", "PARSE_CHUNK", "batches", "parse_long", "pieces",
           "segments", "tokenize"]


def _cut_plain(text: str, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """``[lo, hi)`` (no over-long run in it) in parts of at most `SEGMENT_CHARS`, cut
    where a token starts after whitespace."""
    while hi - lo > SEGMENT_CHARS:
        window = lo + SEGMENT_CHARS
        cut = None
        for m in _TOKEN_START.finditer(text, max(lo + 1, window - 4 * LONG_RUN), window):
            cut = m.start()
        cut = cut if cut is not None and cut > lo else window
        yield lo, cut
        lo = cut
    if hi > lo:
        yield lo, hi


def segments(text: str) -> list[tuple[int, int]]:
    """Where `tokenize` cuts ``text``: consecutive ``(start, end)`` covering all of it."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _LONG.finditer(text):
        out.extend(_cut_plain(text, pos, m.start()))
        # the last piece keeps the one space after the run (spaCy's trailing whitespace)
        end = m.end() + (text[m.end() : m.end() + 1] == " ")
        out.extend((a, end if a + LONG_RUN >= m.end() else a + LONG_RUN)
                   for a in range(m.start(), m.end(), LONG_RUN))
        pos = end
    out.extend(_cut_plain(text, pos, len(text)))
    return out or [(0, len(text))]


def tokenize(nlp: Language, text: str) -> Doc:
    """``nlp``'s tokenisation of ``text`` (a `Doc` with ``doc.text == text``), cut into
    `segments` where the text is long or has over-long runs."""
    cuts = segments(text)
    if len(cuts) == 1:
        return nlp.tokenizer(text)
    from spacy.tokens import Doc

    docs = []
    for n, (a, b) in enumerate(cuts):
        if n % 64 == 0:
            check()
        docs.append(nlp.tokenizer(text[a:b]))
    return Doc.from_docs(docs, ensure_whitespace=False)


def pieces(length: int, boundaries: Iterable[int], limit: int | None = None
           ) -> list[tuple[int, int]]:
    """``[0, length)`` in consecutive parts of at most ``limit`` (default `PARSE_CHUNK`)
    characters, each cut at one of ``boundaries`` (sentence starts) where one fits; a hard
    cut where none does."""
    limit = PARSE_CHUNK if limit is None else limit
    cuts = sorted({b for b in boundaries if 0 < b < length})
    out: list[tuple[int, int]] = []
    start, k = 0, 0
    while length - start > limit:
        best = None
        while k < len(cuts) and cuts[k] <= start + limit:
            if cuts[k] > start:
                best = cuts[k]
            k += 1
        end = best if best is not None else start + limit
        out.append((start, end))
        start = end
    out.append((start, length))
    return out


def batches(sizes: Sequence[int], *, max_items: int, max_chars: int | None = None
            ) -> list[list[int]]:
    """Indices of ``sizes`` in consecutive batches of at most ``max_items`` items and
    ``max_chars`` (default `BATCH_CHARS`) characters (a larger item is a batch of its own)."""
    max_chars = BATCH_CHARS if max_chars is None else max_chars
    out: list[list[int]] = []
    current: list[int] = []
    chars = 0
    for i, size in enumerate(sizes):
        if current and (len(current) >= max_items or chars + size > max_chars):
            out.append(current)
            current, chars = [], 0
        current.append(i)
        chars += size
    if current:
        out.append(current)
    return out


def parse_long(nlp: Language, items: Sequence[T], make: Callable[[T], Doc],
               sizes: Sequence[int], *, batch_size: int, disable: Sequence[str] = ()
               ) -> list[Doc]:
    """``nlp`` run over the docs ``make(item)`` of ``items`` (each of ``sizes[i]``
    characters), in batches bounded by `batches`: a batch is tokenised only when its turn
    comes, and the deadline is checked before each."""
    out: list[Doc] = []
    for batch in batches(sizes, max_items=batch_size):
        check()
        part = [make(items[i]) for i in batch]
        out.extend(nlp.pipe(part, disable=list(disable), batch_size=len(part)))
    return out

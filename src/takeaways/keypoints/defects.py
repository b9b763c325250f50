"""The defect check: what a reader sees at once in a key point (issue 14).

`defects` is a pure function over a point's text (and the other points, for repeats).
A point has a defect of a kind in `KINDS` when:

- ``unbalanced quotes``: its double quote marks do not pair up;
- ``bad start``: it does not open with a letter, digit, opening quote or bracket, or
  its first letter is lower case;
- ``no end punctuation``: it does not end with ``.``, ``!`` or ``?`` (closing quotes or
  brackets may follow);
- ``space before punctuation``: whitespace before ``, . ; : ! ?``;
- ``over 45 words``;
- ``label prefix``: a dateline, byline, label or chrome prefix ("BHOPAL:", "Guilty:",
  "(CNN)", "By <Name>", "Photo:", "Read more"…; ``data/keypoint_prefixes.txt``);
- ``no verb``: no verb or auxiliary (needs a tagger, ``pos=``; skipped without one);
- ``dangling start``: it opens, outside a quotation, with a pronoun or connective that
  depends on the text before it (``data/keypoint_dangling.txt``, ``dangling_starts.txt``,
  ``connectives.txt``; "this"/"that" only before a verb);
- ``near repeat``: most of its words are in another point (`near_repeat`).

Word lists live in data files; nothing here loads a model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from takeaways.lexicon import lexicon, quote_marks
from takeaways.resources import word_list, word_set

__all__ = ["KINDS", "MAX_WORDS", "count_kinds", "defects", "label_prefix", "near_repeat"]

KINDS: tuple[str, ...] = (
    "unbalanced quotes", "bad start", "no end punctuation", "space before punctuation",
    "over 45 words", "label prefix", "no verb", "dangling start", "near repeat",
)
MAX_WORDS = 45
#: share of the shorter point's content words found in the other: a near repeat
REPEAT_SHARE = 0.8
_MIN_REPEAT_WORDS = 4

#: ``pos(text)`` → (token text, coarse POS tag) pairs, e.g. spaCy's ``token.pos_``
Tagger = Callable[[str], Sequence[tuple[str, str]]]

_Q = quote_marks()
_SPACE_PUNCT = re.compile(r"\s[,.;:!?](?![.])")  # " ..." (an ellipsis) is allowed
_CLOSERS = ")]}" + _Q.closing + _Q.double + "'’"
_OPENERS = "([{" + _Q.opening + _Q.double + "'‘"
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_VERB_TAGS = frozenset({"VERB", "AUX"})
# without a tagger, "this/that" followed by one of these is a dangling start
_COMMON_VERBS = frozenset(
    "is was are were has have had will would could can may might must should does did "
    "do means meant came comes shows showed made makes led leads left remains remained "
    "became becomes includes included follows followed".split()
)


@lru_cache(maxsize=1)
def _prefixes() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in word_list("keypoint_prefixes"))


@lru_cache(maxsize=1)
def _dangling_words() -> frozenset[str]:
    single = {w for w in word_set("dangling_starts") if " " not in w}
    return frozenset(single | word_set("keypoint_dangling")) - {"this", "that"}


@lru_cache(maxsize=1)
def _connective_phrases() -> tuple[str, ...]:
    return tuple(sorted(word_set("connectives"), key=len, reverse=True))


def label_prefix(text: str) -> str:
    """The dateline, byline, label or chrome prefix opening ``text`` ("" when none). A
    speaker before a colon ("Stewart said: ‘…", "Martinez added: '…") is no label: the
    quote keeps its speaker."""
    for pattern in _prefixes():
        m = pattern.match(text)
        if m and m.end() > 0:
            if m.group(0).rstrip().endswith(":") and _reports(m.group(0)):
                continue
            return m.group(0)
    return ""


_IRREGULAR_REPORTING = frozenset({"said", "says", "told", "tells", "wrote", "writes", "spoke",
                                  "thought", "insisted"})


def _reports(prefix: str) -> bool:
    """Whether a word of ``prefix`` is an inflected reporting verb ("said", "added")."""
    verbs = lexicon().reporting_verbs
    for word in re.findall(r"[a-z]+", prefix):
        if word in _IRREGULAR_REPORTING or any(
                word in (v + "s", v + "ed", v + "d", v[:-1] + "ied") for v in verbs
                if word[:2] == v[:2]):
            return True
    return False


def _unbalanced(text: str) -> bool:
    """Odd straight double marks, or curly openers (“„«‹) and closers (”»›) that differ
    in number."""
    opening = sum(text.count(o) for o, _ in _Q.double_pairs if o != '"')
    closing = sum(text.count(c) for c in _Q.double_closers)
    return text.count('"') % 2 == 1 or opening != closing


def _bad_start(text: str) -> bool:
    first = text[:1]
    if not first or not (first.isalnum() or first in _OPENERS):
        return True
    letter = next((c for c in text if c.isalpha()), "")
    return bool(letter) and letter.islower() and not text[:1].isdigit()


def _no_end(text: str) -> bool:
    return text.rstrip().rstrip(_CLOSERS)[-1:] not in (".", "!", "?")


def _opening_words(text: str) -> tuple[str, str]:
    """The first two words of ``text`` (lower case), when it does not open inside a quote."""
    if text[:1] in _OPENERS:
        return "", ""
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text[:80])]
    return (words + ["", ""])[0], (words + ["", ""])[1]


def _dangling(text: str, pos: Tagger | None) -> bool:
    first, second = _opening_words(text)
    if not first:
        return False
    if first in _dangling_words():
        return True
    low = text.lower()
    for phrase in _connective_phrases():
        if low.startswith(phrase) and low[len(phrase) : len(phrase) + 1] in (",", " "):
            if " " in phrase or phrase in _dangling_words() or low[len(phrase)] == ",":
                return True
    if first in ("this", "that") and second:
        if pos is not None:
            tags = [t for w, t in pos(text)[:3] if w.strip()]
            return len(tags) > 1 and tags[1] in _VERB_TAGS
        return second in _COMMON_VERBS
    return False


def _content(text: str) -> set[str]:
    stop = word_set("stopwords_en")
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in stop}


def near_repeat(text: str, other: str) -> bool:
    """Whether ``text`` and ``other`` share most (`REPEAT_SHARE`) of the shorter one's
    content words (with at least a few words on each side)."""
    a, b = _content(text), _content(other)
    small = min(len(a), len(b))
    return small >= _MIN_REPEAT_WORDS and len(a & b) / small >= REPEAT_SHARE


def defects(text: str, *, others: Sequence[str] = (), pos: Tagger | None = None) -> list[str]:
    """The defect kinds (`KINDS`, in that order) of the point ``text``; ``others`` are
    the other points of the same list; ``pos`` tags words for the verb checks."""
    text = text.strip()
    found = {
        "unbalanced quotes": _unbalanced(text),
        "bad start": _bad_start(text),
        "no end punctuation": _no_end(text),
        "space before punctuation": bool(_SPACE_PUNCT.search(text)),
        "over 45 words": len(text.split()) > MAX_WORDS,
        "label prefix": bool(label_prefix(text)),
        "no verb": pos is not None and not any(t in _VERB_TAGS for _, t in pos(text)),
        "dangling start": _dangling(text, pos),
        "near repeat": any(near_repeat(text, o) for o in others if o is not text),
    }
    return [k for k in KINDS if found[k]]


def count_kinds(
    point_lists: Sequence[Sequence[str]], *, pos: Tagger | None = None
) -> tuple[dict[str, int], int, int]:
    """Defect counts by kind over lists of points (one list per article), the number of
    points with any defect, and the number of points."""
    counts = dict.fromkeys(KINDS, 0)
    bad = total = 0
    for points in point_lists:
        for i, p in enumerate(points):
            kinds = defects(p, others=[q for j, q in enumerate(points) if j != i], pos=pos)
            for k in kinds:
                counts[k] += 1
            bad += bool(kinds)
            total += 1
    return counts, bad, total

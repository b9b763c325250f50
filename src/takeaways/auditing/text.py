"""Small text helpers shared by the audit signals: normalising, numbers, truecasing."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from takeaways.resources import word_set

if TYPE_CHECKING:
    from spacy.tokens import Token

CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"})
_NON_WORD = re.compile(r"[^\w]+")
# a tokenised clitic ("do n't", "they 're"), not a quote opening on one ("getting
# 're-elected at all costs'"): no word character or hyphen may follow it
_CLITIC = re.compile(r"\s+(n't|'s|'re|'ll|'ve|'m|'d)(?![\w-])")
_POSSESSIVE = re.compile(r"'s\b")
_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "thousand": "1000", "million": "million", "billion": "billion",
    "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
    "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10", "half": "half", "dozen": "12",
}
_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")


def norm(text: str) -> str:
    """Lower-cased words joined by single spaces: the form quotes are compared in.

    Tokenised clitics are re-attached ("do n't" → "dont"), possessives split off
    ("putin's" → "putin s"), so model output and article text compare equal.
    """
    low = _CLITIC.sub(r"\1", text.lower().replace("\u2019", "'"))
    low = _POSSESSIVE.sub(" s", low).replace("'", "")
    return " ".join(_NON_WORD.sub(" ", low + " ").split())


def is_content(tok: Token) -> bool:
    """A word that carries content: a noun, verb, adjective, number or adverb, not a stop word."""
    if tok.pos_ not in CONTENT_POS or not (tok.is_alpha or tok.like_num):
        return False
    low = tok.lower_
    return not (tok.is_stop or low in word_set("stopwords_en") or len(low) < 2)


def word_forms(tok: Token) -> tuple[str, ...]:
    """The forms a token may be found under in the article: lower form and lemma."""
    low, lemma = tok.lower_, tok.lemma_.lower()
    return (low,) if low == lemma else (low, lemma)


def number_value(text: str) -> str | None:
    """A canonical form of a number word or numeral ("1,200" → "1200", "two" → "2")."""
    low = text.lower().strip().replace(",", "").lstrip("$£€").rstrip("%")
    if low in _NUMBER_WORDS:
        return _NUMBER_WORDS[low]
    match = _ORDINAL.match(low)
    if match:
        return match.group(1)
    try:
        value = float(low)
    except ValueError:
        return None
    return str(int(value)) if value.is_integer() else str(value)


def case_map(text: str) -> dict[str, str]:
    """For each lower-cased word of ``text``, its most common cased spelling."""
    counts: dict[str, Counter[str]] = {}
    for word in re.findall(r"[A-Za-z][\w'-]*", text):
        counts.setdefault(word.lower(), Counter())[word] += 1
    return {low: c.most_common(1)[0][0] for low, c in counts.items()}


def truecase(claim: str, cases: dict[str, str]) -> str:
    """Restore the article's capitals in a lower-cased claim; length and offsets unchanged."""
    if any(ch.isupper() for ch in claim):
        return claim

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        cased = cases.get(word)
        return cased if cased is not None and len(cased) == len(word) else word

    out = re.sub(r"[a-z][\w'-]*", fix, claim)
    return out[:1].upper() + out[1:] if out else out

"""Name and role normalisation for merging speakers across articles.

Language data comes from the shipped word lists: titles (``person_titles``), name
suffixes and role stop words (``name_suffixes``), stop words (``stopwords_en``).
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from takeaways.resources import word_set

__all__ = ["compatible_first", "is_stopword", "name_key", "name_tokens", "name_words",
           "role_words", "slug"]

_POSSESSIVE = re.compile(r"['’‘`]s?$")
_EDGE = re.compile(r"^[^\w]+|[^\w.]+$")


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    return frozenset(t.rstrip(".") for t in word_set("person_titles"))


@lru_cache(maxsize=1)
def _suffixes() -> frozenset[str]:
    return frozenset(w.rstrip(".") for w in word_set("name_suffixes"))


@lru_cache(maxsize=1)
def _role_stop() -> frozenset[str]:
    return word_set("stopwords_en") | word_set("role_stopwords")


def fold(text: str) -> str:
    """Lower case without accents (``Zelenskyi`` and ``Zélenskyi`` are one name)."""
    nfkd = unicodedata.normalize("NFKD", text)
    return "".join(c for c in nfkd if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """``"Sen. Bernie Sanders's"`` → ``("bernie", "sanders")``: folded, without titles,
    suffixes (Jr., III), possessives and edge punctuation."""
    out: list[str] = []
    for raw in fold(name).replace("’", "'").split():
        tok = _EDGE.sub("", _POSSESSIVE.sub("", raw))
        bare = tok.rstrip(".")
        if not bare or bare in _titles() or bare in _suffixes():
            continue
        out.append(bare)
    return tuple(out)


def name_words(name: str) -> tuple[tuple[str, str], ...]:
    """The tokens of `name_tokens` beside their written form: ``"Trump v. Trump"`` →
    ``(("Trump", "trump"), ("v", "v"), ("Trump", "trump"))`` (case kept in the first)."""
    out: list[tuple[str, str]] = []
    for raw in name.replace("’", "'").split():
        tok = _EDGE.sub("", _POSSESSIVE.sub("", raw)).rstrip(".")
        folded = fold(tok)
        if not folded or folded in _titles() or folded in _suffixes():
            continue
        out.append((tok, folded))
    return tuple(out)


def is_stopword(token: str) -> bool:
    """A function word (``data/stopwords_en.txt``): never part of a person's name."""
    return token in word_set("stopwords_en")


def name_key(name: str) -> str:
    """The form two names must share to be the same string (``"Dmitry Peskov"``)."""
    tokens = name_tokens(name)
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


def compatible_first(a: str, b: str, similarity: float = 1.0) -> bool:
    """Two first names of one person: equal, one the other's initial, or (below 1.0) a
    spelling variant at least this similar with the same initial (Hilary / Hillary)."""
    if a == b or ((len(a) == 1 or len(b) == 1) and a[0] == b[0]):
        return True
    return similarity < 1.0 and a[0] == b[0] and min(len(a), len(b)) > 2 and \
        SequenceMatcher(None, a, b).ratio() >= similarity


def role_words(roles: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Content words of role strings (``"Former Florida Gov."`` → florida, gov)."""
    out: set[str] = set()
    for role in roles:
        for raw in fold(role).split():
            tok = _EDGE.sub("", _POSSESSIVE.sub("", raw)).rstrip(".")
            if len(tok) > 1 and tok not in _role_stop():
                out.add(tok)
    return frozenset(out)


def slug(name: str) -> str:
    """``"Dmitry Peskov"`` → ``"dmitry-peskov"`` (speaker ids)."""
    s = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    return s or "speaker"

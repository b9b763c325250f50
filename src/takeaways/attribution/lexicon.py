"""The language data quotes use, read once from ``takeaways/data``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from takeaways.resources import word_list, word_set


@dataclass(frozen=True, slots=True)
class Lexicon:
    reporting_verbs: frozenset[str]
    quote_only_verbs: frozenset[str]
    reporting_nouns: frozenset[str]
    source_after: tuple[tuple[str, ...], ...]
    content_object: tuple[tuple[str, ...], ...]
    role_heads: dict[str, str]  # head word -> its synonym group's first word
    pronouns: dict[str, str]  # pronoun -> person | group | thing
    titles: frozenset[str]
    genders: dict[str, str]  # title or role word -> "m" | "f"


def _phrases(kind: str) -> tuple[tuple[str, ...], ...]:
    out = []
    for line in word_list("cue_phrases"):
        phrase, _, role = line.partition("\t")
        if role.strip() == kind:
            out.append(tuple(phrase.lower().split()))
    return tuple(out)


def _role_heads() -> dict[str, str]:
    heads: dict[str, str] = {}
    for line in word_list("role_heads"):
        group = [w.strip().lower() for w in line.split("=") if w.strip()]
        for word in group:
            heads.setdefault(word, group[0])
    return heads


def _tab_map(name: str) -> dict[str, str]:
    """``data/<name>.txt`` lines ``word<TAB>value`` as {lower-cased word: value}."""
    out: dict[str, str] = {}
    for line in word_list(name):
        word, _, value = line.partition("\t")
        out[word.strip().lower()] = value.strip()
    return out


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(
        reporting_verbs=word_set("reporting_verbs"),
        quote_only_verbs=word_set("reporting_verbs_after_quote"),
        reporting_nouns=word_set("reporting_nouns"),
        source_after=_phrases("source-after"),
        content_object=_phrases("content-object"),
        role_heads=_role_heads(),
        pronouns=_tab_map("pronouns"),
        titles=word_set("person_titles"),
        genders=_tab_map("gender_cues"),
    )

"""The one typed lexicon: the language data every stage uses, read once from ``data/``.

Quote marks, pronouns with their class and gender, negation cues, speech and reporting
verbs, role words and titles are defined here once, over the ``data/*.txt`` files, and
every module reads them from `lexicon()` (or `quote_marks()`), never from its own copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from takeaways.resources import word_list, word_set


@dataclass(frozen=True)
class QuoteMarks:
    """The quote marks of ``data/quote_marks.txt``: openers with their closers. The
    derived sets are computed once (modules test characters against them in loops)."""

    double_pairs: tuple[tuple[str, str], ...]  # (opener, closers)
    single_pairs: tuple[tuple[str, str], ...]

    @cached_property
    def double(self) -> str:
        """Every double mark, opening or closing (``"“”„«»‹›``)."""
        return "".join(dict.fromkeys(ch for o, cs in self.double_pairs for ch in o + cs))

    @cached_property
    def single(self) -> str:
        """Every single mark (``'‘’``); most of them are apostrophes in running text."""
        return "".join(dict.fromkeys(ch for o, cs in self.single_pairs for ch in o + cs))

    @cached_property
    def all(self) -> str:
        return self.double + self.single

    @cached_property
    def double_openers(self) -> dict[str, str]:
        """Double opener → the marks that close it."""
        return dict(self.double_pairs)

    @cached_property
    def double_closers(self) -> frozenset[str]:
        """Marks that only close (``”»›``): closers that never open a quote."""
        opens = {o for o, _ in self.double_pairs}
        return frozenset(c for _, cs in self.double_pairs for c in cs if c not in opens)

    @cached_property
    def single_openers(self) -> frozenset[str]:
        return frozenset(o for o, _ in self.single_pairs)

    @cached_property
    def single_closers(self) -> frozenset[str]:
        return frozenset(c for _, cs in self.single_pairs for c in cs)

    @cached_property
    def opening(self) -> str:
        """Every mark that can open a quote, double or single (``“„«‹"‘'``)."""
        return "".join(dict.fromkeys(o for o, _ in (*self.double_pairs, *self.single_pairs)))

    @cached_property
    def closing(self) -> str:
        """Every mark that can close a quote, double or single (``”“»›"’'``)."""
        return "".join(dict.fromkeys(
            c for _, cs in (*self.double_pairs, *self.single_pairs) for c in cs))

    def char_class(self, marks: str) -> str:
        """``marks`` as the inside of a regex character class (escaped)."""
        return "".join(re.escape(m) for m in marks)


@lru_cache(maxsize=1)
def quote_marks() -> QuoteMarks:
    pairs: dict[str, list[tuple[str, str]]] = {"double": [], "single": []}
    for line in word_list("quote_marks"):
        opener, closers, kind = (part.strip() for part in line.split("\t"))
        pairs[kind].append((opener, closers))
    return QuoteMarks(tuple(pairs["double"]), tuple(pairs["single"]))


@dataclass(frozen=True)
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
    pronoun_genders: dict[str, str]  # he/him/... -> "m", she/her/... -> "f"
    negators: frozenset[str]  # grammatical negation: not, never, without, n't, ...
    negation_cues: frozenset[str]  # negators and verbs of denial/failure (deny, fail, ...)
    speech_verbs: frozenset[str]  # verbs a claim uses to attribute words (the audit)
    places: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()  # (country forms, inside)
    person_states: dict[str, str] = field(default_factory=dict)  # word -> died|killed|late|child
    dialogue_verbs: frozenset[str] = frozenset()  # reply, respond, ...: the other one speaks

    @cached_property
    def negator_pattern(self) -> re.Pattern[str]:
        """A regex matching any grammatical negator as a word (``n't`` as a suffix)."""
        words = sorted((w for w in self.negators if not w.startswith("n'")), key=len)
        suffixes = sorted(w for w in self.negators if w.startswith("n'"))
        alts = [r"\b(?:" + "|".join(map(re.escape, words)) + r")\b"]
        alts += [re.escape(s) + r"\b" for s in suffixes]
        return re.compile("|".join(alts), re.I)


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


def _places() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """``data/places.txt``: per line, the forms that name a country, and places inside it."""
    out = []
    for line in word_list("places"):
        forms, _, inside = line.partition(">")
        out.append((tuple(w.strip().lower() for w in forms.split("|") if w.strip()),
                    tuple(w.strip().lower() for w in inside.split("|") if w.strip())))
    return tuple(out)


def _tab_map(name: str) -> dict[str, str]:
    """``data/<name>.txt`` lines ``word<TAB>value`` as {lower-cased word: value}."""
    out: dict[str, str] = {}
    for line in word_list(name):
        word, _, value = line.partition("\t")
        out[word.strip().lower()] = value.strip()
    return out


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    negations = _tab_map("audit_negation_cues")
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
        pronoun_genders=_tab_map("pronoun_genders"),
        negators=frozenset(w for w, k in negations.items() if k == "grammatical"),
        negation_cues=frozenset(negations),
        speech_verbs=word_set("audit_speech_verbs"),
        places=_places(),
        person_states=_tab_map("person_states"),
        dialogue_verbs=word_set("dialogue_cues"),
    )

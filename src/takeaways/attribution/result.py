"""The quote graph of one article: quotes, speakers, entities and mentions.

Standard library only. Every `Span` indexes ``article.text``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from takeaways.config import Settings, active
from takeaways.document import SCHEMA_VERSION, Span
from takeaways.render import ResultSequence

if TYPE_CHECKING:
    from takeaways.document import Article

KINDS = ("direct", "indirect", "mixed")


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a quote is attributed to: the mention as written, its canonical entity, and how."""

    mention: Span | None
    entity: str | None
    how: str
    entity_id: str | None = None  # the `Entity.id` of ``entity``

    def to_dict(self) -> dict[str, Any]:
        return {
            "mention": self.mention.to_dict() if self.mention else None,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "how": self.how,
        }


@dataclass(frozen=True, slots=True)
class Quote:
    """One attribution: ``kind`` is direct (in quote marks), indirect or mixed.

    ``content`` is the whole attributed passage. A quote interrupted by its cue
    ('"A," she said. "B."') is one quote: ``content`` runs from A to B and ``parts``
    holds the quoted pieces; otherwise ``parts`` is just ``(content,)``.
    """

    kind: str
    content: Span
    cue: Span | None
    speaker: Speaker
    embedded: list[Quote] = field(default_factory=list)
    sentence_ids: tuple[int, ...] = ()
    parts: tuple[Span, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "content": self.content.to_dict(),
            "cue": self.cue.to_dict() if self.cue else None,
            "speaker": self.speaker.to_dict(),
            "embedded": [q.to_dict() for q in self.embedded],
            "sentence_ids": list(self.sentence_ids),
            "parts": [p.to_dict() for p in self.parts],
        }


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, organisation or place with its canonical name, aliases and roles."""

    name: str
    type: str
    aliases: list[Span] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    id: str = ""  # stable within the article ("e1", "e2", ... in order of first mention)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "aliases": [a.to_dict() for a in self.aliases],
            "roles": list(self.roles),
        }


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the article that refers to entity ``entity``; ``how`` says why."""

    start: int
    end: int
    text: str
    entity: str
    how: str
    entity_id: str = ""  # the `Entity.id` of ``entity``

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "how": self.how,
        }


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, accent-free, possessive-free form used to compare names."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’]s\b", "", text)
    return re.sub(r"[^\w\s-]", "", text).strip()


def similar_names(a: str, b: str) -> bool:
    """Spelling variants of one name (Zelenskyi / Zelenskyy / Zelensky), by the active
    settings' ``[quotes] name_similarity`` and ``name_min_chars``."""
    return _similar(a, b, *_name_match(active()))


@lru_cache(maxsize=65536)
def _similar(a: str, b: str, min_chars: int, ratio: float) -> bool:
    a, b = fold(a), fold(b)
    if a == b:
        return True
    if len(a) < min_chars or len(b) < min_chars or a[0] != b[0]:
        return False
    return SequenceMatcher(None, a, b).ratio() >= ratio


@lru_cache(maxsize=8)
def _name_match(settings: Settings) -> tuple[int, float]:
    """``[quotes] name_min_chars`` and ``name_similarity`` of ``settings``."""
    cfg = settings.section("quotes")
    return int(cfg["name_min_chars"]), float(cfg["name_similarity"])


@dataclass(slots=True, repr=False)
class Quotes(ResultSequence[Quote]):
    """Who said what in ``article``, plus the entity/alias graph the speakers resolve to."""

    _items: ClassVar[str] = "quotes"  # what len(), iteration and indexing go over
    _noun: ClassVar[str] = "quote"

    article: Article
    quotes: list[Quote]
    entities: list[Entity]
    mentions: list[Mention]
    strategies: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self, *, article: bool = True) -> dict[str, Any]:
        """JSON-ready; ``article=False`` gives ``article_id`` instead of the article."""
        return {
            "schema_version": SCHEMA_VERSION,
            "type": "quotes",
            **self.article.ref(embed=article),
            "quotes": [q.to_dict() for q in self.quotes],
            "entities": [e.to_dict() for e in self.entities],
            "mentions": [m.to_dict() for m in self.mentions],
            "strategies": dict(self.strategies),
            "warnings": list(self.warnings),
        }

    # -- look-ups -----------------------------------------------------------------

    def entity(self, name_or_alias: str) -> Entity | None:
        """The entity called ``name_or_alias``: name, alias, surname or spelling variant."""
        key = fold(name_or_alias)
        if not key:
            return None
        for match in (self._exact, self._surname, self._variant):
            found = match(key)
            if found is not None:
                return found
        return None

    def _exact(self, key: str) -> Entity | None:
        for e in self.entities:
            if key == fold(e.name) or any(key == fold(a.text) for a in e.aliases):
                return e
            if any(key == fold(r) or key == "the " + fold(r) for r in e.roles):
                return e
        return None

    def _surname(self, key: str) -> Entity | None:
        last = key.split()[-1]
        for e in self.entities:
            if e.type == "PERSON" and fold(e.name).split()[-1] == last:
                return e
        return None

    def _variant(self, key: str) -> Entity | None:
        last = key.split()[-1]
        for e in self.entities:
            names = [e.name] + [a.text for a in e.aliases]
            if any(similar_names(last, fold(n).split()[-1]) for n in names if fold(n)):
                return e
        return None

    def resolve(self, start: int, end: int) -> Mention | None:
        """The mention (with its canonical entity) best covering ``[start, end)``."""
        best: Mention | None = None
        best_overlap = 0
        for m in self.mentions:
            overlap = min(end, m.end) - max(start, m.start)
            if overlap > best_overlap:
                best, best_overlap = m, overlap
        return best

    def quotes_in_sentence(self, sid: int) -> list[Quote]:
        """The quotes whose content touches article sentence ``sid``."""
        return [q for q in self.quotes if sid in q.sentence_ids]

    def by_speaker(self, entity: str) -> list[Quote]:
        """The quotes attributed to canonical entity ``entity``."""
        return [q for q in self.quotes if q.speaker.entity == entity]

    # -- rendering ----------------------------------------------------------------

    def to_markdown(self) -> str:
        lines = [f"# Quotes: {self.article.title or self.article.id}", ""]
        for i, q in enumerate(self.quotes, 1):
            who = q.speaker.entity or "(unknown speaker)"
            lines.append(f"{i}. **{who}** ({q.kind}, {q.speaker.how}): {_quoted(q)}")
            for inner in q.embedded:
                who_inner = inner.speaker.entity or "(unknown)"
                lines.append(f"    - embedded: {who_inner}: {_quoted(inner)}")
        lines += ["", "## Entities", ""]
        for e in self.entities:
            aliases = sorted({a.text for a in e.aliases})
            roles = f"; roles: {', '.join(e.roles)}" if e.roles else ""
            lines.append(f"- **{e.name}** ({e.type}): {', '.join(aliases)}{roles}")
        return "\n".join(lines) + "\n"

    def to_text(self) -> str:
        lines = []
        for q in self.quotes:
            who = q.speaker.entity or "?"
            lines.append(f"[{q.kind}] {who} ({q.speaker.how}): {_quoted(q)}")
        return "\n".join(lines) + "\n"


def _quoted(q: Quote) -> str:
    if q.kind == "direct":
        return " … ".join(f"“{' '.join(p.text.split())}”" for p in (q.parts or (q.content,)))
    return " ".join(q.content.text.split())

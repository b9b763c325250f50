"""Queries over an open `QuoteStore`: the speakers, and one speaker's timeline.

`speakers` reads the merge cached in the store when its key matches (the store's content
version, the merge strategy, the alias rules and the merge settings; see
`takeaways.store.db`) and otherwise merges and caches the result, so `said` does not
re-run the merge on every query and a write or a changed alias file still takes effect.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from takeaways.config import Settings, active
from takeaways.errors import UnknownSpeakerError, UsageError
from takeaways.store.db import QuoteStore
from takeaways.store.merge import (
    STRATEGY,
    AliasRules,
    InProse,
    MergeSettings,
    Occurrence,
    SpeakerGroup,
    WordShare,
    merge_speakers,
)
from takeaways.store.names import name_key
from takeaways.store.rows import iso_date

__all__ = ["Statement", "cache_key", "find_speaker", "load_occurrences", "names_in_prose",
           "said", "speakers", "store_places", "word_shares"]

_OCCURRENCES = """
SELECT e.doc_id, e.entity_id, e.name, e.type, e.aliases, e.roles, count(*) AS n, a.date
FROM quotes q
JOIN entities e ON e.doc_id = q.doc_id AND e.entity_id = q.entity_id
JOIN articles a ON a.doc_id = q.doc_id
GROUP BY ALL
"""
_CONTEXT = "SELECT doc_id, list(DISTINCT name) FROM entities GROUP BY doc_id"


def load_occurrences(store: QuoteStore) -> list[Occurrence]:
    """Every entity that speaks in some article, with its article's other names."""
    context = {doc: [name_key(n) for n in names if n]
               for doc, names in store.con.execute(_CONTEXT).fetchall()}
    out: list[Occurrence] = []
    for doc, eid, name, typ, aliases, roles, n, date in store.con.execute(_OCCURRENCES).fetchall():
        if not name:
            continue
        own = name_key(name)
        out.append(Occurrence(
            doc_id=doc, entity_id=eid, name=name, type=typ or "", count=int(n), date=date,
            aliases=tuple(json.loads(aliases or "[]")), roles=tuple(json.loads(roles or "[]")),
            context=frozenset(k for k in context.get(doc, ()) if k and k != own)))
    out.sort(key=lambda o: (o.date or "", o.doc_id, o.entity_id))
    return out


_WORDS = """
SELECT w, count(*) FROM (SELECT unnest(regexp_extract_all(text, '\\p{L}+')) AS w FROM articles)
WHERE lower(w) IN (SELECT unnest(?)) GROUP BY w
"""
_PLACES = "SELECT DISTINCT name FROM entities WHERE type IN ('GPE', 'LOC', 'FAC')"


def word_shares(store: QuoteStore) -> WordShare:
    """The share of each token's uses in the store's article texts written in lower case
    (a token used fewer than twice in lower case is left out: a name, or unknown)."""
    def shares(tokens: Iterable[str]) -> Mapping[str, float]:
        wanted = set(tokens)
        if not wanted:
            return {}
        lower: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for w, n in store.con.execute(_WORDS, [sorted(wanted)]).fetchall():
            low = w.lower()
            total[low] += n
            if w == low:
                lower[low] += n
        return {t: lower[t] / total[t] for t in total if lower[t] >= 2}
    return shares


_TEXTS = "SELECT doc_id, text FROM articles WHERE doc_id IN (SELECT unnest(?))"


def names_in_prose(store: QuoteStore) -> InProse:
    """The (doc id, name) pairs whose article's text writes the name right after a
    lower-case word on the same line ("said Hope Hicks"), not only as a headline's or a
    sentence's first words ("Trump Says He Never")."""
    def in_prose(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        wanted: dict[str, set[str]] = {}
        for doc, name in pairs:
            wanted.setdefault(doc, set()).add(name)
        if not wanted:
            return set()
        out: set[tuple[str, str]] = set()
        for doc, text in store.con.execute(_TEXTS, [sorted(wanted)]).fetchall():
            for name in wanted[doc]:
                pat = r"(?<![\w.])[a-z][\w'’-]*,?[ \t]+" + re.escape(name) + r"(?!\w)"
                if re.search(pat, text or ""):
                    out.add((doc, name))
        return out
    return in_prose


def store_places(store: QuoteStore) -> frozenset[str]:
    """One-word place names of the store's entities (any article, speaking or not)."""
    keys = (name_key(n) for (n,) in store.con.execute(_PLACES).fetchall() if n)
    return frozenset(k for k in keys if k and " " not in k)


def cache_key(store: QuoteStore, rules: AliasRules, ms: MergeSettings) -> str:
    """``content version:digest`` of everything the merge depends on."""
    rule_text = json.dumps([sorted(rules.merge.items()),
                            sorted((k, sorted(v)) for k, v in rules.separate.items())])
    digest = hashlib.sha256(f"{STRATEGY}|{ms.fingerprint()}|{rule_text}".encode())
    return f"{store.content_version()}:{digest.hexdigest()[:32]}"


def _rules(aliases: AliasRules | None, settings: Settings) -> AliasRules:
    if aliases is not None:
        return aliases
    return AliasRules.load(settings.section("store").get("aliases") or None)


def speakers(store: QuoteStore, *, aliases: AliasRules | None = None,
             settings: Settings | None = None, cache: bool = True) -> list[SpeakerGroup]:
    """The store's speakers (merged across articles), most quoted first. ``aliases``
    None reads ``[store] aliases``. The merge cached in the store is used when its key
    matches; otherwise the merge runs and is cached (best effort) unless ``cache`` is
    False."""
    s = settings or active()
    rules, ms = _rules(aliases, s), MergeSettings.from_section(s.section("store"))
    key = cache_key(store, rules, ms) if cache else ""
    payload = store.read_cache(key) if cache else None
    if payload is not None:
        try:
            return [SpeakerGroup.from_dict(d) for d in json.loads(payload)]
        except (ValueError, KeyError, TypeError):
            pass  # an unreadable cache: merge again and replace it
    groups = merge_speakers(load_occurrences(store), rules=rules, settings=ms,
                            word_share=word_shares(store), places=store_places(store),
                            in_prose=names_in_prose(store))
    if cache:
        store.write_cache(key, json.dumps([g.to_dict(members=True) for g in groups],
                                          ensure_ascii=False))
    return groups


def _matches(group: SpeakerGroup, key: str) -> int:
    """2: the query is the speaker's id or name; 1: one of its aliases or its surname."""
    if key in (group.id, name_key(group.name)):
        return 2
    names = {name_key(a) for a in group.aliases}
    if key in names or key == name_key(group.name).split()[-1]:
        return 1
    return 0


def find_speaker(groups: list[SpeakerGroup], query: str) -> SpeakerGroup:
    """The speaker a name (or id) denotes; `UnknownSpeakerError` with the nearest names
    when none does, or the candidates when several do."""
    key = name_key(query) or query.strip().lower()
    for level in (2, 1):
        hits = [g for g in groups if _matches(g, key) == level]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listed = "; ".join(f"{g.name} (id {g.id}, {g.count} quotes)" for g in hits[:8])
            raise UnknownSpeakerError(
                f"{query!r} names {len(hits)} speakers: {listed}. Give the full name or the id.")
    raise UnknownSpeakerError(f"no speaker named {query!r} in the store. {_nearest(groups, key)}")


def _nearest(groups: list[SpeakerGroup], key: str) -> str:
    names: dict[str, str] = {}
    for g in groups:
        for n in (g.name, *g.aliases):
            names.setdefault(name_key(n), g.name)
    close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
    best = list(dict.fromkeys(names[c] for c in close))
    if best:
        return "Nearest names: " + ", ".join(best) + "."
    return "Run takeaways speakers STORE for the names it holds."


@dataclass(frozen=True, slots=True)
class Statement:
    """One quote of a speaker's timeline; ``start``/``end`` index the article text."""

    speaker: str
    speaker_id: str
    doc_id: str
    article_id: str | None
    url: str | None
    date: str | None
    title: str | None
    kind: str | None
    text: str
    start: int
    end: int
    cue: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "speaker_id": self.speaker_id,
                "article_id": self.article_id, "doc_id": self.doc_id, "url": self.url,
                "date": self.date, "title": self.title, "kind": self.kind, "cue": self.cue,
                "quote": {"text": self.text, "start": self.start, "end": self.end}}


_TIMELINE = """
WITH members AS (SELECT unnest($docs) AS doc_id, unnest($entities) AS entity_id)
SELECT q.doc_id, a.article_id, a.url, a.date, a.title, q.kind, q.text, q.start, q."end", q.cue
FROM quotes q
JOIN members m ON m.doc_id = q.doc_id AND m.entity_id = q.entity_id
JOIN articles a ON a.doc_id = q.doc_id
WHERE ($since IS NULL OR a.date >= $since) AND ($until IS NULL OR a.date <= $until)
ORDER BY a.date NULLS LAST, q.doc_id, q.start
"""


def _check_date(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    iso = iso_date(value)
    if iso is None:
        raise UsageError(f"{flag} {value!r} is not a date; write it as YYYY-MM-DD.")
    return iso


def said(store: QuoteStore, who: str, *, since: str | None = None, until: str | None = None,
         aliases: AliasRules | None = None, settings: Settings | None = None,
         groups: list[SpeakerGroup] | None = None) -> list[Statement]:
    """The timeline of what ``who`` said, oldest first (undated articles last)."""
    lo, hi = _check_date(since, "--since"), _check_date(until, "--until")
    groups = groups if groups is not None else speakers(store, aliases=aliases,
                                                        settings=settings)
    group = find_speaker(groups, who)
    docs = [d for d, _ in group.members]
    entities = [e for _, e in group.members]
    rows = store.con.execute(_TIMELINE, {"since": lo, "until": hi, "docs": docs,
                                         "entities": entities}).fetchall()
    return [Statement(group.name, group.id, doc, aid, url, date, title, kind, text or "",
                      int(start), int(end), cue)
            for doc, aid, url, date, title, kind, text, start, end, cue in rows]

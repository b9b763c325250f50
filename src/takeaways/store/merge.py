"""Speakers merged across articles (strategy ``store.merge.names_roles.v2``).

Each article's quote graph already joins "Peskov", "Dmitry Peskov" and "Kremlin spokesman
Dmitry Peskov" into one entity. Across articles, entities (an `Occurrence` is one entity
of one article that speaks) are joined by general signals only, each join recording why:

1. **Same name**: the same folded full name without titles and suffixes.
2. **Same first and last name**: "Donald J. Trump" and "Donald Trump"; an initial matches
   a first name ("J. Smith" / "John Smith"), but a group never holds two different first
   names with one surname (Bill and Hillary Clinton stay apart).
3. **Surname only** ("Peskov" in an article that never gives the full name): joined to
   the full-name group with that surname when it is the only one and the roles do not
   conflict, or, when there are several, to the one that wins on role words shared,
   context (the other names of the article found in the group's articles) and how often
   each is quoted, by a margin (``[store] surname_margin``). Otherwise it stays apart,
   with the reason. Surname-only mentions with no full name anywhere join each other
   unless their roles conflict (a farmer Smith and a senator Smith stay apart).
4. **Organisations and places** join on the same name ("the Kremlin" = "Kremlin").

Before these steps, **name repair** (step 0) mends names that are not names: a headline
or dateline the per-article graph took for a person ("Trump Says He Never", "Weak -
Rubio", "Trump v. Trump", "CLEVELAND - Donald Trump"). A name is repaired only when every
token outside a known person's name is a non-name word by general evidence: a stop word,
written in lower case in the name, mostly written in lower case in the store's own
article texts (``[store] word_share``), a place the store knows, or glued page junk
(digits, several inner capitals); and what is left is a more quoted full name or surname
of the store. A token the store uses as the head of an organisation's name ("Trump
Organization") blocks it. The repaired occurrence then goes through steps 1-3 like any
other (a surname still needs its roles and context), and its ``why`` says what was cut.
A full name then never joins one whose middle names conflict ("George W. Bush" / "George
H.W. Bush").

A user alias file undoes or adds merges (`AliasRules`): ``[merge]`` maps a name to the
name it is the same speaker as; ``[separate]`` maps a name to names it must never be
joined with.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from takeaways.errors import ConfigError
from takeaways.store.names import (
    compatible_first,
    is_stopword,
    name_key,
    name_tokens,
    name_words,
    role_words,
    slug,
)

__all__ = ["STRATEGY", "AliasRules", "InProse", "Occurrence", "SpeakerGroup", "WordShare",
           "merge_speakers"]

STRATEGY = "store.merge.names_roles.v2"

#: folded tokens -> the share of their occurrences in the store's texts written in lower
#: case (tokens seen too rarely to tell are left out)
WordShare = Callable[[Iterable[str]], Mapping[str, float]]
#: (doc id, name) pairs -> those whose name the article's running text writes after a
#: lower-case word ("said Hope Hicks"): a name used as a name, not a headline's words
InProse = Callable[[Iterable[tuple[str, str]]], set[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One speaking entity of one article: its names, roles, quote count and context."""

    doc_id: str
    entity_id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    count: int = 1
    date: str | None = None
    #: name keys of the article's other entities
    context: frozenset[str] = frozenset()


@dataclass(slots=True)
class SpeakerGroup:
    """One speaker of the store: the occurrences merged, and why."""

    id: str
    name: str
    type: str
    aliases: list[str]
    count: int
    first: str | None
    last: str | None
    members: list[tuple[str, str]]
    why: list[str]

    def to_dict(self, *, members: bool = False) -> dict[str, Any]:
        out = {"id": self.id, "name": self.name, "aliases": self.aliases,
               "count": self.count, "first": self.first, "last": self.last,
               "type": self.type, "why": self.why}
        if members:  # the store's merge cache keeps them
            out["members"] = [list(m) for m in self.members]
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SpeakerGroup:
        return cls(id=d["id"], name=d["name"], type=d["type"], aliases=list(d["aliases"]),
                   count=int(d["count"]), first=d["first"], last=d["last"],
                   members=[(str(a), str(b)) for a, b in d["members"]], why=list(d["why"]))


@dataclass(frozen=True, slots=True)
class AliasRules:
    """The user's alias file: ``merge`` name key → target key, ``separate`` key → keys."""

    merge: Mapping[str, str] = field(default_factory=dict)
    separate: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None) -> AliasRules:
        """Read a TOML alias file (see docs/store.md); None gives no rules."""
        if not path:
            return cls()
        try:
            data = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, UnicodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the speaker alias file ({exc}); fix it "
                              "or pass another --aliases file.") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "aliases") -> AliasRules:
        unknown = set(data) - {"merge", "separate"}
        if unknown:
            raise ConfigError(f"{source}: unknown section(s) {sorted(unknown)}; an alias file "
                              "has [merge] (name = \"same person's name\") and [separate] "
                              "(name = [\"names never joined with it\"]).")
        merge = {name_key(k): name_key(str(v)) for k, v in dict(data.get("merge", {})).items()}
        separate: dict[str, set[str]] = {}
        for k, vs in dict(data.get("separate", {})).items():
            values = [vs] if isinstance(vs, str) else list(vs)
            for v in values:
                a, b = name_key(k), name_key(str(v))
                separate.setdefault(a, set()).add(b)
                separate.setdefault(b, set()).add(a)
        return cls(merge, {k: frozenset(v) for k, v in separate.items()})


@dataclass(frozen=True, slots=True)
class MergeSettings:
    """``[store]`` settings the merge uses (hand-set; see data/defaults.toml)."""

    surname_margin: float = 0.25
    context_min: float = 0.5
    first_name_similarity: float = 0.8
    word_share: float = 0.5

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> MergeSettings:
        return cls(surname_margin=float(section.get("surname_margin", 0.25)),
                   context_min=float(section.get("context_min", 0.5)),
                   first_name_similarity=float(section.get("first_name_similarity", 0.8)),
                   word_share=float(section.get("word_share", 0.5)))

    def fingerprint(self) -> str:
        return (f"{self.surname_margin}/{self.context_min}/{self.first_name_similarity}/"
                f"{self.word_share}")


# --------------------------------------------------------------------- union-find groups


@dataclass(slots=True)
class _Group:
    occ: list[Occurrence] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    firsts: set[str] = field(default_factory=set)  # full first names (not initials)
    roles: set[str] = field(default_factory=set)
    context: Counter[str] = field(default_factory=Counter)
    why: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, o: Occurrence, key: str) -> None:
        self.occ.append(o)
        self.keys.add(key)
        tokens = key.split()
        if len(tokens) >= 2 and len(tokens[0]) > 1:
            self.firsts.add(tokens[0])
        self.roles |= role_words(o.roles)
        self.context.update(o.context)
        self.count += o.count

    def absorb(self, other: _Group, why: str) -> None:
        self.occ += other.occ
        self.keys |= other.keys
        self.firsts |= other.firsts
        self.roles |= other.roles
        self.context.update(other.context)
        self.count += other.count
        self.why += [why, *other.why]


def _separated(a: _Group, b: _Group, rules: AliasRules) -> bool:
    return any(rules.separate.get(k, frozenset()) & b.keys for k in a.keys)


def _first_conflict(a: _Group, b: _Group, similarity: float = 1.0) -> bool:
    """Both groups have full first names and none of them agree."""
    return bool(a.firsts and b.firsts and not any(
        compatible_first(x, y, similarity) for x in a.firsts for y in b.firsts))


def _key_of(o: Occurrence, rules: AliasRules) -> str:
    key = name_key(o.name)
    return rules.merge.get(key, key)


# --------------------------------------------------------------------- step 0: name repair

_GLUED = re.compile(r"[a-z][A-Z]")
_PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})


@dataclass(slots=True)
class _Lexicon:
    """What the store's names say about single tokens (corpus-level evidence)."""

    people: Counter[str] = field(default_factory=Counter)     # person key -> quotes
    surnames: Counter[str] = field(default_factory=Counter)   # last token -> quotes
    firsts: dict[str, set[str]] = field(default_factory=dict)  # first token -> keys
    first_uses: Counter[str] = field(default_factory=Counter)  # first token -> quotes
    org_heads: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, items: list[tuple[Occurrence, str]],
           places: frozenset[str] = frozenset()) -> _Lexicon:
        lex = cls(places=set(places))
        for o, key in items:
            tokens = key.split()
            if o.type == "PERSON":
                lex.people[key] += o.count
                if len(tokens) >= 2:
                    lex.surnames[tokens[-1]] += o.count
                    lex.firsts.setdefault(tokens[0], set()).add(key)
                    lex.first_uses[tokens[0]] += o.count
            elif o.type == "ORG" and len(tokens) >= 2:
                lex.org_heads.add(tokens[-1])
            elif o.type in _PLACE_TYPES and len(tokens) == 1:
                lex.places.add(key)
        lex.places -= set(lex.surnames) | set(lex.firsts)
        return lex

    def is_first(self, token: str, key: str) -> bool:
        return bool(self.firsts.get(token, set()) - {key})


def _candidate(o: Occurrence, key: str, lex: _Lexicon) -> bool:
    """Worth testing: a two-plus-token person or organisation name holding a known
    surname, and not simply a known first name plus that surname."""
    tokens = key.split()
    if o.type not in ("PERSON", "ORG") or len(tokens) < 2:
        return False
    if not any(t in lex.surnames for t in tokens):
        return False
    first, last = tokens[0], tokens[-1]
    plain = lex.is_first(first, key) and lex.first_uses[first] >= lex.surnames[first]
    return not (plain and last in lex.surnames)


def _non_name(raw: str, tok: str, lex: _Lexicon, shares: Mapping[str, float],
              ms: MergeSettings) -> str | None:
    """Why a token of a name is not a name word, or None when it may be one."""
    if tok in lex.org_heads:
        return None
    if is_stopword(tok):
        return "stop word"
    if raw[:1].islower():
        return "lower case"
    if any(c.isdigit() for c in raw) or len(_GLUED.findall(raw)) >= 2:
        return "page junk"
    if tok in lex.places:
        return "a place"
    if len(tok) > 1 and shares.get(tok, 0.0) >= ms.word_share:
        return f"lower case in {shares[tok]:.0%} of the store's uses"
    return None


def _repair_names(items: list[tuple[Occurrence, str]], rules: AliasRules,
                  word_share: WordShare | None, places: frozenset[str],
                  in_prose: InProse | None, ms: MergeSettings,
                  ) -> tuple[list[tuple[Occurrence, str]], dict[tuple[str, str], str]]:
    """Step 0: headline and dateline fragments taken for names get the known person's
    name they hold; returns the items and, per repaired occurrence, why."""
    lex = _Lexicon.of(items, places)
    user = set(rules.merge.values()) | set(rules.separate)  # names the alias file gives
    cands = [i for i, (o, key) in enumerate(items)
             if key not in user and _candidate(o, key, lex)]
    if not cands:
        return items, {}
    needed = {tok for i in cands for _, tok in name_words(items[i][0].name)}
    shares = dict(word_share(sorted(needed))) if word_share else {}
    out = list(items)
    notes: dict[tuple[str, str], str] = {}
    repairs: list[tuple[int, str, str, bool]] = []
    for i in cands:
        o, key = items[i]
        words = name_words(o.name)
        if " ".join(t for _, t in words) != key:  # an alias-file key or a "the" name
            continue
        why = {tok: _non_name(raw, tok, lex, shares, ms) for raw, tok in words}
        kept = list(dict.fromkeys(tok for _, tok in words if why[tok] is None))
        target = " ".join(kept)
        if not kept or len(kept) > 3 or target == key or f" {target} " not in f" {key} ":
            continue
        known = lex.people[target] if len(kept) >= 2 else (
            lex.surnames[target] + lex.people[target] if o.type == "PERSON" else 0)
        if known <= o.count:
            continue
        cut = ", ".join(f"{t} ({w})" for t, w in why.items() if w)
        # a capitalised word cut only on the store's evidence ("Hope" is a word too) is
        # checked against the article's running text; a lower-case one ("v.") is not
        written = {tok: raw for raw, tok in words}
        checked = all(written[t][:1].isupper() for t, w in why.items() if w)
        repairs.append((i, target, cut, checked))
    prose = in_prose((items[i][0].doc_id, items[i][0].name)
                     for i, _, _, checked in repairs if checked) \
        if in_prose and repairs else set()
    for i, target, cut, checked in repairs:
        o = items[i][0]
        if checked and (o.doc_id, o.name) in prose:  # "said Hope Hicks": a name
            continue
        out[i] = (replace(o, type="PERSON"), target)
        notes[(o.doc_id, o.entity_id)] = (f"name repaired: {o.name!r} in {o.doc_id} -> "
                                          f"{target!r}; cut {cut}")
    return out, notes


# --------------------------------------------------------------------- the merge


def _full_name_groups(people: list[tuple[Occurrence, str]], rules: AliasRules,
                      ms: MergeSettings) -> list[_Group]:
    """Steps 1-2: one group per full name, names inside longer ones, then first + last."""
    by_key: dict[str, _Group] = {}
    for o, key in people:
        by_key.setdefault(key, _Group()).add(o, key)
    for key, g in by_key.items():
        if len(g.occ) > 1:
            g.why.append(f"same name: {key!r} in {len(g.occ)} articles")
    groups = _contained(by_key, rules)
    by_last: dict[str, list[_Group]] = {}
    for g in sorted(groups, key=lambda g: (-g.count, min(g.keys))):
        by_last.setdefault(min(g.keys).split()[-1], []).append(g)
    out: list[_Group] = []
    for same_last in by_last.values():
        out += _join_first_last(same_last, rules, ms)
    return out


def _contained(by_key: dict[str, _Group], rules: AliasRules) -> list[_Group]:
    """A rarer name that holds a more quoted full name at its start or end joins it:
    "Certainly Donald Trump" (a parse's stray word), "Marco Rubio: Retirement"."""
    merged: set[str] = set()
    for key in sorted(by_key, key=lambda k: (by_key[k].count, k)):
        tokens = key.split()
        if len(tokens) < 3:
            continue
        inner = [" ".join(tokens[i:]) for i in range(1, len(tokens) - 1)]
        inner += [" ".join(tokens[:j]) for j in range(len(tokens) - 1, 1, -1)]
        g = by_key[key]
        target = next((by_key[k] for k in inner if k in by_key and k not in merged
                       and by_key[k].count > g.count and not _separated(g, by_key[k], rules)),
                      None)
        if target is not None:  # its names stay out of the target's keys and first names
            keys, firsts = set(target.keys), set(target.firsts)
            target.absorb(g, f"name containment: {key!r} holds {sorted(keys)[0]!r}")
            target.keys, target.firsts = keys, firsts
            merged.add(key)
    return [g for k, g in by_key.items() if k not in merged]


def _join_first_last(groups: list[_Group], rules: AliasRules,
                     ms: MergeSettings) -> list[_Group]:
    """Join full names with one surname whose first names agree (exact before initials
    and spelling variants)."""
    kept: list[_Group] = []
    for g in groups:
        gk = min(g.keys).split()
        for exact in (True, False):
            sim = 1.0 if exact else ms.first_name_similarity
            target = next((k for k in kept if _first_match(k, gk, exact, sim)
                           and not _first_conflict(k, g, sim)
                           and not _separated(k, g, rules)), None)
            if target is not None:
                target.absorb(g, f"same first and last name: {' '.join(gk)!r} ~ "
                                 f"{sorted(target.keys)[0]!r}")
                break
        else:
            kept.append(g)
    return kept


def _first_match(g: _Group, tokens: list[str], exact: bool, similarity: float) -> bool:
    if _middle_conflict(g, tokens):
        return False
    for key in g.keys:
        other = key.split()
        if other[-1] != tokens[-1]:
            continue
        if other[0] == tokens[0] if exact else compatible_first(other[0], tokens[0],
                                                                 similarity):
            return True
    return False


def _middle_conflict(g: _Group, tokens: list[str]) -> bool:
    """Some name of the group has middle names and none agrees with ours: "George W.
    Bush" and "George H.W. Bush" are two people ("Donald J. Trump" and "Donald Trump"
    are not: a missing middle name agrees with any)."""
    mine = tokens[1:-1]
    if not mine:
        return False
    for key in g.keys:
        other = key.split()[1:-1]
        if other and not any(compatible_first(a, b) for a in mine for b in other):
            return True
    return False


def _role_term(o: Occurrence, g: _Group) -> int:
    mine = role_words(o.roles)
    if not mine or not g.roles:
        return 0
    return 1 if mine & g.roles else -1


def _context(o: Occurrence, g: _Group) -> float:
    if not o.context:
        return 0.0
    return sum(1 for k in o.context if k in g.context) / len(o.context)


def _attach_surname(o: Occurrence, key: str, candidates: list[_Group],
                    rules: AliasRules, ms: MergeSettings) -> tuple[_Group | None, str]:
    """Step 3: the full-name group a surname-only occurrence joins, with the reason."""
    single = _Group()
    single.add(o, key)
    allowed = [g for g in candidates if not _separated(single, g, rules)]
    if not allowed:
        return None, f"{key!r} in {o.doc_id}: no full name with this surname"
    total = sum(g.count for g in allowed)
    scored = sorted(((_role_term(o, g) + _context(o, g) + g.count / total, g) for g in allowed),
                    key=lambda t: -t[0])
    best_score, best = scored[0]
    role, ctx = _role_term(o, best), _context(o, best)
    name = sorted(best.keys)[0]
    if role < 0 and ctx < ms.context_min:
        return None, f"{key!r} in {o.doc_id}: roles differ from {name!r}"
    if len(scored) > 1 and best_score - scored[1][0] < ms.surname_margin:
        return None, (f"{key!r} in {o.doc_id}: ambiguous surname ({name!r} or "
                      f"{sorted(scored[1][1].keys)[0]!r})")
    return best, (f"surname {key!r} in {o.doc_id} -> {name!r} (roles {role:+d}, context "
                  f"{ctx:.2f}, share {best.count / total:.2f}, of {len(scored)} candidate(s))")


def _surname_only(lonely: list[tuple[Occurrence, str, str]],
                  rules: AliasRules) -> list[_Group]:
    """Surname-only occurrences no full name claims: joined on the name unless roles
    conflict. ``why`` says why each was not joined to a full name."""
    out: list[_Group] = []
    for o, key, why in lonely:
        single = _Group()
        single.add(o, key)
        if why:
            single.why.append(f"kept apart: {why}")
        target = next((g for g in out if key in g.keys and _role_term(o, g) >= 0
                       and not _separated(single, g, rules)), None)
        if target is None:
            out.append(single)
        else:
            target.absorb(single, f"same name {key!r} in {o.doc_id}, roles compatible "
                                  "(no full name in the store)")
    return out


def merge_speakers(occurrences: Iterable[Occurrence], *, rules: AliasRules | None = None,
                   settings: MergeSettings | None = None,
                   word_share: WordShare | None = None,
                   places: frozenset[str] = frozenset(),
                   in_prose: InProse | None = None) -> list[SpeakerGroup]:
    """The store's speakers, most quoted first. ``word_share`` (the store's texts: see
    `takeaways.store.query.word_shares`) lets step 0 tell words from names, and
    ``places`` (one-word place names of the store's entities) datelines, and
    ``in_prose`` keeps a name the article's running text uses as a name; without them
    only stop words, lower-case, junk and speaking places count as non-names."""
    rules, ms = rules or AliasRules(), settings or MergeSettings()
    people: list[tuple[Occurrence, str]] = []
    surnames: list[tuple[Occurrence, str]] = []
    others: dict[str, _Group] = {}
    keyed = [(o, k) for o in occurrences if (k := _key_of(o, rules))]
    keyed, notes = _repair_names(keyed, rules, word_share, places, in_prose, ms)
    for o, key in keyed:
        if o.type != "PERSON":
            others.setdefault(f"{o.type}:{key}", _Group()).add(o, key)
        elif len(key.split()) >= 2:
            people.append((o, key))
        else:
            surnames.append((o, key))
    groups = _full_name_groups(people, rules, ms)
    by_last: dict[str, list[_Group]] = {}
    for g in groups:
        for k in g.keys:
            by_last.setdefault(k.split()[-1], []).append(g)
    lonely: list[tuple[Occurrence, str, str]] = []
    for o, key in surnames:
        candidates = list({id(g): g for g in by_last.get(key, [])}.values())
        target, why = _attach_surname(o, key, candidates, rules, ms) if candidates else \
            (None, "")
        if target is None:
            lonely.append((o, key, why))
        else:
            single = _Group()
            single.add(o, key)
            target.absorb(single, why)
    groups += _surname_only(lonely, rules)
    for key, g in others.items():
        if len(g.occ) > 1:
            g.why.append(f"same name: {key.split(':', 1)[1]!r} in {len(g.occ)} articles")
    everything = [*groups, *others.values()]
    for g in everything:
        g.why[:0] = [notes[m] for o in g.occ if (m := (o.doc_id, o.entity_id)) in notes]
    return _finish(everything, set(notes))


def _display_name(g: _Group, repaired: set[tuple[str, str]]) -> str:
    counts: Counter[str] = Counter()
    for o in g.occ:
        if (o.doc_id, o.entity_id) not in repaired:
            counts[o.name] += o.count
    if not counts:  # only repaired names: the name they were repaired to
        counts.update({o.name: o.count for o in g.occ})
    full = [n for n in counts if len(name_tokens(n)) >= 2] or list(counts)
    # most quoted; on a tie the plainer form ("Dmitry Peskov" over "Dmitry S. Peskov")
    return max(full, key=lambda n: (counts[n], -len(n.split()), len(n), n))


def _is_name(alias: str) -> bool:
    """A proper-name alias ("Peskov"), not a role mention ("the Kremlin spokesman")."""
    words = alias.split()
    return bool(words) and all(w[:1].isupper() for w in words) and \
        name_key(alias) == " ".join(name_tokens(alias))


def _finish(groups: list[_Group], repaired: set[tuple[str, str]]) -> list[SpeakerGroup]:
    out: list[SpeakerGroup] = []
    seen: Counter[str] = Counter()
    for g in sorted(groups, key=lambda g: (-g.count, _display_name(g, repaired))):
        name = _display_name(g, repaired)
        base = slug(name)
        seen[base] += 1
        sid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        names = dict.fromkeys([name, *sorted({o.name for o in g.occ
                                               if (o.doc_id, o.entity_id) not in repaired}),
                               *sorted({a for o in g.occ for a in o.aliases if _is_name(a)})])
        dates = sorted(o.date for o in g.occ if o.date)
        out.append(SpeakerGroup(
            id=sid, name=name, type=g.occ[0].type,
            aliases=[a for a in names if a != name], count=g.count,
            first=dates[0] if dates else None, last=dates[-1] if dates else None,
            members=[(o.doc_id, o.entity_id) for o in g.occ], why=g.why))
    return out

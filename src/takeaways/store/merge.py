"""Speakers merged across articles (strategy ``store.merge.names_roles.v1``).

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

A user alias file undoes or adds merges (`AliasRules`): ``[merge]`` maps a name to the
name it is the same speaker as; ``[separate]`` maps a name to names it must never be
joined with.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from takeaways.errors import ConfigError
from takeaways.store.names import compatible_first, name_key, name_tokens, role_words, slug

__all__ = ["STRATEGY", "AliasRules", "Occurrence", "SpeakerGroup", "merge_speakers"]

STRATEGY = "store.merge.names_roles.v1"


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

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aliases": self.aliases,
                "count": self.count, "first": self.first, "last": self.last,
                "type": self.type, "why": self.why}


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

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> MergeSettings:
        return cls(surname_margin=float(section.get("surname_margin", 0.25)),
                   context_min=float(section.get("context_min", 0.5)),
                   first_name_similarity=float(section.get("first_name_similarity", 0.8)))


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
    for key in g.keys:
        other = key.split()
        if other[-1] != tokens[-1]:
            continue
        if other[0] == tokens[0] if exact else compatible_first(other[0], tokens[0],
                                                                 similarity):
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
                   settings: MergeSettings | None = None) -> list[SpeakerGroup]:
    """The store's speakers, most quoted first."""
    rules, ms = rules or AliasRules(), settings or MergeSettings()
    people: list[tuple[Occurrence, str]] = []
    surnames: list[tuple[Occurrence, str]] = []
    others: dict[str, _Group] = {}
    for o in occurrences:
        key = _key_of(o, rules)
        if not key:
            continue
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
    return _finish([*groups, *others.values()])


def _display_name(g: _Group) -> str:
    counts: Counter[str] = Counter()
    for o in g.occ:
        counts[o.name] += o.count
    full = [n for n in counts if len(name_tokens(n)) >= 2] or list(counts)
    # most quoted; on a tie the plainer form ("Dmitry Peskov" over "Dmitry S. Peskov")
    return max(full, key=lambda n: (counts[n], -len(n.split()), len(n), n))


def _is_name(alias: str) -> bool:
    """A proper-name alias ("Peskov"), not a role mention ("the Kremlin spokesman")."""
    words = alias.split()
    return bool(words) and all(w[:1].isupper() for w in words) and \
        name_key(alias) == " ".join(name_tokens(alias))


def _finish(groups: list[_Group]) -> list[SpeakerGroup]:
    out: list[SpeakerGroup] = []
    seen: Counter[str] = Counter()
    for g in sorted(groups, key=lambda g: (-g.count, _display_name(g))):
        name = _display_name(g)
        base = slug(name)
        seen[base] += 1
        sid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        names = dict.fromkeys([name, *sorted({o.name for o in g.occ}),
                               *sorted({a for o in g.occ for a in o.aliases if _is_name(a)})])
        dates = sorted(o.date for o in g.occ if o.date)
        out.append(SpeakerGroup(
            id=sid, name=name, type=g.occ[0].type,
            aliases=[a for a in names if a != name], count=g.count,
            first=dates[0] if dates else None, last=dates[-1] if dates else None,
            members=[(o.doc_id, o.entity_id) for o in g.occ], why=g.why))
    return out

"""The entity/alias graph: named mentions grouped into entities, roles, role-only mentions.

Rules (see docs/quotes.md):

1. Named mentions are spaCy entities (PERSON, ORG, GPE, LOC, FAC) minus a leading "the",
   a trailing possessive and leading titles ("Sen.", "Chancellor").
2. A mention is a PERSON when spaCy says so, when a role word stands right before it
   ("Chancellor Olaf Scholz"), or when its last word is (a spelling variant of) a PERSON's
   surname. spaCy often labels "Scholz" GPE or "Olaf Scholz" ORG; rule 2 fixes that.
3. Full names group by first and last name; a one-word mention joins the full name whose
   surname it equals (``how = surname``) or resembles (``variant``: folded names with a
   SequenceMatcher ratio >= 0.8 and the same initial, e.g. Zelenskyi / Zelenskyy). The
   canonical name is the longest full name without titles.
4. Roles come from the words before a name ("Kremlin spokesman Dmitry Peskov" gives
   "Kremlin spokesman") and from appositions ("Peskov, the Kremlin spokesman,").
5. A role-only mention ("the Kremlin leader") resolves to the person whose role has the
   same head word (or a synonym from role_heads.txt: leader = chief = head) and shares
   its modifiers (``role:apposition``). When no role matches, it resolves by proximity to
   the nearest preceding named person that is the subject of its clause in the same
   paragraph, else the previous one (``role:proximity``).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from takeaways.attribution.index import token_indices
from takeaways.attribution.result import Entity, Mention, fold, similar_names
from takeaways.deadline import check
from takeaways.document import Article, Span
from takeaways.lexicon import Lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

#: prepositions after a speaker's head noun whose object is someone else: 'a spokesman
#: for John Smith', 'an adviser to Trump', 'a friend of'... stays ('CEO of X Y')
NOT_THE_SPEAKER = frozenset({"for", "to", "with"})
NAMED_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
#: how many mention tokens a backward search (nearest subject, person before a pronoun)
#: looks at, at most: bounded work per mention however long the paragraph (hand-set: a
#: news paragraph holds a few dozen mentions)
MAX_LOOKBACK = 200
#: how often the long token loops call the deadline `check` (every this many tokens)
CHECK_EVERY = 2048
#: parts of speech the parser gives a surname it does not know mid-sentence ('"…," said
#: Skelly' with 'Skelly' an adverb): such a word is the surname only when it is the exact one
MISTAGGED = frozenset({"ADV", "ADJ", "X", "INTJ", "VERB"})
#: a number in apposition to a name below this is an age that marks a young child
#: ("Gloria, 4,"); hand-set (an older teenager may well be quoted)
CHILD_AGE = 13


@dataclass(slots=True)
class _Named:
    start: int  # token indices
    end: int
    label: str
    words: tuple[str, ...]  # folded words without titles

    @property
    def last(self) -> str:
        return self.words[-1]


@dataclass(slots=True)
class _Cluster:
    type: str
    members: list[tuple[_Named, str]] = field(default_factory=list)  # (mention, how)
    roles: list[str] = field(default_factory=list)
    name: str = ""
    gender: str | None = None  # "m" / "f" when the article shows it (`_genders`)
    dead: bool = False  # the article reports the person dead (`_states`)
    child: bool = False  # the article shows a young child (`_states`)
    id: str = ""  # stable within the article: "e1", "e2", ... in order of first mention


class EntityGraph:
    """Entities of one article and every mention resolved to them so far."""

    def __init__(self, doc: Doc, article: Article, lex: Lexicon) -> None:
        self.doc = doc
        self.article = article
        self.lex = lex
        self.clusters: list[_Cluster] = []
        self.mentions: list[Mention] = []
        self._token_mention: dict[int, Mention] = {}
        self._token_cluster: dict[int, _Cluster] = {}
        self._mention_tokens: list[int] = []  # the keys of _token_cluster, ascending
        self._by_name: dict[str, _Cluster] = {}
        self._build()

    # -- building -----------------------------------------------------------------

    def _build(self) -> None:
        named = self._named_mentions()
        named += self._names_after_org(named)
        self._relabel_persons(named)
        self._cluster(named)
        for cluster in self.clusters:
            self._name(cluster)
        self._merge_same_names()
        self._collect_roles()
        self._genders()
        self._states()
        self._by_name = {}
        for c in self.clusters:
            self._by_name.setdefault(c.name, c)
        for cluster in self.clusters:
            for m, how in cluster.members:
                self._add_mention(m.start, m.end, cluster, how)
        self._untagged_surnames()
        self._role_mentions()

    def _named_mentions(self) -> list[_Named]:
        out = []
        for ent in self.doc.ents:
            if ent.label_ not in NAMED_LABELS:
                continue
            start, end = ent.start, ent.end
            while start < end and (self.doc[start].lower_ in ("the",) or self._is_title(start)):
                start += 1
            while end > start and (self.doc[end - 1].is_punct or self.doc[end - 1].tag_ == "POS"):
                end -= 1
            if end <= start or not any(
                t.is_alpha and t.text[0].isupper() for t in self.doc[start:end]
            ):
                continue
            words = tuple(w for w in (fold(t.text) for t in self.doc[start:end]) if w)
            if words:
                out.append(_Named(start, end, ent.label_, words))
        return out

    def _names_after_org(self, named: list[_Named]) -> list[_Named]:
        """'the CEO of the Refugee Council Enver Solomon': untagged proper nouns that end
        a role's 'of'-phrase right after an organisation's name are a person's name
        (two words at least); spaCy runs the organisation and the name together."""
        taken = {i for m in named for i in range(m.start, m.end)}
        out = []
        for m in named:
            if m.label not in ("ORG", "GPE", "FAC"):
                continue
            j = m.end
            while j < len(self.doc) and self.doc[j].pos_ == "PROPN" and j not in taken \
                    and self.doc[j].is_title and not self.doc[j].ent_type_:
                j += 1
            if j - m.end < 2 or not self._in_role_phrase(m.start):
                continue
            words = tuple(w for w in (fold(t.text) for t in self.doc[m.end:j]) if w)
            out.append(_Named(m.end, j, "PERSON", words))
            taken.update(range(m.end, j))
        return out

    def _in_role_phrase(self, i: int) -> bool:
        """Whether token ``i`` starts the object of 'of'/'at' after a role word."""
        k = i - 1
        while k >= 0 and self.doc[k].lower_ in ("the", "a", "an"):
            k -= 1
        return k >= 1 and self.doc[k].lower_ in ("of", "at") \
            and self.doc[k - 1].lower_ in self.lex.role_heads

    def _is_title(self, i: int) -> bool:
        tok = self.doc[i]
        return tok.lower_ in self.lex.titles and i + 1 < len(self.doc) and self.doc[i + 1].is_title

    def _relabel_persons(self, named: list[_Named]) -> None:
        for m in named:
            if m.label not in ("PERSON", "NORP") and self._titled(m):
                m.label = "PERSON"
        surnames = {m.last for m in named if m.label == "PERSON"}
        for m in named:
            if m.label in ("PERSON", "NORP") or len(m.words) > 3:
                continue
            if any(similar_names(m.last, s) for s in surnames):
                m.label = "PERSON"
        for m in named:
            if m.label == "NORP":
                m.label = "_NORP"

    def _titled(self, m: _Named) -> bool:
        """A proper noun right after a title or role word ("Chancellor Olaf Scholz")."""
        before = self.doc[m.start - 1] if m.start > 0 else None
        if before is None or self.doc[m.start].pos_ != "PROPN":
            return False
        return before.lower_ in self.lex.titles or before.lower_ in self.lex.role_heads

    def _cluster(self, named: list[_Named]) -> None:
        persons = sorted(
            (m for m in named if m.label == "PERSON"), key=lambda m: (-len(m.words), m.start)
        )
        for m in persons:
            self._join_person(m)
        same: dict[tuple[str, str], _Cluster] = {}
        for m in named:
            if m.label in ("PERSON", "_NORP"):
                continue
            key = (m.label, " ".join(m.words))
            if key in same:
                same[key].members.append((m, "named"))
            else:
                same[key] = _Cluster(m.label, [(m, "named")])
                self.clusters.append(same[key])

    def _join_person(self, m: _Named) -> None:
        best: tuple[int, _Cluster, str] | None = None
        for c in self.clusters:
            if c.type != "PERSON":
                continue
            rank_how = self._person_match(m, c)
            if rank_how is None:
                continue
            rank, how = rank_how
            if best is None or rank < best[0]:
                best = (rank, c, how)
        if best is None:
            self.clusters.append(_Cluster("PERSON", [(m, "named")]))
        else:
            best[1].members.append((m, best[2]))

    @staticmethod
    def _person_match(m: _Named, c: _Cluster) -> tuple[int, str] | None:
        full = c.members[0][0]
        if m.words == full.words:
            return 0, "named"
        if len(m.words) >= 2 and len(full.words) >= 2:
            if m.words[0] == full.words[0] and similar_names(m.last, full.last):
                return 1, "variant"
            return None
        if m.last == full.last:
            return 2, "surname" if len(full.words) > 1 else "named"
        if similar_names(m.last, full.last):
            return 3, "variant"
        return None

    def _name(self, c: _Cluster) -> None:
        if c.type == "PERSON":
            full = [
                " ".join(self.doc[m.start : m.end].text.split())
                for m, _ in c.members
                if len(m.words) >= 2
            ]
            if full:
                c.name = Counter(full).most_common(1)[0][0]
                return
        forms = Counter(self._clean_text(m) for m, _ in c.members)
        c.name = forms.most_common(1)[0][0]

    def _merge_same_names(self) -> None:
        """One entity per canonical name: spaCy may tag one name ORG in one sentence and GPE
        in another ("Kiev"); those clusters are one referent, typed by most of its mentions.
        Then each entity gets its stable id, in order of first mention."""
        by_name: dict[str, _Cluster] = {}
        merged: list[_Cluster] = []
        for c in self.clusters:
            first = by_name.get(c.name)
            if first is None or c.type.startswith("_") or first.type.startswith("_"):
                by_name.setdefault(c.name, c)
                merged.append(c)
                continue
            first.members.extend(c.members)
            labels = Counter(m.label for m, _ in first.members)
            if first.type != "PERSON":  # a person stays a person
                first.type = labels.most_common(1)[0][0]
        self.clusters = merged
        order = sorted(self.clusters, key=lambda c: min(m.start for m, _ in c.members))
        for k, c in enumerate(order, 1):
            c.id = f"e{k}"

    def _clean_text(self, m: _Named) -> str:
        return " ".join(self.doc[m.start : m.end].text.split())

    def _untagged_surnames(self) -> None:
        """Proper nouns spaCy did not tag that are (variants of) a known person's surname."""
        persons = [c for c in self.clusters if c.type == "PERSON"]
        lasts = [fold(c.name).split()[-1] if fold(c.name) else "" for c in persons]
        if not persons:
            return
        for n, i in enumerate(token_indices(self.doc, title=True)):
            if n % CHECK_EVERY == 0:
                check()
            if i in self._token_mention:
                continue
            tok = self.doc[i]
            noun = tok.pos_ in ("PROPN", "NOUN")
            if not noun and (tok.is_sent_start or tok.is_stop or tok.pos_ not in MISTAGGED
                             or i > 0 and self.doc[i - 1].text in "-–"):
                continue  # ('anti-Trump' is no mention of Trump)
            word = fold(tok.text)
            for c, last in zip(persons, lasts, strict=True):
                if word == last:  # a mistagged word only as the exact surname ('said Skelly')
                    self._add_mention(tok.i, tok.i + 1, c, "surname" if " " in c.name else "named")
                    break
                if noun and similar_names(word, last):
                    self._add_mention(tok.i, tok.i + 1, c, "variant")
                    break

    # -- roles --------------------------------------------------------------------

    def _collect_roles(self) -> None:
        for c in self.clusters:
            if c.type != "PERSON":
                continue
            for m, _ in c.members:
                for role in (self._role_before(m), self._role_apposition(m)):
                    if role and role not in c.roles:
                        c.roles.append(role)

    def _genders(self) -> None:
        """A person's gender when a title before a mention ("Mr.", "Ms.") or a role word
        ("spokeswoman") shows it, and the cues agree."""
        cues = self.lex.genders
        for c in self.clusters:
            if c.type != "PERSON":
                continue
            seen = {cues[self.doc[m.start - 1].lower_] for m, _ in c.members
                    if m.start > 0 and self.doc[m.start - 1].lower_ in cues}
            seen |= {cues[w.lower()] for role in c.roles for w in role.split()
                     if w.lower() in cues}
            seen |= {cues[w] for m, _ in c.members for w in self._appositions(m) if w in cues}
            c.gender = seen.pop() if len(seen) == 1 else None

    def _appositions(self, m: _Named) -> list[str]:
        """The nouns in apposition to mention ``m`` ('Luis Ramos, her father' and 'her
        father, Luis Ramos'), lower-cased."""
        head = self.doc[m.end - 1]
        out = [c.lower_ for c in head.children if c.dep_ == "appos"]
        if head.dep_ == "appos":
            out.append(head.head.lower_)
        return out

    def compatible(self, c: _Cluster | None, gender: str | None) -> bool:
        """Whether a pronoun of ``gender`` may refer to cluster ``c``."""
        return gender is None or c is None or c.gender is None or c.gender == gender

    def _role_before(self, m: _Named) -> str | None:
        i = m.start - 1
        words: list[Token] = []
        while i >= 0:
            tok = self.doc[i]
            if (
                tok.is_punct
                or tok.is_space
                or tok.pos_ in ("DET", "ADP", "VERB", "AUX", "PRON", "CCONJ", "SCONJ")
            ):
                break
            if "\n" in tok.text_with_ws:  # (Doc.text would rebuild the whole text)
                break
            if tok.tag_ == "POS" or tok.ent_type_ == "PERSON":
                break
            words.insert(0, tok)
            i -= 1
        if (
            not words
            or words[-1].lower_ not in self.lex.role_heads
            and words[-1].lower_ not in self.lex.titles
        ):
            return None
        return " ".join(t.text for t in words)

    def _role_apposition(self, m: _Named) -> str | None:
        head = self.doc[m.end - 1]
        for child in head.children:
            if child.dep_ == "appos" and child.lower_ in self.lex.role_heads:
                toks = [t for t in child.subtree if t.dep_ != "det" and not t.is_punct]
                if toks and len(toks) <= 6:
                    return " ".join(t.text for t in toks)
        over = head.head
        if head.dep_ == "appos" and over.lower_ in self.lex.role_heads and over.i < m.start:
            # 'Her father, Luis Ramos': the name stands in apposition to its role
            toks = [t for t in self.doc[over.left_edge.i : over.i + 1]
                    if t.dep_ not in ("det", "poss", "case") and t.head.dep_ != "poss"
                    and not t.is_punct]
            if toks and len(toks) <= 6:
                return " ".join(t.text for t in toks)
        return None

    def _states(self) -> None:
        """Who the article reports dead or shows as a young child: such a person never
        speaks an adult's words reached by a pronoun, a role or an uncued quote."""
        for c in self.clusters:
            if c.type != "PERSON":
                continue
            for m, _ in c.members:
                states = self._states_of(m)
                c.dead = c.dead or bool(states & {"died", "killed", "late"})
                c.child = c.child or "child" in states

    def _states_of(self, m: _Named) -> set[str]:
        states = self.lex.person_states
        head = self.doc[m.end - 1]
        while head.dep_ in ("compound", "flat") and head.head.i > head.i:
            head = head.head
        gov = head.head
        out: set[str] = set()
        if head.dep_ in ("nsubj", "conj") and gov.pos_ == "VERB":
            out.add(states.get(gov.lemma_.lower(), "") if head.dep_ == "nsubj" else "")
        if head.dep_ in ("nsubjpass", "dobj") and states.get(gov.lemma_.lower()) == "killed":
            out.add("killed")
        if head.dep_ == "nsubj" and gov.lemma_ == "be":
            out |= {states.get(c.lower_, "") for c in gov.children if c.dep_ == "acomp"}
        before = self.doc[m.start - 1] if m.start > 0 else None
        if before is not None and not before.is_punct:
            out.add(states.get(before.lower_, ""))  # 'the late X', 'toddler X'
        for child in head.children:
            if child.dep_ == "relcl" and states.get(child.lemma_.lower()) == "died":
                out.add("died")  # 'X, who died'
            if child.dep_ == "appos":
                out.add(states.get(child.lower_, "") if states.get(child.lower_) == "child"
                        else "")
                if child.like_num and child.text.isdigit() and int(child.text) < CHILD_AGE:
                    out.add("child")  # 'Gloria, 4,'
        if head.dep_ == "appos" and states.get(gov.lower_) == "child":
            out.add("child")  # 'the toddler, Gloria'
        out.discard("")
        return out

    def speaks(self, c: _Cluster | None) -> bool:
        """Whether a pronoun, role or uncued quote may give ``c`` an adult's words: not a
        person the article reports dead or shows as a young child."""
        return c is None or not (c.dead or c.child)

    # -- role-only mentions -------------------------------------------------------

    def _role_mentions(self) -> None:
        heads = token_indices(self.doc, pos=("NOUN", "PROPN"), lower=self.lex.role_heads)
        for n, i in enumerate(heads):
            if n % CHECK_EVERY == 0:
                check()
            tok = self.doc[i]
            if tok.i in self._token_mention or self._has_name(tok):
                continue
            if tok.dep_ in ("compound", "flat") and tok.head.i in self._token_mention:
                continue  # 'Prime Minister Najib Razak': a title of the name
            det = [
                c for c in tok.children if c.dep_ == "det" and c.lower_ in ("the", "this", "that")
            ]
            # "Malaysia's Prime Minister": a role of a named place or body
            poss = [c for c in tok.children if c.dep_ == "poss" and c.pos_ == "PROPN"]
            if not det and not poss:
                continue
            mods = [
                c for c in tok.children if c.dep_ in ("compound", "amod", "nmod") and c.i < tok.i
            ]
            start = min([d.i for d in det] + [c.left_edge.i for c in mods] + [tok.i])
            found = self._match_role(tok, mods)
            if found is not None:
                self._add_mention(start, tok.i + 1, found, "role:apposition")
                continue
            if poss:
                continue  # "Trump's spokesman" names no one by proximity (it is not Trump)
            near = self._nearest_subject(tok.i)
            if near is not None:
                self._add_mention(start, tok.i + 1, near, "role:proximity")

    def _has_name(self, tok: Token) -> bool:
        return any(
            c.dep_ in ("appos", "compound") and c.ent_type_ for c in tok.children if c.i > tok.i
        )

    def _match_role(self, head: Token, mods: list[Token]) -> _Cluster | None:
        group = self.lex.role_heads[head.lower_]
        want = {fold(t.text) for m in mods for t in m.subtree if not t.is_punct}
        best: tuple[int, int, _Cluster] | None = None
        for c in self.clusters:
            if c.type != "PERSON":
                continue
            for role in c.roles:
                words = [fold(w) for w in role.split()]
                if not words or self.lex.role_heads.get(words[-1]) != group:
                    continue
                shared = len(want & set(words[:-1]))
                if want and not shared:
                    continue
                last = self._last_before(c, head.i)
                key = (shared, last)
                if best is None or key > best[:2]:
                    best = (shared, last, c)
        return best[2] if best else None

    def _last_before(self, c: _Cluster, i: int) -> int:
        before = [m.start for m, _ in c.members if m.start < i]
        return max(before) if before else -1

    def _nearest_subject(self, i: int) -> _Cluster | None:
        """The nearest preceding PERSON clause subject in this or the previous paragraph
        (among the last `MAX_LOOKBACK` mention tokens: only those are visited)."""
        para = self._paragraph_of(self.doc[i].idx)
        fallback: _Cluster | None = None
        for j in self._tokens_before(i):
            c = self._token_cluster[j]
            if c.type != "PERSON" or not self.speaks(c):
                continue
            p = self._paragraph_of(self.doc[j].idx)
            if para is not None and p is not None and p < para - 1:
                break
            if self._is_subject(j):
                return c
            if fallback is None and p == para:
                fallback = c
        return fallback

    def _tokens_before(self, i: int, lo: int = 0) -> list[int]:
        """The mention tokens in ``[lo, i)``, nearest first, `MAX_LOOKBACK` at most."""
        ks = self._mention_tokens
        end = bisect_left(ks, i)
        start = max(bisect_left(ks, lo), end - MAX_LOOKBACK)
        return ks[start:end][::-1]

    def _is_subject(self, j: int) -> bool:
        """Whether token ``j`` heads (or names in apposition: 'Her father, Luis Ramos,
        searched') a clause subject."""
        tok = self.doc[j]
        while tok.dep_ in ("compound", "flat") and tok.head is not tok:
            tok = tok.head
        if tok.dep_ == "appos" and tok.head.i < tok.i:
            tok = tok.head
        return tok.dep_ in SUBJECT_DEPS

    def _paragraph_of(self, offset: int) -> int | None:
        s = self.article.sentence_at(offset)
        return s.paragraph if s else None

    # -- mentions -----------------------------------------------------------------

    def _add_mention(self, start: int, end: int, c: _Cluster, how: str) -> Mention:
        span = self.doc[start:end]
        mention = Mention(span.start_char, span.end_char, span.text, c.name, how, c.id)
        self.mentions.append(mention)
        for i in range(start, end):
            if i not in self._token_cluster:
                insort(self._mention_tokens, i)
            self._token_mention[i] = mention
            self._token_cluster[i] = c
        return mention

    def add_pronoun(self, tok: Token, entity: str, how: str) -> Mention | None:
        c = self.cluster_named(entity)
        if c is None or tok.i in self._token_mention:
            return self._token_mention.get(tok.i)
        return self._add_mention(tok.i, tok.i + 1, c, how)

    def tokens_of(self, name: str | None) -> frozenset[int]:
        """The mention tokens of the entity called ``name`` (none for None)."""
        c = self.cluster_named(name) if name else None
        if c is None:
            return frozenset()
        return frozenset(i for i, k in self._token_cluster.items() if k is c)

    def cluster_named(self, name: str) -> _Cluster | None:
        return self._by_name.get(name)

    def mention_in(self, span: SpacySpan, root: Token) -> Mention | None:
        """The mention naming the head of noun phrase ``span`` (not a possessor inside it)."""
        if root.i in self._token_mention:
            return self._token_mention[root.i]
        if root.lower_ in self.lex.role_heads:  # 'the CEO of the Refugee Council Enver Solomon'
            for tok in span:
                c = self._token_cluster.get(tok.i)
                if c is not None and c.type == "PERSON" and tok.dep_ != "poss" \
                        and not self._behind(tok, root, NOT_THE_SPEAKER):
                    return self._token_mention[tok.i]
        for tok in span:
            m = self._token_mention.get(tok.i)
            if m is None:
                continue
            if tok.dep_ == "poss" or (tok.head.dep_ == "poss" and tok.head.i != root.i):
                continue
            if self._behind(tok, root, NOT_THE_SPEAKER):
                continue  # 'a spokesman for John Smith' is not John Smith
            if tok.head.i == root.i or tok.dep_ in ("appos", "compound", "flat"):
                return m
        return None

    @staticmethod
    def _behind(tok: Token, root: Token, preps: frozenset[str]) -> bool:
        """Whether one of ``preps`` stands between ``tok`` and ``root`` in the tree."""
        for a in tok.ancestors:
            if a.i == root.i:
                return False
            if a.dep_ == "prep" and a.lower_ in preps:
                return True
        return False

    def mention_at(self, i: int) -> Mention | None:
        return self._token_mention.get(i)

    def type_of(self, entity: str) -> str | None:
        c = self.cluster_named(entity)
        return c.type if c else None

    def person_before(
        self, i: int, *, lo: int = 0, gender: str | None = None,
        skip: Container[int] = (), speaking: bool = False,
    ) -> tuple[Mention, int] | None:
        """The nearest PERSON mention ending before token ``i`` (not before token ``lo``),
        of ``gender`` when the article shows the person's; not at a token in ``skip``;
        with ``speaking``, only someone who `speaks`."""
        for j in self._tokens_before(i, lo):
            c = self._token_cluster[j]
            if j in skip or c.type != "PERSON" or not self.compatible(c, gender):
                continue
            if not speaking or self.speaks(c):
                return self._token_mention[j], j
        return None

    def subject_before(
        self, i: int, types: set[str], *, lo: int = 0, gender: str | None = None,
        skip: Container[int] = (), speaking: bool = False,
    ) -> Mention | None:
        """The nearest preceding mention of ``types`` that is a clause subject (the same
        filters as `person_before`)."""
        for j in self._tokens_before(i, lo):
            c = self._token_cluster[j]
            if j in skip or c.type not in types or not self._is_subject(j):
                continue
            if self.compatible(c, gender) and (not speaking or self.speaks(c)):
                return self._token_mention[j]
        return None

    def entities(self) -> list[Entity]:
        spans: dict[str, set[Span]] = {}
        for m in self.mentions:
            if not m.how.startswith("pronoun"):
                spans.setdefault(m.entity_id or "", set()).add(Span(m.start, m.end, m.text))
        out = []
        for c in self.clusters:
            if c.type.startswith("_"):
                continue
            aliases = sorted(spans.get(c.id, set()), key=lambda s: s.start)
            out.append(Entity(c.name, c.type, aliases, list(c.roles), c.id))
        return out

"""The same annotations as spaCy's ``attribute_ruler`` and ``lemmatizer``, memoised.

In ``en_core_web_sm`` the two rule-based pipes cost as much as the parser and tagger
together (~28 ms an article: a `Matcher` of 179 patterns over every token, then a Python
call per token). Both are functions of a few token attributes:

* the attribute ruler's single-token patterns look only at ``TAG``, ``LOWER``, ``DEP`` and
  ``IS_SPACE``; so its effect on a token (the ``POS``, ``MORPH`` and ``LEMMA`` it sets) is
  computed once per distinct key by running the real ruler on a one-token `Doc`, and
  applied to a whole `Doc` in one array write. A word that no pattern names (by value or
  regex) shares one key with every other such word of its tag and dependency. Where a
  multi-token rule matches (``there is``, ``gon na``…), the rules of that token are
  applied again in spaCy's order;
* the rule lemmatizer is a function of ``(ORTH, POS, MORPH)``: its own cache key.

`install` swaps both pipes of a loaded pipeline for these wrappers, keeping their names;
`takeaways.nlp.models.get_nlp` does so when ``[models] fast_rules`` is on (the default).
A slow test checks that every token attribute is unchanged on real text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["MemoAttributeRuler", "MemoLemmatizer", "install"]

_KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE")
#: a token's (TAG, LOWER or a stand-in, DEP, IS_SPACE) hashes: all single-token rules see
Key = tuple[int, int, int, bool]
#: what the ruler does to a token of one key: array columns set, token attributes set,
#: and the ids of the rules that matched it
Effect = tuple[tuple[tuple[int, int], ...], tuple[tuple[str, int], ...], tuple[int, ...]]
_OTHER = "\u2060takeaways-unnamed"  # a word no pattern names (a stand-in)


def _values(spec: Any) -> list[str] | None:
    """The string values a pattern token's attribute accepts; None: not a plain set."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return [str(v) for v in spec["IN"]]
    return None


def _morph(token: Any) -> int:
    """The hash of ``token``'s morphology (what ``Doc.to_array(MORPH)`` gives)."""
    return int(token.morph.key)


def _regex(spec: Any) -> str | None:
    if isinstance(spec, dict) and set(spec) == {"REGEX"}:
        return str(spec["REGEX"])
    return None


class MemoAttributeRuler:
    """spaCy's ``AttributeRuler`` (``ruler``), its single-token effects memoised by key.

    Matches of multi-token rules (found by a small `Matcher` of just those) are applied
    exactly as the ruler does: the rules touching such a token, single and multi, run on
    it again in rule order, so the later rule wins as in spaCy."""

    def __init__(self, ruler: Any) -> None:
        self.ruler = ruler
        self.name = getattr(ruler, "name", "attribute_ruler")
        self._lowers: set[str] = set()
        self._regexes: list[re.Pattern[str]] = []
        self._lower_key: dict[int, int] = {}  # LOWER hash -> itself if named, else _OTHER's
        self._multi: dict[str, list[list[dict[str, Any]]]] = {}  # rule id -> its patterns
        self.usable = self._scan()
        self._matcher: Any = self._multi_matcher(ruler.vocab) if self.usable else None
        self._memo: dict[Key, Effect] = {}

    def _rules(self) -> Iterator[tuple[str, list[Any]]]:
        for attr_id in range(len(self.ruler.attrs)):
            got = self.ruler.matcher.get(self.ruler.vocab.strings[str(attr_id)])
            yield str(attr_id), list(got[1]) if got else []

    def _scan(self) -> bool:
        """Collect the words patterns name; False when a pattern is of a kind not handled
        (then the real ruler runs on every Doc). ``TAG`` and ``DEP`` are always part of
        the key, so any operator on them is fine; ``LOWER`` takes values or a regex."""
        for rule_id, patterns in self._rules():
            for pattern in patterns:
                if not isinstance(pattern, list):
                    return False  # not a token pattern: the real ruler runs
                if len(pattern) > 1:
                    self._multi[rule_id] = patterns
                    continue
                for key, spec in pattern[0].items():
                    if key not in _KEYS:
                        return False
                    if key != "LOWER":
                        continue
                    if _values(spec) is not None:
                        self._lowers.update(_values(spec) or [])
                    elif _regex(spec) is not None:
                        self._regexes.append(re.compile(_regex(spec) or ""))
                    else:
                        return False
        return True

    def _multi_matcher(self, vocab: Any) -> Any:
        from spacy.matcher import Matcher

        matcher = Matcher(vocab)
        for rule_id, patterns in self._multi.items():
            matcher.add(rule_id, patterns)
        return matcher

    def _named(self, lower: str) -> bool:
        return lower in self._lowers or any(r.search(lower) for r in self._regexes)

    def __call__(self, doc: Doc) -> Doc:
        if not self.usable:
            result: Doc = self.ruler(doc)
            return result
        from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG

        if not len(doc):
            return doc
        arr = doc.to_array([TAG, LOWER, DEP, IS_SPACE, POS, MORPH, LEMMA])
        out = arr[:, 4:].copy()
        late: list[tuple[int, tuple[tuple[str, int], ...]]] = []
        keys: list[Key] = []
        strings = doc.vocab.strings
        other = strings.add(_OTHER)
        for i, (tag, lower, dep, space) in enumerate(arr[:, :4].tolist()):
            lk = self._lower_key.get(lower)
            if lk is None:
                lk = self._lower_key[lower] = lower if self._named(strings[lower]) else other
            key = (tag, lk, dep, bool(space))
            keys.append(key)
            effect = self._memo.get(key)
            if effect is None:
                effect = self._memo[key] = self._effect(doc, i, key)
            for col, value in effect[0]:
                out[i, col] = value
            if effect[1]:
                late.append((i, effect[1]))
        doc.from_array([POS, MORPH, LEMMA], cast(Any, out))
        for i, changes in late:  # TAG / DEP of whitespace tokens: rare, set one by one
            for attr, value in changes:
                setattr(doc[i], attr, value)
        self._apply_multi(doc, keys)
        return doc

    def _apply_multi(self, doc: Doc, keys: list[Key]) -> None:
        from spacy.tokens._retokenize import set_token_attrs

        matches = self._matcher(doc, allow_missing=True) if self._multi else []
        if not matches:
            return
        touched: dict[int, list[int]] = {}
        strings = doc.vocab.strings
        for match_id, start, end in matches:
            attr_id = int(strings[match_id])
            token = doc[start:end][self.ruler.indices[attr_id]]
            touched.setdefault(token.i, []).append(attr_id)
        for i, attr_ids in touched.items():
            for attr_id in sorted(attr_ids + list(self._memo[keys[i]][2])):
                set_token_attrs(doc[i], self.ruler.attrs[attr_id])

    def _effect(self, doc: Doc, i: int, key: Key) -> Effect:
        """What the real ruler does to a lone token of ``key``: (column of POS, MORPH,
        LEMMA, value) pairs, (``tag`` | ``dep``, value) pairs, and the rules matched."""
        from spacy.tokens import Doc as SpacyDoc

        strings = doc.vocab.strings
        tag, lower, dep, space = key
        if strings[lower] != _OTHER:
            word = strings[lower]  # LOWER is what patterns see; the case of ORTH is not
        else:
            word = doc[i].text if space else _OTHER
        one = SpacyDoc(doc.vocab, words=[word], spaces=[False])
        one[0].tag = tag
        if dep:
            one[0].dep = dep
        t = one[0]
        before = [int(t.pos), _morph(t), int(t.lemma), int(t.tag), int(t.dep)]
        matched = tuple(m[0] for m in self.ruler.match(one))
        self.ruler(one)
        after = [int(t.pos), _morph(t), int(t.lemma), int(t.tag), int(t.dep)]
        cols = tuple((c, after[c]) for c in range(3) if after[c] != before[c])
        late = tuple((name, after[c]) for c, name in ((3, "tag"), (4, "dep"))
                     if after[c] != before[c])
        return cols, late, matched

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


class MemoLemmatizer:
    """spaCy's rule ``Lemmatizer`` (``lemmatizer``), memoised by (ORTH, POS, MORPH)."""

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.name = getattr(lemmatizer, "name", "lemmatizer")
        self.usable = (getattr(lemmatizer, "mode", None) == "rule"
                       and not getattr(lemmatizer, "overwrite", True))
        self._memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not self.usable:
            result: Doc = self.lemmatizer(doc)
            return result
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        if not len(doc):
            return doc
        arr = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = arr[:, 3].copy()
        strings = doc.vocab.strings
        for i, (orth, pos, morph, lemma) in enumerate(arr.tolist()):
            if lemma:
                continue  # set by the attribute ruler: the lemmatizer keeps it
            key = (orth, pos, morph)
            found = self._memo.get(key)
            if found is None:
                found = self._memo[key] = strings.add(self.lemmatizer.lemmatize(doc[i])[0])
            lemmas[i] = found
        doc.from_array([LEMMA], cast(Any, lemmas.astype(np.uint64)))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


def install(nlp: Language) -> list[str]:
    """Swap ``nlp``'s attribute ruler and rule lemmatizer for the memoised ones (same
    names, same annotations); returns the names swapped."""
    swapped = []
    for name, wrap in (("attribute_ruler", MemoAttributeRuler), ("lemmatizer", MemoLemmatizer)):
        if name not in nlp.component_names:
            continue
        original = nlp.get_pipe(name)
        if isinstance(original, MemoAttributeRuler | MemoLemmatizer):
            continue
        wrapper = wrap(original)
        if wrapper.usable:
            _swap(nlp, name, wrapper)
            swapped.append(name)
    return swapped


def _swap(nlp: Language, name: str, component: Any) -> None:
    """Replace the component ``name`` in place (spaCy's ``replace_pipe`` wants a factory;
    a wrapper of the loaded component has none). Keeps order, name and disabled state."""
    components: list[tuple[str, Any]] = nlp._components  # noqa: SLF001 - see docstring
    for k, (n, _) in enumerate(components):
        if n == name:
            components[k] = (name, component)
    nlp._link_components()  # noqa: SLF001 - refresh listeners and the pipe caches

"""`token_indices` picks exactly the tokens the per-token tests it replaced would pick."""

from __future__ import annotations

from typing import Any

from takeaways.attribution.index import token_indices
from takeaways.lexicon import lexicon


def test_token_indices_match_the_per_token_tests(seed_analysis: Any) -> None:
    doc = seed_analysis.doc
    lex = lexicon()
    assert token_indices(doc, pos=("NOUN", "VERB"), or_lower=("according",)) == [
        t.i for t in doc if t.pos_ in ("NOUN", "VERB") or t.lower_ == "according"]
    assert token_indices(doc, pos=("PRON",), lower=lex.pronouns) == [
        t.i for t in doc if t.pos_ == "PRON" and t.lower_ in lex.pronouns]
    assert token_indices(doc, pos=("PROPN", "NOUN"), title=True) == [
        t.i for t in doc if t.pos_ in ("PROPN", "NOUN") and t.is_title]
    assert token_indices(doc, pos=("NOUN", "PROPN"), lower=lex.role_heads) == [
        t.i for t in doc if t.pos_ in ("NOUN", "PROPN") and t.lower_ in lex.role_heads]
    assert token_indices(doc[0:0].as_doc()) == []


def test_token_indices_picks_some_of_every_kind(seed_analysis: Any) -> None:
    doc = seed_analysis.doc
    lex = lexicon()
    assert token_indices(doc, pos=("PRON",), lower=lex.pronouns)
    assert token_indices(doc, pos=("PROPN", "NOUN"), title=True)
    assert len(token_indices(doc, pos=("VERB",))) < len(doc)

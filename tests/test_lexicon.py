"""The one typed lexicon over data/*.txt: quote marks, pronoun genders, negation cues."""

from __future__ import annotations

import pytest

from takeaways.lexicon import lexicon, quote_marks


def test_quote_marks_are_read_from_the_data_file() -> None:
    q = quote_marks()
    assert set(q.double) == set('"“”„«»‹›')
    assert set(q.single) == set("'‘’")
    assert q.double_openers["„"] == "“”" and q.double_openers["«"] == "»"
    assert q.double_closers == frozenset("”»›")
    assert set(q.opening) == set('“„«‹"‘\'') and set(q.closing) == set('”“»›"’\'')


@pytest.mark.parametrize(("text", "negated"), [
    ("he did not go", True), ("isn't it", True), ("none of them came", True),
    ("without a vote", True), ("Notable people came", False), ("a nobody-free zone", True),
    ("they denied it", False),  # a lexical negation cue, not a grammatical negator
])
def test_negator_pattern_matches_grammatical_negators_only(text: str, negated: bool) -> None:
    assert bool(lexicon().negator_pattern.search(text)) is negated


def test_negation_cues_hold_both_kinds() -> None:
    lex = lexicon()
    assert {"not", "n't", "without"} <= lex.negators
    assert {"deny", "refused", "fails"} <= lex.negation_cues - lex.negators


def test_pronoun_genders() -> None:
    genders = lexicon().pronoun_genders
    assert genders["himself"] == "m" and genders["hers"] == "f"
    assert "they" not in genders

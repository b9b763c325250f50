"""Claim splitting: one claim per line, bullet or number; prose by sentence."""

from __future__ import annotations

import pytest

from takeaways.auditing.claims import lines_or_sentences, split_sentences


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("1. First claim.\n2. Second claim.", ["First claim.", "Second claim."]),
        ("- one\n* two\n\u2022 three", ["one", "two", "three"]),
        ("  1) Only one numbered claim.", ["Only one numbered claim."]),
        ("Line one\n\nLine two", ["Line one", "Line two"]),
        ("Putin spoke. Scholz replied! Was it true? Yes.",
         ["Putin spoke.", "Scholz replied!", "Was it true?", "Yes."]),
        ('He said "No." Then he left.', ['He said "No."', "Then he left."]),
        (["1. A", "", "  B  "], ["A", "B"]),
        ("", []),
    ],
)
def test_claims_split(summary: str | list[str], expected: list[str]) -> None:
    assert lines_or_sentences(summary) == expected


def test_claims_prose_keeps_abbreviated_numbers_together() -> None:
    got = split_sentences("It rose 3.5 per cent. It fell.")
    assert got == ["It rose 3.5 per cent.", "It fell."]

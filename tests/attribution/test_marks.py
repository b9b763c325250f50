"""Quote-mark scanning: no model needed."""

from __future__ import annotations

import pytest

from takeaways.attribution.marks import find_marked


def _quoted(text: str) -> list[str]:
    marks, _ = find_marked(text, [])
    return [text[m.start : m.end] for m in marks if m.parent is None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "hello there," and left.', ["hello there,"]),
        ('She said “yes” and "no" twice.', ["yes", "no"]),
        ("„Wir schaffen das“, sagte sie.", ["Wir schaffen das"]),
        ("«Bonjour tout le monde», dit-il.", ["Bonjour tout le monde"]),
        ("Putin's rock 'n' roll in the '90s was fine.", []),
        ("The leaders' meeting went on, didn't it?", []),
        ("He called it 'a very bad idea' on Monday.", ["a very bad idea"]),
        # a closer in an opener's place, nothing open: it opens (”…”)
        ("Readers wrote.\n\n\u201dMr. Trump embodies racism.\u201d \u2015 Sonya Herridge",
         ["Mr. Trump embodies racism."]),
        ("Han sa \u201dnej\u201d till mig.", ["nej"]),
        # a stray closer before a space opens nothing
        ("It was \u201cfine\u201d and \u201d then it ended.", ["fine"]),
    ],
)
def test_marks_styles_and_apostrophes(text: str, expected: list[str]) -> None:
    assert _quoted(text) == expected


def test_marks_nested_quote_is_embedded() -> None:
    text = "“Hitler said 'Give me a part of it,' but no,” he said."
    marks, warnings = find_marked(text, [])
    assert not warnings
    assert [text[m.start : m.end] for m in marks] == [
        "Hitler said 'Give me a part of it,' but no,",
        "Give me a part of it,",
    ]
    assert marks[1].parent == 0


def test_marks_multi_paragraph_quote_continues() -> None:
    text = "“First paragraph of the quote.\n\n“Second paragraph,” he said."
    blocks = [(0, 30), (32, len(text))]
    marks, warnings = find_marked(text, blocks)
    assert not warnings
    assert [text[m.start : m.end] for m in marks] == [text[1 : text.index("”")]]


def test_marks_unbalanced_quote_is_skipped_with_warning() -> None:
    text = 'He said "this never closes. Then "a real quote" followed.'
    marks, warnings = find_marked(text, [])
    assert warnings and "unbalanced" in warnings[0]
    assert all(m.end <= len(text) for m in marks)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a straight opener closed by a curly closer, and the other way round
        ('"The pier will reopen in May,\u201d the mayor said. "Not sooner."',
         ["The pier will reopen in May,", "Not sooner."]),
        ('\u201cThe pier will reopen in May," the mayor said.', ["The pier will reopen in May,"]),
        # an inner quote of the other style stays nested, not a closer of the outer one
        ('\u201cShe called it "silly" twice,\u201d he said.', ['She called it "silly" twice,']),
        # a straight mark in an opener's place opens, it does not close the open “
        ('\u201cWe want "fair play" now,\u201d he said.', ['We want "fair play" now,']),
    ],
    ids=["straight-curly", "curly-straight", "nested-straight", "nested-opener"],
)
def test_marks_mixed_styles_close_each_other(text: str, expected: list[str]) -> None:
    marks, warnings = find_marked(text, [])
    assert [text[m.start : m.end] for m in marks if m.parent is None] == expected
    assert not warnings

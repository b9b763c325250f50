"""Text helpers: normalising, numbers, truecasing (no models)."""

from __future__ import annotations

import pytest

from takeaways.auditing.text import case_map, norm, number_value, truecase


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Putin's spokesman", "putin s spokesman"),
        ("do n't", "dont"),
        ("Don\u2019t", "dont"),
        ('"a peace initiative,"', "a peace initiative"),
        ("euro-Atlantic", "euro atlantic"),
        ("they 're here", "theyre here"),
        # a quote that opens on a clitic's letters is not a clitic
        ("getting 're-elected at all\u00a0costs'", "getting re elected at all costs"),
        ("the 'd-day' landings", "the d day landings"),
    ],
)
def test_text_norm(text: str, expected: str) -> None:
    assert norm(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,200", "1200"), ("two", "2"), ("3.0", "3"), ("2.5", "2.5"), ("21st", "21"),
     ("$40", "40"), ("12%", "12"), ("many", None)],
)
def test_text_number_value(text: str, expected: str | None) -> None:
    assert number_value(text) == expected


def test_text_truecase_restores_article_capitals_and_keeps_length() -> None:
    cases = case_map("Olaf Scholz met Putin in Sicily. Scholz said no.")
    claim = "olaf scholz met putin in sicily ."
    out = truecase(claim, cases)
    assert out == "Olaf Scholz met Putin in Sicily ."
    assert len(out) == len(claim)


def test_text_truecase_leaves_cased_claims_alone() -> None:
    assert truecase("the Claim stays", {"the": "The"}) == "the Claim stays"

"""The scraped-text reader: the seed page's structure, plus small hand-built pages."""

from __future__ import annotations

from typing import Any

import pytest

import takeaways
from takeaways.document import Article
from tests.ingest.ingest_checks import assert_article_valid

P1 = ("The city council voted on Tuesday to approve a new budget for the coming year, after "
      "months of debate about how to pay for repairs to roads and schools.")
P2 = ("Mayor Ana Ruiz said the plan would raise property taxes by two percent, and that the "
      "money would go first to the bridges that inspectors flagged last spring.")
P3 = ("Opponents on the council argued that the city should have cut spending instead, and "
      "they promised to bring the question back to voters in a referendum next year.")
P4 = ("The budget takes effect on the first of January, and the first repairs are due to "
      "start in March, weather permitting, according to the city's engineering office.")


def read_text(*lines: str) -> Article:
    article = takeaways.read("\n\n".join(lines) + "\n", kind="text")
    assert_article_valid(article)
    return article


def body_lines(article: Article) -> list[str]:
    return article.text.split("\n\n")


# ---- the seed page -------------------------------------------------------------------


@pytest.fixture(scope="module")
def structure(seed_expected: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = seed_expected["structure"]
    return data


def test_text_reader_seed_offsets_are_valid(seed_article: Article) -> None:
    assert_article_valid(seed_article)
    assert seed_article.source_kind == "text"


def test_text_reader_seed_title(seed_article: Article, structure: dict[str, Any]) -> None:
    assert seed_article.title == structure["title"]


def test_text_reader_seed_kicker(seed_article: Article, structure: dict[str, Any]) -> None:
    assert seed_article.kicker == structure["kicker"]


def test_text_reader_seed_headings(seed_article: Article, structure: dict[str, Any]) -> None:
    assert [h.text for h in seed_article.headings] == structure["headings"]


def test_text_reader_seed_lede(seed_article: Article, structure: dict[str, Any]) -> None:
    assert seed_article.lede is not None
    assert seed_article.lede.text.startswith(structure["lede_starts_with"])
    assert seed_article.paragraphs[0].text == seed_article.lede.text


def test_text_reader_seed_chrome_not_in_body(
    seed_article: Article, structure: dict[str, Any]
) -> None:
    for phrase in structure["not_in_body"]:
        assert phrase not in seed_article.text, phrase
        assert any(r.text.startswith(phrase.rstrip(":")) for r in seed_article.removed), phrase


def test_text_reader_seed_teaser_at_most_once(
    seed_article: Article, structure: dict[str, Any]
) -> None:
    assert seed_article.text.count(structure["appears_once_in_body_at_most"]) <= 1


def test_text_reader_seed_title_and_kicker_not_in_body(seed_article: Article) -> None:
    lines = body_lines(seed_article)
    assert seed_article.title not in lines
    assert seed_article.kicker not in lines


def test_text_reader_seed_embedded_key_points(
    seed_article: Article, structure: dict[str, Any]
) -> None:
    items = seed_article.existing_summary
    assert len(items) == structure["embedded_key_points"]
    for item, first in zip(items, structure["embedded_key_points_first_words"], strict=True):
        assert item.text.startswith(first), (item.text, first)
    assert [i.n for i in items] == [1, 2, 3, 4]
    for item in items:
        assert item.text not in seed_article.text, "a summary item leaked into the body"


# ---- hand-built pages ----------------------------------------------------------------


def test_text_reader_drops_chrome_lines() -> None:
    a = read_text("Skip to content", "Home", "Budget approved", P1, P2,
                  "Share on Facebook", "Read also:", "Comments", "Latest")
    assert body_lines(a) == [P1, P2]
    reasons = {r.text: r.reason for r in a.removed}
    assert reasons["Skip to content"] == "chrome phrase"
    assert reasons["Share on Facebook"] in {"chrome phrase", "chrome pattern"}


def test_text_reader_drops_cookie_and_newsletter_lines() -> None:
    a = read_text("Budget approved", P1, "We use cookies to improve your experience.",
                  P2, "Sign up for our daily newsletter", P3)
    assert body_lines(a) == [P1, P2, P3]


def test_text_reader_collapses_teaser() -> None:
    teaser = P2[:60].rstrip() + "..."
    a = read_text("Budget approved", teaser, P2, "Budget approved", P1, P3)
    assert teaser not in a.text
    assert a.text.count(P2[:60]) <= 1
    assert any(r.reason.startswith("truncated copy") for r in a.removed)


def test_text_reader_repeated_headline_is_title() -> None:
    a = read_text("News", "Budget approved after long fight", "City politics",
                  "Budget approved after long fight", P1, P2)
    assert a.title == "Budget approved after long fight"
    assert a.title not in a.text


def test_text_reader_kicker_next_to_headline() -> None:
    a = read_text("Budget approved after long fight", "City politics",
                  "Budget approved after long fight", P1, P2)
    assert a.kicker == "City politics"


def test_text_reader_markdown_heading() -> None:
    a = read_text("Budget approved", P1, "## What happens next", P2, P3)
    assert [h.text for h in a.headings] == ["What happens next"]
    assert [h.level for h in a.headings] == [2]
    assert "##" not in a.text
    assert a.sections[1].heading is not None
    assert a.sections[1].paragraph_ids == (1, 2)


def test_text_reader_short_line_is_heading() -> None:
    a = read_text("Budget approved", P1, P2, "Opposition vows a referendum", P3, P4)
    assert [h.text for h in a.headings] == ["Opposition vows a referendum"]
    assert len(a.sections) == 2


def test_text_reader_trailing_heading_is_dropped() -> None:
    a = read_text("Budget approved", P1, P2, "More from City Hall")
    assert a.headings == []
    assert "More from City Hall" not in a.text


def test_text_reader_summary_list_at_end() -> None:
    a = read_text("Budget approved", P1, P2, P3, "Key takeaways",
                  "1. The council approved the budget.",
                  "2. Property taxes rise two percent.",
                  "3. Opponents want a referendum.")
    assert [i.text for i in a.existing_summary] == [
        "The council approved the budget.",
        "Property taxes rise two percent.",
        "Opponents want a referendum.",
    ]
    assert [i.marker for i in a.existing_summary] == ["1.", "2.", "3."]
    assert "Key takeaways" not in a.text
    assert body_lines(a) == [P1, P2, P3]


def test_text_reader_summary_list_at_start() -> None:
    a = read_text("Key points", "• The council approved the budget.",
                  "• Property taxes rise two percent.", P1, P2, P3)
    assert [i.text for i in a.existing_summary] == [
        "The council approved the budget.",
        "Property taxes rise two percent.",
    ]
    assert [i.marker for i in a.existing_summary] == ["•", "•"]
    assert body_lines(a) == [P1, P2, P3]


def test_text_reader_single_list_item_is_not_a_summary() -> None:
    a = read_text("Budget approved", P1, P2, "1. Only one numbered line here.")
    assert a.existing_summary == []


def test_text_reader_duplicate_paragraph_removed() -> None:
    a = read_text("Budget approved", P1, P2, P1, P3)
    assert body_lines(a) == [P1, P2, P3]
    assert any(r.reason == "duplicate paragraph" for r in a.removed)


def test_text_reader_lede_is_first_paragraph() -> None:
    a = read_text("Budget approved", P1, P2)
    assert a.lede is not None and a.lede.text == P1


def test_text_reader_sentences_never_cross_paragraphs() -> None:
    a = read_text("Budget approved", P1 + " Short", "tail " + P2)
    for s in a.sentences:
        assert "\n" not in s.text


def test_text_reader_removed_records_reasons() -> None:
    a = read_text("Skip to content", "Budget approved", P1, P2, "Comments")
    assert all(r.reason for r in a.removed)
    assert {r.text for r in a.removed} >= {"Skip to content", "Comments"}


# ---- golden page: with / without snippets --------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        "Putin stated that Russia had long been in favor of a political-diplomatic solution",
        "\"The multipolar world has already become a reality,\" Putin said",
        "Hitler did the same thing when he said",
        "\"Unfortunately, Russia does not want peace.\"",
    ],
)
def test_text_reader_golden_with(seed_article: Article, snippet: str) -> None:
    assert snippet in seed_article.text


@pytest.mark.parametrize(
    "snippet",
    [
        "Skip to content",
        "Read also",
        "Ukrainian President Zelenskyi compares Putin's conditions for stopping the offensive "
        "in Ukraine...",
        "Despite Volodymyr Zelenskyy's call for Russian troop withdrawal",
        "Meeting of autocrats in Astana",
    ],
)
def test_text_reader_golden_without(seed_article: Article, snippet: str) -> None:
    assert snippet not in seed_article.text


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        # a photo caption glued to the next sentence without a full stop
        ("Joachim Loew watches a training session in Dortmund on Wednesday He said the "
         "team would be ready for the final.", 2),
        # a video prompt is moved out of the sentence it opens (see test_labels.py)
        ("Scroll down for video The revelations come after the minister resigned last "
         "week over the scandal.", 1),
        ("The restaurant sold the soup and another dish made from ground shark teeth Charity "
         "workers say that restaurants are still selling it to the charity crowd.", 2),
        # names, titles and function words do not split
        ("The report was first published by the newspaper The Guardian on Monday morning.", 1),
        ("Scooters carry families from A to B across the city every single day.", 1),
        ("Shoppers in the capital said It Girl was the magazine they read most often.", 1),
    ],
)
def test_text_reader_splits_glued_captions(text: str, pieces: int) -> None:
    art = takeaways.read(text, kind="plain")
    assert len(art.sentences) == pieces
    assert_article_valid(art)

"""The pasted-text reader's body rule: the body is the best-scoring run of lines (prose
earns its words, any other line costs 12); it never crosses a line that opens comments
or a "most read" box, and prose after the first such line earns less."""

from __future__ import annotations

from pathlib import Path

import pytest

import takeaways
from takeaways.document import Article
from takeaways.ingest.text import Line, _body_range
from tests.ingest.ingest_checks import assert_article_valid

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "text"
P1 = ("The city council voted on Tuesday to approve a new budget for the coming year, after "
      "months of debate about how to pay for repairs to roads and schools.")
P2 = ("Mayor Ana Ruiz said the plan would raise property taxes by two percent, and that the "
      "money would go first to the bridges that inspectors flagged last spring.")
P3 = ("Opponents on the council argued that the city should have cut spending instead, and "
      "they promised to bring the question back to voters in a referendum next year.")
COMMENTS = [
    "I have lived in this city for forty years and I have never seen the roads in such a "
    "bad state, so I am glad that somebody is finally doing something about it.",
    "Two percent does not sound like much, but on top of everything else it will hurt "
    "families who are already struggling to pay their rent and their heating bills.",
    "The council should publish the full list of bridges and roads that will be repaired, "
    "so that residents can check whether the money is actually spent where it is promised.",
    "Another tax rise from a council that wastes money on consultants and new offices while "
    "the schools fall apart, and nobody ever seems to be held responsible for any of it.",
]


def read_text(*lines: str) -> Article:
    article = takeaways.read("\n".join(lines) + "\n", kind="text")
    assert_article_valid(article)
    return article


def body_lines(article: Article) -> list[str]:
    return article.text.split("\n\n")


def words(*texts: str) -> int:
    return sum(len(t.split()) for t in texts)


# ---- golden page: navigation, most-read box and comments around the story ---------------


@pytest.fixture(scope="module")
def pasted() -> Article:
    a = takeaways.read(GOLDEN / "pasted_comments.txt")
    assert_article_valid(a)
    assert a.source_kind == "text"
    return a


def test_pasted_title_kicker_heading(pasted: Article) -> None:
    assert pasted.title == "Ferry service to the islands will end in June"
    assert pasted.kicker == "Transport"
    assert [h.text for h in pasted.headings] == ["What happens next"]


def test_pasted_body_paragraphs(pasted: Article) -> None:
    assert [p.text[:25] for p in pasted.paragraphs] == [
        "The only ferry service to",
        "The company said that ris",
        "Island councils called th",
        "The regional government s",
        "Residents plan to protest",
    ]


@pytest.mark.parametrize(
    "snippet",
    [
        "Skip to content",
        "Politics",
        "Passengers queue for the morning ferry",  # caption above the story
        "By Jane Smith",
        "Most read",
        "Harbour bridge reopens after two years of repairs",  # most-read teaser
        "27 comments",
        "IslandMum says:",
        "This is a disgrace",
        "Let the islanders run the ferry themselves",
        "Leave a comment",
        "All rights reserved",
    ],
)
def test_pasted_without(pasted: Article, snippet: str) -> None:
    assert snippet not in pasted.text


def test_pasted_section_ends_recorded(pasted: Article) -> None:
    ends = [r.text for r in pasted.removed if r.reason == "start of comments or a most-read box"]
    assert ends == ["Most read", "27 comments", "IslandMum says:", "HarbourWatcher says:",
                    "Tom from Leeds says:", "OldSkipper says:", "Leave a comment"]
    after = {r.text[:20] for r in pasted.removed if r.reason == "after the article body"}
    assert "This is a disgrace. " in after


# ---- comments and "most read" boxes end the body ------------------------------------------


def test_comment_thread_longer_than_story_is_not_the_body() -> None:
    assert words(*COMMENTS) > words(P1, P2)  # unweighted, the thread would win
    assert 0.3 * words(*COMMENTS) < words(P1, P2)
    a = read_text("Budget approved", P1, P2, "12 comments", *COMMENTS)
    assert body_lines(a) == [P1, P2]
    assert a.title == "Budget approved"


def test_prose_after_most_read_is_not_joined_to_the_body() -> None:
    a = read_text("Budget approved", P1, P2, "Most read", P3)
    assert body_lines(a) == [P1, P2]
    assert any(r.text == P3 and r.reason == "after the article body" for r in a.removed)


def test_same_prose_without_section_end_is_the_body() -> None:
    a = read_text("Budget approved", P1, P2, P3)
    assert body_lines(a) == [P1, P2, P3]


def test_body_after_a_section_end_line_is_still_found() -> None:
    """A "most read" box above the story: the story is still the best run."""
    a = read_text("Most read", "Teaser headline one", "Teaser headline two",
                  "Budget approved", P1, P2, P3)
    assert body_lines(a) == [P1, P2, P3]


# ---- the score: prose earns words, other lines cost 12 ----------------------------------


def test_one_subheading_does_not_split_the_body() -> None:
    a = read_text("Budget approved", P1, "What happens next", P2, P3)
    assert [h.text for h in a.headings] == ["What happens next"]
    assert [p.text for p in a.paragraphs] == [P1, P2, P3]


def test_prose_blurb_above_a_menu_is_not_the_body() -> None:
    blurb = "Our weekend guide lists the best markets, concerts and walks in the city."
    menu = ["News", "Local", "Business", "Sport", "Culture", "Weather", "Jobs"]
    a = read_text(blurb, *menu, "Budget approved", P1, P2)
    assert body_lines(a) == [P1, P2]
    assert blurb not in a.text


def test_long_teasers_cut_off_with_ellipsis_end_the_body() -> None:
    teasers = [
        "Ferry service to the islands will end in June after the operator and the regional "
        "government failed to agree on a new subsidy for the route...",
        "Harbour bridge reopens after two years of repairs that cost the city almost twice "
        "what the engineers had first estimated for the work…",
    ]
    a = read_text("Budget approved", P1, P2, P3, *teasers)
    assert body_lines(a) == [P1, P2, P3]
    for t in teasers:
        assert t not in a.text


def test_footer_prose_after_chrome_lines_is_not_the_body() -> None:
    footer = ["About us", "Contact", "Advertise",
              "The Riverside Courier has served the city and the valley since 1921."]
    a = read_text("Budget approved", P1, P2, P3, *footer)
    assert body_lines(a) == [P1, P2, P3]


def test_body_range_scores() -> None:
    def lines(*texts: str) -> list[Line]:
        return [Line(i, t) for i, t in enumerate(texts)]

    # 3 menu lines cost 36: more than the 13-word blurb earned, so the run restarts
    ls = lines("A blurb of fourteen words about another story that ends with a stop.",
               "Menu", "Menu", "Menu", P1, P2)
    assert _body_range(ls) == (4, 5)
    # one heading inside costs 12, less than P1 earned
    assert _body_range(lines(P1, "Heading", P2)) == (0, 2)
    # a barrier (original line 2) between P1 and P2: P2 alone earns 0.3 × its words
    with_gap = [Line(0, P1), Line(1, "x"), Line(3, P2)]
    assert _body_range(with_gap, frozenset({2})) == (0, 0)
    assert _body_range([]) == (0, -1)


@pytest.mark.parametrize("byline", [
    "By Jane Smith",
    "By Jane Smith and Tom Lee, Reuters",
    "Written by Ana de la Cruz - 11/18/19 11:04 PM EST",
    "BY MARK O'NEILL | Staff writer",
])
@pytest.mark.parametrize("where", ["below the headline", "above the headline", "body start"])
def test_pasted_byline_is_never_the_title(byline: str, where: str) -> None:
    headline = "Budget approved after long debate"
    header = {"below the headline": ["Menu", headline, byline],
              "above the headline": ["Menu", byline, headline]}.get(where, ["Menu", headline])
    body = [byline, P1, P2, P3] if where == "body start" else [P1, P2, P3]
    article = read_text(*header, *body)
    assert article.title == headline
    assert article.kicker != byline and byline not in article.text
    assert (byline, "byline") in [(r.text, r.reason) for r in article.removed]
    assert article.metadata.author and article.metadata.author in byline


def test_pasted_title_is_the_headline_not_a_short_line_beside_it() -> None:
    # the last heading-shaped line above the body is a share button, a credit or a name
    article = read_text("Sign in", "Council approves a budget that raises taxes by two percent",
                        "Jane Smith", "Share", "Photo courtesy of the city", P1, P2, P3)
    assert article.title == "Council approves a budget that raises taxes by two percent"
    # a headline repeated above the body still wins
    article = read_text("Budget passes", "Weather today brings rain and cold winds",
                        "Budget passes", P1, P2, P3)
    assert article.title == "Budget passes"


def test_pasted_prose_opening_with_by_is_not_a_byline() -> None:
    by_day = ("By Tuesday the council had voted to approve the budget, after months of debate "
              "about roads and schools across the city.")
    article = read_text("Budget approved after long debate", by_day, P1, P2)
    assert by_day in article.text

"""Whole-line news chrome (``data/chrome_patterns.txt``, ``data/chrome_phrases.txt``) and
the lines that open comments or a "most read" box (``data/chrome_section_ends.txt``)."""

from __future__ import annotations

import pytest

from takeaways.ingest.text import chrome_reason, is_section_end


@pytest.mark.parametrize(
    "line",
    [
        # related-article teasers
        "Related: Retail levy explained in five charts",
        "[Read more: How the council spends its money]",
        "READ ALSO | Bridge inspections due next month",
        "See also: The 2023 budget",
        "Also on example.com: Ten things to do this weekend",
        "You may also like these stories",
        "Don't miss",
        "Don’t miss",
        "Recommended for you",
        "Editor's picks",
        "What to read next",
        # newsletters, sharing, contact
        "Like this story? Share it with a friend.",
        "If you enjoyed this article, please consider a donation",
        "Get the best stories delivered to your inbox every morning",
        "Subscribe to the Morning Courier newsletter",
        "Sign up for our daily briefing",
        "Never miss a story",
        "The Morning Courier newsletter",
        "Follow Jane Smith on Twitter",
        "Follow us on Instagram for more",
        "Email the author at jane.smith@example.com",
        "jane.smith@example.com",
        "https://example.com/share/12345",
        "www.example.com/news",
        "twitter.com/janesmith",
        "This copy is for your personal, non-commercial use only.",
        "We'd love to hear from you. Tell us what you think.",
        "This material may not be published, broadcast, rewritten or redistributed.",
        # credits, reading time, tags
        "(Reporting by Tom Baker; editing by Sue Lee)",
        "Additional reporting by Ana Ruiz",
        "Ana Ruiz contributed reporting to this story.",
        "Updated: March 4, 2024 10:15",
        "Published on 12 March 2024",
        "Last updated Mar. 4 2024",
        "5 min read",
        "12-minute read",
        "Reading time: 4 minutes",
        "Tags: education, budget",
        "Filed under: Politics",
        "Topics: Local news",
        "Category: Politics",
    ],
)
def test_chrome_line(line: str) -> None:
    assert chrome_reason(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "Related research suggests that the levy will raise less than planned.",
        "Read more carefully, the report says the bridge is safe until 2030.",
        "Updated figures show that the deficit is smaller than feared.",
        "The minister, who was updated on the talks on Friday, said little.",
        "Tagged as a risk in 2019, the bridge was closed for two years.",
        "Follow the money, the auditor told the council on Tuesday.",
        "Watch out for road closures near the harbour this weekend, officials said.",
        "Readers wrote to the newspaper by email to complain about the closures.",
        "The council said it would publish the figures at www.example.com next week.",
        "Five minutes later the vote was over.",
        "Category five storms are rare this far north.",
        "We would like to hear from residents, the mayor said.",
    ],
)
def test_not_chrome_line(line: str) -> None:
    assert chrome_reason(line) is None


def test_chrome_pattern_ignores_long_lines() -> None:
    line = "Related: " + "the council debated the levy again on Tuesday evening " * 5
    assert len(line) >= 200
    assert chrome_reason(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "42 comments",
        "[3 Comments]",
        "12 responses to “Council approves budget”",
        "Comments",
        "Comments (12)",
        "View comments",
        "Reader comments:",
        "Leave a comment",
        "Post a reply",
        "Join the discussion",
        "Start the conversation",
        "Jane says:",
        "3. Tom from Leeds says:",
        "Most read",
        "Most popular",
        "Trending now",
    ],
)
def test_section_end_line(line: str) -> None:
    assert is_section_end(line)


@pytest.mark.parametrize(
    "line",
    [
        "Comments from the minister suggested a deal was close.",
        "Most read books of 2024 were thrillers, the library said.",
        "The mayor says: we will rebuild the bridge.",
        "Leave a comment on the council's website, the mayor urged residents.",
        "42 comments were received during the consultation, which closed in May last year "
        "after a long and heated debate.",
    ],
)
def test_not_section_end_line(line: str) -> None:
    assert not is_section_end(line)

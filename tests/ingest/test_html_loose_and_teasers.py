"""The HTML reader keeps loose text (a paragraph left as the tail of a heading, bare text
between blocks) and drops related-article teasers: short lines and lists made only of
links, plus news chrome lines (reading time, credits, tags, share links)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import takeaways
from takeaways.document import Article
from takeaways.ingest.html import _TRAFILATURA_OPTIONS, parse_html
from tests.ingest.conftest import FakeExtract, trafilatura_xml
from tests.ingest.ingest_checks import assert_article_valid

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "html"
PAGE = "<html><body><article><p>stand-in page</p></article></body></html>"
P1 = ("The council voted on Tuesday to approve a new budget for the coming year, after "
      "months of debate about repairs to roads and schools.")
P2 = ("Mayor Ana Ruiz said the plan would raise property taxes by two percent, and that the "
      "money would go first to the bridges that inspectors flagged.")
TEASER = "Teachers vote to strike over pay and workload"
LINK_ONLY = "link-only line (related-article teaser)"
LINK_LIST = "list of links (related articles or navigation)"


def fake_read(fake_extract: Callable[..., FakeExtract], main: str) -> Article:
    fake_extract(precision=trafilatura_xml(main))
    a = takeaways.read(PAGE)
    assert_article_valid(a)
    return a


def reasons(a: Article) -> dict[str, str]:
    return {r.text: r.reason for r in a.removed}


# ---- loose text -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loose() -> Article:
    a = takeaways.read(GOLDEN / "loose_text.html")
    assert_article_valid(a)
    return a


def test_loose_text_after_heading_is_a_paragraph(loose: Article) -> None:
    assert [h.text for h in loose.headings] == ["Why now"]
    section = loose.sections[1]
    assert section.heading is not None and section.heading.text == "Why now"
    first = loose.paragraphs[section.paragraph_ids[0]]
    assert first.text.startswith("Two floods in five winters have damaged")
    assert first.text.endswith("unaffordable for many owners.")


@pytest.mark.parametrize(
    "snippet",
    [
        "The county will raise the flood walls",
        "Two floods in five winters have damaged more than four hundred homes",
        "protect the town centre against a flood",
        "Work on the first section starts in the spring",
    ],
)
def test_loose_text_with(loose: Article, snippet: str) -> None:
    assert snippet in loose.text


def test_loose_text_heading_not_merged_with_tail(loose: Article) -> None:
    assert "Why now Two floods" not in loose.text
    assert "Why now\n\nTwo floods" in loose.text


def test_loose_text_split_at_line_breaks(fake_extract: Callable[..., FakeExtract]) -> None:
    a = fake_read(fake_extract, f"<p>{P1}</p>Loose first line of text here.<lb/>"
                  f"And a loose <hi>second</hi> line after the break.<lb/><p>{P2}</p>")
    assert [p.text for p in a.paragraphs] == [
        P1, "Loose first line of text here.", "And a loose second line after the break.", P2]


def test_whitespace_between_blocks_is_not_a_paragraph(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    a = fake_read(fake_extract, f"\n  <p>{P1}</p>\n  <lb/>  \n<p>{P2}</p>\n ")
    assert [p.text for p in a.paragraphs] == [P1, P2]


def test_loose_text_in_heading_tail(fake_extract: Callable[..., FakeExtract]) -> None:
    a = fake_read(fake_extract, f"<p>{P1}</p><head rend='h2'>What happens next</head>{P2}")
    assert [h.text for h in a.headings] == ["What happens next"]
    assert [p.text for p in a.paragraphs] == [P1, P2]


# ---- link-only lines and lists (related-article teasers) ----------------------------------


def test_link_only_line_dropped(fake_extract: Callable[..., FakeExtract]) -> None:
    a = fake_read(fake_extract, f"<p>{P1}</p><p><ref target='/a'>{TEASER}</ref></p><p>{P2}</p>")
    assert TEASER not in a.text
    assert reasons(a)[TEASER] == LINK_ONLY
    assert [p.text for p in a.paragraphs] == [P1, P2]


def test_loose_links_between_line_breaks_dropped(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    a = fake_read(fake_extract, f"<p>{P1}</p><ref target='/a'>{TEASER}</ref><lb/>"
                  f"<ref target='/b'>Kitchens need upgrade, unions warn</ref><lb/><p>{P2}</p>")
    assert [p.text for p in a.paragraphs] == [P1, P2]
    assert reasons(a)["Kitchens need upgrade, unions warn"] == LINK_ONLY


@pytest.mark.parametrize(
    "line",
    [
        "<p>See the <ref target='/r'>full report</ref> for the figures and the maps.</p>",
        # ends like a sentence: a linked quote or sentence, not a teaser
        "<p><ref target='/q'>The minister resigned on Friday after weeks of pressure.</ref></p>",
        # a numbered reference
        "<p><ref target='/d'>[3] Smith J, Jones K, Rivers and floods, 2020</ref></p>",
        # too long for a headline
        "<p><ref target='/l'>" + " ".join(["word"] * 30) + "</ref></p>",
    ],
)
def test_link_lines_kept(fake_extract: Callable[..., FakeExtract], line: str) -> None:
    a = fake_read(fake_extract, f"<p>{P1}</p>{line}<p>{P2}</p>")
    assert len(a.paragraphs) == 3
    assert LINK_ONLY not in reasons(a).values()


def test_mostly_linked_line_dropped(fake_extract: Callable[..., FakeExtract]) -> None:
    line = f"<p><ref target='/a'>{TEASER} and kitchens</ref> – 2</p>"  # 94 % link text
    a = fake_read(fake_extract, f"<p>{P1}</p>{line}<p>{P2}</p>")
    assert [p.text for p in a.paragraphs] == [P1, P2]


def test_partly_linked_line_kept(fake_extract: Callable[..., FakeExtract]) -> None:
    line = f"<p><ref target='/a'>{TEASER}</ref> – union leaders say</p>"  # 70 % link text
    a = fake_read(fake_extract, f"<p>{P1}</p>{line}<p>{P2}</p>")
    assert f"{TEASER} – union leaders say" in a.text


def test_link_list_dropped(fake_extract: Callable[..., FakeExtract]) -> None:
    items = ["Parents welcome free lunches", "Kitchens need upgrade, unions warn",
             "How other regions pay for meals"]
    links = "".join(f"<item><ref target='/{i}'>{t}</ref></item>" for i, t in enumerate(items))
    a = fake_read(fake_extract, f"<p>{P1}</p><list>{links}</list><p>{P2}</p>")
    assert [p.text for p in a.paragraphs] == [P1, P2]
    assert LINK_LIST in reasons(a).values()
    for t in items:
        assert t not in a.text


def test_list_with_some_linked_items_kept(fake_extract: Callable[..., FakeExtract]) -> None:
    items = ("<item><ref target='/a'>Parents welcome free lunches</ref></item>"
             "<item>Schools will need new ovens before September</item>"
             "<item>The levy on large retailers pays for the meals</item>")
    a = fake_read(fake_extract, f"<p>{P1}</p><list>{items}</list><p>{P2}</p>")
    assert [p.text for p in a.paragraphs] == [
        P1, "Parents welcome free lunches", "Schools will need new ovens before September",
        "The levy on large retailers pays for the meals", P2]


def test_link_only_heading_is_kept(fake_extract: Callable[..., FakeExtract]) -> None:
    a = fake_read(fake_extract, f"<p>{P1}</p><head rend='h2'><ref target='/x'>What happens "
                  f"next for the city</ref></head><p>{P2}</p>")
    assert [h.text for h in a.headings] == ["What happens next for the city"]


# ---- news chrome lines in a real page -------------------------------------------------------


@pytest.fixture(scope="module")
def chrome_page() -> Article:
    a = takeaways.read(GOLDEN / "chrome_lines.html")
    assert_article_valid(a)
    return a


@pytest.mark.parametrize(
    "snippet",
    [
        "5 min read",
        "Updated: March 4, 2024",
        "Related: Retail levy explained",
        "Reporting by Tom Baker",
        "Follow Tom Baker on Twitter",
        "Tags: education",
        "https://example.com/share",
        TEASER,
        "Parents welcome free lunches",
    ],
)
def test_chrome_page_without(chrome_page: Article, snippet: str) -> None:
    assert snippet not in chrome_page.text


@pytest.mark.parametrize(
    "snippet",
    [
        "Every primary school pupil in the region will get a free hot lunch",
        "The scheme will cost about 90 million a year",
        "See the full report for details.",
    ],
)
def test_chrome_page_with(chrome_page: Article, snippet: str) -> None:
    assert snippet in chrome_page.text


def test_chrome_page_records_reasons(chrome_page: Article) -> None:
    got = reasons(chrome_page)
    for line in ["5 min read", "Updated: March 4, 2024 10:15", "Tags: education, budget",
                 "(Reporting by Tom Baker; editing by Sue Lee)", "Follow Tom Baker on Twitter"]:
        assert got[line] == "chrome pattern", line


def test_chrome_page_in_default_mode_drops_teasers(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    """trafilatura's default mode keeps the link-only teaser that precision mode drops;
    the reader drops it itself."""
    import trafilatura

    html = (GOLDEN / "chrome_lines.html").read_text("utf-8")
    xml = trafilatura.extract(html, **_TRAFILATURA_OPTIONS)
    assert xml is not None and TEASER in xml
    fake_extract(precision=xml)
    parts = parse_html(PAGE)
    assert TEASER not in [b.text for b in parts.blocks]
    assert (TEASER, LINK_ONLY) in [(r.text, r.reason) for r in parts.removed]
    assert any(b.text.startswith("Head teachers said") for b in parts.blocks)

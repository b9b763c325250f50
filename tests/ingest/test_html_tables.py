"""The HTML reader keeps tables: a layout table cell by cell, a data table one paragraph
per row (cells joined by " | "), a repeated header row once; a page that is only a data
table is no article."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import takeaways
from takeaways.document import Article
from takeaways.errors import NoArticleError
from takeaways.ingest.html import parse_html
from tests.ingest.conftest import FakeExtract, trafilatura_xml
from tests.ingest.ingest_checks import assert_article_valid

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "html"
PAGE = "<html><body><article><p>stand-in page</p></article></body></html>"
PROSE = ("The council voted on Tuesday to approve a new budget for the coming year, after "
         "months of debate about repairs to roads and schools.")


def read(name: str) -> Article:
    a = takeaways.read(GOLDEN / name)
    assert_article_valid(a)
    return a


def paragraphs(a: Article) -> list[str]:
    return [p.text for p in a.paragraphs]


# ---- layout table: its cells' paragraphs and headings, in order -----------------------


@pytest.fixture(scope="module")
def layout() -> Article:
    return read("layout_table.html")


def test_layout_table_keeps_cell_headings(layout: Article) -> None:
    assert [h.text for h in layout.headings] == ["Costs doubled"]
    assert layout.title == "Harbour bridge reopens after two years of repairs"
    assert layout.title not in layout.text


def test_layout_table_keeps_each_cell_paragraph(layout: Article) -> None:
    assert [p[:30] for p in paragraphs(layout)] == [
        "The harbour bridge reopened to",
        "The final bill came to 48 mill",
        "Engineers blamed the overrun o",
        "Commuters who crossed the brid",  # the second cell
    ]


def test_layout_table_cells_are_not_joined_like_data_cells(layout: Article) -> None:
    assert " | " not in layout.text
    assert not any(b.table_row for b in parse_html(
        (GOLDEN / "layout_table.html").read_text("utf-8")).blocks)


# ---- data table: one paragraph per row ------------------------------------------------


@pytest.fixture(scope="module")
def data_table() -> Article:
    return read("data_table.html")


@pytest.mark.parametrize(
    "snippet",
    [
        "Party | Seats | Change",
        "Green | 14 | +3",
        "Labour | 12 | -2",
        "Conservative | 6 | -1",
        "The Green Party won three more seats on the city council",
        "Turnout was 31 percent",
    ],
)
def test_data_table_with(data_table: Article, snippet: str) -> None:
    assert snippet in data_table.text


@pytest.mark.parametrize("snippet", ["Green\n", "PartySeats", "Green 14 +3"])
def test_data_table_without(data_table: Article, snippet: str) -> None:
    assert snippet not in data_table.text


def test_data_table_rows_are_paragraphs_in_place(data_table: Article) -> None:
    texts = paragraphs(data_table)
    assert texts[1:5] == ["Party | Seats | Change", "Green | 14 | +3", "Labour | 12 | -2",
                          "Conservative | 6 | -1"]
    assert texts[0].startswith("The Green Party")
    assert texts[5].startswith("Turnout was 31 percent")


def test_data_table_repeated_header_row_kept_once(data_table: Article) -> None:
    # the page repeats the <thead> row as the first <tbody> row
    assert data_table.text.count("Party | Seats | Change") == 1


def test_data_table_rows_marked_as_table_rows() -> None:
    parts = parse_html((GOLDEN / "data_table.html").read_text("utf-8"))
    rows = [b.text for b in parts.blocks if b.table_row]
    assert rows == ["Party | Seats | Change", "Green | 14 | +3", "Labour | 12 | -2",
                    "Conservative | 6 | -1"]
    assert all(b.kind == "paragraph" for b in parts.blocks if b.table_row)
    prose = [b.text for b in parts.blocks if b.kind == "paragraph" and not b.table_row]
    assert len(prose) == 2


# ---- a page that is only a data table -------------------------------------------------


def test_data_table_only_page_is_no_article() -> None:
    with pytest.raises(NoArticleError, match="only a data table"):
        takeaways.read(GOLDEN / "data_table_only.html")


def test_generated_table_page_is_no_article() -> None:
    rows = "".join(f"<tr><td>Candidate {i}</td><td>{i * 1000}</td></tr>" for i in range(40))
    page = f"<html><head><title>Results</title></head><body><table>{rows}</table></body></html>"
    with pytest.raises(NoArticleError, match="only a data table"):
        takeaways.read(page)


# ---- exact trafilatura XML ------------------------------------------------------------


def test_rows_without_their_table(fake_extract: Callable[..., FakeExtract]) -> None:
    fake_extract(precision=trafilatura_xml(
        f"<p>{PROSE}</p><row><cell>North</cell><cell>$4.2m</cell></row>"
        "<row><cell>South</cell><cell>$3.1m</cell></row>"))
    parts = parse_html(PAGE)
    assert [(b.text, b.table_row) for b in parts.blocks] == [
        (PROSE, False), ("North | $4.2m", True), ("South | $3.1m", True)]


def test_empty_cells_are_skipped_and_empty_rows_dropped(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    fake_extract(precision=trafilatura_xml(
        f"<p>{PROSE}</p><table><row><cell>North</cell><cell/><cell>+3%</cell></row>"
        "<row><cell/><cell> </cell></row></table>"))
    parts = parse_html(PAGE)
    assert [b.text for b in parts.blocks] == [PROSE, "North | +3%"]


def test_only_consecutive_repeated_rows_are_dropped(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    row = "<row><cell>Total</cell><cell>9</cell></row>"
    other = "<row><cell>North</cell><cell>4</cell></row>"
    fake_extract(precision=trafilatura_xml(
        f"<p>{PROSE}</p><table>{row}{row}{other}{row}</table>"))
    assert [b.text for b in parse_html(PAGE).blocks][1:] == ["Total | 9", "North | 4", "Total | 9"]


def test_data_table_inside_layout_cell(fake_extract: Callable[..., FakeExtract]) -> None:
    fake_extract(precision=trafilatura_xml(
        f"<table><row><cell><p>{PROSE}</p><head rend='h2'>Results</head>"
        "<table><row><cell>Green</cell><cell>14</cell></row></table></cell>"
        "<cell><p>Turnout was 31 percent, two points lower than last time.</p></cell>"
        "</row></table>"))
    parts = parse_html(PAGE)
    assert [(b.kind, b.text, b.table_row) for b in parts.blocks] == [
        ("paragraph", PROSE, False),
        ("heading", "Results", False),
        ("paragraph", "Green | 14", True),
        ("paragraph", "Turnout was 31 percent, two points lower than last time.", False),
    ]


def test_heading_and_rows_only_is_no_article(fake_extract: Callable[..., FakeExtract]) -> None:
    fake_extract(precision=trafilatura_xml(
        "<head rend='h2'>Results by party</head><table>"
        + "".join(f"<row><cell>Party {i} with a long name</cell><cell>{i}</cell></row>"
                  for i in range(10))
        + "</table>"))
    with pytest.raises(NoArticleError, match="only a data table"):
        parse_html(PAGE)


def test_table_rows_with_one_prose_paragraph_is_an_article(
    fake_extract: Callable[..., FakeExtract],
) -> None:
    fake_extract(precision=trafilatura_xml(
        f"<p>{PROSE}</p><table><row><cell>Green</cell><cell>14</cell></row></table>"))
    a = takeaways.read(PAGE)
    assert_article_valid(a)
    assert paragraphs(a) == [PROSE, "Green | 14"]

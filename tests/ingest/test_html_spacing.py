"""trafilatura's XML is joined without inventing whitespace (issue 13), and paragraphs
cut around an inline element are mended."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from takeaways.ingest.html import _children, _rejoin, _text_of

WORDS = st.sampled_from(["statement", "Reuters", "Disney+", "the", "NYAG's", "I", "n", "2020"])
PUNCT = st.sampled_from(["", ".", ",", ":", ";", ")", " ", " (", "'s", "—"])
TAGS = st.sampled_from(["ref", "hi", "del"])


@st.composite
def paragraphs(draw: st.DrawFn) -> tuple[str, str]:
    """A ``<p>`` with inline elements between words and punctuation, and its plain text."""
    parts = draw(st.lists(st.tuples(WORDS, PUNCT, TAGS, st.booleans()), min_size=1,
                          max_size=8))
    xml, plain = ["<p>"], []
    for word, punct, tag, inline in parts:
        xml.append(f"<{tag}>{word}</{tag}>{punct}" if inline else f"{word}{punct}")
        plain.append(word + punct)
    xml.append("</p>")
    return "".join(xml), "".join(plain)


@settings(max_examples=200, deadline=None)
@given(paragraphs())
def test_html_text_of_keeps_the_page_spacing(pair: tuple[str, str]) -> None:
    xml, plain = pair
    assert _text_of(etree.fromstring(xml)) == " ".join(plain.split())


def test_html_text_of_breaks_at_blocks_and_line_breaks() -> None:
    el = etree.fromstring("<p>one<lb/>two<list><item>a</item><item>b</item></list>end</p>")
    assert _text_of(el) == "one two a b end"


def test_html_text_of_keeps_comment_tails() -> None:
    assert _text_of(etree.fromstring("<p>a <!-- x -->b<ref>c</ref>.</p>")) == "a bc."


def _mended(main: str) -> list[str]:
    return [_text_of(e) for e in _rejoin(_children(etree.fromstring(main)))]


def test_html_paragraph_cut_around_a_link_is_mended() -> None:
    main = ("<main><p>cited by the Taiwanese publication </p><ref target='x'>DigiTimes</ref>"
            "<p>. A preview was shared with subscribers.</p><p>Next paragraph.</p></main>")
    assert _mended(main) == [
        "cited by the Taiwanese publication DigiTimes. A preview was shared with subscribers.",
        "Next paragraph."]


def test_html_paragraphs_that_open_normally_stay_apart() -> None:
    main = "<main><p>First one.</p><p>“Quoted,” she said.</p><p>...and then.</p></main>"
    assert _mended(main) == ["First one.", "“Quoted,” she said.", "...and then."]


def test_html_mending_ignores_the_xml_indentation() -> None:
    main = ("<main><div>\n  <p>© the Courier (</p>\n  <ref target='x'>www.courier.example</ref>\n"
            "  <p>), all rights reserved.</p>\n</div></main>")
    assert _mended(main) == ["© the Courier (www.courier.example), all rights reserved."]

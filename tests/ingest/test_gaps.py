"""Paragraphs precision mode dropped are put back one by one (`takeaways.ingest.gaps`)."""

from __future__ import annotations

from takeaways.ingest.builder import Block
from takeaways.ingest.gaps import restore_dropped

KEPT_1 = "The council voted on Tuesday to approve the new budget for the coming year."
KEPT_2 = "Opponents argued that the city should have cut spending instead of raising taxes."
DROPPED = ("The mayor said the money would go first to bridges, as the "
           "<a href='/r'>inspection report</a> recommended last spring.")


def _page(middle: str, tail: str = "") -> str:
    return (f"<html><body><article><div><p>{KEPT_1}</p></div><div><p>{middle}</p></div>"
            f"<div><p>{KEPT_2}</p></div>{tail}</article></body></html>")


def _blocks() -> list[Block]:
    return [Block("paragraph", KEPT_1), Block("paragraph", KEPT_2)]


def test_gaps_prose_with_a_link_between_kept_paragraphs_is_restored_in_place() -> None:
    blocks, n = restore_dropped(_blocks(), _page(DROPPED))
    assert n == 1
    assert blocks[1].text.startswith("The mayor said the money would go first to bridges, as "
                                     "the inspection report recommended")
    assert [b.text for b in blocks][::2] == [KEPT_1, KEPT_2]


def test_gaps_link_dense_line_stays_out() -> None:
    teaser = ("<a href='/a'>Council delays the vote on the bridge again and again, "
              "officials say.</a>")
    assert restore_dropped(_blocks(), _page(teaser))[1] == 0


def test_gaps_short_or_unfinished_lines_stay_out() -> None:
    assert restore_dropped(_blocks(), _page("Read the full report here."))[1] == 0
    assert restore_dropped(_blocks(), _page("Sign up for the newsletter to get the city "
                                            "news every morning in your inbox"))[1] == 0


def test_gaps_caption_and_repeated_promo_stay_out() -> None:
    caption = ("<figure><figcaption><p>The council chamber on Tuesday evening, when the vote "
               "was taken.</p></figcaption></figure>")
    page = _page("x").replace("<div><p>x</p></div>", caption)
    assert restore_dropped(_blocks(), page)[1] == 0
    promo = "Subscribers can read every story about the budget and the council in our app."
    page = _page(promo, tail=f"<div><p>{promo}</p></div>")
    assert restore_dropped(_blocks(), page)[1] == 0


def test_gaps_paragraph_outside_the_content_stays_out() -> None:
    page = _page("x", tail="") .replace(
        "</article>", "</article><section class='comments'><p>I think the council is "
        "wrong about the taxes and the roads, said a reader.</p></section>")
    assert restore_dropped(_blocks(), page)[1] == 0

"""Quote-aware units, label prefixes, compression that keeps grounding, page kinds."""

from __future__ import annotations

import re

import pytest

import takeaways
from takeaways.api import analyze
from takeaways.ingest.pagekind import page_kind
from takeaways.keypoints import quote_units
from takeaways.keypoints.defects import defects
from takeaways.keypoints.grounding import ungrounded_words
from takeaways.keypoints.rewrite import rewrite
from tests.conftest import assert_span_in


def test_keypoints_quote_units_keep_a_quote_whole() -> None:
    art = takeaways.read(
        'The mayor visited the flooded street on Tuesday. "We have never seen anything like '
        'it. The whole street is under water," said resident Ann Lee. Officials said 20,000 '
        "homes lost power.", kind="text")
    can_open, runs = quote_units(art)
    opener = next(s.id for s in art.sentences if s.text.startswith('"We'))
    closer = next(s.id for s in art.sentences if "said resident" in s.text)
    assert runs[opener] == [closer]
    assert not can_open[closer]


def test_keypoints_points_never_split_a_quote() -> None:
    text = (
        'The mayor visited the flooded street on Tuesday. "We have never seen anything like '
        'it. The whole street is under water," said resident Ann Lee. Officials said 20,000 '
        "homes lost power. The storm is expected to reach the capital on Wednesday night.")
    kp = takeaways.key_points(takeaways.read(text, kind="text"), n=3)
    for p in kp.points:
        assert "unbalanced quotes" not in defects(p.text), p.text
        assert not p.text.startswith("The whole street")
        assert ungrounded_words(p, kp.article) == []


def test_keypoints_rewrite_drops_a_dateline_prefix() -> None:
    an = analyze(takeaways.read(
        "BHOPAL: Madhya Pradesh continues to lead the country in tiger numbers. "
        "The count rose for the fourth time in a row.", kind="text"))
    text, edits = rewrite(an, an.article.sentences[0])
    assert text.startswith("Madhya Pradesh continues")
    # the reader moves the dateline out of the sentence (article.removed, reason given);
    # where it has not, the rewrite deletes it as a recorded edit
    removed = [r for r in an.article.removed if r.text.startswith("BHOPAL")]
    deleted = [e for e in edits if e.kind == "delete" and e.original == "BHOPAL: "]
    assert removed or deleted


def test_keypoints_compression_keeps_every_word_in_the_article() -> None:
    sentence = (
        "Madhya Pradesh continues to lead the country in tiger numbers, the census showed on "
        "Monday, with a count of 785 tigers, up from 526 four years ago, according to officials "
        "who spoke to reporters in the state capital after the release.")
    an = analyze(takeaways.read(sentence + " The storm reached the coast on Tuesday.",
                                kind="text"))
    sent = an.article.sentences[0]
    text, edits = rewrite(an, sent)
    assert len(text.split()) < len(sent.text.split())
    assert len(text.split()) <= 45 and text.endswith(".")
    for e in edits:
        assert_span_in(an.article.text, e.start, e.end, e.original)
    kept, pos = [], sent.start
    for e in sorted(edits, key=lambda e: e.start):  # every kept character is the article's
        kept.append(an.article.text[pos : e.start])
        pos = e.end
    kept.append(an.article.text[pos : sent.end])
    words = set(re.findall(r"\w+", sent.text))
    assert set(re.findall(r"\w+", "".join(kept))) <= words
    assert all(e.reason.startswith(("compression", "space")) for e in edits if e.kind == "delete")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Easy chicken bowl\n\nIngredients\n\n2 cups cooked rice\n\n1 cup cooked chicken\n\n"
         "½ cup edamame\n\n1 tsp. soy sauce\n\nMethod\n\nMix the rice and chicken in a bowl. "
         "Top with edamame and drizzle the soy sauce over it.\n", "recipe"),
        ("Storm live updates\n\n09:14 The storm reached the coast early on Tuesday "
         "morning with strong winds.\n\n09:40 Power was cut to about 20,000 homes in the north "
         "of the region.\n\n10:05 The national weather service extended its warning until "
         "Wednesday night.\n\n10:30 Schools in three districts closed for the day as a "
         "precaution.\n", "live blog"),
        ("The council met on Monday to vote on the budget for next year. The mayor said the "
         "plan was fair to all residents.\n\nIt will be reviewed in the spring.\n", "news"),
    ],
)
def test_keypoints_page_kind(text: str, kind: str) -> None:
    art = takeaways.read(text, kind="text")
    assert page_kind(art) == kind
    kp = takeaways.key_points(art, n=3)
    assert art.kind == kind
    assert art.to_dict()["kind"] == kind
    if kind == "recipe":
        assert any("recipe" in note for note in kp.notes)
        assert not any("cup" in p.text or "tsp" in p.text for p in kp.points)


_RUN_ON = (
    "Jurgen Klopp has revealed he will be vacating his role as Borussia Dortmund boss at the "
    "end of the season Arsenal vice-captain Per Mertesacker says Klopp would be a top manager "
    "in the Premier League Klopp chats with Dortmund defender Erik Durm during a training "
    "session in Dortmund on Wednesday. The club will name his successor in May.")


def test_keypoints_run_on_captions_are_cut_into_pieces() -> None:
    from takeaways.keypoints.compress import run_on_pieces

    an = analyze(takeaways.read(_RUN_ON, kind="text"))
    sent = an.article.sentences[0]
    pieces = [an.article.text[a:b] for a, b in run_on_pieces(an, sent)]
    assert len(pieces) >= 2
    assert pieces[0].endswith("at the end of the season")
    assert pieces[1].startswith("Arsenal vice-captain Per Mertesacker says Klopp")


def test_keypoints_run_on_keeps_its_first_standing_piece_as_recorded_edits() -> None:
    an = analyze(takeaways.read(_RUN_ON, kind="text"))
    sent = an.article.sentences[0]
    text, edits = rewrite(an, sent)
    assert text == ("Jurgen Klopp has revealed he will be vacating his role as Borussia "
                    "Dortmund boss at the end of the season.")
    cut = [e for e in edits if e.reason == "compression: run-on"]
    assert cut and all(an.article.text[e.start:e.end] == e.original for e in cut)
    assert defects(text) == []


def test_keypoints_run_on_points_stay_grounded() -> None:
    kp = takeaways.key_points(takeaways.read(_RUN_ON, kind="text"), n=2)
    assert kp.points
    for p in kp.points:
        assert ungrounded_words(p, kp.article) == []
        assert len(p.text.split()) <= 45


@pytest.mark.parametrize("text", [
    # a role noun then the name: one sentence
    "Locke said the £150,000 sale of teenage forward Robbie Muirhead to Dundee United had been "
    "a factor in the decision of the manager, who will leave the club at the end of the season "
    "after four years in the job and two cup finals.",
    # a verb then its clause: "says Klopp would be"
    "Arsenal vice-captain Per Mertesacker says Klopp would be a top manager in the Premier "
    "League, and the German is expected to be offered several jobs in England and Spain before "
    "the start of next season.",
])
def test_keypoints_run_on_leaves_one_sentence_whole(text: str) -> None:
    from takeaways.keypoints.compress import run_on_pieces

    an = analyze(takeaways.read(text, kind="text"))
    sent = an.article.sentences[0]
    assert run_on_pieces(an, sent) == [(sent.start, sent.end)]


def test_keypoints_run_on_piece_leaves_out_a_caption_label() -> None:
    from takeaways.keypoints.compress import run_on_piece

    text = ("Always the bride: Liana Barrientos, 39, of the Bronx, pleaded not guilty on Friday "
            "to two felony charges of filing a false instrument, involving marriage licences "
            "Sullen: Barrientos, seen here in court, was married to ten men in eleven years and "
            "her lawyer has not commented on the charges so far.")
    an = analyze(takeaways.read(text, kind="text"))
    piece = run_on_piece(an, an.article.sentences[0], min_words=6, max_words=45)
    assert piece is not None
    assert an.article.text[piece[0]:piece[1]].startswith("Liana Barrientos, 39")

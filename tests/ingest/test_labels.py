"""Datelines, caption labels and prompts move out of sentences (`takeaways.ingest.labels`)."""

from __future__ import annotations

import pytest

import takeaways
from takeaways.ingest.labels import trim_labels
from tests.ingest.ingest_checks import assert_article_valid


def _trim(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    spans, removed = trim_labels(text, [(0, len(text))])
    return [text[a:b] for a, b in spans], removed


@pytest.mark.parametrize(
    ("text", "moved", "reason"),
    [
        ("(CNN)They may not be aliens, but we may be close.", "(CNN)", "dateline"),
        ("(CNN) -- The storm reached the coast on Monday.", "(CNN) --", "dateline"),
        ("Boston (CNN)Guilty across the board, the jury said.", "Boston (CNN)", "dateline"),
        ("LONDON (Reuters) - Shares fell on Monday morning.", "LONDON (Reuters) -", "dateline"),
        ("BHOPAL: The gas leak killed thousands of people here.", "BHOPAL:", "dateline"),
        ("Guilty: Dzhokhar Tsarnaev was convicted on all counts.", "Guilty:", "caption label"),
        ("Pictured: The couple at their wedding in June.", "Pictured:", "caption label"),
        ("Happy couple: Julia and her husband at the premiere.", "Happy couple:",
         "caption label"),
        ("Scroll down for video The minister resigned last week.", "Scroll down for video",
         "video or photo prompt"),
    ],
)
def test_labels_opening_words_leave_the_sentence(text: str, moved: str, reason: str) -> None:
    sentences, removed = _trim(text)
    assert removed[0] == (moved, reason)
    assert sentences == [text[len(moved):].strip()]


@pytest.mark.parametrize(
    "text",
    [
        "He said: 'I have always been worried about it.'",  # speech, not a label
        "Mr Wang said: 'Big kites are hard to fly.'",
        "Lynn is right: The Chargers needed to win that game.",  # a clause
        "For example: The engine runs on hydrogen.",
        "Tesla (TSLA) CEO Elon Musk said on Monday it would grow.",  # a ticker, no dateline
        "The Great Escape: Bader's story predates the break.",
    ],
)
def test_labels_sentences_that_stay_whole(text: str) -> None:
    assert _trim(text) == ([text], [])


def test_labels_dateline_only_opens_a_paragraph() -> None:
    text = "The storm hit. BHOPAL: The gas leak killed thousands."
    spans, removed = trim_labels(text, [(0, 14), (15, len(text))])
    assert removed == []
    assert [text[a:b] for a, b in spans] == ["The storm hit.", "BHOPAL: The gas leak killed "
                                             "thousands."]


def test_labels_glued_label_ends_the_caption() -> None:
    text = ("The kite took to the sky in Chongqing last Saturday Skilful: The kite weighs 200 "
            "kilograms and needs a skilful team.")
    sentences, removed = _trim(text)
    assert sentences == ["The kite took to the sky in Chongqing last Saturday",
                         "The kite weighs 200 kilograms and needs a skilful team."]
    assert removed == [("Skilful:", "caption label")]


def test_labels_glued_name_is_no_label() -> None:
    text = "She only found one drawback to working with Smith and York: “They sing too well.”"
    assert _trim(text) == ([text], [])


def test_labels_plain_cnn_text_keeps_offsets() -> None:
    text = ("(CNN)Two passengers were found dead on a cruise ship in Puerto Rico on Monday. "
            "Scroll down for video Injured: A guard was shot and injured at the port, police "
            "said.")
    art = takeaways.read(text, kind="plain")
    assert art.text == text  # plain text is kept byte for byte
    assert [s.text for s in art.sentences] == [
        "Two passengers were found dead on a cruise ship in Puerto Rico on Monday.",
        "A guard was shot and injured at the port, police said.",
    ]
    assert {r.reason for r in art.removed} == {"dateline", "video or photo prompt",
                                               "caption label"}
    assert_article_valid(art)


def test_labels_paragraph_of_only_a_prompt_keeps_its_sentence() -> None:
    art = takeaways.read("Scroll down for video\n\nThe minister resigned last week over the "
                         "scandal, officials said.", kind="plain")
    assert art.sentences[0].text == "Scroll down for video"
    assert_article_valid(art)


@pytest.mark.parametrize("title", ["Cmdr.", "Gov.", "Sen.", "Lt.", "Rep.", "Dr."])
def test_sentences_abbreviated_title_never_ends_a_sentence(title: str) -> None:
    text = f"The ship was led by Navy {title} Jessica McNulty, who spoke on Monday. It sailed."
    art = takeaways.read(text, kind="plain")
    assert art.sentences[0].text == text[: text.index(" It sailed")]
    assert len(art.sentences) == 2

"""The attribution rules (`takeaways.attribution.rules`): reporting frames, cues, speakers.

Two kinds of case. Hand-built ``Doc``s (words, heads, deps, POS, lemmas given) pin one
rule exactly, whatever the parser would do. Parsed texts (the small English model, no
embedder) run the whole builder and document what a reader gets for each frame:
direct quotes before and after their cue, inverted cues, colons, participles, passive
agents, indirect speech, "according to", pronoun speakers, multi-paragraph quotes and
quotes without a speaker. Each text is parsed once (`_quotes` is cached).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import pytest

import takeaways
from takeaways.api import analyze
from takeaways.attribution import Quote, Quotes, extract_quotes
from takeaways.attribution.rules import (
    Frame,
    by_agent,
    by_colon,
    cue_range,
    indirect_frames,
    is_reporting,
    noun_phrase,
    speaker_frame,
    subject_of,
)
from takeaways.lexicon import lexicon
from takeaways.resources import word_list

if TYPE_CHECKING:
    from spacy.tokens import Doc

# -- hand-built Docs --------------------------------------------------------------

#: (word, POS, head index, dep, lemma); a space follows every word but the last
Row = tuple[str, str, int, str, str]


def _doc(rows: list[Row], ents: list[str] | None = None) -> Doc:
    from spacy.tokens import Doc

    from takeaways.nlp.models import get_nlp

    words = [r[0] for r in rows]
    return Doc(
        get_nlp().vocab,
        words=words,
        spaces=[True] * (len(words) - 1) + [False],
        pos=[r[1] for r in rows],
        heads=[r[2] for r in rows],
        deps=[r[3] for r in rows],
        lemmas=[r[4] for r in rows],
        ents=ents,
    )


HAS_NOT_SAID: list[Row] = [
    ("Scholz", "PROPN", 3, "nsubj", "Scholz"),
    ("has", "AUX", 3, "aux", "have"),
    ("not", "PART", 3, "neg", "not"),
    ("said", "VERB", 3, "ROOT", "say"),
    ("it", "PRON", 3, "dobj", "it"),
    (".", "PUNCT", 3, "punct", "."),
]
POINTED_OUT: list[Row] = [
    ("Peskov", "PROPN", 1, "nsubj", "Peskov"),
    ("pointed", "VERB", 1, "ROOT", "point"),
    ("out", "ADP", 1, "prt", "out"),
    ("problems", "NOUN", 1, "dobj", "problem"),
    (".", "PUNCT", 1, "punct", "."),
]
WHO_SAYS: list[Row] = [
    ("Reyes", "PROPN", 6, "nsubj", "Reyes"),
    (",", "PUNCT", 0, "punct", ","),
    ("who", "PRON", 3, "nsubj", "who"),
    ("says", "VERB", 0, "relcl", "say"),
    ("so", "ADV", 3, "advmod", "so"),
    (",", "PUNCT", 0, "punct", ","),
    ("left", "VERB", 6, "ROOT", "leave"),
    (".", "PUNCT", 6, "punct", "."),
]
PRAISED_BY: list[Row] = [
    ("The", "DET", 1, "det", "the"),
    ("plan", "NOUN", 3, "nsubjpass", "plan"),
    ("was", "AUX", 3, "auxpass", "be"),
    ("praised", "VERB", 3, "ROOT", "praise"),
    ("by", "ADP", 3, "agent", "by"),
    ("Reyes", "PROPN", 4, "pobj", "Reyes"),
    (".", "PUNCT", 3, "punct", "."),
]
WAS_TOLD: list[Row] = [
    ("Reyes", "PROPN", 2, "nsubjpass", "Reyes"),
    ("was", "AUX", 2, "auxpass", "be"),
    ("told", "VERB", 2, "ROOT", "tell"),
    (".", "PUNCT", 2, "punct", "."),
]
WANTED_TO_SAY: list[Row] = [
    ("Reyes", "PROPN", 1, "nsubj", "Reyes"),
    ("wanted", "VERB", 1, "ROOT", "want"),
    ("to", "PART", 3, "aux", "to"),
    ("say", "VERB", 1, "xcomp", "say"),
    ("more", "ADJ", 3, "dobj", "more"),
    (".", "PUNCT", 1, "punct", "."),
]


def _it(verb: str, lemma: str) -> list[Row]:
    return [
        ("It", "PRON", 1, "nsubj", "it"),
        (verb, "VERB", 1, "ROOT", lemma),
        ("so", "ADV", 1, "advmod", "so"),
        (".", "PUNCT", 1, "punct", "."),
    ]


@pytest.mark.parametrize(
    ("rows", "verb", "expected"),
    [
        (HAS_NOT_SAID, 3, 0),  # nsubj
        (WHO_SAYS, 3, 0),  # a relative pronoun's antecedent: the relcl's head
        (PRAISED_BY, 3, 5),  # the passive agent's object
        (WAS_TOLD, 2, None),  # a passive subject is the addressee, not the speaker
        (WANTED_TO_SAY, 3, 0),  # xcomp climbs to the governing clause's subject
    ],
    ids=["nsubj", "relative", "agent", "passive", "xcomp"],
)
def test_subject_of(rows: list[Row], verb: int, expected: int | None) -> None:
    doc = _doc(rows)
    subj = subject_of(doc[verb])
    assert (subj.i if subj is not None else None) == expected


@pytest.mark.parametrize(
    ("rows", "verb", "expected"),
    [(HAS_NOT_SAID, 3, "has not said"), (POINTED_OUT, 1, "pointed out")],
)
def test_cue_range_takes_auxiliaries_negation_and_particle(
    rows: list[Row], verb: int, expected: str
) -> None:
    doc = _doc(rows)
    lo, hi = cue_range(doc[verb])
    assert doc[lo:hi].text == expected


@pytest.mark.parametrize(
    ("word", "pos", "tag", "lemma", "quote_only", "expected"),
    [
        ("said", "VERB", "VBD", "say", False, True),
        ("claimed", "VERB", "VBD", "claim", False, True),
        ("tweeted", "VERB", "VBD", "tweet", True, True),  # next to a quote: a cue
        ("tweeted", "VERB", "VBD", "tweet", False, False),  # too vague for indirect speech
        ("added", "VERB", "VBD", "add", False, True),
        ("walked", "VERB", "VBD", "walk", True, False),  # not a reporting verb
        ("says", "NOUN", "VBZ", "say", False, True),  # a verb mis-tagged NOUN
        ("statement", "NOUN", "NN", "statement", True, False),
    ],
)
def test_is_reporting(
    word: str, pos: str, tag: str, lemma: str, quote_only: bool, expected: bool
) -> None:
    from spacy.tokens import Doc

    from takeaways.nlp.models import get_nlp

    doc = Doc(get_nlp().vocab, words=[word], pos=[pos], tags=[tag], lemmas=[lemma])
    assert is_reporting(doc[0], lexicon(), quote_only=quote_only) is expected


def test_quote_only_verbs_are_reporting_verbs() -> None:
    """A quote-only lemma must also be a reporting verb, or `is_reporting` never sees it."""
    lex = lexicon()
    assert lex.quote_only_verbs and lex.quote_only_verbs <= lex.reporting_verbs
    assert {"say", "tell", "add", "claim", "warn"} <= lex.reporting_verbs


@pytest.mark.parametrize(
    ("verb", "lemma", "expected"),
    [("said", "say", True), ("claimed", "claim", False)],
)
def test_speaker_frame_expletive_subject(verb: str, lemma: str, expected: bool) -> None:
    """'It said' (a company, a report) is a frame; 'it claimed so' with an expletive is not."""
    frame = speaker_frame(_doc(_it(verb, lemma))[1])
    assert (frame is not None) is expected


def test_speaker_frame_relative_pronoun_is_the_mention() -> None:
    frame = speaker_frame(_doc(WHO_SAYS)[3])
    assert frame == Frame(cue=(3, 4), speaker=(2, 3), speaker_head=0)


@pytest.mark.parametrize(
    ("rows", "head", "expected"),
    [
        (
            [
                ("Bernie", "PROPN", 1, "compound", "Bernie"),
                ("Sanders", "PROPN", 7, "nsubj", "Sanders"),
                (",", "PUNCT", 1, "punct", ","),
                ("celebrating", "VERB", 1, "acl", "celebrate"),
                ("a", "DET", 5, "det", "a"),
                ("win", "NOUN", 3, "dobj", "win"),
                (",", "PUNCT", 1, "punct", ","),
                ("said", "VERB", 7, "ROOT", "say"),
            ],
            1,
            "Bernie Sanders",  # a participle after a comma ends the phrase
        ),
        (
            [
                ("a", "DET", 2, "det", "a"),
                ("longtime", "ADJ", 2, "amod", "longtime"),
                ("adviser", "NOUN", 5, "nsubj", "adviser"),
                ("to", "ADP", 2, "prep", "to"),
                ("Trump", "PROPN", 3, "pobj", "Trump"),
                ("said", "VERB", 5, "ROOT", "say"),
            ],
            2,
            "a longtime adviser to Trump",  # a common noun keeps its prepositional phrase
        ),
        (
            [
                ("Trump", "PROPN", 3, "nsubj", "Trump"),
                ("in", "ADP", 0, "prep", "in"),
                ("Kentucky", "PROPN", 1, "pobj", "Kentucky"),
                ("said", "VERB", 3, "ROOT", "say"),
            ],
            0,
            "Trump",  # a place after a name ends it
        ),
    ],
    ids=["participle", "adviser-to", "name-in-place"],
)
def test_noun_phrase(rows: list[Row], head: int, expected: str) -> None:
    doc = _doc(rows)
    lo, hi = noun_phrase(doc[head])
    assert doc[lo:hi].text == expected


COLON: list[Row] = [
    ("Cecile", "PROPN", 1, "compound", "Cecile"),
    ("Richards", "PROPN", 1, "ROOT", "Richards"),
    (":", "PUNCT", 1, "punct", ":"),
    ('"', "PUNCT", 5, "punct", '"'),
    ("We", "PRON", 5, "nsubj", "we"),
    ("win", "VERB", 5, "ROOT", "win"),
    (".", "PUNCT", 5, "punct", "."),
    ('"', "PUNCT", 5, "punct", '"'),
]


def test_by_colon_name_colon_quote() -> None:
    doc = _doc(COLON, ents=["B-PERSON", "I-PERSON"] + ["O"] * 6)
    frame = by_colon(doc, (3, 8))
    assert frame == Frame(cue=(2, 3), speaker=(0, 2), speaker_head=1)


def test_by_colon_needs_a_proper_noun_before_the_colon() -> None:
    rows: list[Row] = [
        ("the", "DET", 1, "det", "the"), ("reason", "NOUN", 1, "ROOT", "reason"), *COLON[2:]
    ]
    assert by_colon(_doc(rows), (3, 8)) is None


def test_by_agent_passive_after_the_quote() -> None:
    rows: list[Row] = [
        ("The", "DET", 1, "det", "the"),
        ("deal", "NOUN", 3, "nsubjpass", "deal"),
        ("was", "AUX", 3, "auxpass", "be"),
        ("described", "VERB", 3, "ROOT", "describe"),
        ("as", "ADP", 3, "prep", "as"),
        ('"', "PUNCT", 7, "punct", '"'),
        ("a", "DET", 7, "det", "a"),
        ("breakthrough", "NOUN", 4, "pobj", "breakthrough"),
        ('"', "PUNCT", 7, "punct", '"'),
        ("by", "ADP", 3, "agent", "by"),
        ("Olaf", "PROPN", 11, "compound", "Olaf"),
        ("Scholz", "PROPN", 9, "pobj", "Scholz"),
        (".", "PUNCT", 3, "punct", "."),
    ]
    frame = by_agent(_doc(rows), (5, 9))
    assert frame == Frame(cue=(3, 4), speaker=(10, 12), speaker_head=11)


def test_by_agent_needs_by_and_a_proper_noun() -> None:
    rows: list[Row] = [
        ('"', "PUNCT", 1, "punct", '"'),
        ("Fine", "ADJ", 1, "ROOT", "fine"),
        ('"', "PUNCT", 1, "punct", '"'),
        ("by", "ADP", 1, "prep", "by"),
        ("the", "DET", 5, "det", "the"),
        ("parliament", "NOUN", 3, "pobj", "parliament"),
    ]
    assert by_agent(_doc(rows), (0, 3)) is None


# -- parsed texts -----------------------------------------------------------------


@cache
def _quotes(text: str) -> Quotes:
    return extract_quotes(analyze(takeaways.read(text, kind="plain")))


def _only(text: str) -> Quote:
    quotes = _quotes(text).quotes
    assert len(quotes) == 1, [q.content.text for q in quotes]
    return quotes[0]


def _span_text(q: Quote) -> tuple[str | None, str | None]:
    mention = q.speaker.mention.text if q.speaker.mention else None
    return (q.cue.text if q.cue else None), mention


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # quote first, inverted cue
        ('"We will win this election," said Senator John Smith on Monday.',
         ("We will win this election,", "said", "Senator John Smith", "John Smith")),
        ('"The vote is still on," added Senator John Smith at the start of the meeting.',
         ("The vote is still on,", "added", "Senator John Smith", "John Smith")),
        ('"Is the vote still on?" replied Senator John Smith at the start of the meeting.',
         ("Is the vote still on?", "replied", "Senator John Smith", "John Smith")),
        # quote first, subject before the verb
        ('"We will win this election," John Smith said on Monday.',
         ("We will win this election,", "said", "John Smith", "John Smith")),
        ('"I am not worried at all about the vote," Senator John Smith told reporters.',
         ("I am not worried at all about the vote,", "told", "Senator John Smith",
          "John Smith")),
        # quote last
        ('John Smith said on Monday, "We will win this election."',
         ("We will win this election.", "said", "John Smith", "John Smith")),
        ('John Smith told reporters on Monday: "We will win this election."',
         ("We will win this election.", "told", "John Smith", "John Smith")),
        # name, colon, quote
        ("Senator Mary Holt spoke on Monday.\n\nMary Holt: \u201cWe will not back down.\u201d",
         ("We will not back down.", ":", "Mary Holt", "Mary Holt")),
        # a reporting participle before the quote
        ('Senator Mary Holt left the building early, telling reporters, "We are done for today."',
         ("We are done for today.", "telling", "Senator Mary Holt", "Mary Holt")),
        # a person named right before the participle speaks it, not the clause's subject
        ("The ad uses footage of Hillary Clinton asking, \u201cWhy aren\u2019t I ahead?\u201d",
         ("Why aren\u2019t I ahead?", "asking", "Hillary Clinton", "Hillary Clinton")),
        # a passive agent after the quote
        ('The deal was described as "a historic breakthrough" by Olaf Scholz at the summit.',
         ("a historic breakthrough", "described", "Olaf Scholz", "Olaf Scholz")),
        # a dash after the closing mark credits the name after it
        ("Readers wrote.\n\n\u201cHe represents our greatest shame.\u201d \u2015 Sonya Herridge\n",
         ("He represents our greatest shame.", "\u2015", "Sonya Herridge", "Sonya Herridge")),
        ("Voters spoke.\n\n\u201cIt was a fine night,\u201d \u2013 Julie A. Diaz Martinez.",
         ("It was a fine night,", "\u2013", "Julie A. Diaz Martinez",
          "Julie A. Diaz Martinez")),
        # a speaker given by an apposition
        ("Peskov, the Kremlin spokesman, said the talks were useful for both sides on Monday.",
         ("the talks were useful for both sides on Monday", "said",
          "Peskov, the Kremlin spokesman", "Peskov")),
    ],
)
def test_frame_gives_cue_and_speaker(text: str, expected: tuple[str, str, str, str]) -> None:
    content, cue, mention, entity = expected
    q = _only(text)
    assert q.content.text == content
    assert _span_text(q) == (cue, mention)
    assert q.speaker.entity == entity


@pytest.mark.parametrize(
    "text",
    [
        # the dash goes on with prose: no credit
        'Officials met on Monday. "We will win" \u2013 and then the mayor left the room.',
        # a lower-case word after the dash is not a name
        'Officials met on Monday.\n\n"We will win." \u2014 reporters were told.\n',
        # a hyphen inside a word is not a dash credit
        'Officials met.\n\n"We will win."-John Smith\n',
    ],
)
def test_by_dash_needs_a_name_that_ends_the_line(text: str) -> None:
    from takeaways.attribution.rules import by_dash
    from takeaways.nlp.models import get_nlp

    doc = get_nlp()(text)
    end = text.index('"', text.index('"') + 1)
    assert by_dash(doc, end) is None


def test_inverted_asked_gives_the_speaker() -> None:
    # the parser makes the name the object of 'ask' (dobj): no subject, the name after
    # the finite cue right after the quote is the speaker
    q = _only('"Is the vote still on?" asked Senator John Smith at the start of the meeting.')
    assert _span_text(q) == ("asked", "Senator John Smith")
    assert q.speaker.entity == "John Smith"


def _cue_lemmas() -> list[str]:
    wanted = ["say", "add", "insist", "warn", "tweet", "reply"]
    listed = set(word_list("reporting_verbs"))
    assert set(wanted) <= listed  # the cues below come from data/reporting_verbs.txt
    return wanted


PAST = {"say": "said", "add": "added", "insist": "insisted", "warn": "warned",
        "tweet": "tweeted", "reply": "replied"}


@pytest.mark.parametrize("lemma", _cue_lemmas())
def test_reporting_verbs_cue_a_direct_quote(lemma: str) -> None:
    q = _only(f'"The plan works," Senator John Smith {PAST[lemma]} on Monday.')
    assert q.kind == "direct" and q.content.text == "The plan works,"
    assert _span_text(q) == (PAST[lemma], "Senator John Smith")
    assert q.speaker.entity == "John Smith" and q.speaker.how == "named"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Senator John Smith argued that the vote was still on for Monday.",
         ("that the vote was still on for Monday", "argued", "John Smith")),
        ("Chancellor Olaf Scholz said that Germany would help.",
         ("that Germany would help", "said", "Olaf Scholz")),
        ("According to Emmanuel Macron, the talks will resume next week in Paris.",
         ("the talks will resume next week in Paris", "According to", "Emmanuel Macron")),
        ("Senator Mary Holt expressed confidence that the budget would pass by Friday.",
         ("that the budget would pass by Friday", "expressed confidence", "Mary Holt")),
        ("Senator Mary Holt criticized Governor Tom Reyes for cutting the school budget in half.",
         ("cutting the school budget in half", "criticized Governor Tom Reyes for",
          "Mary Holt")),
        ("The White House said on Monday that the president would travel to Ohio next week.",
         ("that the president would travel to Ohio next week", "said", "White House")),
        ("Microsoft said on Tuesday that its profits rose by ten percent in the last quarter.",
         ("that its profits rose by ten percent in the last quarter", "said", "Microsoft")),
    ],
)
def test_indirect_speech(text: str, expected: tuple[str, str, str]) -> None:
    content, cue, entity = expected
    q = _only(text)
    assert q.kind == "indirect"
    assert (q.content.text, q.cue.text if q.cue else None, q.speaker.entity) == expected
    assert q.speaker.how == "named"
    assert content in text


@pytest.mark.parametrize("verb", ["wrote", "replied", "tweeted", "asked"])
def test_quote_only_verbs_cue_no_indirect_speech(verb: str) -> None:
    """data/reporting_verbs_after_quote.txt: 'X wrote that ...' is not reported speech."""
    assert _quotes(f"Senator John Smith {verb} that the vote was still on for Monday.").quotes == []


def test_indirect_frames_on_a_parse() -> None:
    """`indirect_frames` itself: cue, speaker and content token ranges of each frame."""
    text = "According to Emmanuel Macron, the talks will resume next week in Paris."
    doc = analyze(takeaways.read(text, kind="plain")).doc
    frames = indirect_frames(doc, set(), lexicon())
    got = [
        (doc[slice(*f.cue)].text, doc[slice(*f.speaker)].text if f.speaker else None,
         doc[slice(*f.content)].text if f.content else None)
        for f in frames
    ]
    assert got == [("According to", "Emmanuel Macron", "the talks will resume next week in Paris")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a title shows the gender; "he" takes the subject of the previous sentence
        ('Mr. John Adams met Ms. Kelly Brown in the capital on Monday. "We agreed on '
         'everything," he said.', ("he", "John Adams", "pronoun:previous-subject")),
        # "she" skips the male subject and takes the nearest female person
        ('Mr. John Adams met Ms. Kelly Brown in the capital on Monday. "We agreed on '
         'everything," she said.', ("she", "Kelly Brown", "pronoun:nearest-person")),
        # without a title or gendered role the gender is unknown and nothing is skipped
        ('John Adams met Kelly Brown in the capital on Monday. "We agreed on everything," '
         "she said.", ("she", "John Adams", "pronoun:previous-subject")),
        ('Ms. Kelly met Mr. Trump on Monday in New York.\n\n"It was a good meeting," he said.',
         ("he", "Trump", "pronoun:nearest-person")),
        ("Senator Mary Holt spoke to the press on Monday and she said that the bill would "
         "pass.", ("she", "Mary Holt", "pronoun:previous-subject")),
    ],
)
def test_pronoun_speaker(text: str, expected: tuple[str, str, str]) -> None:
    q = _only(text)
    mention = q.speaker.mention.text if q.speaker.mention else None
    assert (mention, q.speaker.entity, q.speaker.how) == expected


def test_pronoun_with_no_person_before_it() -> None:
    q = _only("\u201cWe will not give up,\u201d she said on Monday in the capital of the country.")
    assert q.speaker.mention is not None and q.speaker.mention.text == "she"
    assert q.speaker.entity is None
    assert q.speaker.how == "none: no person before the pronoun in this or the previous paragraph"


def test_pronoun_inside_a_quote_resolves_within_the_quote() -> None:
    q = _quotes('Chancellor Olaf Scholz said: "Putin told me \'we will never give up\' and I '
                'believe him."')
    him = [m for m in q.mentions if m.text == "him"]
    assert [(m.entity, m.how) for m in him] == [("Putin", "pronoun:in-quote")]
    assert q.quotes[0].speaker.entity == "Olaf Scholz"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"We will rebuild the city," Mayor Jane Doe said. "Nothing will stop us."',
         ["We will rebuild the city,", "Nothing will stop us."]),
        # the next paragraph opening with a quote goes on quoting the same speaker
        ('"We will rebuild the city," Mayor Jane Doe said.\n\n"Nothing will stop us."',
         ["We will rebuild the city,", "Nothing will stop us."]),
    ],
)
def test_split_quote_is_one_quote_with_parts(text: str, expected: list[str]) -> None:
    q = _only(text)
    assert q.kind == "direct" and q.speaker.entity == "Jane Doe"
    assert [p.text for p in q.parts] == expected
    assert q.content.start == q.parts[0].start and q.content.end == q.parts[-1].end


MULTI = ('Mayor Jane Doe opened the new bridge in the city on Monday.\n\n"This bridge will '
         'last a century. It is the best bridge in the state.\n\n"Every family will use it," '
         "{cue}.")


def test_multi_paragraph_quote_runs_across_paragraphs() -> None:
    """An open quote at a paragraph end continues when the next paragraph opens with a mark."""
    q = _only(MULTI.format(cue="Doe said"))
    assert q.content.text.startswith("This bridge will last a century.")
    assert q.content.text.endswith("Every family will use it,")
    assert "\n\n" in q.content.text
    assert (q.speaker.entity, q.speaker.how) == ("Jane Doe", "surname")
    assert len(q.sentence_ids) == 3


def test_multi_paragraph_quote_with_a_pronoun_cue() -> None:
    """A speaker pronoun after a multi-paragraph quote looks back from the paragraph
    before the quote's first one."""
    q = _only(MULTI.format(cue="she said"))
    assert q.speaker.entity == "Jane Doe"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u201cNobody knows where this ends.\u201d\n\nThe storm moved north overnight.",
         (None, None, "none: no cue and no earlier speaker in this or the previous paragraph")),
    ],
)
def test_no_speaker(text: str, expected: tuple[str | None, str | None, str]) -> None:
    q = _only(text)
    assert q.speaker.entity is None
    assert (*_span_text(q), q.speaker.how) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"We will rebuild the city," the mayor added after the long meeting.',
         ("the mayor", "the mayor")),
        ('"We found nothing," officers said on Monday.', ("officers", "officers")),
        ("The ministry said that the case was closed.", ("The ministry", "the ministry")),
    ],
)
def test_unnamed_speaker_is_kept_as_its_descriptor(text: str, expected: tuple[str, str]) -> None:
    """A speaker naming no entity of the article keeps the words that say who spoke."""
    q = _only(text)
    assert q.speaker.mention is not None
    assert (q.speaker.mention.text, q.speaker.entity) == expected
    assert q.speaker.how == "descriptor" and q.speaker.entity_id is None


@pytest.mark.parametrize(
    "text",
    [
        'The so-called "peace plan" was rejected by the parliament on Monday.',
        "The storm moved north overnight and the roads were closed for hours.",
    ],
)
def test_no_quote(text: str) -> None:
    """Scare quotes with no cue that do not open a sentence are not quotes."""
    assert _quotes(text).quotes == []


# -- subjects the parse gets wrong (issue 15 error analysis on PolNeAR train) -------


def test_subject_of_takes_the_subject_nearest_the_verb() -> None:
    # 'LONDON (Reuters) - Donald Trump said …': the dateline is a second subject
    doc = _doc([
        ("LONDON", "PROPN", 7, "nsubj", "London"), ("(", "PUNCT", 2, "punct", "("),
        ("Reuters", "PROPN", 0, "appos", "Reuters"), (")", "PUNCT", 2, "punct", ")"),
        ("-", "PUNCT", 0, "punct", "-"), ("Donald", "PROPN", 6, "compound", "Donald"),
        ("Trump", "PROPN", 7, "nsubj", "Trump"), ("said", "VERB", 7, "ROOT", "say"),
        ("so", "ADV", 7, "advmod", "so"),
    ])
    subj = subject_of(doc[7])
    assert subj is not None and subj.text == "Trump"
    frame = speaker_frame(doc[7])
    assert frame is not None and frame.speaker is not None
    assert doc[frame.speaker[0] : frame.speaker[1]].text == "Donald Trump"


def test_subject_of_a_date_gives_way_to_the_name_before_the_verb() -> None:
    # 'Saturday at the convention Sen. Elizabeth Warren said …' parsed with 'Saturday'
    # as the subject and the name in apposition to 'convention'
    doc = _doc([
        ("Saturday", "PROPN", 6, "nsubj", "Saturday"), ("at", "ADP", 0, "prep", "at"),
        ("the", "DET", 3, "det", "the"), ("convention", "NOUN", 1, "pobj", "convention"),
        ("Elizabeth", "PROPN", 5, "compound", "Elizabeth"),
        ("Warren", "PROPN", 3, "appos", "Warren"), ("said", "VERB", 6, "ROOT", "say"),
        ("so", "ADV", 6, "advmod", "so"),
    ], ents=["B-DATE", "O", "O", "O", "B-PERSON", "I-PERSON", "O", "O"])
    subj = subject_of(doc[6])
    assert subj is not None and subj.text == "Warren"


def test_cue_after_a_quote_with_no_parsed_subject_takes_the_name() -> None:
    # the parse makes 'Trump' a compound of 'barked': the cue still has its speaker
    q = _quotes("The reporter kept asking questions.\n\n“Go back to Univision,” Trump barked "
                "and a security guard escorted Ramos out.").quotes[0]
    assert _span_text(q) == ("barked", "Trump")


def test_cue_after_a_quote_takes_a_name_tagged_as_an_adverb() -> None:
    q = _quotes("Bill Skelly vouched for both of them.\n\n“Having access to the RNC file and two "
                "people who understand it is valuable,” said Skelly, explaining he worked more "
                "closely with Chrabaszcz.").quotes[0]
    assert _span_text(q) == ("said", "Skelly")
    assert q.speaker.entity == "Bill Skelly"  # the mistagged surname still names him


def test_speaker_after_its_cue_leaves_the_cue_out() -> None:
    q = _only("“Debate recap,” tweeted Rubio spokesman Alex Conant after the debate.")
    assert _span_text(q) == ("tweeted", "Rubio spokesman Alex Conant")
    assert q.speaker.entity == "Alex Conant"


def test_cue_sentence_after_the_quote_opening_with_the_cue() -> None:
    # the parser ends the sentence at '?”'; the next one opens with the cue and reports
    # nothing of its own, so it is the quote's cue
    quotes = _quotes("Apple refused to help the FBI.\n\n“Who do they think they are?” Trump said "
                     "of Apple in February, when the company refused to unlock a phone.").quotes
    q = next(x for x in quotes if x.content.text.startswith("Who"))
    assert _span_text(q) == ("said", "Trump")


def test_sentence_after_the_quote_with_its_own_content_is_not_its_cue() -> None:
    quotes = _quotes("“We will win.” Later that week, the senator said that the polls were "
                     "wrong about the state of the race.").quotes
    q = next(x for x in quotes if x.content.text.startswith("We will"))
    assert q.cue is None or q.cue.text != "said"


def test_participle_under_a_passive_takes_the_passive_subject() -> None:
    # 'a reporter can be heard asking': 'asking' has no subject, 'heard' a passive one
    quotes = _quotes("The video has proof.\n\n“Should there be a database system that tracks "
                     "the Muslims here?” a reporter can be heard asking Trump after an event "
                     "in Iowa.").quotes
    q = next(x for x in quotes if x.content.text.startswith("Should"))
    assert _span_text(q) == ("asking", "a reporter")


def test_a_hyphenated_surname_is_no_mention_of_the_person() -> None:
    quotes = _quotes("Donald Trump spoke on Monday.\n\n“It is a scam,” said the anti-Trump "
                     "spot, which aired in Indiana.").quotes
    assert all(q.speaker.entity != "Donald Trump" for q in quotes
               if q.content.text.startswith("It is"))


def test_a_verb_in_the_cue_slot_after_a_quote_is_its_cue() -> None:
    # 'chuckled' is no reporting verb of the lexicon: the slot right after '…,”' makes it one
    quotes = _quotes("Maria Lopez runs a bakery in Denver.\n\n“The ovens never sleep,” Lopez "
                     "chuckled. “Neither do I.”").quotes
    q = next(x for x in quotes if x.content.text.startswith("The ovens"))
    assert _span_text(q) == ("chuckled", "Lopez")
    assert q.speaker.entity == "Maria Lopez"


def test_a_verb_after_a_quote_that_ends_its_sentence_is_no_cue() -> None:
    # the quote ends with '.': the next sentence's verb is not in the cue slot
    quotes = _quotes("Maria Lopez runs a bakery in Denver.\n\n“The ovens never sleep.” Tom "
                     "smiled at the customers.").quotes
    assert all(q.cue is None or q.cue.text != "smiled" for q in quotes)


def test_an_uncued_quote_after_a_narrated_sentence_takes_its_subject() -> None:
    # no cue in the quote's sentence, no quote earlier in the paragraph: the sentence
    # before introduces the speaker (not the previous paragraph's quote)
    quotes = _quotes("“We open at six,” said Tom Berg, the manager.\n\nMaria Gonzalez waited "
                     "outside the clinic on Monday. “It saves us hours every week.”").quotes
    q = next(x for x in quotes if x.content.text.startswith("It saves"))
    assert q.speaker.entity == "Maria Gonzalez"
    assert _span_text(q) == ("waited", "Maria Gonzalez")


def test_an_uncued_quote_after_a_quote_in_its_paragraph_goes_on_quoting_it() -> None:
    # a quote earlier in the paragraph: the narration between is an aside, the speaker
    # stays the quote's ('"A," Berg said. Ruiz nodded. "B."' is Berg's)
    quotes = _quotes("“We open at six,” said Tom Berg, the manager. Ana Ruiz nodded at the "
                     "customers. “We close at nine.”").quotes
    q = next(x for x in quotes if "close at nine" in x.content.text)
    assert q.speaker.entity == "Tom Berg"


def test_a_home_town_after_an_age_stays_in_the_source() -> None:
    q = _only("“The line was short,” said Ann Lee, 59, of Dayton.")
    assert _span_text(q) == ("said", "Ann Lee, 59, of Dayton")


def test_a_place_after_a_name_without_an_age_ends_the_source() -> None:
    q = _only("“The line was short,” said Ann Lee, in Dayton on Tuesday.")
    assert _span_text(q) == ("said", "Ann Lee")


def test_subject_of_an_inverted_cue_takes_the_name_after_it() -> None:
    # 'The plan works, said Ann Lee.' parsed with both 'plan' and 'Lee' as subjects of
    # 'said': after a comma, the name right after the verb is the speaker
    rows: list[Row] = [
        ("The", "DET", 1, "det", "the"), ("plan", "NOUN", 5, "nsubj", "plan"),
        ("works", "VERB", 5, "ccomp", "work"), (",", "PUNCT", 5, "punct", ","),
        ("then", "ADV", 5, "advmod", "then"),
        ("said", "VERB", 5, "ROOT", "say"), ("Ann", "PROPN", 7, "compound", "Ann"),
        ("Lee", "PROPN", 5, "nsubj", "Lee"), (".", "PUNCT", 5, "punct", "."),
    ]
    subj = subject_of(_doc(rows)[5])
    assert subj is not None and subj.text == "plan"  # 'then' stands between: no inversion
    rows[4] = (",", "PUNCT", 5, "punct", ",")
    subj = subject_of(_doc(rows)[5])
    assert subj is not None and subj.text == "Lee"


def test_a_colon_sentence_ending_the_paragraph_before_introduces_the_speaker() -> None:
    quotes = _quotes("Maria Gonzalez sent the board a long letter about the pier after the "
                     "meeting:\n\n“We cannot wait another year for the repairs.”").quotes
    q = next(x for x in quotes if x.content.text.startswith("We cannot"))
    assert q.speaker.entity == "Maria Gonzalez"


def test_a_plain_sentence_ending_the_paragraph_before_introduces_nobody() -> None:
    quotes = _quotes("Maria Gonzalez sent the board a long letter about the pier after the "
                     "meeting.\n\n“We cannot wait another year for the repairs.”").quotes
    q = next(x for x in quotes if x.content.text.startswith("We cannot"))
    assert q.speaker.entity is None

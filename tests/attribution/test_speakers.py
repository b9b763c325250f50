"""Who said what on unseen news (issue 15): quote parts, non-speech frames, speaker
constraints, roles, descriptors and block quotes.

Each defect the issue names has one parsed case here (the small English model, no
embedder); each text is parsed once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

import takeaways
from takeaways.api import analyze
from takeaways.attribution import Quote, Quotes, extract_quotes, quotes_from_doc
from tests.conftest import assert_span_in


@cache
def _quotes(text: str) -> Quotes:
    return extract_quotes(analyze(takeaways.read(text, kind="plain")))


def _speakers(text: str) -> list[tuple[str | None, str]]:
    return [(q.speaker.entity, q.speaker.how) for q in _quotes(text).quotes]


def _check_offsets(q: Quotes) -> None:
    for quote in q.quotes:
        for span in (quote.content, quote.cue, quote.speaker.mention, *quote.parts):
            if span is not None:
                assert_span_in(q.article.text, span.start, span.end, span.text)


# -- quote parts --------------------------------------------------------------------

SPLIT = ('"Had it happened an hour later, we would all be dead," Khaled Al-Maeena said. '
         '"Had it happened five hours earlier, nobody would have noticed."')


def test_speakers_quote_split_by_its_cue_is_one_quote_with_parts() -> None:
    q = _quotes(SPLIT)
    assert len(q.quotes) == 1
    quote = q.quotes[0]
    assert quote.kind == "direct" and quote.speaker.entity == "Khaled Al-Maeena"
    assert quote.cue is not None and quote.cue.text == "said"
    assert [p.text for p in quote.parts] == [
        "Had it happened an hour later, we would all be dead,",
        "Had it happened five hours earlier, nobody would have noticed.",
    ]
    # the overall content span stays (backward compatible) and the parts leave the cue out
    assert quote.content.start == quote.parts[0].start
    assert quote.content.end == quote.parts[-1].end
    assert all(not (p.start <= quote.cue.start < p.end) for p in quote.parts)
    _check_offsets(q)


def test_speakers_separate_quoted_phrases_stay_separate_quotes() -> None:
    text = ('Applications "must be completed in English", the government recommending '
            '"online translation tools" for those who need them.')
    q = _quotes(text)
    assert [[p.text for p in x.parts] for x in q.quotes] == [
        ["must be completed in English"], ["online translation tools"]]
    assert all(len(x.parts) == 1 and x.content == x.parts[0] for x in q.quotes)


def test_speakers_partial_quote_and_next_sentence_stay_two_quotes() -> None:
    text = ('The plan was described as "a grab" by Olaf Scholz in an interview. '
            '"What we need is a fair peace."')
    q = _quotes(text)
    assert [x.content.text for x in q.quotes] == ["a grab", "What we need is a fair peace."]
    assert {x.speaker.entity for x in q.quotes} == {"Olaf Scholz"}


# -- headings and non-speech frames ---------------------------------------------------


@pytest.fixture(scope="module")
def seed_quotes(seed_analysis: Any) -> Quotes:
    return extract_quotes(seed_analysis)


def test_speakers_seed_has_no_heading_or_non_speech_quote(seed_quotes: Quotes) -> None:
    article = seed_quotes.article
    plain_headings = [h for h in article.headings if '"' not in h.text]
    assert plain_headings  # "Zelenskyy calls for Russian troop withdrawal"
    for quote in seed_quotes.quotes:
        assert not any(h.start <= quote.content.start < h.end for h in plain_headings), quote
        assert "referring to" not in (quote.cue.text if quote.cue else "")
        assert "Russia-controlled TV channel" not in quote.content.text
        assert not quote.content.text.startswith("were described as")
    grab = next(x for x in seed_quotes.quotes if "imperialist grab" in x.content.text)
    assert grab.content.text == "an imperialist grab in documents"
    assert (grab.kind, grab.speaker.entity) == ("direct", "Olaf Scholz")


def test_speakers_according_to_needs_a_clause() -> None:
    text = ("Putin's proposals, according to the politician, were described as a grab. "
            "According to Emmanuel Macron, talks will resume.")
    got = [(x.cue.text if x.cue else None, x.content.text) for x in _quotes(text).quotes]
    assert ("According to", "talks will resume") in got
    assert not any(c.startswith("were described") or c == "Putin's proposals" for _, c in got)


# -- speaker constraints --------------------------------------------------------------


def test_speakers_a_dead_child_never_speaks_for_the_parent() -> None:
    text = ('Gloria Ramos, 4, drowned in the flood on Sunday. Her father, Luis Ramos, '
            'searched for hours.\n\n"We never stopped looking," he said.')
    assert _speakers(text)[0][0] == "Luis Ramos"


def test_speakers_a_child_reported_dead_is_skipped_though_nearest() -> None:
    text = ('Luis Ramos searched the river for hours. His son, Tomas Ramos, 6, drowned on '
            'Sunday.\n\n"We never stopped looking," he said.')
    assert _speakers(text) == [("Luis Ramos", "pronoun:previous-subject")]


def test_speakers_pronoun_skips_a_person_inside_reported_words() -> None:
    text = ("The gallery owner Kevin Allton bought three prints in 1990. Allton said Andy "
            'Warhol was a careful printer.\n\n"Nobody else could do it like that," he added.')
    assert _speakers(text)[-1] == ("Kevin Allton", "pronoun:previous-speaker")


def test_speakers_a_reply_is_the_other_speaker() -> None:
    text = ('Donald Trump said Hillary Clinton lied about the emails. "That is simply '
            'false," she replied.')
    assert _speakers(text)[-1][0] == "Hillary Clinton"


def test_speakers_gender_from_a_kinship_apposition() -> None:
    text = ('Her mother, Ana Silva, and the coach Rui Costa spoke to reporters.\n\n'
            '"She trained every day," he said.')
    assert _speakers(text)[0][0] == "Rui Costa"


# -- roles and descriptors -------------------------------------------------------------


def test_speakers_possessive_role_is_the_named_holder() -> None:
    text = ('Prime Minister Najib Razak met the envoy on Monday. "We will not bow to '
            "pressure,\" Malaysia's Prime Minister said.")
    quote = _quotes(text).quotes[0]
    assert (quote.speaker.entity, quote.speaker.how) == ("Najib Razak", "role:apposition")
    assert quote.speaker.mention is not None
    assert quote.speaker.mention.text == "Malaysia's Prime Minister"


def test_speakers_role_of_an_organisation_then_the_name() -> None:
    quote = _quotes('"This is a disgrace," said the CEO of the Refugee Council Enver '
                    "Solomon.").quotes[0]
    assert quote.speaker.entity == "Enver Solomon"


def test_speakers_someone_for_a_named_person_is_not_that_person() -> None:
    quote = _quotes('Senator John Smith left early. "No comment," said a spokesman for '
                    "John Smith.").quotes[0]
    assert quote.speaker.entity != "John Smith"
    assert quote.speaker.how == "descriptor"


# -- block quotes -------------------------------------------------------------------------

BLOCKS = ("Senator Mary Holt spoke on Monday. She wrote on Twitter:\n\nThe bill will pass "
          "this week and nobody can stop it.\n\nThe vote is on Friday.\n\nThe mayor disagreed."
          "\n\nWe have waited long enough for this bridge to open.\n\nJohn Smith, the mayor, "
          "wrote in a letter to residents.")


def _block_quotes() -> list[Quote]:
    article = takeaways.read(BLOCKS, kind="plain")
    analysis = analyze(article)
    ranges = []
    for first, last in (("The bill", "stop it."), ("We have", "to open.")):
        ranges.append((BLOCKS.index(first), BLOCKS.index(last) + len(last)))
    q = quotes_from_doc(analysis.doc, article, block_quotes=ranges)
    _check_offsets(q)
    return q.quotes


def test_speakers_block_quotes_take_the_nearest_cue() -> None:
    got = [(x.kind, x.speaker.entity, x.cue.text if x.cue else None, x.content.text)
           for x in _block_quotes()]
    assert got == [
        ("direct", "Mary Holt", "wrote", "The bill will pass this week and nobody can stop it."),
        ("direct", "John Smith", "wrote", "We have waited long enough for this bridge to open."),
    ]


# -- titles are not quotes ------------------------------------------------------------


def test_speakers_a_show_title_after_the_cue_is_no_quote_part() -> None:
    q = _quotes("On Sunday, Trump went on the offensive.\n\n“She just made it up,” he said of "
                "the claim during a call to ABC’s “This Week.”\n\nClinton did not reply.")
    assert [x.content.text for x in q.quotes if x.kind == "direct"] == ["She just made it up,"]
    assert len(q.quotes[0].parts) == 1


def test_speakers_a_titled_ad_is_no_quote_but_a_headline_quote_is() -> None:
    q = _quotes("Trump says in the spot titled “Dangerous,” that the border is open.")
    assert not any(x.content.text.startswith("Dangerous") for x in q.quotes)
    q = _quotes("Kasich: “We Are Going To Cleveland.”\n\nThe governor spoke on Tuesday.")
    assert any(x.content.text.startswith("We Are Going") for x in q.quotes)


# -- a pronoun after a descriptor speaker ---------------------------------------------


def test_speakers_pronoun_continues_a_descriptor_speaker() -> None:
    q = _quotes("“There should be a lot of systems,” the businessman replied.\n\n"
                "“I would certainly implement that, absolutely,” he added.")
    assert [(x.speaker.entity, x.speaker.how) for x in q.quotes] == [
        ("the businessman", "descriptor"),
        ("the businessman", "pronoun:previous-speaker-descriptor")]
    _check_offsets(q)


def test_speakers_pronoun_skips_a_descriptor_of_another_number_or_gender() -> None:
    q = _quotes("“We are ready,” the officials said.\n\n“It will be fine,” he added.")
    assert q.quotes[1].speaker.entity != "the officials"
    q = _quotes("“We are ready,” his mother said.\n\n“It will be fine,” he added.")
    assert q.quotes[1].speaker.entity != "his mother"

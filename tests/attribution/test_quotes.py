"""Quotes on real text (spaCy loads once per session; marked slow)."""

from __future__ import annotations

from typing import Any

import pytest

import takeaways
from takeaways.api import analyze
from takeaways.attribution import Quotes, extract_quotes
from takeaways.attribution.build import build_quotes_hybrid
from takeaways.schema import validate
from tests.conftest import assert_span_in

# not `slow`: these need only the small spaCy model, not the embedder or dev data, so
# `make test-fast` covers the attribution rules


def _quotes(text: str) -> Quotes:
    return extract_quotes(analyze(takeaways.read(text, kind="plain")))


def _check_offsets(q: Quotes) -> None:
    text = q.article.text
    for quote in q.quotes:
        for quote_or_inner in [quote, *quote.embedded]:
            spans = [
                quote_or_inner.content,
                quote_or_inner.cue,
                quote_or_inner.speaker.mention,
                *quote_or_inner.parts,
            ]
            for span in spans:
                if span is not None:
                    assert_span_in(text, span.start, span.end, span.text)
    for e in q.entities:
        for a in e.aliases:
            assert_span_in(text, a.start, a.end, a.text)
    for m in q.mentions:
        assert_span_in(text, m.start, m.end, m.text)


@pytest.fixture(scope="module")
def seed_quotes(seed_analysis: Any) -> Quotes:
    return extract_quotes(seed_analysis)


def test_quotes_seed_speakers(seed_quotes: Quotes, seed_expected: dict[str, Any]) -> None:
    expected = seed_expected["quotes"]
    for kind in ("direct", "indirect"):
        for fragment, who in expected[kind]:
            hits = [q for q in seed_quotes.quotes if fragment in q.content.text]
            assert any(q.speaker.entity == who for q in hits), (fragment, who, hits)


def test_quotes_seed_alias_groups(seed_quotes: Quotes, seed_expected: dict[str, Any]) -> None:
    text = seed_quotes.article.text
    for name, aliases in seed_expected["entities"].items():
        if name == "note":
            continue
        entity = seed_quotes.entity(name)
        assert entity is not None and entity.name == name
        for alias in aliases:
            if alias not in text:  # e.g. the caption, dropped by the reader
                continue
            start = text.index(alias)
            m = seed_quotes.resolve(start, start + len(alias))
            assert m is not None and m.entity == name, (alias, m)
            assert seed_quotes.entity(alias) is not None


def test_quotes_seed_nested_and_pronouns(seed_quotes: Quotes) -> None:
    hitler = next(q for q in seed_quotes.quotes if "Hitler did the same" in q.content.text)
    assert hitler.speaker.entity == "Volodymyr Zelenskyy"
    assert [e.content.text for e in hitler.embedded] == [
        "Give me a part of Czechoslovakia and we'll end it all,"
    ]
    assert hitler.embedded[0].speaker.entity == "Hitler"
    text = seed_quotes.article.text
    added = text.index("he added")
    m = seed_quotes.resolve(added, added + 2)
    assert m is not None and m.entity == "Vladimir Putin" and m.how.startswith("pronoun")
    peskov = next(q for q in seed_quotes.quotes if "a peace initiative" in q.content.text)
    assert peskov.speaker.how == "role:apposition"


def test_quotes_seed_offsets_and_schema(seed_quotes: Quotes) -> None:
    _check_offsets(seed_quotes)
    validate(seed_quotes.to_dict(), "quotes")
    assert seed_quotes.strategies["quotes.attribution"] == "quotes.hybrid.v1"


def test_quotes_indirect_cues() -> None:
    q = _quotes(
        "Angela Merkel stated that the deal was dead. According to Emmanuel Macron, talks will "
        "resume. Merkel expressed confidence that Europe would agree. "
        "Macron called for new elections."
    )
    got = {(x.kind, x.speaker.entity, x.content.text) for x in q.quotes}
    assert ("indirect", "Angela Merkel", "that the deal was dead") in got
    assert ("indirect", "Emmanuel Macron", "talks will resume") in got
    assert ("indirect", "Angela Merkel", "that Europe would agree") in got
    assert ("indirect", "Emmanuel Macron", "new elections") in got
    _check_offsets(q)


def test_quotes_smart_and_straight_mixed_and_split() -> None:
    q = _quotes(
        'Mayor Jane Doe spoke on Monday. "We will rebuild," Doe said. “Nothing will stop us.”\n\n'
        "“The city is strong,” she added."
    )
    assert [x.speaker.entity for x in q.quotes] == ["Jane Doe", "Jane Doe"]
    first = q.quotes[0]
    assert [p.text for p in first.parts] == ["We will rebuild,", "Nothing will stop us."]
    assert q.quotes[1].speaker.how.startswith("pronoun")
    _check_offsets(q)


def test_quotes_no_speaker_anywhere() -> None:
    q = _quotes("“Nobody knows where this ends.”\n\nThe storm moved north overnight.")
    assert len(q.quotes) == 1
    speaker = q.quotes[0].speaker
    assert speaker.entity is None and speaker.mention is None and speaker.how.startswith("none:")


def test_quotes_heading_quote_takes_body_speaker(seed_quotes: Quotes) -> None:
    heading = next(h for h in seed_quotes.article.headings if h.text.startswith('"'))
    q = next(x for x in seed_quotes.quotes if heading.start <= x.content.start < heading.end)
    assert q.speaker.entity == "Olaf Scholz" and q.speaker.how == "heading:repeated-quote"


def test_quotes_unbalanced_mark_never_fails() -> None:
    q = _quotes('The minister said "this is fine. "We go on," said Minister Anna Berg.')
    assert q.warnings
    _check_offsets(q)


def test_quotes_spacy_component_add_pipe() -> None:
    import spacy

    from takeaways.attribution import register_component
    from takeaways.nlp.models import get_nlp

    nlp = spacy.load(get_nlp().path)  # a private copy: the shared pipeline stays as is
    nlp.add_pipe(register_component())
    doc = nlp('"We will win," said Senator John Smith.')
    result = doc._.takeaways_quotes
    assert result.quotes[0].speaker.entity == "John Smith"
    assert result.quotes[0].content.text == "We will win,"


def test_quotes_build_is_cached(seed_analysis: Any) -> None:
    cached = extract_quotes(seed_analysis)
    assert extract_quotes(seed_analysis) is cached
    assert build_quotes_hybrid(seed_analysis).to_dict()["quotes"] == cached.to_dict()["quotes"]


def test_quotes_polnear_style_cues_and_spans() -> None:
    q = _quotes(
        "Senator Mary Holt visited Ohio on Monday.\n\n"
        "“Have you started writing the speech?” Holt replied. “Not yet.”\n\n"
        "“It will be long.”\n\n"
        "Cecile Richards: “We will not back down.”\n\n"
        "The plan was backed by Tom Reyes, who says it is “a real win.”\n\n"
        "Holt told reporters she thought Reyes had “made up the story.”\n\n"
        "''This is fine,'' said Ann Lee, 59, of Dayton, who voted early."
    )
    by_text = {x.content.text: x for x in q.quotes}
    replied = next(x for x in q.quotes if x.content.text.startswith("Have you started"))
    assert replied.speaker.entity == "Mary Holt" and replied.cue and replied.cue.text == "replied"
    assert replied.content.text.endswith("It will be long.")  # the next paragraph goes on
    colon = by_text["We will not back down."]
    assert colon.speaker.mention and colon.speaker.mention.text == "Cecile Richards"
    who = next(x for x in q.quotes if "a real win" in x.content.text)
    assert who.speaker.mention and who.speaker.mention.text == "who"
    assert who.speaker.entity == "Tom Reyes"
    told = next(x for x in q.quotes if "made up the story" in x.content.text)
    assert told.kind == "mixed" and told.speaker.entity == "Mary Holt"
    assert told.content.text.startswith("she thought Reyes had")
    nyt = by_text["This is fine,"]
    assert nyt.kind == "direct" and nyt.speaker.entity == "Ann Lee"
    _check_offsets(q)


def test_quotes_belief_and_criticism_cues() -> None:
    q = _quotes(
        "Senator Mary Holt accused Governor Tom Reyes of hiding the budget. "
        "Reyes believes that the budget is sound. "
        "Holt issued a statement that the audit would continue."
    )
    got = {(x.speaker.entity, x.content.text) for x in q.quotes}
    assert ("Mary Holt", "hiding the budget") in got
    assert ("Tom Reyes", "that the budget is sound") in got
    assert ("Mary Holt", "that the audit would continue") in got
    _check_offsets(q)


def test_quotes_pronoun_skips_a_person_of_the_other_gender() -> None:
    text = ("Ms. Kelly confronted Mr. Trump about his remarks during the first debate.\n\n"
            "\"She was out of line,\" he said on Friday.")
    q = takeaways.quotes(takeaways.read(text, kind="plain"))
    _check_offsets(q)
    said = next(x for x in q.quotes if "out of line" in x.content.text)
    assert said.speaker.entity is not None and "Trump" in said.speaker.entity
    assert said.speaker.how.startswith("pronoun")
    trump = next(e for e in q.entities if "Trump" in e.name)
    assert trump.type == "PERSON"


@pytest.mark.parametrize(
    ("text", "speaker", "cue"),
    [
        ("Band member Anthony Kiedis shared the news on social media last week, writing "
         "\u201cFeels great to support someone I believe in.\u201d", "Anthony Kiedis", "writing"),
        ("Senator Maria Lopez ended her speech by saying \u201cToo many lives are lost.\u201d",
         "Maria Lopez", "saying"),
    ],
)
def test_quotes_reporting_participle_before_the_quote(text: str, speaker: str, cue: str) -> None:
    q = takeaways.quotes(takeaways.read(text, kind="plain"))
    _check_offsets(q)
    direct = [x for x in q.quotes if x.kind == "direct"]  # ('shared the news' is one too)
    assert len(direct) == 1
    quote = direct[0]
    assert quote.cue is not None and quote.cue.text == cue
    assert quote.speaker.entity == speaker


def test_quotes_cue_with_colon_ending_the_paragraph_before() -> None:
    text = ("Senator Ted Cruz answered the moderators on Tuesday night. Cruz continued:\n\n"
            "\u201cYou look at the questions, and they are unfair to every candidate here.\u201d")
    q = takeaways.quotes(takeaways.read(text, kind="plain"))
    _check_offsets(q)
    quote = next(x for x in q.quotes if "unfair" in x.content.text)
    assert quote.speaker.entity == "Ted Cruz"
    assert quote.cue is not None and quote.cue.text == "continued"

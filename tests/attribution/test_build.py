"""The quote graph as a whole (`takeaways.attribution.build`): what every result keeps.

Every span indexes the article text by its offsets, every speaker and mention names an
entity of the graph, quotes come in text order with the sentences they touch, strategy
names are versioned, and building needs the parse only (no sentence embedder).
"""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np
import pytest

import takeaways
from takeaways.attribution import (
    STRATEGIES,
    Quote,
    Quotes,
    build_quotes,
    extract_quotes,
    quotes_from_doc,
)
from takeaways.attribution.result import KINDS
from takeaways.nlp.analyze import Analysis
from takeaways.schema import validate
from tests.conftest import assert_span_in

TEXTS = {
    "frames": (
        "Russian President Vladimir Putin met Xi Jinping in Astana. Putin said the talks "
        'went well. "Our ties are strong," the Russian president said later.\n\n'
        '"We will win," said Senator John Smith. According to Emmanuel Macron, the talks '
        "will resume next week."
    ),
    "split-and-pronoun": (
        'Mayor Jane Doe spoke on Monday. "We will rebuild," Doe said. \u201cNothing will stop '
        "us.\u201d\n\n\u201cThe city is strong,\u201d she added. Microsoft said that its "
        "offices would reopen."
    ),
    "embedded": (
        "Chancellor Olaf Scholz said: \"Putin told me 'we will never give up' and I believe "
        'him."'
    ),
    "multi-paragraph": (
        'Mayor Jane Doe opened the new bridge on Monday.\n\n"This bridge will last a century.'
        '\n\n"Every family will use it," Doe said.'
    ),
    "no-speaker": "\u201cNobody knows where this ends.\u201d\n\nThe storm moved north overnight.",
}


@pytest.fixture(scope="module")
def graphs(seed_analysis: Any) -> dict[str, Quotes]:
    out = {name: extract_quotes(_analysis(text)) for name, text in TEXTS.items()}
    out["seed"] = extract_quotes(seed_analysis)
    return out


CASES = [*TEXTS, "seed"]


def _analysis(text: str) -> Analysis:
    return Analysis(takeaways.read(text, kind="plain"))


def _all(q: Quotes) -> list[Quote]:
    return [x for quote in q.quotes for x in (quote, *quote.embedded)]


@pytest.mark.parametrize("name", CASES)
def test_every_span_indexes_the_article_text(graphs: dict[str, Quotes], name: str) -> None:
    q = graphs[name]
    text = q.article.text
    for quote in _all(q):
        spans = [quote.content, quote.cue, quote.speaker.mention, *quote.parts]
        for span in spans:
            if span is not None:
                assert_span_in(text, span.start, span.end, span.text)
        for part in quote.parts:
            assert quote.content.start <= part.start <= part.end <= quote.content.end
    for e in q.entities:
        for a in e.aliases:
            assert_span_in(text, a.start, a.end, a.text)
    for m in q.mentions:
        assert_span_in(text, m.start, m.end, m.text)


@pytest.mark.parametrize("name", CASES)
def test_speakers_and_mentions_are_entities_of_the_graph(
    graphs: dict[str, Quotes], name: str
) -> None:
    q = graphs[name]
    names = [e.name for e in q.entities]
    for quote in _all(q):
        if quote.speaker.entity is not None:
            assert quote.speaker.entity in names, quote
        else:
            assert quote.speaker.how.startswith("none")
    for m in q.mentions:
        assert m.entity in names, m
        assert q.resolve(m.start, m.end) is not None


@pytest.mark.parametrize(
    "name",
    [
        *TEXTS,
        "seed",  # "Kiev" is tagged ORG in one place and GPE in another: one entity
    ],
)
def test_entity_names_are_unique(graphs: dict[str, Quotes], name: str) -> None:
    names = [e.name for e in graphs[name].entities]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", CASES)
def test_entities_have_stable_ids_that_mentions_and_speakers_use(
    graphs: dict[str, Quotes], name: str,
) -> None:
    q = graphs[name]
    ids = [e.id for e in q.entities]
    assert len(ids) == len(set(ids)) and all(i.startswith("e") for i in ids)
    by_id = {e.id: e for e in q.entities}
    for m in q.mentions:
        assert m.entity_id  # internal clusters (nationalities) have ids but no entity
        if m.entity_id in by_id:
            assert by_id[m.entity_id].name == m.entity
    for quote in q.quotes:
        if quote.speaker.entity_id is not None:
            assert by_id[quote.speaker.entity_id].name == quote.speaker.entity


@pytest.mark.parametrize("name", CASES)
def test_quotes_in_text_order_with_their_sentences(graphs: dict[str, Quotes], name: str) -> None:
    q = graphs[name]
    starts = [(x.content.start, x.content.end) for x in q.quotes]
    assert starts == sorted(starts)
    for quote in q.quotes:
        assert quote.kind in KINDS
        touched = tuple(
            s.id for s in q.article.sentences
            if s.start < quote.content.end and quote.content.start < s.end
        )
        assert quote.sentence_ids == touched
        in_heading = any(h.start <= quote.content.start < h.end for h in q.article.headings)
        assert touched or in_heading  # headings hold no article sentences
        for sid in touched:
            assert quote in q.quotes_in_sentence(sid)
    validate(q.to_dict(), "quotes")


def test_strategy_names(graphs: dict[str, Quotes]) -> None:
    assert set(STRATEGIES) == {
        "quotes.marks", "quotes.attribution", "quotes.entities", "quotes.pronouns"
    }
    for key, value in STRATEGIES.items():
        assert re.fullmatch(r"quotes\.[a-z_]+\.v\d+", value), value
        assert value.startswith(key.split(".")[0] + ".")
    assert STRATEGIES["quotes.attribution"] == "quotes.hybrid.v1"  # the default
    for q in graphs.values():
        assert q.strategies == STRATEGIES and q.strategies is not STRATEGIES


def test_strategy_ablation_records_what_ran() -> None:
    """The rules alone, the learned cue model alone and both: each result says which ran,
    and the model adds a frame the verb rules do not know ('backed Clinton')."""
    analysis = _analysis("Senator Bernie Sanders backed Hillary Clinton on Tuesday.")
    got = {}
    for strategy in ("quotes.rules.v1", "quotes.model.v1", "quotes.hybrid.v1"):
        q = quotes_from_doc(analysis.doc, analysis.article, strategy=strategy)
        assert q.strategies["quotes.attribution"] == strategy
        got[strategy] = [(x.cue.text if x.cue else None, x.content.text) for x in q.quotes]
    assert got["quotes.rules.v1"] == []
    assert got["quotes.hybrid.v1"] == got["quotes.model.v1"] == [("backed", "Hillary Clinton")]


def test_build_from_doc_equals_build_from_analysis() -> None:
    analysis = _analysis(TEXTS["frames"])
    from_analysis = build_quotes(analysis).to_dict()
    from_doc = quotes_from_doc(analysis.doc, analysis.article,
                               strategy="quotes.rules.v1").to_dict()
    assert from_doc == from_analysis


def test_what_each_text_gives(graphs: dict[str, Quotes]) -> None:
    """One line per quote, ``kind speaker (how): text``, for the small texts."""
    def lines(q: Quotes) -> list[str]:
        return [f"{x.kind} {x.speaker.entity} ({x.speaker.how}): {x.content.text}"
                for x in q.quotes]

    assert lines(graphs["frames"]) == [
        "indirect Vladimir Putin (surname): the talks went well",
        "direct Vladimir Putin (role:apposition): Our ties are strong,",
        "direct John Smith (named): We will win,",
        "indirect Emmanuel Macron (named): the talks will resume next week",
    ]
    assert lines(graphs["split-and-pronoun"]) == [
        'direct Jane Doe (surname): We will rebuild," Doe said. \u201cNothing will stop us.',
        "direct Jane Doe (pronoun:previous-speaker): The city is strong,",
        "indirect Microsoft (named): that its offices would reopen",
    ]
    embedded = graphs["embedded"].quotes[0].embedded
    assert [(e.content.text, e.speaker.entity, e.cue.text if e.cue else None)
            for e in embedded] == [("we will never give up", "Putin", "told")]
    assert lines(graphs["no-speaker"]) == [
        "direct None (none: no cue and no earlier speaker in this or the previous paragraph): "
        "Nobody knows where this ends."
    ]


def test_every_resolvable_pronoun_gets_a_mention(graphs: dict[str, Quotes]) -> None:
    q = graphs["split-and-pronoun"]
    pronouns = [(m.text, m.entity, m.how) for m in q.mentions if m.how.startswith("pronoun")]
    assert pronouns == [("she", "Jane Doe", "pronoun:previous-speaker"),
                        ("its", "Microsoft", "pronoun:previous-subject")]
    # pronouns are mentions, not aliases
    doe = q.entity("Jane Doe")
    assert doe is not None and "she" not in [a.text for a in doe.aliases]


def test_unbalanced_mark_warns_and_never_fails() -> None:
    q = extract_quotes(_analysis(
        'The minister said "this is fine. "We go on," said Minister Anna Berg on Monday.'
    ))
    assert q.warnings and all("unbalanced" in w or "closing" in w for w in q.warnings)
    for quote in q.quotes:
        assert_span_in(q.article.text, quote.content.start, quote.content.end,
                       quote.content.text)


class _NoEmbedder:
    name = "must-not-be-used"

    def encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError("the quote graph used the sentence embedder")


def test_attribution_does_not_embed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The quote graph needs the parse only: no embedder is asked for or used."""
    import takeaways.nlp.analyze
    import takeaways.nlp.models

    def refuse() -> None:
        raise AssertionError("the quote graph asked for the sentence embedder")

    monkeypatch.setattr(takeaways.nlp.models, "get_embedder", refuse)
    monkeypatch.setattr(takeaways.nlp.analyze, "get_embedder", refuse)
    had_st = "sentence_transformers" in sys.modules
    article = takeaways.read(TEXTS["split-and-pronoun"], kind="plain")
    q = extract_quotes(Analysis(article, embedder=_NoEmbedder()))
    assert q.quotes
    q = extract_quotes(Analysis(article))  # no embedder given: none is created
    assert q.quotes
    assert had_st or "sentence_transformers" not in sys.modules


def test_an_uncued_quote_that_goes_on_from_the_previous_keeps_its_mention_and_cue() -> None:
    """'... "A," she said. "B."' after a mixed quote: B is not merged into it (a mixed
    quote has no quoted parts), so it inherits the speaker, and with it the mention and
    cue that say who speaks ('she', 'said'), both offsets into the article."""
    text = ("Ava DuVernay said she felt the amendment was worth examining because \u201cmost "
            "people don\u2019t know about that loop-hole,\u201d she said. \u201cWe have no "
            "context for the current moment if we don\u2019t know where we came from.\u201d")
    article = takeaways.read(text, kind="plain")
    first, second = takeaways.quotes(article).quotes
    assert second.kind == "direct" and second.speaker.how == "inherited:previous-quote"
    assert second.speaker.mention == first.speaker.mention
    mention = second.speaker.mention
    assert mention is not None and mention.text == "she"
    assert text[mention.start:mention.end] == "she"
    assert second.cue == first.cue and second.cue is not None and second.cue.text == "said"
    assert text[second.cue.start:second.cue.end] == "said"
    assert second.speaker.entity == first.speaker.entity

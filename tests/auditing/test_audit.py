"""The audit end to end on a hand-made article (spaCy loads: marked slow; fake embedder)."""

from __future__ import annotations

import pytest

import takeaways
from takeaways.api import analyze
from takeaways.api import audit as api_audit
from takeaways.auditing import Audit, audit_summary
from takeaways.schema import validate
from tests.conftest import assert_span_in

pytestmark = pytest.mark.slow

ARTICLE = (
    "Mayor Anna Berg opened the new bridge in Riverton on Monday. "
    "The bridge cost 40 million euros and took three years to build.\n\n"
    "\"This bridge joins our two halves,\" Berg said at the ceremony. "
    "Engineer Tom Hale said the bridge was not finished on time.\n\n"
    "Critics from the Green Party called the project \"a waste of money\" last year."
)


@pytest.fixture(scope="module")
def analysis():  # type: ignore[no-untyped-def]
    return analyze(takeaways.read(ARTICLE, kind="plain"))


def _check_offsets(report: Audit) -> None:
    text = report.article.text
    for c in report.claims:
        for e in c.evidence:
            assert_span_in(text, e.start, e.end, e.text)
        if c.faulty_span is not None:
            assert_span_in(c.text, c.faulty_span.start, c.faulty_span.end, c.faulty_span.text)


def _one(analysis, claim: str):  # type: ignore[no-untyped-def]
    report = audit_summary(analysis, [claim])
    _check_offsets(report)
    return report.claims[0]


def test_audit_verbatim_claim_is_supported_with_evidence(analysis) -> None:  # type: ignore[no-untyped-def]
    c = _one(analysis, "Mayor Anna Berg opened the new bridge in Riverton on Monday.")
    assert c.verdict == "supported"
    assert c.evidence and "opened the new bridge" in c.evidence[0].text
    assert c.faulty_span is None and c.error_types == []


def test_audit_changed_figure_is_caught(analysis) -> None:  # type: ignore[no-untyped-def]
    c = _one(analysis, "The bridge cost 90 million euros and took three years to build.")
    assert c.verdict in ("contradicted", "unsupported")
    assert "circumstance" in c.error_types
    assert c.faulty_span is not None and c.faulty_span.text == "90"


def test_audit_flipped_negation_is_flagged(analysis) -> None:  # type: ignore[no-untyped-def]
    # Negation is a soft signal (a hard rule was no better than chance on FRANK dev): it
    # always shows in the debug output and decides the verdict when the score fails.
    c = _one(analysis, "Engineer Tom Hale said the bridge was finished on time.")
    neg = c.signals["audit.signal.negation.v1"]
    assert neg.features["mismatch"] == 1.0
    assert [f.verdict for f in neg.findings] == ["contradicted"]
    assert neg.findings[0].error_type == "predicate"
    if c.verdict != "supported":
        assert c.verdict == "contradicted" and "predicate" in c.error_types


def test_audit_misquote_is_unsupported(analysis) -> None:  # type: ignore[no-untyped-def]
    c = _one(analysis, 'Berg said: "This bridge divides our town."')
    assert c.verdict == "unsupported"
    assert c.faulty_span is not None and c.faulty_span.text == "This bridge divides our town."


def test_audit_quote_given_to_the_wrong_person_is_misattributed(analysis) -> None:  # type: ignore[no-untyped-def]
    c = _one(analysis, 'Tom Hale said "This bridge joins our two halves".')
    assert c.verdict == "misattributed"
    assert c.faulty_span is not None and "Hale" in c.faulty_span.text


def test_audit_unknown_entity_is_unsupported(analysis) -> None:  # type: ignore[no-untyped-def]
    c = _one(analysis, "Mayor Anna Berg opened the new bridge in Lakeside on Monday.")
    assert c.verdict == "unsupported" and "entity" in c.error_types
    assert c.faulty_span is not None and c.faulty_span.text == "Lakeside"


def test_audit_signals_are_visible_per_claim(analysis) -> None:  # type: ignore[no-untyped-def]
    report = audit_summary(analysis, "Berg opened the bridge. It cost 40 million euros.")
    assert len(report.claims) == 2
    for c in report.claims:
        assert set(c.signals) >= set(report.strategies[1:-1])
        assert "emb_max" in c.signals["audit.signal.align.v1"].features
    assert report.strategies[0].startswith("audit.claims.")
    assert report.strategies[-1].startswith("audit.verdict.")


def test_audit_output_matches_schema_and_renders(analysis) -> None:  # type: ignore[no-untyped-def]
    summary = "1. Berg opened the bridge.\n2. The bridge cost 90 million euros."
    report = audit_summary(analysis, summary)
    data = report.to_dict()
    validate(data, "audit")
    assert data["type"] == "audit" and data["summary_source"] == "given"
    assert data["verdict"] in ("partly-supported", "unsupported", "supported")
    assert "Berg opened the bridge." in report.to_markdown()
    assert "evidence [" in report.to_text()


def test_audit_without_any_summary_says_so(analysis) -> None:  # type: ignore[no-untyped-def]
    report = audit_summary(analysis)
    assert report.claims == [] and report.verdict == "no-claims" and report.score is None
    assert report.summary_source == "none"
    assert "no summary box" in report.notes[0]
    validate(report.to_dict(), "audit")


def test_audit_defaults_to_the_page_summary(seed_analysis) -> None:  # type: ignore[no-untyped-def]
    report = api_audit(seed_analysis)
    assert report.summary_source == "page" and len(report.claims) == 4
    _check_offsets(report)
    validate(report.to_dict(), "audit")



def test_audit_claim_of_two_sentences_is_checked_sentence_by_sentence(analysis) -> None:  # type: ignore[no-untyped-def]
    both = _one(analysis, "Mayor Anna Berg opened the new bridge in Riverton on Monday. "
                          "The bridge cost 40 million euros and took three years to build.")
    assert both.verdict == "supported"
    assert len(both.evidence) >= 2
    bad = _one(analysis, "Mayor Anna Berg opened the new bridge in Riverton on Monday. "
                         "The bridge cost 90 million euros and took three years to build.")
    assert bad.verdict in ("contradicted", "unsupported")
    assert bad.faulty_span is not None and bad.faulty_span.text == "90"
    assert bad.text[bad.faulty_span.start : bad.faulty_span.end] == "90"


def test_audit_speaker_of_the_sentence_holding_a_quoted_term_is_accepted() -> None:
    art = takeaways.read(
        "Charity workers say that restaurants are disguising the soup on their menus as "
        "'fish fin soup' to avoid inspectors.\n\n"
        "Graham Buckingham, campaign director at Bite-Back, spoke on Monday.\n\n"
        "He said many restaurants could be offering the dish, but many disguised it as "
        "fish fin soup on the menu.",
        kind="plain",
    )
    report = audit_summary(analyze(art), [
        "Buckingham said many restaurants disguised the dish as 'fish fin soup'."])
    speaker = report.claims[0].signals["audit.signal.quote_speaker.v1"]
    assert speaker.findings == []


def test_audit_quote_marks_of_one_quote_never_open_another() -> None:
    """CNN/DM highlights write quotes as ` ... ': the "'" that closes one quote does not
    open a second one running to the next quote's opening mark."""
    art = takeaways.read(
        "Pama, who has no history of violence, was reportedly 'beside himself' with grief.\n\n"
        "Mr Peters said his client grabbed his neighbour by the hand and hit out 'blindly'.",
        kind="plain",
    )
    report = audit_summary(analyze(art), [
        "Pama is reportedly ` beside himself ' His lawyer said he hit out ` blindly ' at once."])
    quoted = [q["text"] for q in
              report.claims[0].signals["audit.signal.quote_verbatim.v1"].debug["quotes"]]
    assert quoted == ["beside himself", "blindly"]
    assert report.claims[0].signals["audit.signal.quote_verbatim.v1"].findings == []


def test_audit_sayer_of_the_sentence_holding_a_scare_quote_is_accepted() -> None:
    """"John Prescott said Mr Pickles had given a 'car crash' interview": the sentence
    names who used the words, even when the quote graph gives a nearby quote to another
    speaker."""
    art = takeaways.read(
        "Simon Walker of the Institute of Directors said: 'Forcing firms to give staff "
        "days off is a car crash for small business, and it will cost jobs.'\n\n"
        "The former Deputy Prime Minister John Prescott said Mr Pickles had given a "
        "'car crash' interview.",
        kind="plain",
    )
    report = audit_summary(analyze(art), [
        "John Prescott described Mr Pickles's interview as a 'car crash'."])
    speaker = report.claims[0].signals["audit.signal.quote_speaker.v1"]
    assert speaker.findings == []


def test_audit_a_one_word_description_is_not_checked_as_a_speaker_name() -> None:
    """"the Aussie calls herself 'the Barbie from Down Under'": a demonym with an article
    describes the speaker; it is not a name the quote graph could hold, so it is never
    judged misattributed."""
    art = takeaways.read(
        "Natalia Moon moved to Manila in 2012.\n\n"
        "The 23-year-old, who promotes herself as 'the Barbie from Down Under', landed a "
        "major role on a sitcom, Natalia Moon said.",
        kind="plain",
    )
    report = audit_summary(analyze(art), [
        "The Aussie calls herself 'the Barbie from Down Under'."])
    assert report.claims[0].verdict != "misattributed"

"""The seed page's own AI-written summary box: verdicts and evidence (real embedder)."""

from __future__ import annotations

from typing import Any

import pytest

from takeaways.auditing import audit_summary
from tests.conftest import assert_span_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_report(seed_article, real_embedder):  # type: ignore[no-untyped-def]
    from takeaways.nlp.analyze import Analysis

    return audit_summary(Analysis(seed_article, embedder=real_embedder))


def test_seed_verdicts_in_order(seed_report, seed_expected: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    expected = seed_expected["audit_of_embedded_key_points"]
    got = [c.verdict for c in seed_report.claims]
    assert got == [expected[str(i)]["verdict"] for i in range(1, 5)]
    assert seed_report.summary_source == "page"


def test_seed_evidence_overlaps_expected(seed_report, seed_expected: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    text = seed_report.article.text
    for i, claim in enumerate(seed_report.claims, 1):
        want = seed_expected["audit_of_embedded_key_points"][str(i)]["evidence"]
        start = text.index(want)
        end = start + len(want)
        for e in claim.evidence:
            assert_span_in(text, e.start, e.end, e.text)
        assert any(e.start < end and start < e.end for e in claim.evidence), (i, want)
        if claim.faulty_span is not None:
            fs = claim.faulty_span
            assert_span_in(claim.text, fs.start, fs.end, fs.text)


def test_seed_reasons_name_the_problem(seed_report) -> None:  # type: ignore[no-untyped-def]
    first, _, third, _ = seed_report.claims
    assert "peace initiative" in first.reason and "Zelenskyy" in first.reason
    assert first.faulty_span is not None and "Zelenskyy" in first.faulty_span.text
    assert third.faulty_span is not None
    assert "stalemate" in third.reason or "stalemate" in third.faulty_span.text


def test_seed_misattribution_reason_names_the_speaker_and_the_evidence(seed_report) -> None:  # type: ignore[no-untyped-def]
    first = seed_report.claims[0]
    assert first.verdict == "misattributed"
    assert "Peskov" in first.reason and "Kremlin" in first.reason
    assert "a peace initiative that takes into account" in first.reason  # the sentence itself
    assert first.confirmed


def test_seed_quoted_words_reused_without_marks(seed_article, real_embedder) -> None:  # type: ignore[no-untyped-def]
    from takeaways.nlp.analyze import Analysis

    analysis = Analysis(seed_article, embedder=real_embedder)
    wrong, right = audit_summary(analysis, [
        "Peskov called Zelenskyy's demand a peace initiative.",  # the README example
        "Zelenskyy said Russia can begin negotiations tomorrow if it withdraws its troops.",
    ]).claims
    assert wrong.verdict == "misattributed" and "Peskov" in wrong.reason
    fs = wrong.faulty_span
    assert fs is not None and "Zelenskyy" in fs.text
    assert_span_in(wrong.text, fs.start, fs.end, fs.text)
    for e in wrong.evidence:
        assert_span_in(seed_article.text, e.start, e.end, e.text)
    assert right.verdict != "misattributed"


def test_a_claim_failing_only_on_soft_words_says_it_is_not_confirmed(  # type: ignore[no-untyped-def]
    seed_article, real_embedder,
) -> None:
    """A faithful rewording that fails with no far noun, entity or figure missing: the
    reason says it is unconfirmed, not that the article "never mentions" a verb; a claim
    with a word the article has nothing close to keeps that reason."""
    from dataclasses import replace

    from takeaways.auditing.settings import load_settings
    from takeaways.nlp.analyze import Analysis

    settings = replace(load_settings(), entail_route=False)
    reworded, negated, invented = audit_summary(Analysis(seed_article, embedder=real_embedder), [
        "Putin's conditions include Ukraine pulling its troops out of four partly occupied "
        "regions and giving up on joining NATO.",
        "Putin's conditions do not include Ukraine pulling its troops out of four partly "
        "occupied regions or giving up on joining NATO.",
        "The war has reached a stalemate, Peskov said.",
    ], settings=settings).claims
    assert reworded.verdict == "unsupported"
    assert reworded.reason.startswith("Not confirmed") and "\u201cinclude\u201d" in reworded.reason
    assert "negat" not in reworded.reason
    # a negation the passage lacks is named, though the words differ too much for the
    # negation check's finding
    assert negated.verdict != "supported" and "the claim negates" in negated.reason
    fs = reworded.faulty_span
    assert fs is not None and fs.text == "include"
    assert_span_in(reworded.text, fs.start, fs.end, fs.text)
    assert invented.verdict != "supported" and not invented.reason.startswith("Not confirmed")
    span = invented.faulty_span
    assert "stalemate" in invented.reason or span is not None and "stalemate" in span.text

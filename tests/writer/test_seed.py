"""The seed page's own four machine-written points, served by a real local chat server:
the audit keeps points 2 and 4, repairs point 1 (the Peskov misattribution) and replaces
point 3 (the invented stalemate), and every point cites evidence (real embedder)."""

from __future__ import annotations

from typing import Any

import pytest

from takeaways.pipeline import Pipeline
from tests.conftest import assert_span_in
from tests.writer._server import points_reply
from tests.writer.conftest import llm_settings

pytestmark = pytest.mark.slow

REPAIRED_1 = ("Kremlin spokesman Dmitry Peskov said the Kremlin's proposal was not a Russian "
              "ultimatum but a peace initiative that takes into account the realities on the "
              "ground.")
STILL_WRONG_3 = ("Putin's conditions for peace talks, which have reached a stalemate, include "
                 "Ukraine's renunciation of NATO membership.")


def _number(article, start: str) -> int:  # type: ignore[no-untyped-def]
    return next(k for k, s in enumerate(article.sentences, 1) if s.text.startswith(start))


@pytest.fixture(scope="module")
def seed_run(seed_article, real_embedder):  # type: ignore[no-untyped-def]
    from tests.writer._server import ChatServer

    a = seed_article
    given = [item.text for item in a.existing_summary]
    cites = [[_number(a, "The Kremlin spokesman emphasized"), _number(a, "In response, Ukr")],
             [_number(a, "Putin's proposals, according"), _number(a, "Federal Chancellor")],
             [_number(a, "Putin had proposed"), _number(a, "As a condition")],
             [_number(a, "Putin seeks to build")]]
    script = [points_reply(list(zip(given, cites, strict=True))),
              points_reply([(REPAIRED_1, [cites[0][0]]), (STILL_WRONG_3, cites[2])])]
    with ChatServer(script) as server, pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_PROXY", "127.0.0.1")
        mp.setenv("no_proxy", "127.0.0.1")
        pipeline = Pipeline(llm_settings(server), embedder=real_embedder)
        points = pipeline.key_points(a, n=4)
        return points, server.requests, given


def test_seed_writer_keeps_2_and_4_repairs_1_replaces_3(seed_run) -> None:  # type: ignore[no-untyped-def]
    points, requests, given = seed_run
    assert len(requests) == 2  # the draft, then one repair request for points 1 and 3
    assert [p.origin for p in points] == ["llm-repaired", "llm", "extractive", "llm"]
    assert points[1].text == given[1] and points[3].text == given[3]
    assert points[0].text == REPAIRED_1
    assert "stalemate" not in points[2].text
    repair = requests[1]["messages"][-1]["content"]
    assert given[0] in repair and given[2] in repair and given[1] not in repair
    assert "peace initiative" in repair and "stalemate" in repair  # the findings


def test_seed_writer_findings_on_the_way(seed_run) -> None:  # type: ignore[no-untyped-def]
    points, _, _ = seed_run
    first, second, third, _ = points
    assert [(f.stage, f.verdict) for f in first.findings] == [
        ("draft", "misattributed"), ("repair", "supported")]
    assert "Peskov" in first.findings[0].reason
    assert [(f.stage, f.verdict) for f in third.findings] == [
        ("draft", "unsupported"), ("repair", "unsupported")]
    assert [f.verdict for f in second.findings] == ["supported"]


def test_seed_writer_cites_evidence_for_every_point(  # type: ignore[no-untyped-def]
        seed_run, seed_expected: dict[str, Any]) -> None:
    points, _, _ = seed_run
    text = points.article.text
    for p in points:
        assert p.evidence, p.n
        for e in p.evidence:
            assert_span_in(text, e.start, e.end, e.text)
    expected = seed_expected["audit_of_embedded_key_points"]
    for i in (2, 4):  # the kept points cite what the hand-made audit expects
        want = expected[str(i)]["evidence"]
        assert any(want in e.text for e in points[i - 1].evidence), i
    assert any("a peace initiative" in e.text for e in points[0].evidence)


def test_seed_writer_outputs_no_unsupported_point(seed_run, real_embedder) -> None:  # type: ignore[no-untyped-def]
    from takeaways.auditing import audit_summary
    from takeaways.nlp.analyze import Analysis

    points, _, _ = seed_run
    llm = [p.text for p in points if p.origin != "extractive"]
    report = audit_summary(Analysis(points.article, embedder=real_embedder), llm)
    assert [c.verdict for c in report.claims] == ["supported"] * len(llm)

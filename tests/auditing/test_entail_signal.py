"""The entailment signal (audit.signal.entail.v1) over the shipped cross-encoder."""

from __future__ import annotations

import pytest

import takeaways
from takeaways.config import Settings
from takeaways.pipeline import Pipeline

pytestmark = pytest.mark.slow  # loads the cross-encoder

ARTICLE = (
    "Dozens of schoolgirls fell sick at a school in the north of the country on Monday, "
    "officials said.\n\n"
    "The health ministry said 40 girls were taken to hospital and all were released by the "
    "evening.\n\n"
    "Police have not arrested anyone, the ministry added."
)


@pytest.fixture(scope="module", autouse=True)
def _real(real_embedder: object) -> object:
    """The verdicts here are the shipped audit's: real sentence embeddings."""
    return real_embedder


@pytest.fixture(scope="module")
def entailing() -> Pipeline:
    return Pipeline(Settings.load().replace(audit={"entailment": True}))


def _features(pipeline: Pipeline, claim: str) -> dict[str, float]:
    report = pipeline.audit(takeaways.read(ARTICLE, kind="plain"), [claim])
    return dict(report.claims[0].signals["audit.signal.entail.v1"].features)


def test_the_signal_runs_when_settings_ask_for_it(entailing: Pipeline) -> None:
    report = entailing.audit(takeaways.read(ARTICLE, kind="plain"), ["Girls fell sick."])
    assert "audit.signal.entail.v1" in report.strategies
    default = Pipeline().audit(takeaways.read(ARTICLE, kind="plain"),
                               ["Police have not arrested anyone."])
    # the claim passes on its own: the entailment route's second look never runs
    assert default.claims[0].verdict == "supported"
    assert "audit.signal.entail.v1" not in default.strategies
    assert "audit.signal.entail.v1" not in default.claims[0].signals


PARAPHRASE = "Officials said dozens of pupils became ill."  # "schoolgirls fell sick"


def test_the_second_look_passes_a_faithful_paraphrase() -> None:
    article = takeaways.read(ARTICLE, kind="plain")
    off = Pipeline(Settings.load().replace(audit={"entail_route": False}))
    assert off.audit(article, [PARAPHRASE]).claims[0].verdict == "unsupported"
    report = Pipeline().audit(article, [PARAPHRASE])
    claim = report.claims[0]
    assert claim.verdict == "supported"
    assert claim.signals["audit.signal.entail.v1"].features["entail"] >= 0.6
    assert "audit.signal.entail.v1" in report.strategies
    # grounded: the evidence it cites is the article's text at those offsets
    for ev in claim.evidence:
        assert article.text[ev.start : ev.end] == ev.text


@pytest.mark.parametrize("claim", [
    "Police have arrested two people.",  # a contradiction
    "The girls were poisoned by a gas leak.",  # an inserted fact
    "400 girls were taken to hospital.",  # a figure the article does not have
])
def test_the_second_look_never_passes_an_error(claim: str) -> None:
    report = Pipeline().audit(takeaways.read(ARTICLE, kind="plain"), [claim])
    assert report.claims[0].verdict != "supported"


@pytest.mark.parametrize(("claim", "faithful"), [
    ("Dozens of schoolgirls fell sick at a school on Monday.", True),
    ("Forty girls were taken to hospital.", True),
    ("Dozens of boys fell sick at a school on Monday.", False),
    ("Police have arrested two people.", False),
    ("400 girls were taken to hospital.", False),
])
def test_entailment_tells_faithful_claims_from_swaps(
    entailing: Pipeline, claim: str, faithful: bool,
) -> None:
    f = _features(entailing, claim)
    assert 0.0 <= f["entail"] <= 1.0 and 0.0 <= f["contradict"] <= 1.0
    assert (f["entail"] > 0.5) is faithful, f


def test_the_second_look_scores_more_premises_only_while_none_entails_enough() -> None:
    from takeaways.auditing.core import run_signals
    from takeaways.auditing.settings import load_settings
    from takeaways.auditing.signals.entail import entail_signals, premises
    from takeaways.nlp.analyze import Analysis

    analysis = Analysis(takeaways.read(ARTICLE, kind="plain"))
    claims = [PARAPHRASE, "Police have arrested two people.",
              "The ministry said all 40 girls were released and police arrested no one.",
              "Forty schoolgirls who fell sick on Monday were taken to hospital, the health "
              "ministry said."]
    ctxs = [run.context for run in run_signals(analysis, claims, load_settings())]
    every = entail_signals(ctxs)
    early = entail_signals(ctxs, enough=0.6)
    for ctx, a, b in zip(ctxs, every, early, strict=True):
        n = len(premises(ctx))
        assert len(a.debug["probs"]) == n
        window = a.debug["probs"][0][0]
        # the window first; later stages only while nothing scored entails enough
        got = len(b.debug["probs"])
        assert got == (1 if window >= 0.6 else n) or window < 0.6 and 1 < got < n
        assert got == n or max(p[0] for p in b.debug["probs"]) >= 0.6
        for p, q in zip(b.debug["probs"], a.debug["probs"], strict=False):
            assert p == pytest.approx(q, abs=1e-3)  # batched apart: float noise at most
        # the route's decision and the contradiction finding are the same either way
        assert (a.features["entail"] >= 0.6) == (b.features["entail"] >= 0.6)
        assert [f.verdict for f in a.findings] == [f.verdict for f in b.findings]
    spared = [len(premises(c)) > 1 and len(r.debug["probs"]) == 1
              for c, r in zip(ctxs, early, strict=True)]
    assert any(spared) and not all(spared)

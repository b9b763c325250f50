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

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


@pytest.fixture(scope="module")
def entailing() -> Pipeline:
    return Pipeline(Settings.load().replace(audit={"entailment": True}))


def _features(pipeline: Pipeline, claim: str) -> dict[str, float]:
    report = pipeline.audit(takeaways.read(ARTICLE, kind="plain"), [claim])
    return dict(report.claims[0].signals["audit.signal.entail.v1"].features)


def test_the_signal_runs_when_settings_ask_for_it(entailing: Pipeline) -> None:
    report = entailing.audit(takeaways.read(ARTICLE, kind="plain"), ["Girls fell sick."])
    assert "audit.signal.entail.v1" in report.strategies
    default = Pipeline().audit(takeaways.read(ARTICLE, kind="plain"), ["Girls fell sick."])
    assert "audit.signal.entail.v1" not in default.strategies


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

"""The cooperative deadline (`takeaways.pipeline.deadline`, issue 18): ``with
deadline(seconds)`` and `check()`, called at each step boundary and in the long loops."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

import takeaways
import takeaways.deadline as clock
from takeaways.errors import DeadlineError, StepError, code_of
from takeaways.pipeline import Pipeline
from takeaways.pipeline.deadline import check, deadline, remaining


class FakeClock:
    """A clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float = 0.0) -> None:
        self.now, self.step, self.reads = 1000.0, step, 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += self.step
        return self.now


@pytest.fixture()
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(clock, "_now", fake)
    return fake


def test_deadline_check_does_nothing_without_a_deadline() -> None:
    assert remaining() is None
    check()


def test_deadline_check_raises_once_past_the_deadline(fake_clock: FakeClock) -> None:
    with deadline(5):
        check()
        assert remaining() == pytest.approx(5)
        fake_clock.now += 5
        with pytest.raises(DeadlineError) as err:
            check("doc-1")
    assert err.value.code == "E201" and err.value.reason == "TimeoutError"
    assert err.value.doc_id == "doc-1" and "5-second time limit" in str(err.value)
    check()  # the deadline ended with its block


def test_deadline_inner_never_extends_outer(fake_clock: FakeClock) -> None:
    with deadline(2), deadline(60):
        fake_clock.now += 3
        with pytest.raises(DeadlineError):
            check()
    with deadline(60), deadline(2):
        fake_clock.now += 3
        with pytest.raises(DeadlineError):
            check()


@pytest.mark.parametrize("seconds", [None, 0, -1])
def test_deadline_of_none_or_zero_adds_none(seconds: float | None) -> None:
    with deadline(seconds):
        assert remaining() is None


def test_deadline_stops_pipeline_run_between_steps(fake_clock: FakeClock) -> None:
    article = takeaways.read("The minister spoke about the budget at length today. " * 3)
    with deadline(1):
        fake_clock.now += 2
        with pytest.raises(StepError) as err:
            Pipeline().run(article, ["read", "quotes"])
    assert err.value.step == "read" and code_of(err.value) == "E201"


def test_deadline_stops_the_quote_graph_inside_its_loops(
    fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock moves 1 s per read: the step-boundary checks pass, the loops of the quote
    graph (which call `check` every few hundred items) hit the limit."""
    from takeaways.nlp.analyze import Analysis

    text = "\n\n".join(f'"We will build {i} homes," the minister said.' for i in range(300))
    analysis = Analysis(takeaways.read(text))
    analysis.doc  # noqa: B018 - parse before the clock runs
    fake_clock.step = 1.0
    with deadline(2.5), pytest.raises(DeadlineError) as err:
        Pipeline().quotes(analysis)  # the step boundary reads the clock once
    where = {Path(f.filename).parent.name for f in traceback.extract_tb(err.tb)}
    assert "attribution" in where

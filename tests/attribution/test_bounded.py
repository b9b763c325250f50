"""Bounded work in the quote graph (issue 18, item 2): the inputs that took minutes run
near-linear work, and a document over ``[limits] max_quote_marks`` is a clean
`LimitError`. Work is counted in Python lines run (`tests._work`), never timed."""

from __future__ import annotations

import random

import pytest

import takeaways
from takeaways.attribution import build_quotes
from takeaways.attribution.build import _Builder
from takeaways.attribution.marks import MAX_OPEN, find_marked
from takeaways.attribution.rules import Frame
from takeaways.config import Settings
from takeaways.document import Article
from takeaways.errors import LimitError
from takeaways.nlp.analyze import Analysis
from takeaways.pipeline import Pipeline
from tests._work import lines_run

ATTRIBUTION = "takeaways/attribution"


def _parsed(text: str) -> Analysis:
    analysis = Analysis(takeaways.read(text))
    analysis.doc  # noqa: B018 - parse outside the counted call
    return analysis


def _quote_work(text: str) -> int:
    analysis = _parsed(text)
    return lines_run(lambda: build_quotes(analysis), ATTRIBUTION)[1]


def _ratio(make: object, n: int) -> float:
    assert callable(make)
    return _quote_work(make(2 * n)) / max(_quote_work(make(n)), 1)


@pytest.mark.parametrize(
    ("case", "make", "n"),
    [
        # 53 s for 10,000 marks: by_agent walked every punctuation token after each quote
        ("straight quote marks", lambda n: '"' * n, 600),
        # 58 s for 1,000 sentences: _nearest_subject walked back over every token and
        # called the linear Article.sentence_at for each
        ("role mentions", lambda n: "The minister spoke. " * n, 150),
        # a person who is never a subject: every role mention searched back to the start
        ("non-subject person", lambda n: "He met Putin. The minister spoke. " * n, 80),
        ("quotes with cues", lambda n: '"We will win," the minister said. ' * n, 80),
    ],
)
def test_quote_graph_work_grows_linearly(case: str, make: object, n: int) -> None:
    assert _ratio(make, n) < 2.6, case  # quadratic work would give about 4


def test_quote_graph_calls_sentence_at_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analysis = _parsed("The minister spoke. " * 300)
    calls = 0
    real = Article.sentence_at

    def counted(self: Article, offset: int) -> object:
        nonlocal calls
        calls += 1
        return real(self, offset)

    monkeypatch.setattr(Article, "sentence_at", counted)
    build_quotes(analysis)
    assert calls <= 2 * len(analysis.doc)  # it was ~ tokens ** 2 / 2


def test_quote_marks_over_the_limit_are_a_limit_error() -> None:
    pipeline = Pipeline(Settings.load(None).replace(limits={"max_quote_marks": 10}))
    article = pipeline.read('"A," she said. ' * 6 + "The minister spoke at length.")
    with pytest.raises(LimitError) as err:
        pipeline.quotes(article)
    assert err.value.code == "E200" and err.value.doc_id == article.id
    assert "12 double quote marks" in str(err.value) and "max_quote_marks" in str(err.value)
    ok = Pipeline(Settings.load(None).replace(limits={"max_quote_marks": 0}))  # 0: no limit
    assert ok.quotes(article).quotes


def test_quote_marks_nest_at_most_max_open_deep() -> None:
    text = "\u201c" * (5 * MAX_OPEN) + "Hi\u201d"
    marks, warnings = find_marked(text, [(0, len(text))])
    assert len(marks) == 1  # the innermost opener that fitted closes
    assert sum("nested too deep" in w for w in warnings) == 4 * MAX_OPEN


def test_outer_frames_match_the_pairwise_rule() -> None:
    """`_Builder._outer_frames` (one sweep) drops exactly the frames the pairwise rule
    does: a frame goes when another frame with longer content holds its cue."""
    rng = random.Random(18)
    for _ in range(200):
        frames = []
        for _ in range(rng.randrange(1, 12)):
            cue = rng.randrange(0, 40)
            lo = rng.randrange(0, 40)
            content = (lo, lo + rng.randrange(0, 15)) if rng.random() < 0.9 else None
            frames.append(Frame((cue, cue + 1), None, None, content))

        def size(f: Frame) -> int:
            return f.content[1] - f.content[0] if f.content else 0

        want = [f for f in frames if not any(
            g is not f and g.content and g.content[0] <= f.cue[0] < g.content[1]
            and size(g) > size(f) for g in frames)]
        assert _Builder._outer_frames(None, frames) == want  # type: ignore[arg-type]

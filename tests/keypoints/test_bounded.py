"""Bounded work and memory in key points (issue 18, item 2): a 1 MB article ran out of
memory in a sentences × sentences similarity matrix; the matrix now holds only the
embedded candidates, and the work grows linearly with the article."""

from __future__ import annotations

import numpy as np

import takeaways
from takeaways.keypoints import Similarity, _similarity, embedded_limit, extract_key_points
from takeaways.nlp.analyze import Analysis
from tests._work import lines_run


def _text(n: int) -> str:
    return " ".join(f"The minister spoke about the budget of town {i} on Monday." for i in range(n))


def test_keypoints_similarity_holds_only_the_embedded_sentences() -> None:
    analysis = Analysis(takeaways.read(_text(300)))
    ids = [3, 10, 250]
    sim = _similarity(analysis, ids)
    assert sim._matrix.shape == (3, 3)  # not 300 x 300
    assert sim[3, 3] == np.float32(sim._matrix[0, 0]) and sim[3, 250] == sim[250, 3]
    assert sim[0, 3] == 0.0 and sim[299, 299] == 0.0


def test_keypoints_similarity_of_no_sentences() -> None:
    assert Similarity([], np.zeros((0, 0)))[1, 2] == 0.0


def test_keypoints_work_grows_linearly_with_the_article() -> None:
    def work(n: int) -> int:
        analysis = Analysis(takeaways.read(_text(n)))
        analysis.doc  # noqa: B018 - parse outside the counted call
        points, lines = lines_run(lambda: extract_key_points(analysis, n=4),
                                  ("takeaways/keypoints", "takeaways/attribution"))
        assert len(points.points) == 4
        return lines

    n = 2 * embedded_limit(4)
    assert work(2 * n) / work(n) < 2.6

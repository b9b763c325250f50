"""Choose N sentences: a learned relevance score, then MMR with section coverage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from takeaways.config import active
from takeaways.keypoints.features import FeatureTable
from takeaways.registry import register


class PairScores(Protocol):
    """``similarity[i, j]`` between sentence ids (a NumPy matrix or `keypoints.Similarity`)."""

    def __getitem__(self, key: tuple[int, int], /) -> Any: ...


def settings() -> dict[str, Any]:
    """The ``[keypoints]`` section of the active `Settings` (``data/keypoints.toml`` with
    the user's ``[keypoints]`` keys merged in, or what the `Pipeline` was given)."""
    return active().section("keypoints")


#: a sentence this similar to a chosen one repeats it: never picked, even when the
#: ``max_similarity`` preference is relaxed to fill the n points
DUPLICATE = 0.98


@dataclass(frozen=True, slots=True)
class Candidate:
    sentence_id: int
    relevance: float
    eligible: bool


def relevance(table: FeatureTable) -> np.ndarray:
    """Linear score of the features with the configured weights."""
    weights = settings()["weights"]
    w = np.array([float(weights.get(name, 0.0)) for name in table.names], dtype=np.float32)
    return table.values @ w + float(weights.get("bias", 0.0))


@register("keypoints.select.mmr.v2")
def select_mmr(
    scores: np.ndarray,
    similarity: PairScores,
    sections: list[int],
    eligible: list[bool],
    n: int,
    *,
    lam: float | None = None,
    max_sim: float | None = None,
    attach: list[bool] | None = None,
    blocked: Callable[[int, list[int]], bool] | None = None,
) -> list[int]:
    """Maximal marginal relevance with a bonus for uncovered sections.

    ``attach[i]`` marks a sentence that cannot open a point (it starts with a pronoun
    or connective whose antecedent is the sentence before): it becomes a candidate only
    once sentence ``i - 1`` is chosen, and then joins that sentence's point, so ``n``
    counts points (`group_points`), not sentences. ``blocked(i, chosen)`` vetoes a
    candidate (a point that nearly repeats a chosen one) while any other is left."""
    cfg = settings()
    lam = float(cfg["mmr_lambda"]) if lam is None else lam
    max_sim = float(cfg["max_similarity"]) if max_sim is None else max_sim
    bonus = float(cfg["section_bonus"])
    attach = attach or [False] * len(scores)
    pool = [i for i in range(len(scores)) if eligible[i]]
    chosen: list[int] = []
    while len(group_points(chosen, attach)) < n and pool:
        covered = {sections[j] for j in chosen}
        values: dict[int, tuple[bool, bool, float]] = {}
        for i in pool:
            if attach[i] and i - 1 not in chosen:
                continue
            red = max((float(similarity[i, j]) for j in chosen), default=0.0)
            if red >= DUPLICATE:
                continue
            val = lam * float(scores[i]) - (1 - lam) * red
            val += bonus if sections[i] not in covered else 0.0
            fresh = blocked is None or not blocked(i, chosen)
            values[i] = (fresh, red <= max_sim, val)
        if not values:
            break
        # the similarity cap is a preference: when every candidate is over it (an article
        # that repeats itself), the least redundant one still makes the n-th point
        best = max(values, key=lambda i: values[i])
        chosen.append(best)
        pool.remove(best)
    return chosen


def group_points(chosen: list[int], attach: list[bool]) -> list[list[int]]:
    """Chosen sentence ids in document order, grouped into points: an attached
    sentence joins the point of the sentence just before it."""
    groups: list[list[int]] = []
    for i in sorted(chosen):
        if attach[i] and groups and groups[-1][-1] == i - 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups

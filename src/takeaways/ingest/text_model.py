"""A small learned line model for the pasted-text reader: is a line article text?

Each candidate line of a pasted page (after chrome lines and the summary box are gone)
gets a few general features: its length, how it ends, its share of stop words, capitals,
digits and link-like tokens, list markers, repetition on the page, its position against
the body run the rules pick (`takeaways.ingest.text._body_range`) and the same features
of its neighbours. A logistic regression over them (``data/pasted_line_model.json``,
trained by ``train/pasted/train.py``: weights by feature name, standardisation, bias and
threshold) gives the probability that the line belongs to the article body. No phrase
lists and nothing page-specific: the rule's own decision is one feature among the rest.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from takeaways.resources import word_set

#: the shipped weights (package data)
WEIGHTS = "data/pasted_line_model.json"

_STRIP = ".,;:!?\"'()[]“”‘’«»"
_DIGIT_TOKEN = re.compile(r"(?<!\S)[^\s\d]*\d")  # linear: tried at token starts only
_LINKISH = re.compile(r"(?:https?://|www\.|@\w|#\w|\.com\b|\|)", re.I)
_LIST_MARK = re.compile(r"^[*+\-•·▪●–]\s")
_END_PUNCT = re.compile(r"[.!?][\"'”’»)\]]*$")
_OTHER_END = re.compile(r"[:;,]$")
_ELLIPSIS = re.compile(r"(\.\.\.|…)[\"'”’»)\]]*$")
_SENT_BREAK = re.compile(r"[.!?][\"'”’»)\]]*\s+[\"'“‘«(\[]?[A-Z0-9]")
_WINDOW = 3


def _own(text: str, stop: frozenset[str]) -> dict[str, float]:
    """Features of one line on its own."""
    toks = text.split()
    n = len(toks) or 1
    core = text.rstrip()
    return {
        "log_words": math.log1p(len(toks)),
        "log_chars": math.log1p(len(text)),
        "ends_sentence": float(bool(_END_PUNCT.search(core))),
        "ends_other": float(bool(_OTHER_END.search(core))),
        "ends_ellipsis": float(bool(_ELLIPSIS.search(core))),
        "sentences": math.log1p(len(_SENT_BREAK.findall(text))),
        "stop_share": sum(t.strip(_STRIP).lower() in stop for t in toks) / n,
        "cap_share": sum(t[:1].isupper() for t in toks) / n,
        "digit_share": min(n, len(_DIGIT_TOKEN.findall(text))) / n,
        "link_share": min(n, len(_LINKISH.findall(text))) / n,
        "list_mark": float(bool(_LIST_MARK.match(text))),
        "starts_lower": float(text[:1].islower()),
        "has_comma": float("," in text),
    }


def line_features(
    texts: list[str], rule_body: tuple[int, int], rule_sentence: list[bool]
) -> list[dict[str, float]]:
    """The feature dict of every line of ``texts``; ``rule_body`` is the (first, last)
    index of the rules' body run and ``rule_sentence`` their sentence-like decision."""
    n = len(texts)
    stop = word_set("stopwords_en")
    own = [_own(t, stop) for t in texts]
    counts = Counter(texts)
    first, last = rule_body
    span = max(1, last - first + 1)
    prose = [float(s) for s in rule_sentence]
    prose_words = [len(t.split()) if s else 0 for t, s in zip(texts, rule_sentence, strict=True)]
    total = sum(prose_words) or 1
    cum_words, cum_prose = [0], [0.0]  # prefix sums
    for w, s in zip(prose_words, prose, strict=True):
        cum_words.append(cum_words[-1] + w)
        cum_prose.append(cum_prose[-1] + s)
    out: list[dict[str, float]] = []
    for i, f in enumerate(own):
        feats = dict(f)
        lo5, hi5 = max(0, i - 5), min(n, i + 6)
        feats["prose_before"] = cum_words[i] / total
        feats["prose_after"] = (total - cum_words[i + 1]) / total
        feats["prose_window"] = math.log1p(cum_words[hi5] - cum_words[lo5] - prose_words[i])
        lo, hi = max(0, i - _WINDOW), min(n, i + _WINDOW + 1)
        feats["near_prose"] = (
            (cum_prose[hi] - cum_prose[lo] - prose[i]) / (hi - lo - 1) if hi - lo > 1 else 0.0
        )
        feats["rule_in_body"] = float(first <= i <= last)
        feats["rule_sentence"] = prose[i]
        dist = first - i if i < first else (i - last if i > last else 0)
        feats["rule_dist"] = math.log1p(max(0, dist))
        feats["body_pos"] = (i - first) / span if first <= i <= last else 0.0
        feats["page_pos"] = i / max(1, n - 1)
        feats["repeated"] = float(counts[texts[i]] > 1)
        for tag, j in (("prev", i - 1), ("next", i + 1), ("prev2", i - 2), ("next2", i + 2)):
            if 0 <= j < n:
                o = own[j]
                feats[f"{tag}_sentence"] = prose[j]
                feats[f"{tag}_log_words"] = o["log_words"]
                feats[f"{tag}_ends_sentence"] = o["ends_sentence"]
                feats[f"{tag}_stop_share"] = o["stop_share"]
            else:
                feats[f"{tag}_sentence"] = feats[f"{tag}_log_words"] = 0.0
                feats[f"{tag}_ends_sentence"] = feats[f"{tag}_stop_share"] = 0.0
        out.append(feats)
    return out


@dataclass(frozen=True, slots=True)
class LineModel:
    """Logistic regression over standardised features: weights, means and scales by
    feature name, a bias, the run threshold (a line above it adds to the body run, one
    below it costs) and ``keep``, the probability a line inside the run needs to stay."""

    weights: dict[str, float]
    means: dict[str, float]
    scales: dict[str, float]
    bias: float
    threshold: float
    keep: float = 0.3

    def probability(self, feats: dict[str, float]) -> float:
        return self.decide([feats])[0]

    def decide(self, feats: list[dict[str, float]]) -> list[float]:
        """The body probability of every line."""
        import numpy as np

        if not feats:
            return []
        names = list(self.weights)
        w = np.array([self.weights[n] / self.scales[n] for n in names])
        bias = self.bias - float(w @ np.array([self.means[n] for n in names]))
        z = np.array([[f.get(n, 0.0) for n in names] for f in feats]) @ w + bias
        return [float(v) for v in 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))]


def best_run(
    probs: list[float], words: list[int], threshold: float,
    breaks: frozenset[int] = frozenset(), damp: list[float] | None = None,
) -> tuple[int, int]:
    """(first, last) of the run of lines with the highest sum of
    ``(p - threshold) * max(1, words)``, a line's gain multiplied by its ``damp`` (1 by
    default); a run never holds both ``i - 1`` and ``i`` for ``i`` in ``breaks``.
    (0, -1) when no line reaches the threshold."""
    best, first, last = 0.0, 0, -1
    cur, start = 0.0, 0
    for i, (p, n) in enumerate(zip(probs, words, strict=True)):
        score = (p - threshold) * max(1, n)
        if damp is not None and score > 0:
            score *= damp[i]
        if cur <= 0 or i in breaks:
            cur, start = score, i
        else:
            cur += score
        if cur > best:
            best, first, last = cur, start, i
    return first, last


def model_from_dict(data: dict[str, object]) -> LineModel:
    """A `LineModel` from the JSON layout the training script writes."""
    weights = {str(k): float(v) for k, v in dict(data["weights"]).items()}  # type: ignore[call-overload]
    means = {str(k): float(v) for k, v in dict(data["means"]).items()}  # type: ignore[call-overload]
    scales = {str(k): float(v) or 1.0 for k, v in dict(data["scales"]).items()}  # type: ignore[call-overload]
    return LineModel(weights, means, scales, float(data["bias"]), float(data["threshold"]),  # type: ignore[arg-type]
                     float(data.get("keep", 0.3)))  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def line_model() -> LineModel:
    """The shipped model (read once, on first use)."""
    raw = resources.files("takeaways").joinpath(WEIGHTS).read_text("utf-8")
    return model_from_dict(json.loads(raw))

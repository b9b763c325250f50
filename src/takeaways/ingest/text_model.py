"""A small learned line model for the pasted-text reader: is a line article text?

Each candidate line of a pasted page (after chrome lines and the summary box are gone)
gets a few general features: its length, how it ends, its share of digit and link-like
tokens, list markers, repetition on the page, its position against
the body run the rules pick (`takeaways.ingest.text._body_range`) and the same features
of its neighbours. A logistic regression over them (``data/pasted_line_model.json``,
trained by ``train/pasted/train.py``: weights by feature name, standardisation, bias and
threshold) gives the probability that the line belongs to the article body. No phrase
lists and nothing page-specific: the rule's own decision is one feature among the rest.
(Shares of stop words and of capitalised tokens were features once: they cost a third
of the feature time and no out-of-fold F1, see ``train/pasted/MODEL_CARD.md``.)
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

#: the shipped weights (package data)
WEIGHTS = "data/pasted_line_model.json"

_ANY_DIGIT = re.compile(r"\d")
_DIGIT_TOKEN = re.compile(r"(?<!\S)[^\s\d]*\d")  # linear: tried at token starts only
_LINKISH = re.compile(r"(?:https?://|www\.|@\w|#\w|\.com\b|\|)", re.I)
_LINKISH_LOW = re.compile(_LINKISH.pattern)  # on lower-cased text: the same matches, faster
_LIST_MARK = re.compile(r"^[*+\-•·▪●–]\s")
_END_PUNCT = re.compile(r"[.!?][\"'”’»)\]]*$")
_OTHER_END = re.compile(r"[:;,]$")
_ELLIPSIS = re.compile(r"(\.\.\.|…)[\"'”’»)\]]*$")
_SENT_BREAK = re.compile(r"[.!?][\"'”’»)\]]*\s+[\"'“‘«(\[]?[A-Z0-9]")
_WINDOW = 3
#: the end-of-line patterns read this many final characters (a line's ending is shorter)
_TAIL = 32
#: substrings one of which every `_LINKISH` match holds (lower case)
_LINK_CUES = ("://", "www.", "@", "#", ".com", "|")


#: the features of `_own`, in its order
OWN = ("log_words", "log_chars", "ends_sentence", "ends_other", "ends_ellipsis", "sentences",
       "digit_share", "link_share", "list_mark", "starts_lower", "has_comma")
#: the own features also read from each neighbour
_NEIGHBOUR = ("log_words", "ends_sentence")
_SHIFTS = (("prev", -1), ("next", 1), ("prev2", -2), ("next2", 2))


def _own(text: str) -> tuple[float, ...]:
    """Features of one line on its own (names in `OWN`); the end-of-line patterns look at
    the line's tail only. `own_columns` gives the same values for a whole page at once."""
    words = len(text.split())
    n = words or 1
    core = text.rstrip()
    tail = core[-_TAIL:]
    low = text.lower()
    return (
        math.log1p(words),
        math.log1p(len(text)),
        float(bool(_END_PUNCT.search(tail))),
        float(core.endswith((":", ";", ","))),
        float(bool(_ELLIPSIS.search(tail))),
        math.log1p(len(_SENT_BREAK.findall(text))),
        min(n, len(_DIGIT_TOKEN.findall(text))) / n if _ANY_DIGIT.search(text) else 0.0,
        min(n, len(_LINKISH.findall(text))) / n if _maybe_link(low) else 0.0,
        float(bool(_LIST_MARK.match(text))),
        float(text[:1].islower()),
        float("," in text),
    )


def _maybe_link(low: str) -> bool:
    """False when ``_LINKISH`` cannot match the lower-cased line (a cheap pre-check)."""
    return any(cue in low for cue in _LINK_CUES)


#: joins the lines of a page for the page-wide pass: whitespace on both sides (no token
#: or pattern of `_own` runs across it) around a token no line holds
_SEP = "\n\x00\n"


def _ends(text: str) -> tuple[bool, bool, bool, bool, bool, bool]:
    """The per-line flags of `_own`: ends_sentence, ends_other, ends_ellipsis, list_mark,
    starts_lower, has_comma."""
    tail = text.rstrip()[-_TAIL:]
    return (bool(_END_PUNCT.search(tail)), tail.endswith((":", ";", ",")),
            bool(_ELLIPSIS.search(tail)), bool(_LIST_MARK.match(text)), text[:1].islower(),
            "," in text)


def _line_counts(pattern: re.Pattern[str], page: str, starts: Any, n: int) -> Any:
    """Matches of ``pattern`` in ``page`` per line (``starts``: each line's offset)."""
    import numpy as np

    hits = [m.start() for m in pattern.finditer(page)]
    if not hits:
        return np.zeros(n)
    return np.bincount(np.searchsorted(starts, hits, side="right") - 1, minlength=n)


#: the last code point ``str.isspace`` (and so ``str.split`` and the patterns' ``\\s``)
#: takes for whitespace; `_space_table` marks them all
_LAST_SPACE = 0x3000


@lru_cache(maxsize=1)
def _space_table() -> Any:
    """``table[c]``: is code point ``c`` whitespace (code points above `_LAST_SPACE` map
    to the final entry, False)."""
    import numpy as np

    return np.array([chr(c).isspace() for c in range(_LAST_SPACE + 2)], dtype=bool)


def _digit_tokens(page: str, starts: Any, n: int) -> Any:
    """Tokens holding a digit per line, as ``_DIGIT_TOKEN`` counts them: the digits'
    token numbers (whitespace seen before each) told apart, in one array pass."""
    import numpy as np

    digits = [m.start() for m in _ANY_DIGIT.finditer(page)]
    if not digits:
        return np.zeros(n)
    codes = np.frombuffer(page.encode("utf-32-le"), dtype=np.uint32)
    space = _space_table()[np.minimum(codes, _LAST_SPACE + 1)]
    token = np.cumsum(space)[digits]
    keep = np.concatenate(([True], token[1:] != token[:-1]))  # digits in order: runs
    return np.bincount(np.searchsorted(starts, np.asarray(digits)[keep], side="right") - 1,
                       minlength=n)


def own_columns(texts: list[str]) -> Any:
    """`_own` of every line as an (n, len(OWN)) array, the patterns run once over the
    page (the lines joined by `_SEP`) and their matches counted per line. Lines that hold
    a newline or NUL go through `_own` one by one (same values either way)."""
    import numpy as np

    n = len(texts)
    page = _SEP.join(texts)
    if page.count("\x00") != n - 1 or page.count("\n") != 2 * (n - 1):
        return np.array([_own(t) for t in texts], dtype=float).reshape(n, len(OWN))
    words = np.fromiter(map(len, map(str.split, texts)), float, n)
    per = np.maximum(words, 1.0)
    lengths = np.fromiter(map(len, texts), float, n)
    starts = np.concatenate(([0], np.cumsum(lengths[:-1] + len(_SEP)))) if n else lengths
    low_page = page.lower()
    same = len(low_page) == len(page)  # lower-casing kept every offset ("İ" does not)
    link = (_LINKISH_LOW, low_page) if same else (_LINKISH, page)

    def count(pattern: re.Pattern[str], text: str = page) -> Any:
        return _line_counts(pattern, text, starts, n)

    ends = np.array([_ends(t) for t in texts], dtype=float).reshape(n, 6)
    return np.column_stack([
        np.log1p(words),
        np.log1p(lengths),
        ends[:, 0],
        ends[:, 1],
        ends[:, 2],
        np.log1p(count(_SENT_BREAK)),
        np.minimum(words, _digit_tokens(page, starts, n)) / per,
        np.minimum(words, count(*link)) / per,
        ends[:, 3],
        ends[:, 4],
        ends[:, 5],
    ]).reshape(n, len(OWN))


def _shift(col: Any, by: int) -> Any:
    """``col`` moved so that row ``i`` holds row ``i + by`` (0 past either end)."""
    import numpy as np

    out = np.zeros_like(col)
    if by > 0:
        out[:-by] = col[by:]
    else:
        out[-by:] = col[:by]
    return out


def _window_sum(col: Any, radius: int) -> Any:
    """Sum of ``col`` over rows ``i - radius … i + radius``, row ``i`` left out."""
    import numpy as np

    cum = np.concatenate(([0.0], np.cumsum(col)))
    idx = np.arange(len(col))
    lo, hi = np.maximum(0, idx - radius), np.minimum(len(col), idx + radius + 1)
    return cum[hi] - cum[lo] - col, hi - lo - 1


def feature_columns(
    texts: list[str], rule_body: tuple[int, int], rule_sentence: list[bool]
) -> dict[str, Any]:
    """Every feature of every line of ``texts`` as one numpy column per name;
    ``rule_body`` is the (first, last) index of the rules' body run and
    ``rule_sentence`` their sentence-like decision per line."""
    import numpy as np

    n = len(texts)
    own = own_columns(texts)
    cols: dict[str, Any] = {name: own[:, k] for k, name in enumerate(OWN)}
    counts = Counter(texts)
    first, last = rule_body
    idx = np.arange(n, dtype=float)
    prose = np.array(rule_sentence, dtype=float)
    words = np.rint(np.expm1(own[:, 0])) * prose  # the lines' word counts
    total = words.sum() or 1.0
    before = np.cumsum(words) - words
    cols["prose_before"] = before / total
    cols["prose_after"] = (total - before - words) / total
    cols["prose_window"] = np.log1p(_window_sum(words, 5)[0])
    near, size = _window_sum(prose, _WINDOW)
    cols["near_prose"] = np.where(size > 0, near / np.maximum(size, 1), 0.0)
    inside = (idx >= first) & (idx <= last)
    cols["rule_in_body"] = inside.astype(float)
    cols["rule_sentence"] = prose
    cols["rule_dist"] = np.log1p(np.maximum(0.0, np.maximum(first - idx, idx - last)))
    cols["body_pos"] = np.where(inside, (idx - first) / max(1, last - first + 1), 0.0)
    cols["page_pos"] = idx / max(1, n - 1)
    cols["repeated"] = np.array([counts[t] > 1 for t in texts], dtype=float)
    for tag, by in _SHIFTS:
        cols[f"{tag}_sentence"] = _shift(prose, by)
        for name in _NEIGHBOUR:
            cols[f"{tag}_{name}"] = _shift(cols[name], by)
    return cols


def line_features(
    texts: list[str], rule_body: tuple[int, int], rule_sentence: list[bool]
) -> list[dict[str, float]]:
    """The features of every line as one dict per line (see `feature_columns`)."""
    cols = feature_columns(texts, rule_body, rule_sentence)
    return [{name: float(col[i]) for name, col in cols.items()} for i in range(len(texts))]


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
        return self.decide({name: [value] for name, value in feats.items()})[0]

    def decide(self, cols: dict[str, Any]) -> list[float]:
        """The body probability of every line, from its feature columns (one matrix
        product over the standardised columns)."""
        import numpy as np

        names = list(self.weights)
        x = np.column_stack([np.atleast_1d(np.asarray(cols[n], dtype=float)) for n in names])
        means = np.array([self.means[n] for n in names])
        scaled = np.array([self.weights[n] / self.scales[n] for n in names])
        z = (x - means) @ scaled + self.bias
        probs: list[float] = (1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))).tolist()
        return probs


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

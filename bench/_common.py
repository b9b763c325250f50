"""Shared helpers for the benchmark scripts in ``bench/``.

* the 4-gram word-shingle metric of scrapinghub/article-extraction-benchmark
  (``evaluate.py``), replicated faithfully: :func:`shingle_counts`,
  :func:`shingle_prf`, :func:`f1_of_means`;
* the data loaders, re-exported from :mod:`_data` (the one loader module; import it
  directly in new code);
* :func:`print_table`, a plain fixed-width table printer.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

# every bench script puts bench/ on sys.path before importing this module
from _data import (  # noqa: E402
    DEFAULT_DATA_DIR,
    HtmlPage,
    TextPage,
    iter_jsonl,
    load_article_extraction,
    load_jsonl,
    load_pasted_text,
    load_trafilatura_eval,
    open_text,
    read_gz_bytes,
)

REPO_ROOT = Path(__file__).resolve().parents[1]

__all__ = [
    "DEFAULT_DATA_DIR", "REPO_ROOT", "HtmlPage", "TextPage", "iter_jsonl", "load_jsonl",
    "load_article_extraction", "load_pasted_text", "load_trafilatura_eval", "open_text",
    "read_gz_bytes", "tokenize", "shingles", "shingle_counts", "shingle_prf", "f1_of_means",
    "html_fragment_to_text", "normalize_ws", "format_cell", "print_table",
]

# --------------------------------------------------------------------------
# Shingle metric (scrapinghub/article-extraction-benchmark, evaluate.py)
# --------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def tokenize(text: str | None) -> list[str]:
    """Words as upstream sees them: runs of ``\\w`` characters, case kept."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of word n-grams. A text shorter than ``n`` words gives one
    shorter shingle (as upstream); an empty text gives none."""
    tokens = tokenize(text)
    out: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            out[shingle] += 1
    return out


def shingle_counts(pred: str | None, gold: str | None, n: int = 4) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalised to sum to 1 (when non-zero) so
    that long pages do not weigh more."""
    gold_sh, pred_sh = shingles(gold, n), shingles(pred, n)
    tp = fp = fn = 0.0
    for key in gold_sh.keys() | pred_sh.keys():
        g, p = gold_sh.get(key, 0), pred_sh.get(key, 0)
        tp += min(g, p)
        fp += max(0, p - g)
        fn += max(0, g - p)
    total = tp + fp + fn
    if total > 0:
        return tp / total, fp / total, fn / total
    return tp, fp, fn


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def shingle_prf(pred: str | None, gold: str | None) -> tuple[float | None, float | None]:
    """Per-page (precision, recall) with 4-gram word shingles.

    As upstream, a value is ``None`` (left out of the mean) when undefined:
    precision when the prediction has no shingles (an empty prediction costs
    recall only), recall when the gold text has none.
    """
    tp, fp, fn = shingle_counts(pred, gold)
    precision = _precision(tp, fp, fn) if tp + fp > 0 else None
    recall = _recall(tp, fp, fn) if tp + fn > 0 else None
    return precision, recall


def f1_of_means(prs: Iterable[tuple[float | None, float | None]]) -> tuple[float, float, float]:
    """(mean precision, mean recall, F1 of the two means) over pages,
    skipping ``None`` values as upstream does. An empty mean is 0."""
    pairs = list(prs)
    precisions = [p for p, _ in pairs if p is not None]
    recalls = [r for _, r in pairs if r is not None]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return precision, recall, f1


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
)


def html_fragment_to_text(fragment: str) -> str:
    """Text of an HTML fragment with line breaks around block elements, so
    that words of adjacent paragraphs are not glued together."""
    import lxml.html

    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    text = root.text_content()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def normalize_ws(text: str | None) -> str:
    """Collapse every run of whitespace to one space."""
    return " ".join((text or "").split())


# --------------------------------------------------------------------------
# Table printing
# --------------------------------------------------------------------------


def format_cell(value: Any, spec: str = ".3f") -> str:
    """``-`` for None; floats with the format ``spec``; anything else str()."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format(value, spec)
    return str(value)


def print_table(
    rows: list[dict[str, Any]],
    columns: list[str],
    headers: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
) -> None:
    """Print ``rows`` as a fixed-width table, one column per key in
    ``columns`` (missing keys print as ``-``). Numbers are right-aligned;
    floats use ``formats[column]`` (default ``.3f``); ``headers`` renames."""
    headers, formats = headers or {}, formats or {}
    head = [headers.get(c, c) for c in columns]
    cells = [[format_cell(row.get(c), formats.get(c, ".3f")) for c in columns] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(head)]
    numeric = [
        all(isinstance(row.get(c), (int, float)) or row.get(c) is None for row in rows)
        for c in columns
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(parts) + " |"

    print(line(head))
    rule = [
        ("-" * (w + 1) + ":") if num else "-" * (w + 2)
        for w, num in zip(widths, numeric, strict=True)
    ]
    print("|" + "|".join(rule) + "|")
    for r in cells:
        print(line(r))

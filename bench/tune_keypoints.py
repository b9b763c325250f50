"""Compare key-point settings variants on dev CNN/DM with full selection + rewriting.

Analyses (parse, embeddings, quote graph) are built once and cached in --cache, then each
variant of ``data/keypoints.toml`` settings is scored by ROUGE at N=3 (``-n``), with the
share of points that fail the issue-14 defect check. Dev data only.

    python bench/tune_keypoints.py [--data DIR] --variant base --variant 'trim_clauses=false'

``DIR`` is the data folder (the ``shared/data`` layout); the articles are
``frank/cnndm_articles.jsonl.gz`` in it.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import add_data_argument, cnndm_articles  # noqa: E402


def _analyses(data: Path, cache: Path, limit: int | None) -> list[tuple[Any, list[str]]]:
    if cache.is_file():
        rows: list[tuple[Any, list[str]]] = pickle.loads(cache.read_bytes())
        return rows[:limit] if limit else rows
    import takeaways
    from takeaways.api import analyze

    recs = cnndm_articles(data, limit or None)
    rows = []
    for r in recs:
        an = analyze(takeaways.read(r["article"], kind="plain"))
        _ = an.doc, an.sentence_embeddings, takeaways.quotes(an)
        an._embedder = None
        rows.append((an, r["reference_highlights"]))
    cache.write_bytes(pickle.dumps(rows))
    return rows


def _parse_variant(spec: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in filter(None, re.split(r",(?![^\[]*\])", spec)):  # commas in [..] stay
        if part == "base":
            continue
        key, value = part.split("=")
        out[key] = json.loads(value)
    return out


def _defect_share(points: list[list[str]]) -> tuple[float, dict[str, int]]:
    """Share of points (%) with an issue-14 defect, and the counts by kind."""
    from takeaways.keypoints.defects import count_kinds
    from takeaways.nlp.models import get_nlp

    nlp = get_nlp()
    counts, bad, total = count_kinds(points, pos=lambda t: [(w.text, w.pos_) for w in nlp(t)])
    return 100.0 * bad / max(total, 1), {k: v for k, v in counts.items() if v}


def _score(rows: list[tuple[Any, list[str]]], n: int, pipeline: Any
           ) -> tuple[float, float, float, float, list[list[str]]]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    r1, r2, rl, words, every = [], [], [], [], []
    for an, refs in rows:
        # memoised products are keyed by the settings, so variants never share candidates
        pts = [p.text for p in pipeline.key_points(an, n=n).points]
        s = scorer.score("\n".join(refs), "\n".join(pts))
        r1.append(s["rouge1"].fmeasure)
        r2.append(s["rouge2"].fmeasure)
        rl.append(s["rougeLsum"].fmeasure)
        words.append(np.mean([len(p.split()) for p in pts]))
        every.append(pts)
    return (100 * np.mean(r1), 100 * np.mean(r2), 100 * np.mean(rl), float(np.mean(words)),
            every)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    add_data_argument(ap)
    ap.add_argument("--cache", default="/tmp/takeaways-tune-cache.pkl")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--part", choices=("all", "fit", "heldout"), default="all",
                    help="all dev articles, the fit half (A) or the held-out half (B, "
                         "train/entail/cnndm_heldout_ids.txt)")
    args = ap.parse_args()
    from takeaways import Pipeline, Settings
    from takeaways.nlp.models import HashingEmbedder, set_embedder

    rows = _analyses(args.data, Path(args.cache), args.limit)
    if args.part != "all":
        held = set((Path(__file__).resolve().parents[1] / "train" / "entail" /
                    "cnndm_heldout_ids.txt").read_text("utf-8").split())
        ids = [str(r["article_id"]) for r in cnndm_articles(args.data, len(rows))]
        keep = args.part == "heldout"
        rows = [r for r, i in zip(rows, ids, strict=True) if (i in held) == keep]
    set_embedder(HashingEmbedder())  # embeddings are cached; never recomputed
    base = Settings.load()
    for spec in args.variant or ["base"]:
        over = _parse_variant(spec)
        cfg = {k: v for k, v in over.items() if not k.startswith("w.")}
        weights = {k[2:]: v for k, v in over.items() if k.startswith("w.")}
        if weights:
            cfg["weights"] = weights
        pipeline = Pipeline(base.replace(keypoints=cfg))  # checked: a typo is an error
        r1, r2, rl, w, points = _score(rows, args.n, pipeline)
        share, kinds = _defect_share(points)
        line = (f"R-1 {r1:.2f}  R-2 {r2:.2f}  R-Lsum {rl:.2f}  words/pt {w:.1f}  "
                f"defects {share:.1f}% {kinds}")
        print(f"{spec:40s} {line}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

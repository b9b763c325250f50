"""Compare key-point settings variants on dev CNN/DM with full selection + rewriting.

Analyses (parse, embeddings, quote graph) are built once and cached in --cache, then each
variant of ``data/keypoints.toml`` settings is scored by ROUGE at N=3. Dev data only.

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
        _ = an.doc, an.sentence_embeddings, an.quotes
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


def _score(rows: list[tuple[Any, list[str]]], n: int) -> tuple[float, float, float, float]:
    from rouge_score import rouge_scorer

    import takeaways

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    r1, r2, rl, words = [], [], [], []
    for an, refs in rows:
        an.cache.clear()  # per-settings caches (e.g. the candidates) must not leak across variants
        pts = [p.text for p in takeaways.key_points(an, n=n).points]
        s = scorer.score("\n".join(refs), "\n".join(pts))
        r1.append(s["rouge1"].fmeasure)
        r2.append(s["rouge2"].fmeasure)
        rl.append(s["rougeLsum"].fmeasure)
        words.append(np.mean([len(p.split()) for p in pts]))
    return 100 * np.mean(r1), 100 * np.mean(r2), 100 * np.mean(rl), float(np.mean(words))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    add_data_argument(ap)
    ap.add_argument("--cache", default="/tmp/takeaways-tune-cache.pkl")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--variant", action="append", default=[])
    args = ap.parse_args()
    from takeaways.keypoints import select
    from takeaways.nlp.models import HashingEmbedder, set_embedder

    rows = _analyses(args.data, Path(args.cache), args.limit)
    set_embedder(HashingEmbedder())  # embeddings are cached; never recomputed
    base = dict(select.settings())
    for spec in args.variant or ["base"]:
        over = _parse_variant(spec)
        cfg = {**base, **{k: v for k, v in over.items() if not k.startswith("w.")}}
        cfg["weights"] = {**base["weights"],
                          **{k[2:]: v for k, v in over.items() if k.startswith("w.")}}
        _patch(select, cfg)
        r1, r2, rl, w = _score(rows, args.n)
        line = f"R-1 {r1:.2f}  R-2 {r2:.2f}  R-Lsum {rl:.2f}  words/pt {w:.1f}"
        print(f"{spec:40s} {line}", flush=True)
    return 0


def _patch(select: Any, cfg: dict[str, Any]) -> None:
    select.settings = lambda: cfg
    import sys

    import takeaways.keypoints as kp

    rw = sys.modules["takeaways.keypoints.rewrite"]

    kp.settings = select.settings
    rw.__dict__["_trim_clauses"] = lambda: bool(cfg.get("trim_clauses", True))
    if "_dangling" not in kp.__dict__:
        kp.__dict__["_dangling"] = kp.dangling_start
    for name in ("_aside_edits", "_connective_edits", "_mention_edits"):
        orig = rw.__dict__.setdefault("_orig" + name, rw.__dict__[name])
        rw.__dict__[name] = (lambda *a, **k: []) if cfg.get("no" + name) else orig
    if "_rewrite" not in kp.__dict__:
        kp.__dict__["_rewrite"] = kp.rewrite
    # measurement only: what rewriting and the no-dangling-start rule cost
    kp.rewrite = (lambda an, s: (s.text, [])) if cfg.get("no_rewrite") else kp.__dict__["_rewrite"]
    kp.dangling_start = (lambda t: None) if cfg.get("allow_dangling") else kp.__dict__["_dangling"]


if __name__ == "__main__":
    raise SystemExit(main())

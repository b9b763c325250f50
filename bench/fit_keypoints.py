"""Fit the key-point feature weights on dev CNN/DM articles (oracle labels).

Labels: the greedy ROUGE-1+2 oracle sentences against the reference highlights.
Model: L2 logistic regression on the raw features of `takeaways.keypoints.features`,
so the printed weights can be pasted into ``src/takeaways/data/keypoints.toml``.
Dev data only; the hidden holdout is never read.

    python bench/fit_keypoints.py --data ../shared/data/frank/cnndm_articles.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _oracle(sentences: list[str], refs: list[str], k: int = 3) -> list[int]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    ref = "\n".join(refs)
    chosen: list[int] = []
    best = 0.0
    for _ in range(k):
        cand = None
        for i in range(len(sentences)):
            if i in chosen:
                continue
            pred = "\n".join(sentences[j] for j in sorted(chosen + [i]))
            s = scorer.score(ref, pred)
            val = s["rouge1"].fmeasure + s["rouge2"].fmeasure
            if val > best:
                best, cand = val, i
        if cand is None:
            break
        chosen.append(cand)
    return chosen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="../shared/data/frank/cnndm_articles.jsonl.gz")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--C", type=float, default=1.0)
    args = ap.parse_args()
    import takeaways
    from sklearn.linear_model import LogisticRegression
    from takeaways.api import analyze
    from takeaways.keypoints.features import FEATURES, sentence_features

    recs = [json.loads(x) for x in gzip.open(Path(args.data), "rt", encoding="utf-8")]
    recs = recs[: args.limit] if args.limit else recs
    xs, ys = [], []
    for r in recs:
        art = takeaways.read(r["article"], kind="plain")
        an = analyze(art)
        table = sentence_features(an)
        labels = np.zeros(len(art.sentences))
        labels[_oracle([s.text for s in art.sentences], r["reference_highlights"])] = 1
        xs.append(table.values)
        ys.append(labels)
    x, y = np.vstack(xs), np.concatenate(ys)
    model = LogisticRegression(C=args.C, max_iter=2000).fit(x, y)
    print(f"# fitted on {len(recs)} dev articles, {len(y)} sentences, {int(y.sum())} positives")
    print("[keypoints.weights]")
    print(f"bias = {model.intercept_[0]:.3f}")
    for name, w in zip(FEATURES, model.coef_[0], strict=True):
        print(f"{name} = {w:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

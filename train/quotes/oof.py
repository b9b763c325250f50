"""Out-of-fold figures for the learned cue model on PolNeAR ``train`` (never dev or test).

    python train/quotes/oof.py --data ../shared/data [--cache PARSES.pkl] [--folds 5]

The shipped model (`train/quotes/train.py`) is fitted on all of ``train``, so its train
figures are in-sample. Here each fold of articles (`GroupKFold` by article, as in
training) is scored by a model fitted on the other folds, with the same features,
``C``, ``--min-count`` and seed, and the quote graph of each article is built with its
fold's model (strategies ``quotes.model.v1`` and ``quotes.hybrid.v1``). The tables are
`bench/quotes.py`'s: direct literal content overlap F1, direct literal source exact F1,
all attributions content overlap F1. The rules are the same in every fold (they have no
fitted parts), so the rules row needs no folds.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def scores(records: list[dict[str, Any]], preds: list[list[Any]]) -> dict[str, float]:
    import quotes as bench

    texts = [r["text"] for r in records]
    golds = [bench.gold_attributions(r) for r in records]
    direct = [[a for a in g if a.direct] for g in golds]
    kinds = frozenset({"direct", "mixed"})
    lit = bench.table_rows(bench.score_table(texts, direct, bench.filter_direct(preds, kinds),
                                             False))
    every = bench.table_rows(bench.score_table(texts, golds, preds, False))
    return {"direct_literal_content_overlap_f1": round(lit["content"]["overlap_f1"], 4),
            "direct_literal_source_exact_f1": round(lit["source"]["exact_f1"], 4),
            "all_content_overlap_f1": round(every["content"]["overlap_f1"], 4)}


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    import quotes as bench
    from _data import add_data_argument
    from _data import records as data_records
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from takeaways.attribution import build as build_module
    from takeaways.attribution.build import quotes_from_doc
    from takeaways.attribution.model import CueModel, cue_model
    from train import C, examples, parse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(ap)
    ap.add_argument("--cache", type=Path, default=None, help="a pickle of the parses")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None, dest="json_out")
    args = ap.parse_args(argv)
    records = list(data_records(args.data, "polnear", compartment="train"))
    parsed = parse(records, args.cache)
    per_article = [examples(a, d, r) for r, (a, d) in zip(records, parsed, strict=True)]
    threshold = cue_model().threshold  # the shipped model's (itself chosen out of fold)
    preds: dict[str, list[list[Any]]] = {"model": [[] for _ in records],
                                         "hybrid": [[] for _ in records]}
    ids = np.arange(len(records))
    for fit, held in GroupKFold(n_splits=args.folds).split(ids, ids, ids):
        rows = [f for k in fit for f, _ in per_article[k]]
        labels = [y for k in fit for _, y in per_article[k]]
        counts = Counter(f for feats in rows for f in set(feats))
        keep = {f for f, n in counts.items() if n >= args.min_count}
        vec = DictVectorizer()
        x = vec.fit_transform([{f: 1.0 for f in feats if f in keep} for feats in rows])
        m = LogisticRegression(C=C, max_iter=2000, random_state=args.seed).fit(x, labels)
        fold = CueModel({n: float(w) for n, w in zip(vec.get_feature_names_out(), m.coef_[0],
                                                       strict=True)},
                        float(m.intercept_[0]), threshold)
        original = build_module.cue_model
        build_module.cue_model = lambda fold=fold: fold  # this fold's model for its articles
        try:
            for k in held:
                article, doc = parsed[k]
                for name in preds:
                    graph = quotes_from_doc(doc, article, strategy=f"quotes.{name}.v1")
                    preds[name][k] = [bench.convert_takeaways_quote(q) for q in graph.quotes]
        finally:
            build_module.cue_model = original
    rules = [[bench.convert_takeaways_quote(q) for q in
              quotes_from_doc(d, a, strategy="quotes.rules.v1").quotes] for a, d in parsed]
    report = {"rules": scores(records, rules),
              **{f"{name} (out of fold)": scores(records, p) for name, p in preds.items()}}
    print(json.dumps(report, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

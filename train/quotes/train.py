"""Train the learned cue model (`takeaways.attribution.model`) on PolNeAR ``train`` only.

    python train/quotes/train.py --data ../shared/data [--cache PARSES.pkl] [--seed 0]

Each example is a (verb, child) pair of `model.candidates` over the one parse takeaways
makes of an article (``read(text, kind="plain")`` + ``analyze``). Its label is 1 when a
gold attribution's cue holds the verb and the gold content covers most of the child's
subtree (at least half of the smaller of the two). A logistic regression (scikit-learn,
L2, ``C`` below, seeded) is fitted on the feature strings of `model.features`; features
seen fewer than ``--min-count`` times are dropped. The decision threshold is the one with
the best out-of-fold F1 over ``--folds`` folds grouped by article. Writes the weights to
``src/takeaways/data/quote_cue_model.json`` and a log beside this script.

Only PolNeAR's ``train`` compartment is read: ``dev`` stays the held-out check
(``bench/quotes.py --strategy``), and the holdout is never seen.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

C = 0.5  # hand-set L2 strength (not searched)
THRESHOLDS = [round(0.30 + 0.05 * k, 2) for k in range(11)]  # 0.30 … 0.80


def parse(records: list[dict[str, Any]], cache: Path | None) -> list[tuple[Any, Any]]:
    """(article, doc) per record, from ``cache`` when it holds these records' parses."""
    from spacy.tokens import DocBin

    import takeaways
    from takeaways.nlp.models import get_nlp

    if cache is not None and cache.exists():
        recs, arts, raw = pickle.loads(cache.read_bytes())
        if [r["id"] for r in recs] == [r["id"] for r in records]:
            return list(zip(arts, DocBin().from_bytes(raw).get_docs(get_nlp().vocab),
                            strict=True))
    arts, bin_ = [], DocBin(store_user_data=False)
    for rec in records:
        article = takeaways.read(rec["text"], kind="plain")
        arts.append(article)
        bin_.add(takeaways.analyze(article).doc)
    if cache is not None:
        cache.write_bytes(pickle.dumps((records, arts, bin_.to_bytes())))
    docs = list(bin_.get_docs(get_nlp().vocab))
    return list(zip(arts, docs, strict=True))


def gold_pairs(rec: dict[str, Any]) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """(cue spans, content spans) of each gold attribution that has both."""
    out = []
    for attr in rec.get("attributions") or []:
        if attr.get("cue") and attr.get("content"):
            out.append(([tuple(s) for s in attr["cue"]["spans"]],
                         [tuple(s) for s in attr["content"]["spans"]]))
    return out


def _covered(span: tuple[int, int], gold: list[tuple[int, int]]) -> bool:
    inter = sum(max(0, min(span[1], e) - max(span[0], s)) for s, e in gold)
    size = min(span[1] - span[0], sum(e - s for s, e in gold))
    return size > 0 and inter >= size / 2


def examples(article: Any, doc: Any, rec: dict[str, Any]) -> list[tuple[list[str], int]]:
    from takeaways.attribution.build import _Builder
    from takeaways.attribution.model import candidates, features
    from takeaways.lexicon import lexicon

    lex = lexicon()
    inside = _Builder(doc, article, lex).inside
    gold = gold_pairs(rec)
    out = []
    for verb, child in candidates(doc, inside):
        at = verb.idx
        span = (doc[child.left_edge.i].idx, doc[child.right_edge.i].idx
                + len(doc[child.right_edge.i].text))
        label = any(any(s <= at < e for s, e in cues) and _covered(span, content)
                    for cues, content in gold)
        out.append((features(verb, child, lex), int(label)))
    return out


def f1(probs: list[float], labels: list[int], t: float) -> float:
    tp = sum(1 for p, y in zip(probs, labels, strict=True) if p >= t and y)
    fp = sum(1 for p, y in zip(probs, labels, strict=True) if p >= t and not y)
    fn = sum(1 for p, y in zip(probs, labels, strict=True) if p < t and y)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main(argv: list[str] | None = None) -> int:
    from _data import add_data_argument
    from _data import records as data_records
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(ap)
    ap.add_argument("--cache", type=Path, default=None, help="a pickle of the parses")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--limit", type=int, default=None,
                    help="the first K train articles only (a CPU budget)")
    ap.add_argument("--out", type=Path, default=ROOT / "src/takeaways/data/quote_cue_model.json")
    args = ap.parse_args(argv)
    random.seed(args.seed)
    records = list(data_records(args.data, "polnear", limit=args.limit, compartment="train"))
    rows, labels, groups = [], [], []
    for k, (rec, (article, doc)) in enumerate(zip(records, parse(records, args.cache),
                                                  strict=True)):
        for feats, y in examples(article, doc, rec):
            rows.append(feats)
            labels.append(y)
            groups.append(k)
    counts = Counter(f for feats in rows for f in set(feats))
    keep = {f for f, n in counts.items() if n >= args.min_count}
    dicts = [{f: 1.0 for f in feats if f in keep} for feats in rows]
    vec = DictVectorizer()
    x = vec.fit_transform(dicts)

    def model() -> LogisticRegression:
        return LogisticRegression(C=C, max_iter=2000, random_state=args.seed)

    oof = [0.0] * len(labels)
    for fit_idx, test_idx in GroupKFold(n_splits=args.folds).split(x, labels, groups):
        m = model().fit(x[fit_idx], [labels[i] for i in fit_idx])
        for i, p in zip(test_idx, m.predict_proba(x[test_idx])[:, 1], strict=True):
            oof[i] = float(p)
    scores = {t: f1(oof, labels, t) for t in THRESHOLDS}
    threshold = max(THRESHOLDS, key=lambda t: (scores[t], -t))
    final = model().fit(x, labels)
    weights = {name: round(float(w), 4) for name, w in
               zip(vec.get_feature_names_out(), final.coef_[0], strict=True)
               if abs(w) >= 1e-3}
    log = {
        "trained_on": f"PolNeAR train ({len(records)} articles)",
        "examples": len(labels), "positives": sum(labels), "features": len(weights),
        "seed": args.seed, "C": C, "min_count": args.min_count, "folds": args.folds,
        "oof_f1_by_threshold": scores, "threshold": threshold,
    }
    args.out.write_text(json.dumps({
        "about": "takeaways.attribution.model: logistic cue model, trained by "
                 "train/quotes/train.py on PolNeAR train only",
        **{k: log[k] for k in ("trained_on", "seed", "threshold")},
        "bias": round(float(final.intercept_[0]), 4), "weights": dict(sorted(weights.items())),
    }, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    (Path(__file__).parent / "train_log.json").write_text(json.dumps(log, indent=2) + "\n")
    print(json.dumps(log, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

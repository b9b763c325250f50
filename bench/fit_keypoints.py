"""Fit the key-point feature weights and MMR settings on dev CNN/DM articles.

Labels: the greedy ROUGE-1+2 oracle among the eligible sentences (rewritten as the
pipeline would; sentences opening with a dangling pronoun allowed, since they can join
the point before them) against the reference highlights, smoothed with each sentence's
ROUGE-2 precision with ``--alpha`` below 1 (alpha x oracle + (1 - alpha) x precision
scaled to the article's best; default 1: oracle labels only).
Model: L2 logistic regression on the raw features of `takeaways.keypoints.features`,
so the printed weights can be pasted into ``src/takeaways/data/keypoints.toml``.
Then a small grid over ``mmr_lambda`` and ``max_similarity`` scored by R-2 at N=3,
with 5-fold cross-validation over articles so the reported gain is out-of-fold;
``--nested`` also chooses C and alpha inside each training split.
Dev data only; the hidden holdout is never read. The printed weights are fitted on half A
(the dev articles outside ``train/entail/cnndm_heldout_ids.txt``); half B is only scored
(R-1/R-2/R-Lsum vs Lead-N with a paired bootstrap, N=3 and N=4), beside the 5-fold
out-of-fold figures over all dev articles. Features are cached in --cache.

    python bench/fit_keypoints.py --data ../shared/data   # frank/cnndm_articles.jsonl.gz in it
    # reuse bench/tune_keypoints.py's cached analyses instead of parsing again:
    python bench/fit_keypoints.py --analyses /tmp/takeaways-tune-cache.pkl
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import add_data_argument, cnndm_articles  # noqa: E402


def _scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)


def _oracle(
    sentences: list[str], refs: list[str], cand: list[int] | None = None, k: int = 3
) -> list[int]:
    """Greedy ROUGE-1+2 oracle among ``cand`` (default: every sentence)."""
    scorer = _scorer()
    ref = "\n".join(refs)
    pool = list(range(len(sentences))) if cand is None else cand
    chosen: list[int] = []
    best = 0.0
    for _ in range(k):
        pick = None
        for i in pool:
            if i in chosen:
                continue
            pred = "\n".join(sentences[j] for j in sorted([*chosen, i]))
            s = scorer.score(ref, pred)
            val = s["rouge1"].fmeasure + s["rouge2"].fmeasure
            if val > best:
                best, pick = val, i
        if pick is None:
            break
        chosen.append(pick)
    return chosen


def _row(an: Any, refs: list[str]) -> dict[str, Any]:
    """Features, oracle labels and eligibility of one article, as the pipeline sees them:
    rewritten texts, dangling sentences attached to the one before (`_fusable`)."""
    from takeaways.keypoints import attachments, eligibility, publishable
    from takeaways.keypoints.features import sentence_features

    sents = an.article.sentences
    table = sentence_features(an)
    ok = eligibility(an, table)
    rewritten, eligible, attach = attachments(an, ok)
    # the candidates the pipeline keeps: quote units, the defect check as a filter;
    # an eligible sentence's text is the whole point it makes (fused sentence, quote run)
    eligible, _runs, units = publishable(an, eligible, attach, rewritten)
    texts = [units.get(s.id) or (rewritten[s.id][0] if s.id in rewritten else s.text)
             for s in sents]
    labels = np.zeros(len(sents))
    labels[_oracle(texts, refs, [i for i in range(len(sents)) if eligible[i]])] = 1
    scorer, ref = _scorer(), "\n".join(refs)
    precision = np.array([scorer.score(ref, t)["rouge2"].precision for t in texts])
    emb = an.sentence_embeddings
    return {"x": table.values, "y": labels, "p2": precision, "sents": texts,
            "raw": [s.text for s in sents], "refs": refs, "sim": emb @ emb.T, "ok": ok,
            "eligible": eligible, "attach": attach}


def _collect(data: Path, limit: int | None, analyses: Path | None) -> list[dict[str, Any]]:
    import takeaways
    from takeaways.api import analyze

    if analyses is not None:
        from takeaways.nlp.models import HashingEmbedder, set_embedder

        set_embedder(HashingEmbedder())  # embeddings are cached in the analyses
        pairs = pickle.loads(analyses.read_bytes())
        pairs = pairs[:limit] if limit else pairs
        recs = cnndm_articles(data, len(pairs))
        rows = []
        for (an, refs), rec in zip(pairs, recs, strict=True):
            if list(refs) != list(rec["reference_highlights"]):
                raise SystemExit("the cached analyses are not in the data's article order")
            rows.append({**_row(an, refs), "id": str(rec["article_id"])})
        return rows
    recs = cnndm_articles(data, limit or None)
    return [{**_row(analyze(takeaways.read(r["article"], kind="plain")),
                    r["reference_highlights"]), "id": str(r["article_id"])} for r in recs]


def _points(r: dict[str, Any], pick: list[int]) -> list[str]:
    from takeaways.keypoints.select import group_points

    # a group's last sentence holds the text of the whole point (`publishable`)
    return [r["sents"][g[-1]] for g in group_points(pick, r["attach"])]


def _r2(rows: list[dict[str, Any]], picks: list[list[int]]) -> float:
    scorer = _scorer()
    vals = [scorer.score("\n".join(r["refs"]), "\n".join(_points(r, p)))["rouge2"].fmeasure
            for r, p in zip(rows, picks, strict=True)]
    return 100 * float(np.mean(vals))


def _pick(
    rows: list[dict[str, Any]], w: np.ndarray, b: float, lam: float, max_sim: float,
    n: int = 3,
) -> list[list[int]]:
    """N=3 picks as the pipeline makes them: only the best ``embedded_candidates`` by the
    embedding-free score (centrality zeroed) compete, their centrality is recomputed over
    those candidates alone, then MMR."""
    from takeaways.keypoints import best_ids, embedded_limit
    from takeaways.keypoints.features import FEATURES
    from takeaways.keypoints.select import select_mmr

    central = FEATURES.index("centrality")
    out = []
    for r in rows:
        scores = r["x"] @ w + b
        eligible = r["eligible"]
        if len(scores) > embedded_limit(n):
            free = scores - r["x"][:, central] * w[central]
            ids = best_ids(free, r["ok"], embedded_limit(n))
            top = set(ids)
            eligible = [e and i in top for i, e in enumerate(eligible)]
            # cosine to the candidates' centroid, from the (unit-norm) similarity matrix
            sub = r["sim"][np.ix_(ids, ids)]
            central_col = np.zeros(len(scores))
            central_col[ids] = sub.sum(axis=1) / max(float(np.sqrt(sub.sum())), 1e-9)
            scores = free + central_col * w[central]
        out.append(select_mmr(scores, r["sim"], [0] * len(scores), eligible, n,
                              lam=lam, max_sim=max_sim, attach=r["attach"]))
    return out


def _bootstrap(rows: list[dict[str, Any]], picks: list[list[int]]) -> str:
    """Mean R-2 difference to Lead-3 with a paired bootstrap 95% interval."""
    scorer = _scorer()
    diff = np.array([
        scorer.score("\n".join(r["refs"]), "\n".join(_points(r, p)))["rouge2"].fmeasure
        - scorer.score("\n".join(r["refs"]), "\n".join(r["raw"][:3]))["rouge2"].fmeasure
        for r, p in zip(rows, picks, strict=True)]) * 100
    rng = np.random.default_rng(20240601)
    boot = [diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(1000)]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return f"{diff.mean():+.2f} [{lo:+.2f}, {hi:+.2f}]"


def _rouge_all(rows: list[dict[str, Any]], picks: list[list[int]] | None, n: int = 3
               ) -> np.ndarray:
    """Per-article ROUGE-1/2/Lsum F1 x100 (rows x 3) of ``picks`` (None: Lead-n)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    out = np.zeros((len(rows), 3))
    for k, r in enumerate(rows):
        pred = r["raw"][:n] if picks is None else _points(r, picks[k])
        s = scorer.score("\n".join(r["refs"]), "\n".join(pred))
        out[k] = [100 * s[t].fmeasure for t in ("rouge1", "rouge2", "rougeLsum")]
    return out


def report(rows: list[dict[str, Any]], picks: list[list[int]], n: int = 3) -> str:
    """R-1/R-2/R-Lsum of ``picks`` and of Lead-n, and the R-2 gain over Lead-n with a
    paired bootstrap 95% interval over articles."""
    mine, lead = _rouge_all(rows, picks, n), _rouge_all(rows, None, n)
    diff = mine[:, 1] - lead[:, 1]
    rng = np.random.default_rng(20240601)
    boot = [diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(1000)]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    a, b = mine.mean(axis=0), lead.mean(axis=0)
    return (f"{a[0]:.2f}/{a[1]:.2f}/{a[2]:.2f} vs Lead-{n} {b[0]:.2f}/{b[1]:.2f}/{b[2]:.2f}"
            f" (R-2 {diff.mean():+.2f} [{lo:+.2f}, {hi:+.2f}], {len(rows)} articles)")


def heldout_ids() -> set[str]:
    """The CNN/DM dev articles kept out of every fit (half B, train/entail)."""
    path = Path(__file__).resolve().parents[1] / "train" / "entail" / "cnndm_heldout_ids.txt"
    return set(path.read_text("utf-8").split())


def _fit(rows: list[dict[str, Any]], c: float, alpha: float = 1.0) -> tuple[np.ndarray, float]:
    """Logistic regression on soft labels: ``alpha`` x the oracle label plus
    ``1 - alpha`` x the sentence's ROUGE-2 precision against the references, scaled to
    the article's best sentence (each row enters as a weighted positive and negative)."""
    from sklearn.linear_model import LogisticRegression

    xs, ps = [], []
    for r in rows:
        el = np.array(r["eligible"])
        soft = r["p2"][el] / max(float(r["p2"][el].max(initial=0.0)), 1e-9)
        xs.append(r["x"][el])
        ps.append(alpha * r["y"][el] + (1 - alpha) * soft)
    x, p = np.vstack(xs), np.concatenate(ps)
    y = np.concatenate([np.ones(len(p)), np.zeros(len(p))])
    m = LogisticRegression(C=c, max_iter=5000).fit(np.vstack([x, x]), y,
                                                   sample_weight=np.concatenate([p, 1 - p]))
    return m.coef_[0], float(m.intercept_[0])


def _folds(n: int, k: int = 5) -> list[tuple[list[int], list[int]]]:
    fold = np.arange(n) % k
    return [([i for i in range(n) if fold[i] != f], [i for i in range(n) if fold[i] == f])
            for f in range(k)]


def _nested(
    rows: list[dict[str, Any]], grid: list[tuple[float, float]], lam: float, max_sim: float
) -> tuple[list[list[int]], list[tuple[float, float]]]:
    """Out-of-fold picks where (C, alpha) is also chosen inside each training split (inner
    4-fold CV on its articles), so the choice of C and label smoothing is held out too."""
    picks: list[list[int]] = [[] for _ in rows]
    chosen = []
    for train, test in _folds(len(rows)):
        inner = [rows[i] for i in train]
        def score(g: tuple[float, float], inner: list[dict[str, Any]] = inner) -> float:
            out: list[list[int]] = [[] for _ in inner]
            for tr, te in _folds(len(inner), 4):
                w, b = _fit([inner[i] for i in tr], *g)
                for i, p in zip(te, _pick([inner[i] for i in te], w, b, lam, max_sim),
                                strict=True):
                    out[i] = p
            return _r2(inner, out)
        best = max(grid, key=score)
        chosen.append(best)
        w, b = _fit(inner, *best)
        for i, p in zip(test, _pick([rows[i] for i in test], w, b, lam, max_sim), strict=True):
            picks[i] = p
    return picks, chosen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    add_data_argument(ap)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--C", type=float, default=0.3)
    ap.add_argument("--alpha", type=float, default=1.0,
                    help="weight of the oracle label against scaled ROUGE-2 precision")
    ap.add_argument("--nested", action="store_true",
                    help="also choose C and alpha inside each training split (slow)")
    ap.add_argument("--analyses", type=Path, default=None,
                    help="pickle of (Analysis, reference highlights) rows, as cached by "
                         "bench/tune_keypoints.py")
    ap.add_argument("--cache", default="/tmp/takeaways-fit-cache.pkl")
    args = ap.parse_args()
    from takeaways.keypoints.features import FEATURES

    cache = Path(args.cache)
    if cache.is_file():
        rows = pickle.loads(cache.read_bytes())
    else:
        rows = _collect(args.data, args.limit, args.analyses)
        cache.write_bytes(pickle.dumps(rows))
    scorer = _scorer()
    lead = 100 * float(np.mean([scorer.score("\n".join(r["refs"]), "\n".join(r["raw"][:3]))
                                ["rouge2"].fmeasure for r in rows]))
    grid = [(lam, ms) for lam in (0.6, 0.75, 0.9, 1.0) for ms in (0.7, 0.85, 1.01)]
    folds = np.arange(len(rows)) % 5
    cv: dict[tuple[float, float], list[list[int]]] = {g: [[] for _ in rows] for g in grid}
    for f in range(5):
        train = [r for r, k in zip(rows, folds, strict=True) if k != f]
        test_idx = [i for i, k in enumerate(folds) if k == f]
        w, b = _fit(train, args.C, args.alpha)
        for g in grid:
            picks = _pick([rows[i] for i in test_idx], w, b, *g)
            for i, p in zip(test_idx, picks, strict=True):
                cv[g][i] = p
    print(f"# Lead-3 R-2 {lead:.2f} on {len(rows)} dev articles")
    for g in grid:
        print(f"# 5-fold out-of-fold R-2 lam={g[0]} max_sim={g[1]}: {_r2(rows, cv[g]):.2f}")
    from takeaways.keypoints import settings

    cfg = settings()
    shipped = (float(cfg["mmr_lambda"]), float(cfg["max_similarity"]))
    if shipped in cv:
        print(f"# configured lam={shipped[0]} max_sim={shipped[1]}: out-of-fold R-2 "
              f"{_r2(rows, cv[shipped]):.2f}, minus Lead-3 {_bootstrap(rows, cv[shipped])} "
              "(paired bootstrap 95%)")
        if args.nested:
            grid2 = [(c, a) for c in (0.1, 0.3, 1.0) for a in (1.0, 0.5, 0.3)]
            picks, best = _nested(rows, grid2, *shipped)
            print(f"# nested (C, alpha) per fold {best}: out-of-fold R-2 "
                  f"{_r2(rows, picks):.2f}, minus Lead-3 {_bootstrap(rows, picks)}")
    held = heldout_ids()
    train = [r for r in rows if r["id"] not in held]
    test = [r for r in rows if r["id"] in held]
    w, b = _fit(train, args.C, args.alpha)
    for n in (3, 4):
        oof: list[list[int]] = [[] for _ in rows]
        for f in range(5):
            wf, bf = _fit([r for r, k in zip(rows, folds, strict=True) if k != f],
                          args.C, args.alpha)
            idx = [i for i, k in enumerate(folds) if k == f]
            for i, p in zip(idx, _pick([rows[i] for i in idx], wf, bf, *shipped, n=n),
                            strict=True):
                oof[i] = p
        print(f"# N={n} 5-fold out-of-fold, all dev: {report(rows, oof, n)}")
        print(f"# N={n} in-sample, fitted on half A: "
              f"{report(train, _pick(train, w, b, *shipped, n=n), n)}")
        print(f"# N={n} held-out half B, fitted on half A: "
              f"{report(test, _pick(test, w, b, *shipped, n=n), n)}")
    print(f"[keypoints.weights]  # C={args.C}, alpha={args.alpha}, fitted on the "
          f"{len(train)} dev articles outside train/entail/cnndm_heldout_ids.txt")
    print(f"bias = {b:.3f}")
    for name, wi in zip(FEATURES, w, strict=True):
        print(f"{name} = {wi:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

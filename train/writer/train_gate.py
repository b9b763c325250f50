#!/usr/bin/env python
"""Train the LLM writer's learned gate (``src/takeaways/data/writer_gate.json``).

    HF_HUB_OFFLINE=1 PYTHONPATH=src python train/writer/train_gate.py --data ../shared/data \\
        [--jobs 1] [--out src/takeaways/data/writer_gate.json] [--no-write]

Data: the summary sentences of FRANK and QAGS **dev** (never holdout) with their human
labels, each run through the writer's check by ``bench/writer.py`` (the same loader and
the same per-sentence cache, ``bench/results/writer-dev.jsonl``; a missing cache is
computed, minutes on two cores). Each sentence the audit supports is one training
example (a sentence the audit splits in two: each part, weighing half); its inputs are
`takeaways.writer.gate.gate_features` of the audit's own signals.

Model: L2-regularised logistic regression (Newton steps, numpy; C = 1 on standardised
inputs; the two labels weigh the same), P(faithful) per sentence; a point passes when
every sentence is supported by the audit and has P at the cut or above.

Operating point, fixed in advance: the lowest cut at which at most 10% of the training
set's unfaithful sentences (all of them, also those the audit rejects) would survive,
read off article-grouped 5-fold out-of-fold probabilities *within the training set*
(never the scored fold's).

Figures printed (unfaithful that survive / faithful kept): in-sample (trained on all,
scored on all), leave-one-dataset-out (FRANK -> QAGS, QAGS -> FRANK; the articles of the
scored set left out of training) and article-grouped 5-fold out-of-fold; beside each, the
peer ``claim-model cut``: the audit's claim probability alone with its cut chosen by the
same rule on the same training rows, and on stderr the LODO ranking (AUC) of both. The
claim model's weights were fitted on these dev sets too (``data/audit.toml``), so every
figure is in-sample for the audit itself. Seeded: the same data gives the same JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from takeaways.writer.gate import GateModel, gate_features  # noqa: E402

SEED = 19
FOLDS = 5
TARGET = 0.10  # at most this share of the unfaithful sentences may survive
C = 1.0
BALANCE = "label"  # "label": the two labels weigh the same; "cell": each (dataset, label)
NAME = "learned.v1"
OUT = ROOT / "src" / "takeaways" / "data" / "writer_gate.json"
#: a few fixed sentences with the trained model's P and decision (tests/writer/test_gate.py
#: checks that the shipped JSON gives the same)
VECTORS = ROOT / "tests" / "writer" / "gate_vectors.json"


# --- data -----------------------------------------------------------------------------

def load_rows(data: Path, jobs: int) -> list[Any]:
    """The bench's rows (one per summary sentence, with cached `raw_signals` parts)."""
    import writer as bench

    summaries, _ = bench.load(data, "dev", None)
    cache = bench.CACHE_DIR / "writer-dev.jsonl"
    rows = bench.run(summaries, jobs, cache, refresh=False)
    missing = [r for r in rows if not r.parts]
    if missing:
        raise SystemExit(f"{len(missing)} cached rows have no per-part signals (an older "
                         f"cache); rerun 'python bench/writer.py --refresh'.")
    return rows


def family(row: Any) -> str:
    return str(row.dataset).split("-")[0]  # frank | qags


def feature_names(rows: Sequence[Any]) -> list[str]:
    names: set[str] = set()
    for r in rows:
        for p in r.parts:
            names.update(gate_features(p))
    return sorted(names)


def examples(rows: Sequence[Any], names: Sequence[str]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X, y, weight over the parts of the sentences the audit supports."""
    xs, ys, ws = [], [], []
    for r in rows:
        if r.verdict != "supported":
            continue
        for p in r.parts:
            f = gate_features(p)
            xs.append([f.get(n, 0.0) for n in names])
            ys.append(float(r.label))
            ws.append(1.0 / len(r.parts))
    return (np.asarray(xs, dtype=np.float64).reshape(-1, len(names)),
            np.asarray(ys), np.asarray(ws))


# --- model ----------------------------------------------------------------------------

def fit(rows: Sequence[Any], names: Sequence[str], cut: float = 0.5) -> GateModel:
    """Class-balanced L2 logistic regression on standardised inputs (Newton's method)."""
    x, y, w = examples(rows, names)
    cell = np.asarray([r.dataset for r in rows if r.verdict == "supported" for _ in r.parts])
    keep = [i for i in range(len(names)) if x[:, i].std() > 1e-9]
    feats = [names[i] for i in keep]
    x = x[:, keep]
    mean, scale = x.mean(axis=0), x.std(axis=0)
    z = (x - mean) / scale
    cells = [(label, c) for label in (0.0, 1.0) for c in sorted(set(cell))]
    if BALANCE == "cell":  # each (dataset, label) cell weighs the same
        for label, c in cells:
            m = (y == label) & (cell == c)
            if m.any():
                w = np.where(m, w * (w.sum() / len(cells)) / w[m].sum(), w)
    else:  # each label weighs the same in all
        for label in (0.0, 1.0):
            m = y == label
            w = np.where(m, w * (w.sum() / 2) / max(w[m].sum(), 1e-9), w)
    zb = np.hstack([z, np.ones((len(z), 1))])
    beta = np.zeros(zb.shape[1])
    reg = np.ones(zb.shape[1]) / C
    reg[-1] = 0.0  # the bias is not penalised
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(zb @ beta, -30, 30)))
        grad = zb.T @ (w * (p - y)) + reg * beta
        hess = (zb * (w * p * (1 - p))[:, None]).T @ zb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return GateModel(NAME, tuple(feats), tuple(float(v) for v in mean),
                     tuple(float(v) for v in scale), tuple(float(v) for v in beta[:-1]),
                     float(beta[-1]), cut, {})


def point_probability(model: GateModel, row: Any) -> float:
    """The gate's P for one sentence: its weakest part's; -1 when the audit rejects it."""
    if row.verdict != "supported":
        return -1.0
    return min(model.probability(gate_features(p)) for p in row.parts)


def folds_of(rows: Sequence[Any], k: int = FOLDS, seed: int = SEED) -> list[int]:
    """Article-grouped folds: every sentence of one article in the same fold (seeded)."""
    arts = sorted({r.article for r in rows})
    order = np.random.RandomState(seed).permutation(len(arts))
    fold = {arts[j]: i % k for i, j in enumerate(order)}
    return [fold[r.article] for r in rows]


def choose_cut(probs: Sequence[float], labels: Sequence[int], target: float = TARGET) -> float:
    """The lowest cut at which at most ``target`` of the unfaithful survive (a sentence
    survives when its P is at the cut or above; rejected ones have P = -1)."""
    bad = sorted((p for p, y in zip(probs, labels, strict=True) if y == 0), reverse=True)
    allowed = int(np.floor(target * len(bad)))  # this many may survive
    if allowed >= len(bad):
        return 0.0
    # above the (allowed+1)-th highest unfaithful P: exactly `allowed` or fewer survive
    return float(np.nextafter(max(bad[allowed], 0.0), 1.0))


def oof_probabilities(rows: Sequence[Any], names: Sequence[str], seed: int = SEED
                      ) -> list[float]:
    folds = folds_of(rows, FOLDS, seed)
    out = [0.0] * len(rows)
    for k in range(FOLDS):
        train = [r for r, f in zip(rows, folds, strict=True) if f != k]
        model = fit(train, names)
        for i, (r, f) in enumerate(zip(rows, folds, strict=True)):
            if f == k:
                out[i] = point_probability(model, r)
    return out


def train(rows: Sequence[Any], names: Sequence[str]) -> GateModel:
    """The gate trained on ``rows``, its cut by the fixed rule on inner out-of-fold P."""
    inner = oof_probabilities(rows, names, SEED + 1)
    cut = choose_cut(inner, [r.label for r in rows])
    model = fit(rows, names)
    return GateModel(model.name, model.features, model.mean, model.scale, model.weights,
                     model.bias, cut, {})


# --- figures --------------------------------------------------------------------------

GROUPS: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    *((d, lambda r, d=d: r.dataset == d)
      for d in ("frank-cnndm", "frank-xsum", "qags-cnndm", "qags-xsum")),
    ("frank", lambda r: family(r) == "frank"),
    ("qags", lambda r: family(r) == "qags"),
    ("all", lambda r: True),
)


def rates(rows: Sequence[Any], shown: Sequence[bool]) -> tuple[float, float, int, int]:
    bad = [s for r, s in zip(rows, shown, strict=True) if r.label == 0]
    good = [s for r, s in zip(rows, shown, strict=True) if r.label == 1]
    return (sum(bad) / max(len(bad), 1), sum(good) / max(len(good), 1), len(bad), len(good))


def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """P(a faithful sentence scores above an unfaithful one), ties half."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y == 1]
    neg = [s for s, y in zip(scores, labels, strict=True) if y == 0]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def claim_probability(row: Any) -> float:
    return min(float(p["probability"]) for p in row.parts)


def supported_probability(row: Any) -> float:
    return claim_probability(row) if row.verdict == "supported" else -1.0


def probability_gate(fit_on: Sequence[Any], test: Sequence[Any]) -> list[bool]:
    """The peer: the claim model's probability alone (the audit supports the sentence and
    its P is at the cut), the cut by the same rule on the training rows."""
    cut = choose_cut([supported_probability(r) for r in fit_on], [r.label for r in fit_on])
    return [supported_probability(r) >= cut for r in test]


def evaluate(rows: Sequence[Any], names: Sequence[str]) -> dict[str, dict[str, list[float]]]:
    """{scheme: {group: [unfaithful survive, faithful kept]}} for in-sample, LODO, OOF, of
    the learned gate and of the claim-model-only peer (its cut by the same rule)."""
    out: dict[str, dict[str, list[float]]] = {}

    def put(scheme: str, scored: Sequence[Any], shown: Sequence[bool]) -> None:
        for g, sel in GROUPS:
            sub = [(r, s) for r, s in zip(scored, shown, strict=True) if sel(r)]
            if sub:
                a, b, _, _ = rates([r for r, _ in sub], [s for _, s in sub])
                out.setdefault(scheme, {})[g] = [round(a, 4), round(b, 4)]

    full = train(rows, names)
    put("learned gate, in-sample", rows, [point_probability(full, r) >= full.cut for r in rows])
    put("claim-model cut, in-sample", rows, probability_gate(rows, rows))

    lodo_rows: list[Any] = []
    lodo_shown: list[bool] = []
    lodo_peer: list[bool] = []
    for held in ("qags", "frank"):
        test = [r for r in rows if family(r) == held]
        arts = {r.article for r in test}
        fit_on = [r for r in rows if family(r) != held and r.article not in arts]
        model = train(fit_on, names)
        lodo_rows += test
        lodo_shown += [point_probability(model, r) >= model.cut for r in test]
        lodo_peer += probability_gate(fit_on, test)
        sup = [r for r in test if r.verdict == "supported"]
        print(f"  LODO {held}, sentences the audit supports: AUC learned gate "
              f"{auc([point_probability(model, r) for r in sup], [r.label for r in sup]):.3f}, "
              f"claim model {auc([claim_probability(r) for r in sup], [r.label for r in sup]):.3f}",
              file=sys.stderr)
        print(f"  LODO: trained on {len(fit_on)} {('frank', 'qags')[held == 'frank']} "
              f"sentences, cut {model.cut:.3f}, scored {len(test)} {held}", file=sys.stderr)
    put("learned gate, lodo", lodo_rows, lodo_shown)
    put("claim-model cut, lodo", lodo_rows, lodo_peer)

    folds = folds_of(rows)
    shown = [False] * len(rows)
    peer = [False] * len(rows)
    for k in range(FOLDS):
        fit_on = [r for r, f in zip(rows, folds, strict=True) if f != k]
        model = train(fit_on, names)
        idx = [i for i, f in enumerate(folds) if f == k]
        for i, ok in zip(idx, probability_gate(fit_on, [rows[i] for i in idx]), strict=True):
            shown[i] = point_probability(model, rows[i]) >= model.cut
            peer[i] = ok
    put("learned gate, oof", rows, shown)
    put("claim-model cut, oof", rows, peer)
    return out


def peers(rows: Sequence[Any]) -> dict[str, dict[str, list[float]]]:
    """The bench's peers on the same rows."""
    systems: dict[str, Callable[[Any], bool]] = {
        "novel-entity": lambda r: not r.novel_entity,
        "audit verdict": lambda r: r.verdict == "supported",
        "threshold gate": lambda r: bool(r.gate),
    }
    out: dict[str, dict[str, list[float]]] = {}
    for name, shown in systems.items():
        for g, sel in GROUPS:
            sub = [r for r in rows if sel(r)]
            a, b, _, _ = rates(sub, [shown(r) for r in sub])
            out.setdefault(name, {})[g] = [round(a, 4), round(b, 4)]
    return out


def print_table(figures: dict[str, dict[str, list[float]]]) -> None:
    print(f"\n  {'check':<28}" + "".join(f"{g:>16}" for g, _ in GROUPS))
    for name, by in figures.items():
        cells = [f"{100 * by[g][0]:.1f}% / {100 * by[g][1]:.1f}%" if g in by else "–"
                 for g, _ in GROUPS]
        print(f"  {name:<28}" + "".join(f"{c:>16}" for c in cells))


def data_digest(rows: Sequence[Any]) -> str:
    h = hashlib.sha256()
    for r in sorted(rows, key=lambda r: (r.id, r.k)):
        h.update(f"{r.id}|{r.k}|{r.label}|{r.verdict}\n".encode())
    return h.hexdigest()[:16]


def fixed_vectors(model: GateModel, rows: Sequence[Any], k: int = 4) -> list[dict[str, Any]]:
    """The first ``k`` faithful and ``k`` unfaithful one-part sentences the audit supports
    (by id), away from the cut, with the model's P and decision."""
    out: list[dict[str, Any]] = []
    for label in (1, 0):
        pick = [r for r in sorted(rows, key=lambda r: (r.id, r.k))
                if r.label == label and r.verdict == "supported" and len(r.parts) == 1
                and abs(point_probability(model, r) - model.cut) > 0.02]
        for r in pick[:k]:
            p = point_probability(model, r)
            out.append({"id": r.id, "k": r.k, "label": r.label, "raw": r.parts[0],
                        "probability": round(p, 6), "passes": p >= model.cut})
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from _data import add_data_argument

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(ap)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-write", action="store_true", help="print the figures only")
    ap.add_argument("--C", type=float, default=C, help="inverse L2 strength (a variant)")
    ap.add_argument("--balance", choices=("label", "cell"), default=BALANCE,
                    help="class weights: per label, or per (dataset, label) cell")
    args = ap.parse_args(argv)
    globals()["C"] = args.C
    globals()["BALANCE"] = args.balance
    rows = load_rows(Path(args.data), args.jobs)
    names = feature_names(rows)
    figures = {**peers(rows), **evaluate(rows, names)}
    print("Unfaithful that survive / faithful kept (FRANK + QAGS dev summary sentences):")
    print_table(figures)
    model = unrounded = train(rows, names)
    bad = sum(r.label == 0 for r in rows)
    card = {
        "what": "P(faithful) of one sentence of an LLM writer's point the audit supports; "
                "a point passes when each sentence is at the cut or above",
        "trained_on": f"FRANK + QAGS dev summary sentences through bench/writer.py: {len(rows)} "
                      f"sentences ({bad} unfaithful), those the audit supports as examples",
        "data_digest": data_digest(rows),
        "model": f"logistic regression, L2 C={C}, class-balanced, standardised inputs, numpy "
                 "Newton steps",
        "cut_rule": f"lowest cut with at most {TARGET:.0%} of the training unfaithful surviving, "
                    f"on article-grouped {FOLDS}-fold out-of-fold P within the training set",
        "seed": SEED,
        "figures": figures,
        "caveat": "trained on the bench's own dev sentences: read the lodo and oof figures "
                  "for out-of-sample behaviour",
        "script": "train/writer/train_gate.py",
    }
    model = GateModel(model.name, model.features, tuple(round(v, 6) for v in model.mean),
                      tuple(round(v, 6) for v in model.scale),
                      tuple(round(v, 6) for v in model.weights), round(model.bias, 6),
                      round(model.cut, 6), card)
    print(f"\nshipped model: {len(model.features)} features, cut {model.cut:.4f}")
    for f, w in sorted(zip(model.features, model.weights, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {w:+.3f}  {f}")
    if not args.no_write:
        args.out.write_text(json.dumps(model.to_dict(), indent=1) + "\n", "utf-8")
        VECTORS.write_text(json.dumps(fixed_vectors(unrounded, rows), indent=1) + "\n",
                           "utf-8")
        print(f"wrote {args.out} and {VECTORS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

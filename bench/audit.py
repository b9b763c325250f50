#!/usr/bin/env python
"""Summary-audit benchmark: does ``takeaways.audit`` tell faithful summaries from
unfaithful ones, and does it find each kind of error?

Usage::

    python bench/audit.py [--data DIR] [--limit K] [--jobs 2] [--datasets frank,qags,...]
                          [--refresh] [--fit]

``DIR`` defaults to ``/work/shared/data`` (README sections 3-6). Only ``split == "dev"``
records are read.

Datasets (summary-level label: 1 faithful, 0 not)
-------------------------------------------------
* FRANK CNN/DM and XSum (``label``: every summary sentence judged error-free); claims
  are FRANK's ``summary_sentences``, lightly detokenised.
* QAGS CNN/DM and XSum (``label``: every sentence supported by the crowd majority);
  claims are its ``summary_sentences``, so sentence-level accuracy is also reported.
* AggreFact-unified: almost all label 0, so balanced accuracy is near meaningless
  there; the table shows it with its counts, and detection recall per error type is
  the number to read.
* SummEval subset (SummaC's binary label).

Systems, measured in the same run on the same claims
----------------------------------------------------
* ``always-faithful``: every summary is faithful (balanced accuracy 0.5 by design).
* ``novel-entity``: unfaithful when spaCy finds an entity in the summary whose words
  do not occur in the article.
* ``emb-max``: each claim's best cosine similarity to an article sentence
  (all-MiniLM-L6-v2); the summary's weakest claim against one threshold.
* ``takeaways``: ``takeaways.audit`` with the shipped ``data/audit.toml``; the summary is
  faithful when every claim is ``supported``.
* ``takeaways-cv`` (FRANK only): the same features, with the weights and threshold
  refitted in 5 folds grouped by article, so each summary is judged by a model that
  never saw its article. This is the honest number for FRANK, since the shipped
  weights were fitted on FRANK dev.

Thresholds (``emb-max`` and ours) are fixed on FRANK CNN/DM dev and applied unchanged
to the other datasets. ``--fit`` refits the shipped weights (class-balanced logistic
regression on claim features, each claim labelled with its summary's label, FRANK dev
CNN/DM + XSum) and prints the ``[audit]`` TOML block to paste into
``src/takeaways/data/audit.toml``.

Feature extraction is slow on CPU (one spaCy parse and one set of embeddings per
article); features are cached per dataset family in ``bench/results/audit-<family>.pkl``
and reused until ``--refresh``. Rerun with ``--refresh`` after changing a signal.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import add_data_argument, data_file, iter_jsonl  # noqa: E402

CACHE_DIR = Path(__file__).resolve().parent / "results"
FRANK_TYPES = ("RelE", "EntE", "CircE", "CorefE", "LinkE", "OutE", "GramE", "Other")
AGGREFACT_TYPES = ("intrinsic-NP", "extrinsic-NP", "intrinsic-predicate", "extrinsic-predicate",
                   "intrinsic-entire_sent", "extrinsic-entire_sent", "noise")
SYSTEMS = ("always-faithful", "novel-entity", "emb-max", "takeaways", "takeaways-cv")


# ---------------------------------------------------------------------------- data


@dataclass
class Item:
    dataset: str
    id: str
    group: str
    article: str
    claims: list[str]
    label: int
    claim_labels: list[int] | None = None
    error_types: list[str] = field(default_factory=list)


def detok(s: str) -> str:
    """Undo PTB-style tokenisation of model output, as far as it is safe."""
    s = re.sub(r"``\s*(.*?)\s*''", r'"\1"', s)
    s = re.sub(r"(^|\s)`\s*(.*?)\s*'(?=\s|$|[.,;:])", r"\1'\2'", s)
    s = re.sub(r" (n't|'s|'re|'ll|'ve|'m|'d)\b", r"\1", s)
    s = re.sub(r" ([.,;:!?%)])", r"\1", s)
    s = re.sub(r"([($]) ", r"\1", s)
    return " ".join(s.split())


def _split(summary: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=\S)", summary.strip())
    return [detok(p) for p in parts if len(p.strip()) > 1]


def load_items(data: Path, limit: int | None, edits: bool = False) -> list[Item]:
    """Every dev summary of the sets above, and with ``edits`` the family `edited_references`."""
    items: list[Item] = []
    for r in iter_jsonl(data_file(data, "frank")):
        if r["split"] != "dev":
            continue
        items.append(Item(f"frank-{r['dataset']}", r["id"], r["article_id"], r["article"],
                          [detok(s) for s in r["summary_sentences"] if s.strip()], int(r["label"]),
                          error_types=list(r["errors_present"])))
    for r in iter_jsonl(data_file(data, "qags")):
        if r["split"] != "dev":
            continue
        sents = r["summary_sentences"]
        items.append(Item(f"qags-{r['dataset']}", r["id"], r["article"][:200], r["article"],
                          [detok(s["sentence"]) for s in sents], int(r["label"]),
                          claim_labels=[int(s["supported"]) for s in sents]))
    for r in iter_jsonl(data_file(data, "aggrefact")):
        if r["split"] != "dev":
            continue
        items.append(Item(f"aggrefact-{r['origin']}", r["id"], r["article_id"], r["doc"],
                          _split(r["summary"].replace("\\'", "'")), int(r["label"]),
                          error_types=list(r["error_types"])))
    for r in iter_jsonl(data_file(data, "summeval")):
        if r["split"] != "dev":
            continue
        items.append(Item("summeval", r["id"], r["cnndm_id"], r["article"], _split(r["summary"]),
                          int(r["label"])))
    heldout_file = Path(__file__).resolve().parents[1] / "train/entail/cnndm_heldout_ids.txt"
    heldout = set(heldout_file.read_text().split()) if heldout_file.is_file() else set()
    for r in iter_jsonl(data_file(data, "cnndm")):
        if r.get("split") != "dev":
            continue
        part = "heldout" if r["article_id"] in heldout else "dev"
        items.append(Item(f"highlights-{part}", f"hl-{r['article_id']}", r["article_id"],
                          r["article"], [h for h in r["reference_highlights"] if h.strip()], 1))
    if edits:
        items += edited_references(data, heldout)
    if limit:
        per: dict[str, int] = defaultdict(int)
        kept = []
        for it in items:
            if per[it.dataset] < limit:
                kept.append(it)
                per[it.dataset] += 1
        items = kept
    return [it for it in items if it.claims]


def edited_references(data: Path, heldout: set[str], seed: int = 12) -> list[Item]:
    """Family ``edits`` (unfaithful, label 0): each CNN/DM dev reference with one of its
    sentences replaced by that sentence's edit (`bench/audit_edits.py`'s recipe: an entity,
    speaker, number or date swap, a negation, an antonym or a gender swap; one per
    article, seeded). With the references themselves (``highlights``, faithful) they are a
    summary-level set of abstractive, human-written summaries: ``edits-dev`` on the
    articles the entailment model trained on, ``edits-heldout`` on the 75 it never saw.
    Built only when ``--datasets`` names ``edits`` and they are not cached (the edits
    parse the articles)."""
    import random

    from audit_edits import edits as make_edits

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train" / "entail"))
    import build_data as bd

    nlp, rng, pick = bd.load_nlp(), random.Random(seed), random.Random(seed + 1)
    out: list[Item] = []
    for r in iter_jsonl(data_file(data, "cnndm")):
        if r.get("split") != "dev":
            continue
        refs = [h for h in r["reference_highlights"] if h.strip()]
        rows = make_edits(r["article_sentences"], refs, nlp, rng)
        edited = [i for i, (_, e, _) in enumerate(rows) if e]
        if len(rows) < 2 or not edited:
            continue
        k = pick.choice(edited)
        claims = [e if i == k and e else h for i, (h, e, _) in enumerate(rows)]
        part = "heldout" if r["article_id"] in heldout else "dev"
        out.append(Item(f"edits-{part}", f"ed-{r['article_id']}", r["article_id"], r["article"],
                        claims, 0, claim_labels=[int(i != k) for i in range(len(rows))]))
    return out


# ---------------------------------------------------------------------------- features


@dataclass
class Scored:
    """What the benchmark keeps of one summary (no article text)."""

    dataset: str
    id: str
    group: str
    label: int
    claim_labels: list[int] | None
    error_types: list[str]
    claims: list[dict[str, float]]  # features per claim
    hard: list[str | None]  # the hard verdict per claim, if any
    novel_entity: bool
    status: str = "ok"
    article_key: str = ""  # the article's first 200 normalised characters (LODO leakage)
    premises: list[list[str]] = field(default_factory=list)  # per claim: entailment premises
    claim_texts: list[str] = field(default_factory=list)


def _init_worker() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


def _novel_entity(nlp: Any, summary: str, article_norm: str) -> bool:
    from takeaways.auditing.text import norm

    return any(f" {norm(e.text)} " not in article_norm for e in nlp(summary).ents
               if norm(e.text))


def _score_group(group: list[Item]) -> list[Scored]:
    import takeaways
    from takeaways.auditing.core import run_signals
    from takeaways.auditing.settings import load_settings
    from takeaways.auditing.verdict import feature_vector
    from takeaways.errors import TakeawaysError
    from takeaways.nlp.analyze import Analysis
    from takeaways.nlp.models import get_nlp

    settings = load_settings()
    out = []
    try:
        analysis = Analysis(takeaways.read(group[0].article, kind="plain"))
    except TakeawaysError as exc:
        return [Scored(it.dataset, it.id, it.group, it.label, it.claim_labels, it.error_types,
                       [], [], False, status=f"error: {exc.reason}") for it in group]
    from takeaways.auditing.text import norm

    article_norm = " " + norm(analysis.article.text) + " "
    from takeaways.auditing.signals.entail import premises

    for it in group:
        runs = run_signals(analysis, it.claims, settings)
        feats = [feature_vector(r.results) for r in runs]
        prem = [premises(r.context) for r in runs]
        hard = [next((f.verdict for res in r.results for f in res.findings if f.hard), None)
                for r in runs]
        ne = _novel_entity(get_nlp(), " ".join(it.claims), article_norm)
        out.append(Scored(it.dataset, it.id, it.group, it.label, it.claim_labels,
                          it.error_types, feats, hard, ne,
                          article_key=article_norm.strip()[:200], premises=prem,
                          claim_texts=list(it.claims)))
    return out


def extract(items: list[Item], jobs: int) -> list[Scored]:
    groups: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        groups[it.article].append(it)
    work = list(groups.values())
    t0 = time.time()
    scored: list[Scored] = []
    if jobs <= 1:
        _init_worker()
        for i, g in enumerate(work):
            scored += _score_group(g)
            _progress(i + 1, len(work), t0)
        return scored
    with ProcessPoolExecutor(jobs, initializer=_init_worker) as pool:
        for i, res in enumerate(pool.map(_score_group, work, chunksize=4)):
            scored += res
            _progress(i + 1, len(work), t0)
    return scored


def add_entailment(scored: list[Scored], folder: Path | None = None,
                   cache: Path | None = None) -> None:
    """Add ``entail.entail`` / ``entail.contradict`` to every claim's features from the
    cached premises, in large batches (what the signal computes, without re-running the
    rest of the audit). ``folder``: a model folder other than the shipped one; ``cache``:
    a folder where the pair probabilities are kept per model (keyed by its weights' hash)."""
    import hashlib

    from takeaways.auditing.entail import EntailmentModel, shipped_dir

    weights = (Path(folder) if folder else shipped_dir()) / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:12]
    memo_path = cache / f"entail-{digest}.pkl" if cache is not None else None
    memo: dict[tuple[str, str], tuple[float, float, float]] = (
        pickle.loads(memo_path.read_bytes()) if memo_path and memo_path.is_file() else {})
    pairs: list[tuple[str, str]] = []
    where: list[tuple[int, int, int]] = []  # (summary, claim, number of premises)
    for i, s in enumerate(scored):
        for j, prem in enumerate(s.premises):
            claim = s.claim_texts[j] if s.claim_texts else ""
            # the signal's premises (`signals.entail.premises`: the evidence window, each
            # evidence sentence and each pair), the most entailing one kept
            pairs += [(p, claim) for p in prem]
            where.append((i, j, len(prem)))
    todo = [p for p in dict.fromkeys(pairs) if p not in memo]
    if todo:
        model = EntailmentModel.from_folder(folder) if folder else EntailmentModel.load()
        t0 = time.time()
        memo.update(zip(todo, model.predict(todo, batch_size=64), strict=True))
        print(f"entailment: {len(todo)} pairs in {time.time() - t0:.0f}s", file=sys.stderr)
        if memo_path is not None:
            memo_path.write_bytes(pickle.dumps(memo))
    probs = [memo[p] for p in pairs]
    k = 0
    for i, j, n in where:
        got = probs[k : k + n]
        k += n
        best = max(got, key=lambda p: p[0]) if got else (0.0, 0.0, 0.0)
        scored[i].claims[j]["entail.entail"] = best[0]
        scored[i].claims[j]["entail.contradict"] = best[2]


def _progress(done: int, total: int, t0: float) -> None:
    if done % 25 == 0 or done == total:
        print(f"  {done}/{total} articles, {time.time() - t0:.0f}s", file=sys.stderr)


# ---------------------------------------------------------------------------- systems


def claim_probs(s: Scored, weights: dict[str, float]) -> list[float]:
    from takeaways.auditing.verdict import support_probability

    return [-1.0 if h else support_probability(f, weights) for f, h in zip(s.claims, s.hard,
                                                                          strict=True)]


Summary = tuple[dict[str, float], float]  # the summary model's weights and threshold


def _settings(weights: dict[str, float], tau: float, summary: Summary | None = None,
              entail_pass: float | None = None) -> Any:
    from takeaways.auditing.settings import load_settings

    return load_settings().with_weights(weights, tau, summary, entail_pass)


def claim_ok(f: dict[str, float], hard: str | None, st: Any) -> int:
    """Exactly the library's verdict rule (`takeaways.auditing.verdict.decide`)."""
    from takeaways.auditing.verdict import decide

    return int(hard is None and decide(f, [], st).verdict == "supported")


def claims_ok(s: Scored, st: Any) -> list[bool]:
    """Each claim's verdict under ``st`` (`claim_ok`): supported or not."""
    return [bool(claim_ok(f, h, st)) for f, h in zip(s.claims, s.hard, strict=True)]


def _summary(s: Scored, st: Any) -> tuple[str, float | None]:
    """Exactly the library's summary rule (`takeaways.auditing.verdict.summary_judgement`)."""
    from takeaways.auditing.verdict import summary_judgement, support_probability

    probs = [support_probability(f, st.weights) for f in s.claims]
    ok = claims_ok(s, st)
    return summary_judgement(probs, [h is not None for h in s.hard], ok, st)


def summary_ok(s: Scored, st: Any) -> int:
    return int(_summary(s, st)[0] == "supported")


def _sets(rows: list[Scored]) -> list[str]:
    """The datasets whose summaries have both labels (the reference highlights do not)."""
    return sorted(d for d in {s.dataset for s in rows}
                  if len({s.label for s in rows if s.dataset == d}) > 1)


def fit_threshold(rows: list[Scored], weights: dict[str, float], per_dataset: bool = False,
                  base: Any = None) -> float:
    """The claim support threshold maximising balanced accuracy of single-claim summaries
    judged by it, and of every summary under the all-claims rule (paraphrase route
    included); ``per_dataset``: the mean of the datasets' balanced accuracies (no set
    dominates)."""
    from takeaways.auditing.verdict import passing_cut

    rows = [s for s in rows if s.dataset in _sets(rows)]
    scores = sorted({round(p, 3) for s in rows for p in claim_probs(s, weights) if p >= 0})
    step = max(1, len(scores) // 200)
    best, best_t = -1.0, 0.5
    sets = sorted({s.dataset for s in rows}) if per_dataset else ["*"]
    # per claim: the highest threshold that still passes it (`passing_cut`, what `decide`
    # compares with the threshold; a hard finding never passes); a summary passes the
    # all-claims rule up to its weakest claim's
    st0 = (base or _settings(weights, 0.5)).with_weights(weights, 0.5)
    highest = {s.id: min(-1.0 if h is not None else passing_cut(f, st0)
                         for f, h in zip(s.claims, s.hard, strict=True)) for s in rows}
    for t in scores[::step]:
        vals = [bacc([s.label for s in rows if d in ("*", s.dataset)],
                     [int(highest[s.id] >= t) for s in rows if d in ("*", s.dataset)])
                for d in sets]
        b = sum(v for v in vals if v is not None) / max(1, sum(v is not None for v in vals))
        if b > best:
            best, best_t = b, t
    return best_t


def fit_summary(train: list[Scored], weights: dict[str, float], tau: float,
                base: Any = None) -> Summary:
    """The summary model: a logistic regression over `summary_features` of the training
    sets' summaries of two or more claims, each (dataset, label) class weighing the same,
    then the threshold maximising the mean of those sets' balanced accuracies under the
    library's rule (a confirmed error fails a summary)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from takeaways.auditing.verdict import summary_features, support_probability

    multi = [s for s in train if len(s.claims) > 1]
    multi = [s for s in multi if s.dataset in _sets(multi)
             or (SUMMARY_HIGHLIGHTS and s.dataset.startswith("highlights"))]
    if not multi:
        return {"bias": 0.0}, 0.5
    st_claims = (base or _settings(weights, tau)).with_weights(weights, tau)
    feats = [summary_features([support_probability(f, weights) for f in s.claims],
                              [h is not None for h in s.hard],
                              claims_ok(s, st_claims))
             for s in multi]
    names = sorted(feats[0])
    count: dict[tuple[str, int], int] = defaultdict(int)
    for s in multi:
        count[(s.dataset, s.label)] += 1
    lr = LogisticRegression(C=1.0, max_iter=5000)
    lr.fit(np.array([[f[n] for n in names] for f in feats]), np.array([s.label for s in multi]),
           sample_weight=np.array([1.0 / count[(s.dataset, s.label)] for s in multi]))
    sw = {"bias": float(lr.intercept_[0])}
    sw.update({n: float(w) for n, w in zip(names, lr.coef_[0], strict=True)})
    best, best_t = -1.0, 0.5
    st0 = (base or _settings(weights, tau)).with_weights(weights, tau, (sw, 0.5))
    # the library's rule at any threshold t: no confirmed error and P(faithful) >= t (or,
    # under summary_rule "either", every claim supported)
    score = {s.id: summary_score(s, st0) for s in multi}
    either = st0.summary_rule == "either"
    every = {s.id: either and all(claims_ok(s, st0)) for s in multi}
    for t in [i / 100 for i in range(5, 96)]:
        vals = [bacc([s.label for s in multi if s.dataset == d],
                     [int(score[s.id] >= t or every[s.id]) for s in multi if s.dataset == d])
                for d in _sets(multi)]
        b = sum(v for v in vals if v is not None) / max(1, sum(v is not None for v in vals))
        if b > best:
            best, best_t = b, t
    return sw, best_t


def bacc(y: Sequence[int], pred: Sequence[int]) -> float | None:
    pos = [p for t, p in zip(y, pred, strict=True) if t == 1]
    neg = [p for t, p in zip(y, pred, strict=True) if t == 0]
    if not pos or not neg:
        return None
    return 0.5 * (sum(pos) / len(pos) + sum(1 - p for p in neg) / len(neg))


def best_threshold(scores: Sequence[float], y: Sequence[int]) -> float:
    cands = sorted(set(scores))
    best, best_t = -1.0, 0.5
    for i in range(len(cands)):
        t = cands[i] if i == 0 else (cands[i - 1] + cands[i]) / 2
        b = bacc(y, [int(s >= t) for s in scores]) or 0.0
        if b > best:
            best, best_t = b, t
    return best_t


# Not fitted: NLI (no model ships), the counts of novel words that include verbs, which
# punish faithful abstractive wording ("criticized" for "rejected") and add nothing on dev
# (FRANK CNN/DM 0.701 with them, 0.703 without), and the entailment cross-encoder's
# probabilities: as features of the claim model they gain nothing that holds out of
# dataset (leave-one-dataset-out: FRANK XSum 0.538, QAGS 0.637 with them, 0.549 and 0.660
# without); they decide the entailment route instead (`ENTAIL_GRID`).
FEATURE_SKIP = ("nli.", "novel_content.verbs", "novel_content.unsupported", "entail.")

#: the entailment route's cuts tried by `fit_weights` (0: the route off); the one with the
#: best mean balanced accuracy over the training sets is kept
ENTAIL_GRID = tuple(float(x) for x in os.environ.get(
    "TAKEAWAYS_ENTAIL_GRID", "0,0.9,0.8,0.7,0.6,0.5,0.4").split(","))  # e.g. "0.6": fixed


def feature_names(scored: Iterable[Scored], skip: tuple[str, ...] = FEATURE_SKIP) -> list[str]:
    names: set[str] = set()
    for s in scored:
        for f in s.claims:
            names |= set(f)
    return sorted(n for n in names if not n.startswith(skip))


#: how the claim model's training claims are labelled: "summary" (each claim gets its
#: summary's label) or "claims" (the sentence labels where a set has them, QAGS) or
#: "mil" (as "claims", then, of an unfaithful summary without sentence labels, only the
#: claim a first fit finds weakest is a negative: the others may well be faithful)
CLAIM_LABELS = os.environ.get("TAKEAWAYS_CLAIM_LABELS", "claims")
SUMMARY_HIGHLIGHTS = os.environ.get("TAKEAWAYS_SUMMARY_HL", "0") == "1"


def claim_targets(s: Scored) -> list[int | None]:
    """The training label of each claim of ``s`` (see `CLAIM_LABELS`)."""
    if CLAIM_LABELS != "summary" and s.claim_labels and len(s.claim_labels) == len(s.claims):
        return [int(v) for v in s.claim_labels]
    return [s.label] * len(s.claims)


def _mil_rows(train: list[Scored], names: list[str], lr: Any) -> tuple[list[Any], list[int]]:
    """Training rows where an unfaithful summary of several claims without sentence labels
    contributes only its weakest claim (by the first fit ``lr``) as a negative."""
    import numpy as np

    X, y = [], []
    for s in train:
        rows = [(f, lab) for f, h, lab in zip(s.claims, s.hard, claim_targets(s), strict=True)
                if h is None and lab is not None]
        if not rows:
            continue
        if s.label == 0 and len(s.claims) > 1 and not s.claim_labels:
            if any(h is not None for h in s.hard):
                continue  # a hard finding explains the label; the other claims are unknown
            vecs = np.array([[f.get(n, 0.0) for n in names] for f, _ in rows])
            weakest = int(np.argmin(lr.predict_proba(vecs)[:, 1]))
            rows = [rows[weakest]]
        for f, lab in rows:
            X.append([f.get(n, 0.0) for n in names])
            y.append(lab)
    return X, y


def fit_weights(train: list[Scored], skip: tuple[str, ...] = FEATURE_SKIP,
                per_dataset: bool = False, route: bool = True
                ) -> tuple[dict[str, float], float, Summary, float]:
    """Claim-level logistic regression (summary labels; the reference highlights' claims
    count as faithful ones), then for each entailment-route cut of `ENTAIL_GRID` (only 0,
    the route off, without ``route`` or without entailment features) the claim threshold
    and the summary model; the cut whose settings give the best mean balanced accuracy over
    the training sets is kept. Thresholds on FRANK CNN/DM (the FRANK-only fit), or with
    ``per_dataset`` on the mean balanced accuracy of every training set (the
    leave-one-dataset-out fits and the shipped one)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    names = feature_names(train, skip)
    X, y = [], []
    for s in train:
        for f, h, lab in zip(s.claims, s.hard, claim_targets(s), strict=True):
            if h is None and lab is not None:
                X.append([f.get(n, 0.0) for n in names])
                y.append(lab)
    lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000)
    lr.fit(np.array(X), np.array(y))
    if CLAIM_LABELS == "mil":
        X, y = _mil_rows(train, names, lr)
        lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000)
        lr.fit(np.array(X), np.array(y))
    weights = {"bias": float(lr.intercept_[0])}
    weights.update({n: float(w) for n, w in zip(names, lr.coef_[0], strict=True)})
    rows = train if per_dataset else [s for s in train if s.dataset == "frank-cnndm"] or train
    has_entail = any("entail.entail" in f for s in rows for f in s.claims)
    best: tuple[float, float, Summary, float] | None = None
    for cut in ENTAIL_GRID if route and has_entail else (0.0,):
        base = _settings(weights, 0.5, None, cut)
        tau = fit_threshold(rows, weights, per_dataset=per_dataset, base=base)
        summary = fit_summary(rows, weights, tau, base=base)
        st = base.with_weights(weights, tau, summary)
        score = _mean_bacc(rows, st)
        if best is None or score > best[0]:
            best = (score, tau, summary, cut)
    assert best is not None
    return weights, best[1], best[2], best[3]


def _mean_bacc(rows: list[Scored], st: Any) -> float:
    """The mean over the datasets with both labels of the summary verdict's balanced accuracy."""
    vals = [bacc([s.label for s in rows if s.dataset == d],
                 [summary_ok(s, st) for s in rows if s.dataset == d]) for d in _sets(rows)]
    got = [v for v in vals if v is not None]
    return sum(got) / max(1, len(got))


def predictions(scored: list[Scored], st: Any, emb_tau: float) -> dict[str, dict[str, int]]:
    """system -> summary id -> predicted label (1 faithful)."""
    out: dict[str, dict[str, int]] = {k: {} for k in SYSTEMS[:4]}
    for s in scored:
        out["always-faithful"][s.id] = 1
        out["novel-entity"][s.id] = int(not s.novel_entity)
        out["emb-max"][s.id] = int(min(f["align.emb_max"] for f in s.claims) >= emb_tau)
        out["takeaways"][s.id] = summary_ok(s, st)
    return out


def cross_validated(frank: list[Scored], folds: int = 5) -> dict[str, int]:
    groups = sorted({s.group for s in frank})
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    out: dict[str, int] = {}
    for k in range(folds):
        train = [s for s in frank if fold_of[s.group] != k]
        test = [s for s in frank if fold_of[s.group] == k]
        st = _settings(*fit_weights(train))
        for s in test:
            out[s.id] = summary_ok(s, st)
    return out


def auc(scores: Sequence[float], y: Sequence[int]) -> float | None:
    """Area under the ROC curve (probability a faithful summary outscores an unfaithful one)."""
    pos = [s for s, t in zip(scores, y, strict=True) if t == 1]
    neg = [s for s, t in zip(scores, y, strict=True) if t == 0]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def summary_score(s: Scored, st: Any) -> float:
    """The summary's P(faithful) as the library scores it (a confirmed error counts as -1)."""
    score = _summary(s, st)[1]
    return -1.0 if any(h is not None for h in s.hard) or score is None else score


def lodo_unit(dataset: str) -> str:
    """The dataset a subset belongs to (FRANK, QAGS, SummEval, AggreFact): the unit left
    out, both its CNN/DM and XSum parts at once."""
    return dataset.split("-")[0]


#: left out of the leave-one-dataset-out fits and tables: AggreFact's dev labels are
#: 1,790 unfaithful of 1,792 (and it re-uses FRANK's and others' summaries), so it would
#: only teach "unfaithful"; its error-type recall is reported above
LODO_EXCLUDE = ("aggrefact",)


Lodo = dict[str, tuple[dict[str, int], dict[str, float]]]


def leave_one_dataset_out(scored: list[Scored], skip: tuple[str, ...] = FEATURE_SKIP,
                          extra: Sequence[Scored] = (), route: bool = True) -> Lodo:
    """For each unit: weights and thresholds fitted on every other unit (and ``extra``,
    the dev reference highlights), without any summary of an article the unit holds (the
    sets share CNN/DM and XSum articles), then the unit's predictions and summary scores."""
    out: Lodo = {}
    scored = [s for s in scored if lodo_unit(s.dataset) not in LODO_EXCLUDE]
    for unit in sorted({lodo_unit(s.dataset) for s in scored}):
        test = [s for s in scored if lodo_unit(s.dataset) == unit]
        keys = {s.article_key for s in test}
        train = [s for s in [*scored, *extra]
                 if lodo_unit(s.dataset) != unit and s.article_key not in keys]
        if len({s.label for s in train}) < 2:
            continue
        st = _settings(*fit_weights(train, skip, per_dataset=True, route=route))
        out[unit] = ({s.id: summary_ok(s, st) for s in test},
                     {s.id: summary_score(s, st) for s in test})
    return out


def lodo_table(scored: list[Scored], lodo: Lodo, shipped_st: Any,
               without: Lodo | None = None) -> None:
    """Balanced accuracy / AUC per left-out set: the shipped weights, the LODO refit, the
    LODO refit without the entailment route (``without``), and the entailment
    probability alone (AUC of the weakest claim's P(entailment))."""
    print("\nLeave-one-dataset-out (fit on the other sets minus the left-out set's articles): "
          "balanced accuracy / AUC")
    has_entail = any("entail.entail" in f for s in scored for f in s.claims)
    head = f"{'left out':<18}{'n':>5}  {'shipped weights':>18}{'LODO':>18}"
    head += f"{'LODO, route off':>18}{'entail-only':>18}" if has_entail and without else ""
    print(head)
    subsets = sorted({s.dataset for s in scored if lodo_unit(s.dataset) in lodo})
    groups = [(d, [d]) for d in subsets]
    groups += [(f"{u} (all)", [d for d in subsets if lodo_unit(d) == u]) for u in lodo
               if sum(lodo_unit(d) == u for d in subsets) > 1]
    for name, members in groups:
        unit = lodo_unit(members[0])
        pred, score = lodo[unit]
        rows = [s for s in scored if s.dataset in members]
        y = [s.label for s in rows]
        shipped = [summary_score(s, shipped_st) for s in rows]
        st = shipped_st
        cells = [f"{_fmt(bacc(y, [summary_ok(s, st) for s in rows]))}/{_fmt(auc(shipped, y))}",
                 f"{_fmt(bacc(y, [pred[s.id] for s in rows]))}/"
                 f"{_fmt(auc([score[s.id] for s in rows], y))}"]
        if has_entail and without and unit in without:
            wp, ws = without[unit]
            cells.append(f"{_fmt(bacc(y, [wp[s.id] for s in rows]))}/"
                         f"{_fmt(auc([ws[s.id] for s in rows], y))}")
            ent = [min(f.get("entail.entail", 0.0) for f in s.claims) for s in rows]
            cells.append(f"{'-':>5}/{_fmt(auc(ent, y))}")
        print(f"{name:<18}{len(rows):>5}  " + "".join(f"{c:>18}" for c in cells))


def highlight_table(rows: list[Scored], st: Any, emb_tau: float) -> None:
    """The reference highlights (human-written, mostly faithful) from the cached features:
    the share of sentences and of whole references judged supported."""
    claims = [claim_ok(f, h, st) for s in rows for f, h in zip(s.claims, s.hard, strict=True)]
    emb = [int(f["align.emb_max"] >= emb_tau) for s in rows for f in s.claims]
    whole = [summary_ok(s, st) for s in rows]
    print(f"CNN/DM reference highlights ({', '.join(sorted({s.dataset for s in rows}))}): "
          f"{len(rows)} references, {len(claims)} sentences; takeaways supports "
          f"{sum(claims) / len(claims):.1%} of the sentences and {sum(whole) / len(whole):.1%} "
          f"of the references; emb-max {sum(emb) / len(emb):.1%} of the sentences")


def highlights_supported(data: Path, st: Any, limit: int | None,
                         entailment: bool, heldout: Path | None) -> None:
    """The share of CNN/DM dev reference-highlight sentences (human-written, mostly
    faithful) that the audit judges supported; with ``heldout`` (one article id per line),
    only those articles (the ones the entailment model never trained on)."""
    from takeaways.config import Settings
    from takeaways.pipeline import Pipeline

    ids = set(heldout.read_text().split()) if heldout is not None else None
    settings = Settings.load().replace(audit={
        "entail_route": entailment, "entail_pass": st.entail_pass,
        "weights": st.weights, "support_threshold": st.support_threshold,
        "summary_weights": st.summary_weights, "summary_threshold": st.summary_threshold})
    pipeline = Pipeline(settings)
    counts: dict[str, int] = defaultdict(int)
    whole: dict[str, int] = defaultdict(int)
    done = 0
    for r in iter_jsonl(data_file(data, "cnndm")):
        if r.get("split") != "dev" or (ids is not None and r["article_id"] not in ids):
            continue
        if limit and done >= limit:
            break
        done += 1
        article = pipeline.read(r["article"], kind="plain")
        report = pipeline.audit(article, list(r["reference_highlights"]))
        pipeline.forget(article)
        whole[report.verdict] += 1
        for c in report.claims:
            counts[c.verdict] += 1
    total = sum(counts.values())
    which = "held-out " if ids is not None else ""
    print(f"\nCNN/DM {which}reference highlights through the pipeline ({done} articles, "
          f"{total} sentences): {counts.get('supported', 0) / max(total, 1):.1%} of the "
          f"sentences supported, {whole.get('supported', 0) / max(done, 1):.1%} of the "
          f"references; {dict(counts)}")


# ---------------------------------------------------------------------------- report


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def table(scored: list[Scored], preds: dict[str, dict[str, int]]) -> None:
    datasets = sorted({s.dataset for s in scored})
    print("\nSummary-level balanced accuracy (dev)")
    head = f"{'dataset':<18}{'n':>5}{'faithful':>9}  " + "".join(f"{k:>16}" for k in SYSTEMS)
    print(head)
    print("-" * len(head))
    for d in datasets:
        rows = [s for s in scored if s.dataset == d]
        y = [s.label for s in rows]
        cells = []
        for k in SYSTEMS:
            if not all(s.id in preds[k] for s in rows):
                cells.append(f"{'-':>16}")
                continue
            cells.append(f"{_fmt(bacc(y, [preds[k][s.id] for s in rows])):>16}")
        print(f"{d:<18}{len(rows):>5}{sum(y):>9}  " + "".join(cells))


def type_recall(scored: list[Scored], preds: dict[str, dict[str, int]], prefix: str,
                types: Sequence[str]) -> None:
    rows = [s for s in scored if s.dataset.startswith(prefix) and s.label == 0]
    print(f"\nDetection recall per error type ({prefix}, label-0 summaries flagged unfaithful)")
    systems = [k for k in SYSTEMS if all(s.id in preds[k] for s in rows)]
    print(f"{'type':<24}{'n':>5}  " + "".join(f"{k:>16}" for k in systems))
    for t in (*types, "any"):
        sub = [s for s in rows if t == "any" or t in s.error_types]
        if not sub:
            continue
        cells = "".join(f"{sum(1 - preds[k][s.id] for s in sub) / len(sub):>16.3f}"
                        for k in systems)
        print(f"{t:<24}{len(sub):>5}  {cells}")


def qags_sentences(scored: list[Scored], st: Any, emb_tau: float) -> None:
    rows = [(f, h, lab, s.dataset) for s in scored
            if s.claim_labels and s.dataset.startswith("qags")
            for f, h, lab in zip(s.claims, s.hard, s.claim_labels, strict=True)]
    if not rows:
        return
    print("\nQAGS sentence-level accuracy / balanced accuracy")
    for d in sorted({r[3] for r in rows}) + ["all"]:
        sub = [r for r in rows if d in ("all", r[3])]
        y = [r[2] for r in sub]
        ours = [claim_ok(f, h, st) for f, h, _, _ in sub]
        emb = [int(f["align.emb_max"] >= emb_tau) for f, _, _, _ in sub]
        always = [1] * len(sub)

        def acc(p: list[int], y: list[int] = y) -> float:
            return sum(a == b for a, b in zip(p, y, strict=True)) / len(y)

        print(f"  {d:<11} n={len(sub):<4} supported={sum(y):<4} always-supported "
              f"{acc(always):.3f}/{_fmt(bacc(y, always))}  emb-max {acc(emb):.3f}/"
              f"{_fmt(bacc(y, emb))}  takeaways {acc(ours):.3f}/{_fmt(bacc(y, ours))}")


def print_toml(st: Any) -> None:
    print("\n# --fit result: paste into src/takeaways/data/audit.toml")
    print(f"support_threshold = {st.support_threshold:.4f}")
    print(f"summary_threshold = {st.summary_threshold:.4f}")
    print(f"entail_pass = {st.entail_pass:.2f}")
    for table, weights in (("weights", st.weights), ("summary_weights", st.summary_weights)):
        print(f"\n[audit.{table}]")
        for k, v in weights.items():
            print(f'"{k}" = {v:.4f}' if k != "bias" else f"bias = {v:.4f}")


def load_or_extract(args: argparse.Namespace) -> list[Scored]:
    """Features per dataset family, from ``bench/results/audit-<family>[-<limit>].pkl`` when
    cached there (and not ``--refresh``), else extracted and cached."""
    edits_path = args.cache / f"audit-edits{'-' + str(args.limit) if args.limit else ''}.pkl"
    edits = "edits" in args.datasets.split(",") and (args.refresh or not edits_path.is_file())
    items = load_items(args.data, args.limit, edits=edits)
    scored: list[Scored] = []
    for family in args.datasets.split(","):
        limit = args.limit_aggrefact if family == "aggrefact" and args.limit_aggrefact else None
        limit = limit or args.limit
        suffix = f"-{limit}" if limit else ""
        if limit and limit != args.limit:
            per: dict[str, int] = defaultdict(int)
            items = [it for it in items if it.dataset.split("-")[0] != family
                     or (per.__setitem__(it.dataset, per[it.dataset] + 1) or True)
                     and per[it.dataset] <= limit]
        path = args.cache / f"audit-{family}{suffix}.pkl"
        if path.is_file() and not args.refresh:
            scored += pickle.loads(path.read_bytes())
            continue
        todo = [it for it in items if it.dataset.split("-")[0] == family]
        print(f"{family}: {len(todo)} summaries, {len({i.article for i in todo})} articles",
              file=sys.stderr)
        got = extract(todo, args.jobs)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(got))
        scored += got
    return scored


def speed(data: Path, articles: int, entailment: bool) -> None:
    """Claims per second of the audit on one process (the article parsed, embedded and its
    quote graph built first, as after key points and quotes, timed apart; then every
    reference-highlight sentence of ``articles`` dev CNN/DM articles audited), and the cold
    start of ``takeaways audit`` on the seed page (a fresh process:
    imports, model loads, one page)."""
    import subprocess

    from takeaways.config import Settings
    from takeaways.pipeline import Pipeline

    pipeline = Pipeline(Settings.load().replace(audit={"entail_route": entailment}))
    records = [r for r in iter_jsonl(data_file(data, "cnndm")) if r.get("split") == "dev"]
    records = records[:articles]
    pipeline.audit(pipeline.read(records[0]["article"], kind="plain"), ["Warm-up claim."])
    claims = 0
    t_analyse = t_audit = 0.0
    for r in records:
        t0 = time.perf_counter()
        article = pipeline.read(r["article"], kind="plain")
        analysis = pipeline.analyze(article)
        analysis.doc, analysis.sentence_embeddings  # noqa: B018  (parse and embed now)
        pipeline.quotes(article)  # the quote graph, shared with the audit's quote checks
        t1 = time.perf_counter()
        report = pipeline.audit(article, list(r["reference_highlights"]))
        t_audit += time.perf_counter() - t1
        t_analyse += t1 - t0
        claims += len(report.claims)
        pipeline.forget(article)
    seed = Path(__file__).resolve().parents[1] / "examples" / "putin-astana.scraped.txt"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "takeaways", "audit", str(seed), "--format", "json"],
                   check=True, capture_output=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    cold = time.perf_counter() - t0
    print(f"\nAudit speed (entailment route {'on' if entailment else 'off'}, {os.cpu_count()} "
          f"cores): {claims} claims of {len(records)} articles in {t_audit:.1f} s = "
          f"{claims / max(t_audit, 1e-9):.1f} claims/s after the analysis ({t_analyse:.1f} s "
          f"for the articles' analysis: {claims / max(t_audit + t_analyse, 1e-9):.1f} claims/s "
          f"all in); cold start of `takeaways audit` on the seed page {cold:.1f} s")


def own_points(data: Path, limit: int | None, n: int = 4) -> None:
    """``takeaways summarize --verify`` on the dev CNN/DM articles: how many of our own key
    points does the audit call supported?"""
    import takeaways
    from takeaways.api import analyze, key_points
    from takeaways.auditing import audit_summary

    counts: dict[str, int] = defaultdict(int)
    bad: list[tuple[str, str, str]] = []
    for i, r in enumerate(iter_jsonl(data_file(data, "cnndm"))):
        if r.get("split") != "dev" or (limit and i >= limit):
            continue
        analysis = analyze(takeaways.read(r["article"], kind="plain"))
        points = [p.text for p in key_points(analysis, n=n).points]
        for c in audit_summary(analysis, points).claims:
            counts[c.verdict] += 1
            if c.verdict != "supported":
                bad.append((r["id"], c.verdict, c.text))
    total = sum(counts.values())
    print(f"\nOwn key points audited (dev CNN/DM, n={n}): {counts.get('supported', 0)}/{total} "
          f"supported; {dict(counts)}")
    for doc, verdict, text in bad[:10]:
        print(f"  {doc} {verdict}: {text[:110]}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(ap)
    ap.add_argument("--limit", type=int, default=None, help="records per dataset")
    ap.add_argument("--limit-aggrefact", type=int, default=None,
                    help="records per AggreFact origin (it is the slowest family)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--refresh", action="store_true", help="recompute cached features")
    ap.add_argument("--datasets", default="frank,qags,summeval,aggrefact",
                    help="comma-separated: frank, qags, summeval, aggrefact")
    ap.add_argument("--fit", action="store_true", help="refit weights on FRANK dev")
    ap.add_argument("--fit-all", action="store_true",
                    help="refit weights on every dev set given (threshold: the mean of the "
                         "sets' balanced accuracies), as the leave-one-dataset-out fits do")
    ap.add_argument("--cache", type=Path, default=CACHE_DIR)
    ap.add_argument("--own-points", action="store_true",
                    help="only audit our own key points on the dev CNN/DM articles")
    ap.add_argument("--no-entailment", dest="entailment", action="store_false",
                    help="leave out the entailment cross-encoder (what audit.signal.entail.v1 "
                         "computes for the entailment route; added to the cached features by "
                         "default) and measure the audit without its route")
    ap.add_argument("--entail-model", type=Path, default=None,
                    help="a model folder other than the shipped one for the entailment route")
    ap.add_argument("--lodo", action="store_true",
                    help="also report leave-one-dataset-out balanced accuracy and AUC")
    ap.add_argument("--highlights", type=int, default=0, metavar="K",
                    help="also audit the reference highlights of K dev CNN/DM articles")
    ap.add_argument("--speed", type=int, default=0, metavar="K",
                    help="only measure the audit's speed on K dev CNN/DM articles")
    ap.add_argument("--heldout", type=Path, default=None,
                    help="with --highlights: only the article ids in this file")
    args = ap.parse_args(argv)
    if args.own_points:
        own_points(args.data, args.limit)
        return 0
    if args.speed:
        speed(args.data, args.speed, args.entailment)
        return 0

    scored = load_or_extract(args)
    if args.entailment:
        add_entailment([s for s in scored if s.status == "ok" and s.claims], args.entail_model,
                       args.cache)
    failed = [s for s in scored if s.status != "ok"]
    scored = [s for s in scored if s.status == "ok" and s.claims]

    from takeaways.auditing.settings import load_settings

    settings = load_settings()
    highlights = [s for s in scored if s.dataset.startswith("highlights")]
    heldout = [s for s in highlights if s.dataset == "highlights-heldout"]
    edited = [s for s in scored if s.dataset.startswith("edits")]
    scored = [s for s in scored if not s.dataset.startswith(("highlights", "edits"))]
    frank = [s for s in scored if s.dataset.startswith("frank")]
    # the fits see the dev highlights as faithful claims, never the held-out ones
    train_hl = [s for s in highlights if s.dataset != "highlights-heldout"]
    edits_heldout: list[Scored] = []
    if edited:  # the references and their edits: one summary-level set per half
        from dataclasses import replace as _replace

        scored += [s for s in edited if s.dataset == "edits-dev"]
        scored += [_replace(s, dataset="edits-dev") for s in train_hl]
        train_hl = []
        edits_heldout = ([s for s in edited if s.dataset == "edits-heldout"]
                         + [_replace(s, dataset="edits-heldout") for s in heldout])
    if args.fit_all:
        st = _settings(*fit_weights(scored + train_hl, per_dataset=True))
    elif args.fit:
        st = _settings(*fit_weights(frank))
    else:
        st = settings
    cnn = [s for s in frank if s.dataset == "frank-cnndm"]
    emb_tau = best_threshold([min(f["align.emb_max"] for f in s.claims) for s in cnn],
                             [s.label for s in cnn]) if cnn else 0.5
    preds = predictions(scored, st, emb_tau)
    preds["takeaways-cv"] = cross_validated(frank) if len({s.group for s in frank}) >= 5 else {}

    table(scored, preds)
    print(f"\nthresholds: takeaways claim support >= {st.support_threshold:.3f}, summary "
          f"P(faithful) >= {st.summary_threshold:.3f}; emb-max >= {emb_tau:.3f} (FRANK CNN/DM "
          f"dev); {len(failed)} summaries skipped (article unreadable)")
    type_recall(scored, preds, "frank", FRANK_TYPES)
    type_recall(scored, preds, "aggrefact", AGGREFACT_TYPES)
    qags_sentences(scored, st, emb_tau)
    if highlights:
        highlight_table(highlights, st, emb_tau)
    if args.lodo:
        lodo_table(scored, leave_one_dataset_out(scored, extra=train_hl), settings,
                   leave_one_dataset_out(scored, extra=train_hl, route=False)
                   if args.entailment else None)
        if heldout:
            fitted = _settings(*fit_weights([s for s in scored if lodo_unit(s.dataset)
                                             not in LODO_EXCLUDE] + train_hl, per_dataset=True))
            print("\nheld-out highlights, judged by the weights fitted on every other dev set:")
            highlight_table(heldout, fitted, emb_tau)
            if edits_heldout:
                y = [s.label for s in edits_heldout]
                got = [summary_ok(s, fitted) for s in edits_heldout]
                every = [int(all(claims_ok(s, fitted))) for s in edits_heldout]
                ok = sum(g for g, t in zip(got, y, strict=True) if t) / max(1, sum(y))
                caught = sum(1 - g for g, t in zip(got, y, strict=True) if not t)
                caught /= max(1, len(y) - sum(y))
                print(f"held-out references and their one-sentence edits ({sum(y)} + "
                      f"{len(y) - sum(y)}), summary verdict: faithful passed {ok:.3f}, edits "
                      f"caught {caught:.3f}, balanced accuracy {bacc(y, got):.3f} (all-claims "
                      f"rule {bacc(y, every):.3f}); rule {fitted.summary_rule!r}, entail_pass "
                      f"{fitted.entail_pass:.2f}")
    if args.highlights:
        highlights_supported(args.data, st, args.highlights, args.entailment, args.heldout)
    if args.fit or args.fit_all:
        print_toml(st)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

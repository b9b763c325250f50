#!/usr/bin/env python
"""The LLM writer's check, offline: how many unfaithful sentences would reach the reader?

Usage::

    python bench/writer.py [--data DIR] [--split dev|holdout] [--limit K] [--jobs 1]
                           [--refresh]

The abstractive model summaries of FRANK and QAGS stand for what an LLM writer returned:
each summary sentence is one point. Every point goes through exactly the check the writer
uses (`takeaways.writer.check.check_texts`: the audit, claim by claim, shipped
``data/audit.toml``); a point the audit calls ``supported`` reaches the reader, any other
is asked again and else replaced by an extractive point (offline there is no model to
ask, so a rejected sentence never reaches the reader). The human labels then say:

* **unfaithful that survive**: the share of unfaithful sentences shown to the reader,
  before the check (100%: all of them) and after it (those the audit lets through);
* **faithful kept**: the share of faithful sentences the check lets through;
* **unfaithful among shown**: the share of what the reader sees that is unfaithful.

Sentence labels. QAGS has one per sentence (crowd majority). FRANK has only
summary-level labels here (``factuality``: the share of error-free sentences); a
sentence gets a label only when its summary's factuality is 1 (every sentence faithful)
or 0 (every one unfaithful); summaries in between are left out and counted.

Peers in the same run: ``no check`` (every sentence shown) and ``novel-entity`` (a
sentence is dropped when spaCy finds an entity in it whose words the article lacks).

Gates: ``thresh. gate`` is ``[writer] gate = "threshold"`` with the shipped
``min_support`` and ``trust_routes``; ``learned gate`` is the shipped ``learned.v1``
(``data/writer_gate.json``), scored on the cached signals. The learned gate was trained on
these very sentences, so its line here is **in-sample**; ``train/writer/train_gate.py``
prints its leave-one-dataset-out and article-grouped out-of-fold figures.

Caveat: the audit's claim weights and threshold were fitted on FRANK dev (see
``bench/audit.py``), so FRANK dev figures are in-sample for it; QAGS was not used to fit
them. No threshold is tuned here: the operating point is the shipped audit. Results are
cached per sentence in ``bench/results/writer-<split>.jsonl`` (``--refresh`` redoes them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import add_data_argument, data_file, iter_jsonl  # noqa: E402
from audit import detok  # noqa: E402

CACHE_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Summary:
    dataset: str
    id: str
    article: str
    sentences: list[str]
    labels: list[int]  # 1 faithful, 0 unfaithful, per sentence


@dataclass
class Row:
    """One summary sentence as the writer's check saw it (no article text)."""

    dataset: str
    id: str
    k: int
    label: int
    verdict: str
    support: float
    novel_entity: bool
    gate: bool = False  # the threshold gate (`writer.check.passes`, gate = "threshold" with the
    #                     shipped min_support and trust_routes)
    probability: float = 0.0  # the claim model's P (weakest sentence of the point)
    routes: tuple[str, ...] = ()  # the audit's routes that pass it (all its sentences)
    article: str = ""  # a hash of the article text (the two-fold split keeps articles whole)
    #: each sentence of the point as the audit saw it (`writer.gate.raw_signals`: every
    #: signal's features with the entailment signal run on every claim, the claim model's
    #: probability, routes, verdict, words), so gate variants are re-scored without re-auditing
    parts: list[dict[str, Any]] = field(default_factory=list)


def load(data: Path, split: str, limit: int | None) -> tuple[list[Summary], dict[str, int]]:
    out: list[Summary] = []
    skipped: dict[str, int] = defaultdict(int)
    for r in iter_jsonl(data_file(data, "frank")):
        if r["split"] != split:
            continue
        sents = [detok(s) for s in r["summary_sentences"] if s.strip()]
        fact = float(r["factuality"])
        if not sents or (len(sents) > 1 and fact not in (0.0, 1.0)):
            skipped[f"frank-{r['dataset']}"] += 1  # mixed: which sentence is wrong is unknown
            continue
        label = int(fact == 1.0)
        out.append(Summary(f"frank-{r['dataset']}", r["id"], r["article"], sents,
                           [label] * len(sents)))
    for r in iter_jsonl(data_file(data, "qags")):
        if r["split"] != split:
            continue
        sents = r["summary_sentences"]
        out.append(Summary(f"qags-{r['dataset']}", r["id"], r["article"],
                           [detok(s["sentence"]) for s in sents],
                           [int(s["supported"]) for s in sents]))
    if limit:
        per: dict[str, int] = defaultdict(int)
        kept = []
        for s in out:
            if per[s.dataset] < limit:
                kept.append(s)
                per[s.dataset] += 1
        out = kept
    return out, dict(skipped)


def _init_worker() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch

    torch.set_num_threads(1)


def _check_group(group: list[Summary]) -> list[Row]:
    """Every summary of one article through the writer's check (one analysis)."""
    import takeaways
    from takeaways.auditing.text import norm
    from takeaways.config import default_settings
    from takeaways.errors import TakeawaysError
    from takeaways.nlp.analyze import Analysis
    from takeaways.nlp.models import get_nlp
    from takeaways.writer.check import check_texts, passes
    from takeaways.writer.gate import raw_signals
    from takeaways.writer.settings import WriterSettings

    try:
        analysis = Analysis(takeaways.read(group[0].article, kind="plain"))
    except TakeawaysError:
        return []  # counted as missing
    article_norm = " " + norm(analysis.article.text) + " "
    nlp = get_nlp()
    # the entailment signal on every claim (the learned gate reads it; verdicts unchanged:
    # the claim model weighs it 0 and the entailment route decides as on a second look)
    settings = default_settings().replace(audit={"entailment": True})
    ws = replace(WriterSettings.from_settings(settings), gate="threshold")  # the `gate` column
    key = hashlib.sha256(group[0].article.encode()).hexdigest()[:16]
    rows = []
    for s in group:
        audits = check_texts(analysis, s.sentences, settings)
        for k, (text, label, a) in enumerate(zip(s.sentences, s.labels, audits, strict=True)):
            novel = any(f" {norm(e.text)} " not in article_norm for e in nlp(text).ents
                        if norm(e.text))
            parts = a.parts or (a,)
            prob = min(p.probability if p.probability is not None else p.support
                       for p in parts)
            rows.append(Row(s.dataset, s.id, k, label, a.verdict, round(a.support, 4), novel,
                            passes(a, ws), round(prob, 4), tuple(a.routes), key,
                            [raw_signals(p) for p in parts]))
    return rows


def run(summaries: list[Summary], jobs: int, cache: Path, refresh: bool) -> list[Row]:
    done: dict[tuple[str, int], Row] = {}
    if cache.is_file() and not refresh:
        for line in cache.read_text().splitlines():
            row = Row(**json.loads(line))
            row.routes = tuple(row.routes)
            done[(row.id, row.k)] = row
    todo = [s for s in summaries if (s.id, 0) not in done]
    groups: dict[str, list[Summary]] = defaultdict(list)
    for s in todo:
        groups[s.article].append(s)
    work = list(groups.values())
    cache.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    with cache.open("w" if refresh else "a") as fh:
        results: Iterable[list[Row]]
        if jobs <= 1:
            _init_worker()
            results = map(_check_group, work)
            pool = None
        else:
            pool = ProcessPoolExecutor(jobs, initializer=_init_worker)
            results = pool.map(_check_group, work, chunksize=2)
        for i, rows in enumerate(results, 1):
            for row in rows:
                done[(row.id, row.k)] = row
                fh.write(json.dumps(asdict(row)) + "\n")
            fh.flush()
            if i % 20 == 0 or i == len(work):
                print(f"  {i}/{len(work)} articles, {time.time() - t0:.0f}s", file=sys.stderr)
        if pool is not None:
            pool.shutdown()
    return [done[(s.id, k)] for s in summaries for k in range(len(s.sentences))
            if (s.id, k) in done]


def _share(num: int, den: int) -> str:
    return f"{100 * num / den:5.1f}%" if den else "    –"


def _line(name: str, rows: list[Row], shown: Any) -> str:
    bad = [r for r in rows if r.label == 0]
    good = [r for r in rows if r.label == 1]
    kept_bad = sum(bool(shown(r)) for r in bad)
    kept_good = sum(bool(shown(r)) for r in good)
    return (f"  {name:<14}{_share(kept_bad, len(bad)):>9} {_share(kept_good, len(good)):>9} "
            f"{_share(kept_bad, kept_bad + kept_good):>9}")


def learned(r: Row) -> bool:
    """The shipped learned gate (``[writer] gate = "learned.v1"``) on the cached signals."""
    from takeaways.writer.gate import load_gate

    return load_gate("learned.v1").passes_raw(r.parts)


SYSTEMS = {
    "no check": lambda r: True,
    "novel-entity": lambda r: not r.novel_entity,
    "audit verdict": lambda r: r.verdict == "supported",
    "thresh. gate": lambda r: r.gate,
    "learned gate": learned,
}

#: the gate's settings tried in `gate_grid`: min_support x trusted routes
GRID_SUPPORT = (0.4, 0.45, 0.5, 0.55, 0.6)
GRID_ROUTES = ((), ("paraphrase",), ("paraphrase", "soft-word"),
               ("paraphrase", "soft-word", "entailment"))


def gated(r: Row, min_support: float, routes: tuple[str, ...]) -> bool:
    """The writer's gate for one sentence under other settings (the point's weakest
    sentence and the routes all its sentences pass: exact for one-sentence points)."""
    return r.verdict == "supported" and (
        r.probability >= min_support or any(x in routes for x in r.routes))


def _rates(rows: list[Row], ms: float, routes: tuple[str, ...]) -> tuple[float, float]:
    bad = [r for r in rows if r.label == 0]
    good = [r for r in rows if r.label == 1]
    return (sum(gated(r, ms, routes) for r in bad) / max(len(bad), 1),
            sum(gated(r, ms, routes) for r in good) / max(len(good), 1))


def _half(r: Row) -> int:
    return int(r.article[:2] or "0", 16) % 2


def gate_grid(rows: list[Row]) -> None:
    """Every gate setting of the grid on all sentences, then a two-fold check of
    choosing one: on each half of the articles (split by a hash of the text), the
    setting with the most faithful kept among those letting at most 10% of the unfaithful
    through (else the fewest unfaithful), scored on the other half."""
    print("\nThe writer's gate over a grid (all sentences): unfaithful that survive / "
          "faithful kept")
    print(f"  {'min_support':<12}" + "".join(f"{'+'.join(r) or 'no route':>34}"
                                          for r in GRID_ROUTES))
    for ms in GRID_SUPPORT:
        cells = [_rates(rows, ms, r) for r in GRID_ROUTES]
        print(f"  {ms:<12}" + "".join(f"{f'{100 * a:5.1f}% / {100 * b:5.1f}%':>34}"
                                      for a, b in cells))
    print("\nChosen on one half, scored on the other (two-fold):")
    for held in (0, 1):
        fit = [r for r in rows if _half(r) != held]
        test = [r for r in rows if _half(r) == held]
        grid = [(ms, rt, *_rates(fit, ms, rt)) for ms in GRID_SUPPORT for rt in GRID_ROUTES]
        ok = [g for g in grid if g[2] <= 0.10]
        ms, rt, _, _ = max(ok, key=lambda g: g[3]) if ok else min(grid, key=lambda g: g[2])
        a, b = _rates(test, ms, rt)
        print(f"  half {held}: chose min_support {ms}, routes {'+'.join(rt) or 'none'} -> "
              f"unfaithful survive {100 * a:.1f}%, faithful kept {100 * b:.1f}% "
              f"({len(test)} sentences)")


def table(rows: list[Row], split: str, skipped: dict[str, int]) -> None:
    print(f"\nLLM writer check, {split}: summary sentences as an LLM's points "
          "(unfaithful that survive ≤ 10% and faithful kept ≥ 80% is the target)")
    sets = sorted({r.dataset for r in rows})
    for d in [*sets, "frank (all)", "qags (all)", "all"]:
        sub = [r for r in rows if d == "all" or r.dataset == d
               or (d.endswith("(all)") and r.dataset.startswith(d.split()[0]))]
        if not sub:
            continue
        bad = sum(r.label == 0 for r in sub)
        print(f"\n{d}: {len(sub)} sentences, {bad} unfaithful, {len(sub) - bad} faithful"
              f"{f'; {skipped[d]} mixed summaries left out' if d in skipped else ''}")
        print(f"  {'system':<14}{'unf.surv':>9} {'faith.kept':>9} {'unf.shown':>9}")
        for name, shown in SYSTEMS.items():
            print(_line(name, sub, shown))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(ap)
    ap.add_argument("--split", default="dev", choices=("dev", "holdout"))
    ap.add_argument("--limit", type=int, default=None, help="at most K summaries per dataset")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--refresh", action="store_true", help="ignore the cached verdicts")
    args = ap.parse_args(argv)
    summaries, skipped = load(Path(args.data), args.split, args.limit)
    if not summaries:
        print(f"no {args.split} records of FRANK or QAGS in {args.data}", file=sys.stderr)
        return 1
    cache = CACHE_DIR / f"writer-{args.split}.jsonl"
    rows = run(summaries, args.jobs, cache, args.refresh)
    missing = sum(len(s.sentences) for s in summaries) - len(rows)
    if any(not r.parts for r in rows):
        print("note: some cached rows have no per-part signals (an older cache); the learned "
              "gate turns them down; rerun with --refresh", file=sys.stderr)
    table(rows, args.split, skipped)
    gate_grid(rows)
    if missing:
        print(f"\n{missing} sentences of unreadable articles left out")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

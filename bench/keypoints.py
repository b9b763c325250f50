"""Key-point quality benchmark: takeaways vs. extractive peers on CNN/DM highlights.

    python bench/keypoints.py [--data DIR] [--n 3,4] [--limit K]
                              [--systems takeaways,lead,...] [--split both] [--json OUT]
                              [--pages K] [--defects] [--part all|fit|heldout]

``DIR`` is the data folder (the ``shared/data`` layout); the articles and their
reference highlights are ``frank/cnndm_articles.jsonl.gz`` in it.

Every system gets THE SAME sentence split of each article: ``takeaways.read(
text, kind="plain").sentences`` (split ``takeaways``) or the dataset's
``article_sentences`` (split ``dataset``); ``--split both`` runs both, one
table each. ``takeaways`` itself always reads the raw article.

Scores: ROUGE-1/2/Lsum F1 (``rouge-score``, Porter stemmer; for Lsum the
reference bullets and the predicted points are joined by "\\n"), mean over
articles x 100. Also per system: redundancy (mean over articles of the max
pairwise TF-IDF cosine between its points; IDF over the article's sentences;
articles with < 2 points are left out), words per point, points per article,
rewritten points (takeaways: points with a non-empty ``edits``) and speed
(articles/s, selection only: splitting is shared and timed separately).
Significance: paired bootstrap over articles (1,000 resamples, fixed seed) of
each system's R-2 minus Lead-N's, with a 95% percentile interval.

Defects (``--defects``): the issue-14 check of `takeaways.keypoints.defects` on every
system's points, counted by kind (points with any defect / all points); ``--pages K``
also reads the first K dev news pages of ``article_extraction_benchmark/`` (HTML) and
checks takeaways' points on them (no reference there, so no ROUGE). ``--json`` keeps
every system's points too.

Reusable pieces: ``score_rouge``, ``redundancy``, ``paired_bootstrap``,
``run_benchmark``; the peers are in ``_peers.run_peers``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _peers  # noqa: E402  (bench/ is not a package)
from _common import print_table  # noqa: E402
from _data import add_data_argument, cnndm_articles  # noqa: E402

ALL_SYSTEMS: tuple[str, ...] = ("takeaways", *_peers.PEER_NAMES)
LABELS = {
    "takeaways": "takeaways",
    "lead": "Lead-{n}",
    "lexrank": "sumy LexRank",
    "textrank": "sumy TextRank",
    "luhn": "sumy Luhn",
    "newspaper": "newspaper4k",
    "oracle": "oracle (greedy R1+R2)",
}
ROUGE_TYPES: tuple[str, ...] = ("rouge1", "rouge2", "rougeLsum")
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20240601


# --------------------------------------------------------------------------- data


@dataclass
class Record:
    """One article with its reference bullets."""

    id: str
    text: str
    reference: list[str]
    dataset_sentences: list[str]
    title: str = " "
    article_id: str = ""


HELDOUT_IDS = Path(__file__).resolve().parents[1] / "train" / "entail" / "cnndm_heldout_ids.txt"
PARTS = ("all", "fit", "heldout")


def select_part(records: Sequence[Record], part: str) -> list[Record]:
    """``all`` the dev articles, the ``fit`` half (A: what bench/fit_keypoints.py fits on)
    or the ``heldout`` half (B: ``train/entail/cnndm_heldout_ids.txt``, never fitted on)."""
    if part == "all":
        return list(records)
    held = set(HELDOUT_IDS.read_text("utf-8").split())
    return [r for r in records if (r.article_id in held) == (part == "heldout")]


def title_from_url(url: str) -> str:
    """A headline-ish title from the URL slug (newspaper's title feature needs one)."""
    path = re.sub(r"^.*?://[^/]+/", "", re.sub(r"^https?://web\.archive\.org/web/\w+/", "", url))
    parts = [p for p in path.split("/") if p and p not in {"index.html", "index.htm"}]
    slug = re.sub(r"\.html?$", "", parts[-1]) if parts else ""
    return re.sub(r"[-_]+", " ", slug).strip() or " "


def load_records(data: Path, limit: int | None = None) -> list[Record]:
    """The CNN/DM dev articles of the data folder ``data``."""
    rows = cnndm_articles(data, limit)
    return [
        Record(
            id=str(r["id"]),
            text=r["article"],
            reference=list(r["reference_highlights"]),
            dataset_sentences=list(r.get("article_sentences") or []),
            title=title_from_url(r.get("url", "")),
            article_id=str(r.get("article_id", "")),
        )
        for r in rows
    ]


# --------------------------------------------------------------------------- scoring


@lru_cache(maxsize=1)
def _scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)


def score_rouge(
    preds: Sequence[Sequence[str]], refs: Sequence[Sequence[str]]
) -> dict[str, np.ndarray]:
    """Per-article ROUGE F1 (0..1) for each type; texts are bullets joined by "\\n"."""
    scorer = _scorer()
    out = {t: np.zeros(len(preds)) for t in ROUGE_TYPES}
    for i, (pred, ref) in enumerate(zip(preds, refs, strict=True)):
        scores = scorer.score("\n".join(ref), "\n".join(pred))  # (target, prediction)
        for t in ROUGE_TYPES:
            out[t][i] = scores[t].fmeasure
    return out


_TFIDF_TOKEN_RE = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sumy.utils import get_stop_words

    return frozenset(get_stop_words("english"))


def _terms(text: str) -> list[str]:
    stop = _stop_words()
    return [t for t in _TFIDF_TOKEN_RE.findall(text.lower()) if t not in stop]


def idf_table(sentences: Sequence[str]) -> Callable[[str], float]:
    """Smoothed IDF over the article's sentences (unseen terms get the maximum)."""
    df = Counter(t for s in sentences for t in set(_terms(s)))
    n = len(sentences)
    return lambda term: math.log((1 + n) / (1 + df.get(term, 0))) + 1.0


def _tfidf(text: str, idf: Callable[[str], float]) -> dict[str, float]:
    return {t: c * idf(t) for t, c in Counter(_terms(text)).items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def redundancy(points: Sequence[str], idf: Callable[[str], float]) -> float:
    """Max pairwise TF-IDF cosine between points; NaN with fewer than two."""
    if len(points) < 2:
        return float("nan")
    vectors = [_tfidf(p, idf) for p in points]
    return max(
        _cosine(vectors[i], vectors[j])
        for i in range(len(vectors))
        for j in range(i + 1, len(vectors))
    )


def paired_bootstrap(
    a: np.ndarray,
    b: np.ndarray,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float, float]:
    """Mean of a - b and its 95% percentile interval, resampling articles."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(diff), size=(resamples, len(diff)))
    means = diff[idx].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diff.mean()), float(low), float(high)


# --------------------------------------------------------------------------- takeaways


def load_takeaways() -> ModuleType | None:
    """The takeaways package, from the venv or from ``src/``; None if unusable."""
    try:
        import takeaways
    except ImportError:
        src = Path(__file__).resolve().parents[1] / "src"
        if str(src) not in sys.path:
            sys.path.insert(0, str(src))
        try:
            import takeaways
        except ImportError as exc:
            warnings.warn(f"takeaways is not importable ({exc})", stacklevel=2)
            return None
    return takeaways


def takeaways_read(tk: ModuleType | None, text: str) -> Any:
    """``takeaways.read(text, kind="plain")``, or None when unavailable/failed."""
    if tk is None or not hasattr(tk, "read"):
        return None
    try:
        return tk.read(text, kind="plain")
    except Exception as exc:  # noqa: BLE001 - one bad article must not sink the run
        warnings.warn(f"takeaways.read failed: {type(exc).__name__}: {exc}", stacklevel=2)
        return None


def takeaways_points(tk: ModuleType, article: Any, n: int) -> tuple[list[str], int]:
    """Point texts and the number of rewritten points (non-empty ``edits``)."""
    kp = tk.key_points(article, n=n)
    points = list(kp.points)
    return [p.text for p in points], sum(1 for p in points if getattr(p, "edits", None))


# --------------------------------------------------------------------------- runner


@dataclass
class SystemRun:
    """Predictions and bookkeeping of one system at one N on one split."""

    name: str
    preds: list[list[str]] = field(default_factory=list)
    seconds: float = 0.0
    rewritten: int = 0
    errors: int = 0


def _split_sentences(
    records: Sequence[Record], articles: Sequence[Any], split: str
) -> list[list[str]]:
    if split == "dataset":
        return [r.dataset_sentences for r in records]
    return [
        [s.text for s in a.sentences] if a is not None else r.dataset_sentences
        for r, a in zip(records, articles, strict=True)
    ]


def _run_peer(
    name: str,
    records: Sequence[Record],
    sentences: Sequence[list[str]],
    n: int,
    *,
    sumy_defaults: bool = False,
) -> SystemRun:
    run = SystemRun(name)

    def pick(rec: Record, sents: list[str]) -> list[int]:
        return _peers.select(
            name,
            sents,
            n,
            title=rec.title,
            text=rec.text,
            reference=rec.reference,
            sumy_defaults=sumy_defaults,
        )

    if records:  # warm-up (imports, stemmer/stop-word caches) stays out of the timing
        pick(records[0], sentences[0])
    for rec, sents in zip(records, sentences, strict=True):
        start = time.perf_counter()
        try:
            idx = pick(rec, sents)
        except Exception as exc:  # noqa: BLE001 - one bad article must not sink the run
            run.errors += 1
            warnings.warn(f"{name} failed on {rec.id}: {exc}", stacklevel=2)
            idx = []
        run.seconds += time.perf_counter() - start
        run.preds.append([sents[i] for i in idx])
    return run


def _run_takeaways(
    tk: ModuleType, records: Sequence[Record], articles: Sequence[Any], n: int
) -> SystemRun:
    run = SystemRun("takeaways")
    if records:  # warm-up (model loading) stays out of the timing
        try:
            takeaways_points(tk, articles[0] if articles[0] is not None else records[0].text, n)
        except Exception:  # noqa: BLE001, S110 - reported per article below
            pass
    for rec, article in zip(records, articles, strict=True):
        start = time.perf_counter()
        try:
            texts, rewritten = takeaways_points(tk, article if article is not None else rec.text, n)
        except Exception as exc:  # noqa: BLE001
            run.errors += 1
            if run.errors <= 3:
                warnings.warn(
                    f"takeaways.key_points failed on {rec.id}: {type(exc).__name__}: {exc}",
                    stacklevel=2,
                )
            texts, rewritten = [], 0
        run.seconds += time.perf_counter() - start
        run.preds.append(texts)
        run.rewritten += rewritten
    return run


def summarize_run(
    run: SystemRun, records: Sequence[Record], sentences: Sequence[list[str]]
) -> dict[str, Any]:
    """Means (x100 for ROUGE) and per-article scores of one system."""
    scores = score_rouge(run.preds, [r.reference for r in records])
    redund = [redundancy(p, idf_table(s)) for p, s in zip(run.preds, sentences, strict=True)]
    points = [p for pred in run.preds for p in pred]
    return {
        "system": run.name,
        "R-1": 100 * float(scores["rouge1"].mean()),
        "R-2": 100 * float(scores["rouge2"].mean()),
        "R-Lsum": 100 * float(scores["rougeLsum"].mean()),
        "redund": float(np.nanmean(redund)) if not all(map(math.isnan, redund)) else None,
        "words/pt": float(np.mean([len(p.split()) for p in points])) if points else 0.0,
        "pts/art": len(points) / max(1, len(run.preds)),
        "rewritten": run.rewritten if run.name == "takeaways" else None,
        "errors": run.errors,
        "art/s": len(run.preds) / run.seconds if run.seconds > 0 else None,
        "per_article": {t: scores[t].tolist() for t in ROUGE_TYPES},
        "points": run.preds,
    }


def _progress(message: str) -> None:
    print(f"[keypoints] {message}", file=sys.stderr, flush=True)


def _read_all(tk: ModuleType | None, records: Sequence[Record]) -> tuple[list[Any], float | None]:
    """``takeaways.read`` of every article (None where it failed) and the seconds it took."""
    if tk is None or not records:
        return [None] * len(records), None
    takeaways_read(tk, records[0].text)  # warm-up: spaCy etc. load outside the timing
    start = time.perf_counter()
    articles = [takeaways_read(tk, r.text) for r in records]
    return articles, time.perf_counter() - start


def run_benchmark(
    records: Sequence[Record],
    *,
    ns: Sequence[int],
    systems: Sequence[str],
    splits: Sequence[str],
    tk: ModuleType | None,
    sumy_defaults: bool = False,
) -> dict[str, Any]:
    """All systems x N x split; returns a JSON-ready result."""
    articles, read_seconds = _read_all(tk, records)
    use_tk = "takeaways" in systems and tk is not None and hasattr(tk, "key_points")
    tk_cache: dict[int, SystemRun] = {}
    results: dict[str, Any] = {
        "read_seconds": read_seconds,
        "read_failures": sum(1 for a in articles if a is None) if tk is not None else None,
        "runs": [],
    }
    for split in splits:
        sentences = _split_sentences(records, articles, split)
        for n in ns:
            runs = [
                _run_peer(name, records, sentences, n, sumy_defaults=sumy_defaults)
                for name in systems
                if name != "takeaways"
            ]
            if use_tk and tk is not None:
                if n not in tk_cache:  # split-independent: run once per N
                    tk_cache[n] = _run_takeaways(tk, records, articles, n)
                runs.insert(0, tk_cache[n])
            for run in runs:
                _progress(f"{split} split, N={n}: {run.name} {run.seconds:.1f}s")
            rows = [summarize_run(run, records, sentences) for run in runs]
            results["runs"].append(
                {"split": split, "n": n, "rows": rows, "bootstrap": _bootstrap_rows(rows)}
            )
    return results


def _bootstrap_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = {r["system"]: r for r in rows}
    if "lead" not in by_name:
        return []
    base = np.asarray(by_name["lead"]["per_article"]["rouge2"])
    out = []
    for row in rows:
        if row["system"] == "lead":
            continue
        mean, low, high = paired_bootstrap(np.asarray(row["per_article"]["rouge2"]), base)
        out.append(
            {
                "system": row["system"],
                "dR-2": 100 * mean,
                "CI low": 100 * low,
                "CI high": 100 * high,
            }
        )
    return out


# --------------------------------------------------------------------------- defects


@lru_cache(maxsize=1)
def _tagger() -> Callable[[str], list[tuple[str, str]]] | None:
    """spaCy's coarse POS tags for the defect check's verb tests (None without takeaways)."""
    try:
        from takeaways.nlp.models import get_nlp
    except ImportError:
        return None
    nlp = get_nlp()
    return lambda text: [(t.text, t.pos_) for t in nlp(text)]


def defect_row(name: str, point_lists: Sequence[Sequence[str]]) -> dict[str, Any] | None:
    """Defect counts by kind of one system's points (None when the check is unavailable)."""
    try:
        from takeaways.keypoints.defects import count_kinds
    except ImportError:
        return None
    counts, bad, total = count_kinds(point_lists, pos=_tagger())
    return {"system": name, "points": total, "defective": bad,
            "share %": 100.0 * bad / max(total, 1), **counts}


def _defect_columns() -> list[str]:
    from takeaways.keypoints.defects import KINDS

    return ["system", "points", "defective", "share %", *KINDS]


def run_pages(tk: ModuleType, data: Path, limit: int, ns: Sequence[int]) -> dict[str, Any]:
    """takeaways' points on the first ``limit`` dev news pages (HTML) and their defects."""
    from _data import load_article_extraction

    pages = load_article_extraction(data, limit)
    out: dict[str, Any] = {"pages": len(pages), "runs": []}
    for n in ns:
        preds: list[list[str]] = []
        for page in pages:
            try:
                kp = tk.key_points(tk.read(page.html_text, kind="html", url=page.url), n=n)
                preds.append([p.text for p in kp.points])
            except Exception as exc:  # noqa: BLE001 - one bad page must not sink the run
                warnings.warn(f"takeaways failed on page {page.id}: {exc}", stacklevel=2)
                preds.append([])
        out["runs"].append({"n": n, "defects": defect_row("takeaways", preds),
                            "points": preds, "ids": [p.id for p in pages]})
    return out


def _print_defects(title: str, rows: Sequence[dict[str, Any] | None]) -> None:
    kept = [r for r in rows if r is not None]
    if kept:
        print(f"\n{title}")
        _print(kept, _defect_columns())


# --------------------------------------------------------------------------- output

COLUMNS = [
    "system",
    "R-1",
    "R-2",
    "R-Lsum",
    "redund",
    "words/pt",
    "pts/art",
    "rewritten",
    "errors",
    "art/s",
]


def _cell(value: Any, column: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if column == "art/s" else f"{value:.2f}"
    return str(value)


def _print(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Pre-formatted, right-aligned cells through ``_common.print_table`` when present."""
    cells = [{c: _cell(r.get(c), c) for c in columns} for r in rows]
    for c in columns[1:]:
        width = max(len(row[c]) for row in cells) if cells else 0
        for row in cells:
            row[c] = row[c].rjust(width)
    if print_table is not None:
        print_table(cells, columns)
        return
    widths = {c: max([len(c)] + [len(row[c]) for row in cells]) for c in columns}
    print(" | ".join(c.ljust(widths[c]) for c in columns))
    for row in cells:
        print(" | ".join(row[c].ljust(widths[c]) for c in columns))


def print_results(results: dict[str, Any], n_articles: int) -> None:
    for block in results["runs"]:
        n = block["n"]
        print(f"\n## N={n}, sentence split: {block['split']}, {n_articles} articles"
              f" (part: {results.get('part', 'all')})")
        rows = [
            {**r, "system": LABELS.get(r["system"], r["system"]).format(n=n)} for r in block["rows"]
        ]
        _print(rows, COLUMNS)
        if block.get("defects"):
            _print_defects(f"Defects (issue 14 check), N={n}:", [
                {**d, "system": LABELS.get(d["system"], d["system"]).format(n=n)}
                for d in block["defects"]])
        if block["bootstrap"]:
            print(
                f"\nPaired bootstrap, R-2 minus Lead-{n} ({BOOTSTRAP_RESAMPLES} resamples, "
                f"seed {BOOTSTRAP_SEED}, 95% CI), x100:"
            )
            boot = [
                {**r, "system": LABELS.get(r["system"], r["system"]).format(n=n)}
                for r in block["bootstrap"]
            ]
            _print(boot, ["system", "dR-2", "CI low", "CI high"])
    if results.get("read_seconds"):
        seconds = results["read_seconds"]
        print(
            f"\ntakeaways.read (the shared split) took {seconds:.1f}s "
            f"({n_articles / seconds:.1f} art/s); art/s above excludes it."
        )
    if results.get("read_failures"):
        print(
            f"WARNING: takeaways.read failed on {results['read_failures']} articles; "
            "they use the dataset's split."
        )


# --------------------------------------------------------------------------- CLI


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_argument(ap)
    ap.add_argument("--n", default="3,4", help="comma-separated point counts (default 3,4)")
    ap.add_argument("--limit", type=int, default=None, help="first K articles only")
    ap.add_argument(
        "--systems",
        default=",".join(ALL_SYSTEMS),
        help=f"comma-separated subset of {','.join(ALL_SYSTEMS)}",
    )
    ap.add_argument(
        "--split",
        choices=["takeaways", "dataset", "both"],
        default="both",
        help="sentence split fed to every peer (default both)",
    )
    ap.add_argument(
        "--sumy-defaults",
        action="store_true",
        help="sumy peers with sumy's bare defaults (no stemmer, no stop words)",
    )
    ap.add_argument(
        "--json", type=Path, default=None, help="write results (with per-article scores)"
    )
    ap.add_argument("--part", choices=PARTS, default="all",
                    help="all dev articles, the fit half (A) or the held-out half (B, "
                         "train/entail/cnndm_heldout_ids.txt; never fitted on)")
    ap.add_argument("--defects", action="store_true",
                    help="count the issue-14 defects of every system's points")
    ap.add_argument("--pages", type=int, default=0, metavar="K",
                    help="also check takeaways' points on the first K dev news pages (HTML)")
    return ap.parse_args(argv)


def _choose_splits(requested: str, tk: ModuleType | None) -> list[str]:
    if requested == "dataset":
        return ["dataset"]
    if tk is None or not hasattr(tk, "read"):
        print(
            "WARNING: takeaways.read is unavailable; every system gets the dataset's "
            "article_sentences split.",
            file=sys.stderr,
        )
        return ["dataset"]
    return ["takeaways", "dataset"] if requested == "both" else [requested]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = sorted(set(systems) - set(ALL_SYSTEMS))
    if unknown:
        print(f"unknown systems {unknown}; choose from {', '.join(ALL_SYSTEMS)}", file=sys.stderr)
        return 2
    ns = [int(x) for x in args.n.split(",") if x.strip()]
    tk = load_takeaways() if "takeaways" in systems or args.split != "dataset" else None
    if "takeaways" in systems and (tk is None or not hasattr(tk, "key_points")):
        print(
            "NOTE: takeaways.key_points is unavailable; skipping the takeaways system.",
            file=sys.stderr,
        )
    splits = _choose_splits(args.split, tk)
    records = select_part(load_records(args.data, args.limit), args.part)
    start = time.perf_counter()
    results = run_benchmark(
        records, ns=ns, systems=systems, splits=splits, tk=tk, sumy_defaults=args.sumy_defaults
    )
    results.update(
        sumy_defaults=args.sumy_defaults,
        data=str(args.data),
        part=args.part,
        articles=len(records),
        ns=ns,
        systems=systems,
        wall_seconds=time.perf_counter() - start,
    )
    if args.defects:
        for block in results["runs"]:
            block["defects"] = [defect_row(r["system"], r["points"]) for r in block["rows"]]
    if args.pages and tk is not None:
        results["pages"] = run_pages(tk, args.data, args.pages, ns)
    print_results(results, len(records))
    for block in results.get("pages", {}).get("runs", []):
        _print_defects(f"Defects on {results['pages']['pages']} dev news pages, N={block['n']}:",
                       [block["defects"]])
    print(f"total wall time {results['wall_seconds']:.1f}s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

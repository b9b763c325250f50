"""Key-point speed: text → key points, articles/s, beside newspaper4k and sumy LexRank.

Every system starts from the raw article text of the same CNN/DM dev articles:
``takeaways`` reads, parses, embeds and selects; the peers get the sentence split of
``takeaways.read(kind="plain")`` (their own splitters need NLTK data that cannot be
downloaded here), timed separately so their rows include splitting too. Models are
loaded before timing; the cold start of the CLI is measured separately.

    python bench/speed.py [--data DIR] [--limit 60] [-n 4]

``DIR`` is the data folder (the ``shared/data`` layout); the articles are
``frank/cnndm_articles.jsonl.gz`` in it.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from _data import add_data_argument, cnndm_articles  # noqa: E402
from _peers import select  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _articles(data: Path, limit: int) -> list[str]:
    return [r["article"] for r in cnndm_articles(data, limit)]


def _time(fn: object, items: list[str]) -> float:
    t0 = time.perf_counter()
    for item in items:
        fn(item)  # type: ignore[operator]
    return len(items) / (time.perf_counter() - t0)


def _cold_start(example: Path) -> float:
    cli = Path(sys.executable).with_name("takeaways")
    t0 = time.perf_counter()
    subprocess.run([str(cli), "summarize", str(example), "-n", "4"], check=True,
                   capture_output=True)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    add_data_argument(ap)
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("-n", type=int, default=4)
    args = ap.parse_args()
    import takeaways
    from takeaways.api import analyze

    texts = _articles(args.data, args.limit)
    takeaways.key_points(texts[0], n=args.n)  # load models outside the timing

    def split(text: str) -> list[str]:
        return [s.text for s in takeaways.read(text, kind="plain").sentences]

    rows = [("takeaways (read + parse + embed + select)",
             _time(lambda t: takeaways.key_points(takeaways.read(t, kind="plain"), n=args.n),
                   texts))]
    for peer in ("newspaper", "lexrank"):
        rows.append((f"{peer} (+ our sentence split)",
                     _time(lambda t, p=peer: select(p, split(t), args.n), texts)))
    print(f"{len(texts)} CNN/DM dev articles, N={args.n}, {os.cpu_count()} CPUs")
    print("| system | articles/s |\n|---|--:|")
    for name, rate in rows:
        print(f"| {name} | {rate:.2f} |")
    long_article = _long_article(texts, 300)
    t0 = time.perf_counter()
    analysis = analyze(long_article)
    _ = analysis.doc
    t1 = time.perf_counter()
    takeaways.key_points(analysis, n=args.n)
    t2 = time.perf_counter()
    print(f"long article ({len(long_article.sentences)} sentences, models loaded): "
          f"{t2 - t0:.2f} s (parse {t1 - t0:.2f} s, key points {t2 - t1:.2f} s)")
    example = ROOT / "examples" / "putin-astana.scraped.txt"
    print(f"cold start of `takeaways summarize {example.name}`: {_cold_start(example):.2f} s")
    return 0


def _long_article(texts: list[str], sentences: int) -> Any:
    """One article of at least ``sentences`` sentences: dev articles joined in turn."""
    import takeaways

    parts: list[str] = []
    for text in itertools.cycle(texts):
        parts.append(text)
        article = takeaways.read("\n".join(parts), kind="plain")
        if len(article.sentences) >= sentences:
            return article
    raise AssertionError("unreachable")


if __name__ == "__main__":
    raise SystemExit(main())

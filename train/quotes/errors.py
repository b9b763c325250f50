"""Error buckets of direct-quote attribution on PolNeAR ``train`` (never dev or test).

    python train/quotes/errors.py --data ../shared/data [--cache PARSES.pkl] [--show BUCKET]

Scores the literal direct table of `bench/quotes.py` (gold ``content_has_quote_marks``
vs every system direct/mixed quote) and sorts its errors into buckets, the table of
docs/quotes.md ("Error analysis"):

* system source spans the gold set lacks: the quote's marks are outside the gold proxy
  (``''``, single marks); its content matches a gold quote but the mention is another
  one; the mention overlaps gold's with another length (the annotation's span
  convention); the quoted passage is not a gold attribution;
* gold source spans no system quote has: the matched quote has no mention (an inherited
  speaker, no parsed subject), another mention, another length, or the content is missed;
* contents: gold direct contents no system quote overlaps, system direct contents with
  ``" “ ”`` marks the gold lacks.

``--show BUCKET`` prints up to 30 examples of one bucket (its name as printed).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def buckets(records: list[dict[str, Any]], preds: list[list[Any]]
            ) -> tuple[Counter[str], dict[str, list[str]]]:
    import quotes as bench

    count: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)

    def add(name: str, text: str, span: tuple[int, int]) -> None:
        count[name] += 1
        examples[name].append(text[max(0, span[0] - 60) : span[1] + 30].replace("\n", " "))

    for rec, pred in zip(records, preds, strict=True):
        text = rec["text"]
        golds = bench.gold_attributions(rec)
        direct = [g for g in golds if g.direct]
        quotes = [q for q in pred if q.kind in ("direct", "mixed")]
        norm = lambda s, t=text: bench.normalize_span(t, s, False)  # noqa: E731
        gold_src = set(bench.span_set(text, [g.source for g in direct], False))
        sys_src: dict[tuple[int, int], Any] = {}
        for q in quotes:
            if q.source:
                sys_src.setdefault(norm(q.source), q)
        with_src = [g for g in direct if g.source and g.content]
        pairs = dict(bench.overlap_pairs([g.content for g in with_src],
                                         [q.content for q in quotes]))
        for span, q in sys_src.items():
            if span in gold_src:
                continue
            over = [g for g in direct if g.content and bench.overlap(g.content, q.content) > 0]
            if not bench.has_proxy_marks(text, q.content):
                add("sys source: marks outside the gold proxy", text, q.content)
            elif not over:
                add("sys source: passage gold does not attribute", text, q.content)
            elif over[0].source is None:
                add("sys source: gold quote has no source", text, q.content)
            elif bench.overlap(norm(over[0].source), span) > 0:
                add("sys source: same mention, other length", text, span)
            else:
                add("sys source: another mention", text, span)
        seen: set[tuple[int, int]] = set()
        for gi, g in enumerate(with_src):
            span = norm(g.source)
            if span in sys_src or span in seen:
                continue
            seen.add(span)
            q = quotes[pairs[gi]] if gi in pairs else None
            if q is None:
                add("gold source: content missed", text, g.content)
            elif q.source is None:
                add("gold source: matched quote has no mention", text, span)
            elif bench.overlap(norm(q.source), span) > 0:
                add("gold source: same mention, other length", text, span)
            else:
                add("gold source: another mention", text, span)
        g_spans = bench.span_set(text, [g.content for g in direct], False)
        s_spans = bench.span_set(text, [q.content for q in quotes], False)
        matched = bench.overlap_pairs(g_spans, s_spans)
        mg, ms = {a for a, _ in matched}, {b for _, b in matched}
        for gi, span in enumerate(g_spans):
            if gi not in mg:
                add("content: gold direct content missed", text, span)
        for si, span in enumerate(s_spans):
            if si not in ms and bench.has_proxy_marks(text, span):
                add('content: system " “ ” content gold lacks', text, span)
    return count, examples


def main(argv: list[str] | None = None) -> int:
    import quotes as bench
    from _data import add_data_argument
    from _data import records as data_records

    from takeaways.attribution.build import quotes_from_doc
    from train import parse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(ap)
    ap.add_argument("--cache", type=Path, default=None, help="a pickle of the parses")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--show", default=None, help="print examples of this bucket")
    args = ap.parse_args(argv)
    records = list(data_records(args.data, "polnear", limit=args.limit, compartment="train"))
    preds = [[bench.convert_takeaways_quote(q) for q in quotes_from_doc(d, a).quotes]
             for a, d in parse(records, args.cache)]
    count, examples = buckets(records, preds)
    for name, n in sorted(count.items()):
        print(f"{n:6d}  {name}")
    if args.show:
        for line in examples.get(args.show, [])[:30]:
            print(repr(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())

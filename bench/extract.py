"""Article-extraction benchmark: takeaways vs. trafilatura, readability, newspaper4k.

Prints one table, every system measured in the same run:

* ``aeb_*``: scrapinghub article-extraction-benchmark (4-gram word shingles,
  mean precision / mean recall per page, F1 of the means, as upstream's
  ``evaluate.py``; an empty prediction is left out of the precision mean);
* ``keep`` / ``drop`` / ``pass``: trafilatura_eval_en snippets: share of
  must-keep snippets present, of must-drop snippets (``without`` and
  ``comments``) absent, and of all snippets right; whitespace is normalised;
* ``spaced``: pages (both HTML sets) where the output puts a space between two
  words or a word and its punctuation that the page's visible text writes together
  ("a NASA statement ." for the page's "statement</a>."); see `inserted_spaces`;
* ``lost``: article_extraction_benchmark pages where at least one gold paragraph of
  ten words or more is missing from the output (under half of its words' shingles
  found); see `lost_paragraphs`;
* ``txt_*`` rows: the plain-text reader on ``pasted_text`` with the same
  shingle metric (as shipped, and with the rules alone choosing the body,
  ``rules.v1``), next to the README's two baselines; ``--text-only`` runs only these.

Usage::

    .venv/bin/python bench/extract.py [--data DIR] [--limit N]
        [--systems takeaways,trafilatura,...] [--text-only] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or as bench.extract
from _common import (  # noqa: E402
    f1_of_means,
    html_fragment_to_text,
    normalize_ws,
    print_table,
    shingle_prf,
    shingles,
)
from _data import (  # noqa: E402
    HtmlPage,
    TextPage,
    add_data_argument,
    load_article_extraction,
    load_pasted_text,
    load_trafilatura_eval,
)

HtmlExtractor = Callable[[HtmlPage], str | None]
TextReader = Callable[[TextPage], str | None]

# --------------------------------------------------------------------------
# Systems
# --------------------------------------------------------------------------


def _takeaways_module() -> Any:
    import takeaways

    if not hasattr(takeaways, "read"):
        raise AttributeError("module 'takeaways' has no attribute 'read'")
    return takeaways


def as_text(value: object) -> str:
    """A system's output as text: ``None`` is empty; a non-string is an error."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected str output, got {type(value).__name__}")
    return value


def make_takeaways() -> HtmlExtractor:
    tk = _takeaways_module()

    def run(page: HtmlPage) -> str | None:
        return as_text(tk.read(page.html, kind="html", url=page.url or None).text)

    return run


def make_takeaways_text() -> TextReader:
    tk = _takeaways_module()

    def run(page: TextPage) -> str | None:
        return as_text(tk.read(page.text, kind="text").text)

    return run


def make_takeaways_text_rules() -> TextReader:
    """The text reader with the rules alone choosing the body (``[read] text_body =
    "rules.v1"``, the reader before the line model), through ``read`` like the shipped row
    so that both rows time the same work."""
    tk = _takeaways_module()
    pipeline = tk.Pipeline(tk.Settings.load().replace(read={"text_body": "rules.v1"}))

    def run(page: TextPage) -> str | None:
        return as_text(pipeline.read(page.text, kind="text").text)

    return run


def make_trafilatura(**options: Any) -> Callable[[], HtmlExtractor]:
    def factory() -> HtmlExtractor:
        import trafilatura

        def run(page: HtmlPage) -> str | None:
            return as_text(trafilatura.extract(page.html_text, url=page.url or None, **options))

        return run

    return factory


def make_readability() -> HtmlExtractor:
    from readability import Document

    def run(page: HtmlPage) -> str | None:
        return html_fragment_to_text(Document(page.html_text).summary(html_partial=True))

    return run


def make_newspaper4k() -> HtmlExtractor:
    from newspaper import Article, Config

    config = Config()
    config.fetch_images = False  # no network: never download images
    config.memorize_articles = False

    def run(page: HtmlPage) -> str | None:
        article = Article(page.url or "http://example.invalid/", config=config)
        article.download(input_html=page.html_text)
        article.parse()
        return as_text(article.text)

    return run


HTML_SYSTEMS: dict[str, Callable[[], HtmlExtractor]] = {
    "takeaways": make_takeaways,
    "trafilatura": make_trafilatura(),
    "trafilatura_precision": make_trafilatura(favor_precision=True),
    "readability": make_readability,
    "newspaper4k": make_newspaper4k,
}


def raw_text_baseline(page: TextPage) -> str:
    return page.text


def long_lines_baseline(page: TextPage, min_words: int = 12) -> str:
    return "\n".join(line for line in page.text.splitlines() if len(line.split()) >= min_words)


# --------------------------------------------------------------------------
# Running and scoring
# --------------------------------------------------------------------------


@dataclass
class Outcome:
    """Predictions of one system on one dataset, with errors and timing."""

    preds: list[str] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    seconds: float = 0.0


def short_error(exc: BaseException, width: int = 160) -> str:
    """``Type: first meaningful line of the message``, truncated."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip().strip("*")]
    message = f"{type(exc).__name__}: {lines[0] if lines else ''}"
    return message if len(message) <= width else message[: width - 3] + "..."


def run_pages(fn: Callable[[Any], str | None], pages: list[Any]) -> Outcome:
    """Apply ``fn`` to every page; an exception is an empty prediction."""
    out = Outcome()
    for page in pages:
        start = time.perf_counter()
        try:
            pred = fn(page) or ""
        except Exception as exc:  # noqa: BLE001 - a benchmark must not stop
            pred = ""
            out.errors += 1
            if out.first_error is None:
                out.first_error = f"{page.id[:16]}: {short_error(exc)}"
        out.seconds += time.perf_counter() - start
        out.preds.append(pred)
    return out


def score_shingles(preds: list[str], golds: list[str]) -> dict[str, float | int]:
    p, r, f1 = f1_of_means(shingle_prf(pred, gold) for pred, gold in zip(preds, golds, strict=True))
    empty = sum(1 for pred in preds if not pred.strip())
    return {"P": p, "R": r, "F1": f1, "empty": empty}


def score_snippets(preds: list[str], pages: list[HtmlPage]) -> dict[str, float | int]:
    kept = keep_total = dropped = drop_total = 0
    for pred, page in zip(preds, pages, strict=True):
        text = normalize_ws(pred)
        for snippet in page.must_keep:
            keep_total += 1
            kept += normalize_ws(snippet) in text
        for snippet in page.must_drop:
            drop_total += 1
            dropped += normalize_ws(snippet) not in text
    return {
        "keep": kept / keep_total if keep_total else 0.0,
        "drop": dropped / drop_total if drop_total else 0.0,
        "pass": (kept + dropped) / (keep_total + drop_total) if keep_total + drop_total else 0.0,
    }


# Elements that run on into their neighbours' text in a browser; every other element
# breaks the line (a block, a cell, a line break).
_INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub "
    "sup time u var del ins wbr label".split()
)
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
_LD_BODY = re.compile(r'"articleBody"\s*:\s*"((?:[^"\\]|\\.)*)"')


def visible_text(page: str) -> str:
    """The page's text as a browser lays it out, whitespace collapsed: inline elements
    joined as written, blocks separated; plus any JSON-LD ``articleBody`` (what a reader
    falls back to on script-rendered pages)."""
    from lxml import etree
    from lxml import html as lhtml

    try:
        root = lhtml.fromstring(page.encode("utf-8", "replace"),
                                parser=lhtml.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return ""
    out: list[str] = []
    hidden = 0  # depth inside elements a browser does not show
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        skip = tag in _HIDDEN
        if event in ("comment", "pi"):
            if el.tail and not hidden:
                out.append(el.tail)
        elif event == "start":
            hidden += skip
            if tag not in _INLINE:
                out.append("\n")
            if el.text and not hidden:
                out.append(el.text)
        else:
            hidden -= skip
            if tag not in _INLINE:
                out.append("\n")
            if el.tail and not hidden:
                out.append(el.tail)
    for m in _LD_BODY.finditer(page):
        try:
            out.append("\n" + json.loads(f'"{m.group(1)}"'))
        except ValueError:
            continue
    return re.sub(r"\s+", " ", "".join(out))


def inserted_spaces(pred: str, visible: str) -> list[str]:
    """Word pairs the output writes apart ("statement .") where the page's visible text
    only ever writes them together ("statement.")."""
    tokens = pred.split()
    vis_tokens = set(visible.split())
    bad = []
    for x, y in zip(tokens, tokens[1:], strict=False):
        joined = x + y
        short = not y[0].isalnum() or not x[-1].isalnum() or len(x) <= 2 or len(y) <= 2
        if (joined in vis_tokens or (short and joined in visible)) and f"{x} {y}" not in visible:
            bad.append(f"{x} {y}")
    return bad


def lost_paragraphs(pred: str, gold: str, min_words: int = 10) -> list[str]:
    """Gold paragraphs of ``min_words`` words or more of which under half of the word
    4-gram shingles occur in the output."""
    have = shingles(pred)
    lost = []
    for para in gold.split("\n"):
        if len(para.split()) < min_words:
            continue
        sh = shingles(para)
        found = sum(min(c, have[k]) for k, c in sh.items())
        if found < 0.5 * sum(sh.values()):
            lost.append(para)
    return lost


def spacing_and_loss(preds: list[str], pages: list[HtmlPage], with_gold: bool
                     ) -> tuple[int, int]:
    """(pages with inserted spaces, pages with a paragraph lost)."""
    spaced = lost = 0
    for pred, page in zip(preds, pages, strict=True):
        spaced += bool(pred and inserted_spaces(pred, visible_text(page.html_text)))
        lost += bool(with_gold and lost_paragraphs(pred, page.gold_body))
    return spaced, lost


def setup(name: str, factory: Callable[[], Any], warmup: list[Any]) -> tuple[Any, str | None]:
    """Build a system and run it once, untimed, on ``warmup`` (lazy model
    loads); returns (system, None) or (None, error note)."""
    try:
        fn = factory()
        run_pages(fn, warmup)
    except Exception as exc:  # noqa: BLE001
        return None, f"{name}: setup failed: {short_error(exc)}"
    return fn, None


def bench_html_system(
    name: str, factory: Callable[[], HtmlExtractor], aeb: list[HtmlPage], tev: list[HtmlPage]
) -> tuple[dict[str, Any], list[str]]:
    """One table row for an HTML extractor, plus error notes."""
    row: dict[str, Any] = {"system": name, "input": "html"}
    fn, failure = setup(f"{name} [html]", factory, (aeb or tev)[:1])
    if failure:
        row["errors"] = "setup"
        return row, [failure]
    a, t = run_pages(fn, aeb), run_pages(fn, tev)
    seconds = a.seconds + t.seconds
    row.update(score_shingles(a.preds, [p.gold_body for p in aeb]))
    row.update(score_snippets(t.preds, tev))
    spaced_a, lost = spacing_and_loss(a.preds, aeb, True)
    spaced_t, _ = spacing_and_loss(t.preds, tev, False)
    row["spaced"], row["lost"] = spaced_a + spaced_t, lost
    row["errors"] = a.errors + t.errors
    row["pages/s"] = (len(aeb) + len(tev)) / seconds if seconds > 0 else None
    notes = [
        f"{name} [{label}]: {o.errors} error(s), first: {o.first_error}"
        for label, o in (("aeb", a), ("snippets", t))
        if o.errors
    ]
    return row, notes


def bench_text_reader(
    name: str, factory: Callable[[], TextReader], pages: list[TextPage], timed: bool = True
) -> tuple[dict[str, Any], list[str]]:
    """One table row for a plain-text reader on ``pasted_text``."""
    row: dict[str, Any] = {"system": name, "input": "pasted text"}
    fn, failure = setup(f"{name} [text]", factory, pages[:1] if timed else [])
    if failure:
        row["errors"] = "setup"
        return row, [failure]
    out = run_pages(fn, pages)
    row.update(score_shingles(out.preds, [p.gold_body for p in pages]))
    row["errors"] = out.errors
    row["pages/s"] = len(pages) / out.seconds if timed and out.seconds > 0 else None
    notes = (
        [f"{name} [text]: {out.errors} error(s), first: {out.first_error}"] if out.errors else []
    )
    return row, notes


def warm_text_readers(readers: dict[str, Callable[[], TextReader]],
                      pages: list[TextPage]) -> None:
    """Run the first takeaways text reader over every page, untimed: spaCy's vocabulary
    grows on the first sight of each word, which the first timed row would pay alone
    (~3 ms a page here), so that both takeaways rows are timed on the same footing."""
    name = next((n for n in readers if n.startswith("takeaways")), None)
    if name is not None:
        try:
            run_pages(readers[name](), pages)
        except Exception:  # noqa: BLE001 - the timed row reports the failure
            pass


def text_readers(systems: list[str]) -> dict[str, Callable[[], TextReader]]:
    """Plain-text readers to score: takeaways (if selected) and the baselines."""
    readers: dict[str, Callable[[], TextReader]] = {}
    if "takeaways" in systems:
        readers["takeaways"] = make_takeaways_text
        readers["takeaways: rules.v1 body"] = make_takeaways_text_rules
    readers["baseline: raw text"] = lambda: raw_text_baseline
    readers["baseline: lines >= 12 words"] = lambda: long_lines_baseline
    return readers


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

COLUMNS = ["system", "input", "P", "R", "F1", "empty", "keep", "drop", "pass", "spaced", "lost",
           "errors", "pages/s"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_data_argument(parser)
    parser.add_argument(
        "--limit", type=int, default=None, help="only the first N pages of each dataset"
    )
    parser.add_argument(
        "--systems",
        default=",".join(HTML_SYSTEMS),
        help="comma-separated subset of: %(default)s",
    )
    parser.add_argument(
        "--text-only", action="store_true", help="only the txt_* rows (pasted_text readers)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in args.systems if s not in HTML_SYSTEMS]
    if unknown:
        parser.error(
            f"unknown system(s): {', '.join(unknown)}; choose from {', '.join(HTML_SYSTEMS)}"
        )
    return args


def quiet_libraries() -> None:
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_libraries()
    started = time.perf_counter()
    aeb = load_article_extraction(args.data, args.limit)
    tev = load_trafilatura_eval(args.data, args.limit)
    pasted = load_pasted_text(args.data, args.limit)

    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for name in [] if args.text_only else args.systems:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        row, row_notes = bench_html_system(name, HTML_SYSTEMS[name], aeb, tev)
        rows.append(row)
        notes += row_notes
    readers = text_readers(args.systems)
    warm_text_readers(readers, pasted)
    for name, reader in readers.items():
        row, row_notes = bench_text_reader(
            name, reader, pasted, timed=not name.startswith("baseline")
        )
        rows.append(row)
        notes += row_notes
    elapsed = time.perf_counter() - started

    print(
        f"pages: article_extraction_benchmark={len(aeb)}  trafilatura_eval_en={len(tev)}  "
        f"pasted_text={len(pasted)}   (data: {args.data})"
    )
    print("P/R/F1/empty: shingle metric; html rows on article_extraction_benchmark,")
    print("  text rows on pasted_text. keep/drop/pass: trafilatura_eval_en snippets.")
    print("  pages/s: both html sets (after one untimed warm-up page) or pasted_text.")
    print("  spaced: pages (both html sets) with a space the page does not have between two")
    print("  words or before punctuation; lost: pages with a gold paragraph (>= 10 words) missing.")
    print()
    print_table(rows, COLUMNS, formats={"pages/s": ".1f"})
    if notes:
        print("\nerrors:")
        for note in notes:
            print(f"  - {note}")
    print(f"\ntotal run time: {elapsed:.1f}s")

    if args.json:
        payload = {
            "data": str(args.data),
            "limit": args.limit,
            "pages": {
                "article_extraction_benchmark": len(aeb),
                "trafilatura_eval_en": len(tev),
                "pasted_text": len(pasted),
            },
            "rows": rows,
            "errors": notes,
            "seconds": elapsed,
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

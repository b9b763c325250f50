"""Quote store benchmark on PolNeAR: speakers merged across articles, and `said` speed.

    python bench/store.py --data ../shared/data [--compartment dev] [--cache DIR]

1. Runs the quote pipeline over the PolNeAR articles of a compartment (``kind="plain"``,
   so offsets index the record's text, as in ``bench/quotes.py``) and fills a DuckDB
   store; the results are cached as JSONL in ``--cache`` (reused when present).
2. **Cross-article merging.** Gold identities come from the gold sources: a source that
   is a proper name of two or more words is that person ("Donald J. Trump" = first +
   last name); a one-word name is completed to the only full name with that surname in
   the same article's gold sources or text (else it is left out, as are pronouns and
   descriptors: PolNeAR does not resolve them). Each such gold attribution is matched to
   the predicted quote whose content overlaps it most; the unit is scored when that
   quote has a store speaker. Over pairs of units *in different articles*, precision and
   recall of "same speaker" against "same gold identity".
3. **Top ten.** For the ten gold people with the most units, how many distinct store
   speakers their units fall into (10 is perfect).
4. **said speed.** A store of ``--articles`` (1,000) articles (the cached results,
   repeated under new ids when there are fewer) is queried for the five most quoted
   speakers; the time per `said` call, opening the store included, with the merge read
   from the store's cache (written when the batch store closed), and for two of them
   without the cache (the merge run in the query) for comparison.

The merging baseline in the same run: "exact name" (each distinct canonical name is a
speaker: no surname or first/last-name merging).
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import add_data_argument, records  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PRONOUNS = {"he", "she", "they", "i", "we", "it", "you", "him", "her", "them", "us", "me"}


# ------------------------------------------------------------------ building the store


def _results(recs: list[dict[str, Any]], cache: Path) -> list[dict[str, Any]]:
    everything = cache.with_name("polnear-all.jsonl.gz")
    for path in (cache, everything):  # a cache of all compartments serves each one
        if path.exists():
            want = {r["id"] for r in recs}
            rows = [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]
            rows = [r for r in rows if r["id"] in want]
            if len(rows) == len(want):
                return rows
    import takeaways

    out: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for i, rec in enumerate(recs):
        art = takeaways.read(rec["text"], kind="plain")
        art = replace(art, metadata=replace(art.metadata, date=rec.get("publication_date"),
                                            url=f"polnear:{rec['id']}"))
        q = takeaways.quotes(art)
        out.append({"id": rec["id"], "status": "ok", "article": art.to_dict(),
                    "quotes": q.to_dict()})
        if i % 100 == 99:
            print(f"  {i + 1} articles, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(cache, "wt", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return out


def _fill(results: Iterable[dict[str, Any]], path: Path) -> None:
    from takeaways.store.batch import BatchStore

    if path.exists():
        path.unlink()
    store = BatchStore.open(path)
    batch: list[dict[str, Any]] = []
    for r in results:
        batch.append(r)
        if len(batch) == 64:
            store.write_results(batch)
            batch = []
    store.write_results(batch)
    store.close()


# ------------------------------------------------------------------ gold identities


def _proper_tokens(text: str) -> list[str] | None:
    from takeaways.store.names import _titles, name_tokens

    words = text.replace("’", "'").split()
    if not words or words[0].lower() in PRONOUNS or words[0].lower() in ("the", "a", "an"):
        return None
    if not all(w[:1].isupper() for w in words if w.isalpha() or w[:1].isalpha()):
        return None
    titled = [i for i, w in enumerate(words) if w.lower().rstrip(".") in _titles()]
    if titled:  # "Texas Sen. Ted Cruz", "Vice President Joe Biden": the name follows
        words = words[titled[-1] + 1:]
    tokens = list(name_tokens(" ".join(words)))
    return tokens if tokens and len(tokens) <= 4 else None


def _complete(surname: str, full_names: Iterable[tuple[str, str]]) -> str | None:
    firsts = {f for f, last in full_names if last == surname}
    return f"{firsts.pop()} {surname}" if len(firsts) == 1 else None


def _text_full_names(text: str, surname: str) -> set[tuple[str, str]]:
    from takeaways.store.names import name_tokens

    out = set()
    for m in re.finditer(r"((?:[A-Z][\w.'-]+\s+){1,3})" + re.escape(surname.title()) + r"\b",
                         text):
        tokens = name_tokens(m.group(0))
        if len(tokens) >= 2:
            out.add((tokens[0], tokens[-1]))
    return out


def gold_units(rec: dict[str, Any]) -> list[tuple[tuple[int, int], str]]:
    """(content envelope, gold identity "first last") of the named gold attributions."""
    named: list[tuple[tuple[int, int], list[str]]] = []
    for a in rec.get("attributions") or []:
        src, content = a.get("source"), a.get("content")
        if not src or not content:
            continue
        tokens = _proper_tokens(src["text"])
        if tokens:
            spans = content["spans"]
            named.append(((min(s for s, _ in spans), max(e for _, e in spans)), tokens))
    fulls = {(t[0], t[-1]) for _, t in named if len(t) >= 2}
    out = []
    for span, tokens in named:
        if len(tokens) >= 2:
            out.append((span, f"{tokens[0]} {tokens[-1]}"))
            continue
        ident = _complete(tokens[0], fulls) or _complete(
            tokens[0], _text_full_names(rec["text"], tokens[0]))
        if ident:
            out.append((span, ident))
    return out


# ------------------------------------------------------------------ scoring


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def cross_pairs(units: list[tuple[str, str, str]]) -> dict[str, float]:
    """P/R/F1 of same-speaker pairs across articles; units are (doc, pred, gold)."""
    def cross(keyed: Counter[Any], by_doc: Counter[Any]) -> int:
        return sum(_pairs(n) for n in keyed.values()) - sum(_pairs(n) for n in by_doc.values())

    cell = Counter((p, g) for _, p, g in units)
    cell_doc = Counter((d, p, g) for d, p, g in units)
    pred = Counter(p for _, p, _ in units)
    pred_doc = Counter((d, p) for d, p, _ in units)
    gold = Counter(g for _, _, g in units)
    gold_doc = Counter((d, g) for d, _, g in units)
    tp, npred, ngold = cross(cell, cell_doc), cross(pred, pred_doc), cross(gold, gold_doc)
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    return {"units": len(units), "gold_pairs": ngold, "pred_pairs": npred,
            "P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0}


def _best_quote(span: tuple[int, int], quotes: list[dict[str, Any]]) -> dict[str, Any] | None:
    best, size = None, 0
    for q in quotes:
        c = q["content"]
        ov = min(span[1], c["end"]) - max(span[0], c["start"])
        if ov > size:
            best, size = q, ov
    return best


def score(recs: list[dict[str, Any]], results: list[dict[str, Any]],
          speaker_of: dict[tuple[str, str], str], *,
          attributed: bool = False) -> tuple[dict[str, float], dict[str, int]]:
    """Pair figures and top-ten splits; ``attributed`` keeps only the units whose quote
    went to the gold person in its article (so only the cross-article merge is scored)."""
    by_id = {r["id"]: r for r in results}
    units: list[tuple[str, str, str]] = []
    for rec in recs:
        res = by_id.get(rec["id"])
        if not res or res["article"]["text"] != rec["text"]:
            continue
        quotes = res["quotes"]["quotes"]
        for span, ident in gold_units(rec):
            q = _best_quote(span, quotes)
            eid = q and q["speaker"].get("entity_id")
            sid = speaker_of.get((rec["id"], eid)) if eid else None
            if sid and (not attributed or _same_surname(q["speaker"].get("entity"), ident)):
                units.append((rec["id"], sid, ident))
    top = [g for g, _ in Counter(g for _, _, g in units).most_common(10)]
    per_top = {g: len({p for _, p, gg in units if gg == g}) for g in top}
    return cross_pairs(units), per_top


def _same_surname(entity: str | None, ident: str) -> bool:
    """The quote went to the gold person in its article (its entity has the surname)."""
    from takeaways.store.names import name_tokens

    return bool(entity) and ident.split()[-1] in name_tokens(entity or "")


def _speaker_maps(store_path: Path, aliases: str | None) -> dict[str, dict[tuple[str, str], str]]:
    from takeaways.store import AliasRules, open_store, speakers
    from takeaways.store.merge import STRATEGY
    from takeaways.store.query import load_occurrences

    with open_store(store_path) as store:
        occ = load_occurrences(store)
        merged = speakers(store, aliases=AliasRules.load(aliases), cache=False)
    ours = {m: g.id for g in merged for m in g.members}
    exact = {(o.doc_id, o.entity_id): f"{o.type}:{o.name.lower()}" for o in occ}
    return {f"takeaways ({STRATEGY})": ours, "exact canonical name": exact}


# ------------------------------------------------------------------ said speed


def said_speed(results: list[dict[str, Any]], path: Path, n_articles: int) -> dict[str, Any]:
    from takeaways.store import open_store, said, speakers

    copies: list[dict[str, Any]] = []
    k = 0
    while len(copies) < n_articles:
        for r in results:
            if len(copies) >= n_articles:
                break
            copies.append(r if k == 0 else {**r, "id": f"{r['id']}#{k}"})
        k += 1
    t0 = time.perf_counter()
    _fill(copies, path)
    build = time.perf_counter() - t0
    with open_store(path) as store:
        names = [g.name for g in speakers(store)[:5]]
        n_quotes = store.con.execute("SELECT count(*) FROM quotes").fetchone()[0]
    # the bench holds every pipeline result in memory; a `said` process does not: keep
    # the garbage collector from walking them inside a timed call
    gc.collect()
    gc.freeze()
    times, sizes, cold = [], [], []
    for name in names:
        t0 = time.perf_counter()
        with open_store(path) as store:
            rows = said(store, name)
        times.append(time.perf_counter() - t0)
        sizes.append(len(rows))
    for name in names[:2]:  # without the cache: the merge runs in the query
        t0 = time.perf_counter()
        with open_store(path) as store:
            said(store, name, groups=speakers(store, cache=False))
        cold.append(time.perf_counter() - t0)
    return {"articles": len(copies), "quotes": n_quotes, "build_s": build,
            "said_s": times, "rows": sizes, "names": names, "cold_s": cold}


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_argument(ap)
    ap.add_argument("--compartment", default="dev",
                    help="PolNeAR compartment(s), comma list: dev, train, all (default dev)")
    ap.add_argument("--cache", type=Path, default=ROOT / ".bench-cache" / "store")
    ap.add_argument("--aliases", default=None, help="a speaker alias file to apply")
    ap.add_argument("--articles", type=int, default=1000, help="articles in the said store")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args(argv)
    comps = None if args.compartment == "all" else set(args.compartment.split(","))
    recs = [r for r in records(args.data, "polnear")
            if comps is None or r["compartment"] in comps]
    print(f"PolNeAR {args.compartment}: {len(recs)} articles", file=sys.stderr)
    results = _results(recs, args.cache / f"polnear-{args.compartment}.jsonl.gz")
    store_path = args.cache / f"polnear-{args.compartment}.duckdb"
    _fill(results, store_path)
    print("\n'all units': every named gold attribution whose best-overlapping quote has a "
          "store speaker; 'attributed units': those whose quote went to the gold person in "
          "its article (the entity has the gold surname), which scores the merge alone.")
    print(f"\nCross-article speaker merging, PolNeAR {args.compartment} "
          f"({len(recs)} articles): same-speaker pairs in different articles")
    print("| system | units | gold pairs | P | R | F1 | store speakers for the top-10 "
          "gold people |\n|---|---|---|---|---|---|---|")
    tops = {}
    for system, mapping in _speaker_maps(store_path, args.aliases).items():
        for attributed in (False, True):
            figs, per_top = score(recs, results, mapping, attributed=attributed)
            label = f"{system}{', attributed units' if attributed else ', all units'}"
            tops[label] = per_top
            print(f"| {label} | {figs['units']} | {figs['gold_pairs']} | {figs['P']:.3f} | "
                  f"{figs['R']:.3f} | {figs['F1']:.3f} | {sum(per_top.values())} |")
    for system, per_top in tops.items():
        print(f"\n{system}: " + ", ".join(f"{g} {n}" for g, n in per_top.items()))
    if not args.no_speed:
        sp = said_speed(results, args.cache / "said-speed.duckdb", args.articles)
        worst = max(sp["said_s"])
        print(f"\nsaid on a {sp['articles']}-article store ({sp['quotes']} quotes; built in "
              f"{sp['build_s']:.1f} s): " + ", ".join(
                  f"{n} {t * 1000:.0f} ms ({k} quotes)"
                  for n, t, k in zip(sp["names"], sp["said_s"], sp["rows"], strict=True))
              + f"; worst {worst * 1000:.0f} ms (target < 1 s), the merge read from the "
              "store's cache (written when the batch closed); without the cache (merging "
              "in the query): " + ", ".join(f"{t * 1000:.0f} ms" for t in sp["cold_s"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

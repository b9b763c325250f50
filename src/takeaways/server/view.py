"""Shape stored result dicts for the HTML templates.

The article view is a list of blocks (headings, paragraphs); each block is cut into
sentences and each sentence into segments at every offset that some result points at,
so the page can highlight any evidence span exactly. The templates escape all text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Segment:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class SentenceView:
    id: int | None
    segments: list[Segment] = field(default_factory=list)


@dataclass(slots=True)
class Block:
    kind: str  # "h" or "p"
    level: int
    sentences: list[SentenceView]


def _span_list(items: Any) -> list[tuple[int, int]]:
    items = items if isinstance(items, list) else [items]
    return [
        (i["start"], i["end"]) for i in items
        if isinstance(i, dict) and isinstance(i.get("start"), int) and isinstance(i.get("end"), int)
    ]


def _cuts(record: dict[str, Any]) -> list[int]:
    """Every article offset a result points at: key-point evidence, quote content, cue
    and speaker mention, audit evidence. (A claim's ``faulty_span`` indexes the claim.)"""
    spans: list[tuple[int, int]] = []
    for p in (record.get("key_points") or {}).get("key_points", []):
        spans += _span_list(p.get("evidence", []))
    for q in (record.get("quotes") or {}).get("quotes", []):
        spans += _span_list([q.get("content"), q.get("cue"), *(q.get("parts") or [])])
        speaker_ = q.get("speaker")
        if isinstance(speaker_, dict):
            spans += _span_list(speaker_.get("mention"))
    for c in (record.get("audit") or {}).get("claims", []):
        spans += _span_list(c.get("evidence", []))
    return sorted({x for span in spans for x in span})


def article_blocks(record: dict[str, Any]) -> list[Block]:
    """The article as blocks → sentences → segments, in text order. Linear in the text:
    each block finds its sentences and cuts by bisection (no scan of the whole article
    per block, nor of a block's sentences per segment)."""
    article = record["article"]
    text: str = article["text"]
    sentences = sorted(article["sentences"], key=lambda s: s["start"])
    starts = [s["start"] for s in sentences]
    cuts = _cuts(record)
    parts: list[tuple[int, str, int, int, int]] = [
        (h["start"], "h", h.get("level", 2), h["start"], h["end"]) for h in article["headings"]
    ]
    parts += [(p["start"], "p", 0, p["start"], p["end"]) for p in article["paragraphs"]]
    blocks = []
    for _, kind, level, start, end in sorted(parts):
        first = max(0, bisect_right(starts, start) - 1)  # the sentence holding ``start``
        last = bisect_right(starts, end - 1)
        inside = [s for s in sentences[first:last] if s["end"] > start and s["start"] < end]
        views = _sentences(text, start, end, inside, cuts)
        blocks.append(Block(kind, min(max(level, 2), 6), views))
    return blocks


def _sentences(
    text: str, start: int, end: int, inside: list[dict[str, Any]], cuts: list[int]
) -> list[SentenceView]:
    """The block ``[start, end)`` cut at its sentences' bounds and at ``cuts``; ``inside``
    are the sentences overlapping it, by start."""
    bounds = {start, end}
    for s in inside:
        bounds.update((max(start, s["start"]), min(end, s["end"])))
    lo, hi = bisect_right(cuts, start), bisect_right(cuts, end - 1)
    bounds.update(cuts[lo:hi])
    points = sorted(bounds)
    views: list[SentenceView] = []
    j = 0  # segments come in text order, so the owning sentence only moves forward
    for a, b in zip(points, points[1:], strict=False):
        while j < len(inside) and inside[j]["end"] <= a:
            j += 1
        owner = None
        if j < len(inside) and inside[j]["start"] <= a and b <= inside[j]["end"]:
            owner = inside[j]["id"]
        if not views or views[-1].id != owner:
            views.append(SentenceView(owner))
        views[-1].segments.append(Segment(a, b, text[a:b]))
    return views


# -- small helpers the templates call ------------------------------------------------------
_SAFE_CLASS = re.compile(r"[^a-z0-9_-]+")


def css_token(value: Any) -> str:
    """A verdict or kind as a safe CSS class suffix."""
    return _SAFE_CLASS.sub("-", str(value or "unknown").lower())[:40] or "unknown"


def ranges(items: Any) -> str:
    """``"a-b c-d"`` for a list of span dicts (or one span dict)."""
    if isinstance(items, dict):
        items = [items]
    spans = [i for i in items or [] if isinstance(i, dict) and isinstance(i.get("start"), int)]
    return " ".join(f"{s['start']}-{s['end']}" for s in spans)


def sentence_ids(items: Any) -> str:
    ids = [i.get("sentence_id") for i in items or [] if isinstance(i, dict)]
    return " ".join(str(i) for i in ids if isinstance(i, int))


def label(value: Any) -> str:
    """A readable label for a speaker/cue/entity value of any reasonable shape."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "canonical", "text", "label", "mention", "entity"):
            if value.get(key):
                return label(value[key])
        return ""
    if isinstance(value, list):
        return ", ".join(filter(None, (label(v) for v in value)))
    return str(value)


def speaker(quote: dict[str, Any], entities: Any) -> str:
    sp = quote.get("speaker") or {}
    if not isinstance(sp, dict):
        return label(sp) or "unknown"
    entity = sp.get("entity")
    if isinstance(entity, int | str) and isinstance(entities, list):
        for e in entities:
            if isinstance(e, dict) and entity in (e.get("id"), e.get("name")):
                return label(e) or str(entity)
    return label(entity) or label(sp.get("mention")) or "unknown"


def quote_ranges(quote: dict[str, Any]) -> str:
    """The quote's content parts (or its content span) as ranges."""
    return ranges(quote.get("parts") or [quote.get("content")])


def claim_parts(claim: dict[str, Any]) -> tuple[str, str, str]:
    """The claim text split around its ``faulty_span`` (offsets into the claim)."""
    text = str(claim.get("text") or "")
    span = claim.get("faulty_span")
    if isinstance(span, dict):
        a, b = span.get("start"), span.get("end")
        if isinstance(a, int) and isinstance(b, int) and 0 <= a < b <= len(text):
            return text[:a], text[a:b], text[b:]
    return text, "", ""


# -- evidence and attribution at a glance -------------------------------------------------
#: Plain-language names of the audit's error types (``audit.schema.json``).
ERROR_WORDS = {
    "entity": "a name, number or place differs from the article",
    "predicate": "what happened differs from the article",
    "circumstance": "when, where or how differs from the article",
    "coreference": "it refers to the wrong person or thing",
    "discourse-link": "it links facts (cause, contrast, time) the article does not link",
    "out-of-article": "the article does not say this",
    "grammatical": "the sentence cannot be read clearly",
}


def error_words(types: Any) -> str:
    """The audit's error types in words (unknown ones as they are)."""
    items = types if isinstance(types, list) else [types]
    return "; ".join(ERROR_WORDS.get(str(t), str(t)) for t in items if t)


def percent(score: Any) -> str:
    """``0.0797`` → ``"8%"``; empty for a missing score."""
    if isinstance(score, bool) or not isinstance(score, int | float):
        return ""
    return f"{round(100 * float(score))}%"


def cites(point: dict[str, Any]) -> list[int]:
    """The 1-based sentence numbers a key point cites (its inline citation markers)."""
    ids = [e.get("sentence_id") for e in point.get("evidence") or [] if isinstance(e, dict)]
    return [i + 1 for i in ids if isinstance(i, int)]


def rewrites(point: dict[str, Any]) -> list[tuple[str, str]]:
    """The substitutions made to a point's evidence: (article words, words in the point)."""
    out = []
    for e in point.get("edits") or []:
        if isinstance(e, dict) and e.get("kind") == "substitute" and e.get("original"):
            out.append((str(e["original"]), str(e.get("replacement") or "")))
    return out


@dataclass(slots=True)
class SpeakerQuotes:
    speaker: str
    quotes: list[dict[str, Any]]


def quote_groups(quotes: Any) -> list[SpeakerQuotes]:
    """Quotes grouped by speaker, speakers in the order they first speak."""
    if not isinstance(quotes, dict):
        return []
    groups: dict[str, SpeakerQuotes] = {}
    for q in quotes.get("quotes") or []:
        if isinstance(q, dict):
            who = speaker(q, quotes.get("entities"))
            groups.setdefault(who, SpeakerQuotes(who, [])).quotes.append(q)
    return list(groups.values())


def source_line(article: dict[str, Any]) -> list[str]:
    """Source (site or URL host), byline and date of the article, those it has."""
    meta = article.get("metadata") or {}
    if not isinstance(meta, dict):
        return []
    site = meta.get("site") or _host(meta.get("url"))
    parts = [str(site) if site else ""]
    parts.append(f"by {meta['author']}" if meta.get("author") else "")
    parts.append(str(meta["date"]) if meta.get("date") else "")
    return [p for p in parts if p]


def _host(url: Any) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or "" if isinstance(url, str) else ""


def markdown(record: dict[str, Any]) -> str:
    """The analysis as Markdown, for "Copy as Markdown"."""
    article = record.get("article") or {}
    out = [f"# {record.get('title') or article.get('title') or 'Untitled article'}", ""]
    if source_line(article):
        out += [" · ".join(source_line(article)), ""]
    out += _markdown_points(record.get("key_points"))
    groups = quote_groups(record.get("quotes"))
    out += ["## Who said what", ""] if groups else []
    for group in groups:
        out.append(f"**{group.speaker}**")
        out += [f"- {_quoted(q)}" for q in group.quotes]
        out.append("")
    audit = record.get("audit")
    if isinstance(audit, dict) and audit.get("claims"):
        out += ["## Summary audit", ""]
        out += [f"- **{c.get('verdict')}**: {c.get('text')}" for c in audit["claims"]]
    return "\n".join(out).rstrip() + "\n"


def _markdown_points(result: Any) -> list[str]:
    if not isinstance(result, dict):
        return []
    out = ["## Key points", ""]
    notes = []
    for p in result.get("key_points") or []:
        refs = "".join(f"[^{p.get('n')}-{i}]" for i in cites(p))
        out.append(f"{p.get('n')}. {p.get('text')}{refs}")
        notes += [f"[^{p.get('n')}-{i}]: “{e.get('text')}”"
                  for i, e in zip(cites(p), p.get("evidence") or [], strict=False)]
    return [*out, "", *notes, ""] if notes else [*out, ""]


def _quoted(q: dict[str, Any]) -> str:
    text = str((q.get("content") or {}).get("text") or "")
    return f"“{text}”" if q.get("kind") == "direct" else f"{text} (reported)"


def recent_label(row: dict[str, Any]) -> str:
    """What tells two recent analyses apart beside their title: the source kind and id."""
    kind = {"html": "HTML page", "text": "page text", "plain": "plain text",
            "url": "URL"}.get(str(row.get("source_kind")), str(row.get("source_kind") or ""))
    return " · ".join(p for p in (kind, f"#{str(row.get('id', ''))[:6]}") if p)

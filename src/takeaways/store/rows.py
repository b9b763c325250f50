"""Analysis envelopes (batch result lines) → the store's rows. Standard library only.

One article row, one row per quote and one row per entity of the article's quote graph.
Every offset indexes ``article.text`` as the envelope holds it (what ``takeaways.read``
gives for that input).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ARTICLE_COLUMNS", "ENTITY_COLUMNS", "QUOTE_COLUMNS", "Rows", "iso_date", "rows_of"]

ARTICLE_COLUMNS = ("doc_id", "article_id", "url", "date", "title", "text", "shard")
QUOTE_COLUMNS = (
    "doc_id", "n", "kind", "text", "start", "end", "parts", "cue", "cue_start", "cue_end",
    "mention", "mention_start", "mention_end", "how", "entity_id", "entity", "shard",
)
ENTITY_COLUMNS = ("doc_id", "entity_id", "name", "type", "aliases", "roles", "shard")

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def iso_date(value: object) -> str | None:
    """``"2016-03-01T12:00:00Z"`` → ``"2016-03-01"``; None for anything without a
    YYYY-MM-DD date at its start."""
    if not isinstance(value, str):
        return None
    m = _ISO.match(value.strip())
    return m.group(0) if m else None


@dataclass(slots=True)
class Rows:
    """The rows of one batch, column order as in the ``*_COLUMNS`` tuples."""

    doc_ids: list[str] = field(default_factory=list)
    articles: list[tuple[Any, ...]] = field(default_factory=list)
    quotes: list[tuple[Any, ...]] = field(default_factory=list)
    entities: list[tuple[Any, ...]] = field(default_factory=list)


def _span(d: Mapping[str, Any] | None) -> tuple[str | None, int | None, int | None]:
    if not d:
        return None, None, None
    return d.get("text"), d.get("start"), d.get("end")


def _title(article: Mapping[str, Any]) -> str | None:
    title = article.get("title")
    if isinstance(title, Mapping):
        return title.get("text")
    return title if isinstance(title, str) else None


def _quote_row(doc_id: str, n: int, q: Mapping[str, Any], shard: int) -> tuple[Any, ...]:
    speaker = q.get("speaker") or {}
    parts = [[p["start"], p["end"]] for p in q.get("parts") or []]
    return (
        doc_id, n, q.get("kind"), *_span(q.get("content")), json.dumps(parts),
        *_span(q.get("cue")), *_span(speaker.get("mention")), speaker.get("how"),
        speaker.get("entity_id"), speaker.get("entity"), shard,
    )


def _entity_row(doc_id: str, e: Mapping[str, Any], shard: int) -> tuple[Any, ...]:
    aliases = list(dict.fromkeys(a["text"] for a in e.get("aliases") or []))
    return (doc_id, e.get("id"), e.get("name"), e.get("type"),
            json.dumps(aliases, ensure_ascii=False),
            json.dumps(list(e.get("roles") or []), ensure_ascii=False), shard)


def _article_row(doc_id: str, article: Mapping[str, Any], shard: int) -> tuple[Any, ...]:
    meta = article.get("metadata") or {}
    return (doc_id, article.get("id"), meta.get("url"), iso_date(meta.get("date")),
            _title(article), article.get("text"), shard)


def rows_of(results: Iterable[Mapping[str, Any]], *, shard: int) -> Rows:
    """The rows of every ``ok`` result that has an article and quotes. ``shard`` tags
    this write (later shards replace earlier rows of the same ``doc_id``)."""
    rows = Rows()
    for r in results:
        article, quotes = r.get("article"), r.get("quotes")
        if r.get("status") != "ok" or not article or not quotes:
            continue
        doc_id = str(r["id"])
        rows.doc_ids.append(doc_id)
        rows.articles.append(_article_row(doc_id, article, shard))
        rows.quotes.extend(_quote_row(doc_id, n, q, shard)
                           for n, q in enumerate(quotes.get("quotes") or []))
        rows.entities.extend(_entity_row(doc_id, e, shard) for e in quotes.get("entities") or [])
    return rows

"""Hand-built analysis envelopes (batch result lines) for the store tests: no models."""

from __future__ import annotations

from typing import Any


def span(text: str, part: str, start: int = 0) -> dict[str, Any]:
    i = text.index(part, start)
    return {"start": i, "end": i + len(part), "text": part}


def envelope(doc_id: str, text: str, said: list[tuple[str, str, str]], *,
             date: str | None = "2016-01-01", roles: dict[str, list[str]] | None = None,
             others: tuple[str, ...] = ()) -> dict[str, Any]:
    """``said``: (speaker name as the article's entity, speaker mention, quoted words)."""
    roles = roles or {}
    entities: dict[str, dict[str, Any]] = {}
    quotes = []
    for name, mention, words in said:
        ent = entities.setdefault(name, {"id": f"e{len(entities) + 1}", "name": name,
                                         "type": "PERSON", "aliases": [],
                                         "roles": roles.get(name, [])})
        m = span(text, mention)
        ent["aliases"].append(m)
        quotes.append({"kind": "direct", "content": span(text, words),
                       "cue": span(text, "said"), "embedded": [], "sentence_ids": [0],
                       "speaker": {"mention": m, "entity": name, "entity_id": ent["id"],
                                   "how": "named"},
                       "parts": [span(text, words)]})
    for other in others:
        entities.setdefault(other, {"id": f"e{len(entities) + 1}", "name": other,
                                    "type": "ORG", "aliases": [], "roles": []})
    article = {"id": f"a-{doc_id}", "text": text, "title": None,
               "metadata": {"url": f"https://news.example/{doc_id}", "date": date}}
    return {"schema_version": "2.0", "type": "analysis", "id": doc_id, "status": "ok",
            "article": article, "quotes": {"quotes": quotes, "entities": list(entities.values())}}


def corpus() -> list[dict[str, Any]]:
    """Peskov three ways, two Smiths, one error line."""
    t1 = 'Kremlin spokesman Dmitry Peskov said: "We will not comment."'
    t2 = 'Peskov said "the talks are over" on Monday.'
    t3 = 'Dmitry S. Peskov said "nothing changed" in Moscow.'
    t4 = 'Sen. John Smith said "the bill is dead" in Washington.'
    t5 = 'Jane Smith, a farmer in Iowa, said "rain is late" this year.'
    return [
        envelope("d1", t1, [("Dmitry Peskov", "Dmitry Peskov", "We will not comment.")],
                 date="2016-01-02", roles={"Dmitry Peskov": ["Kremlin spokesman"]},
                 others=("Kremlin",)),
        envelope("d2", t2, [("Peskov", "Peskov", "the talks are over")], date="2016-02-03",
                 others=("Kremlin",)),
        envelope("d3", t3, [("Dmitry S. Peskov", "Dmitry S. Peskov", "nothing changed")],
                 date="2016-03-04"),
        envelope("d4", t4, [("John Smith", "John Smith", "the bill is dead")],
                 roles={"John Smith": ["Sen."]}),
        envelope("d5", t5, [("Jane Smith", "Jane Smith", "rain is late")],
                 roles={"Jane Smith": ["a farmer in Iowa"]}),
        {"schema_version": "2.0", "type": "analysis", "id": "bad", "status": "error",
         "reason": "read: InputError", "article": None},
    ]

"""What a page is: news, recipe, list or live blog (``Article.kind``).

A structural test over the openings of the article's paragraphs and headings (and of the
lines the reader removed), with the rules in
``data/page_kinds.txt``: a kind needs ``page_kind_min_lines`` paragraphs or headings that
open like it (an ingredient line, a timestamp, a list number) or one heading that names
it ("Ingredients"). The reader sets ``Article.kind`` with it; key points use it to say, in a
note, that a recipe or list page has no news article, and never to make points of
ingredient lines.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from takeaways.document import Article
from takeaways.resources import word_list

__all__ = ["KINDS", "kind_lines", "page_kind"]

KINDS = ("news", "recipe", "list", "live blog")


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    out = []
    for line in word_list("page_kinds"):
        kind, what, pattern = line.split("\t", 2)
        out.append((kind, what, re.compile(pattern.strip(), re.I)))
    return tuple(out)


@cache
def _pattern(kind: str, what: str) -> re.Pattern[str] | None:
    """The ``what`` rules of ``kind`` as one alternation (None when there are none)."""
    found = [p.pattern for k, w, p in _rules() if k == kind and w == what]
    return re.compile("|".join(f"(?:{p})" for p in found), re.I) if found else None


def _hits(pattern: re.Pattern[str] | None, texts: list[str], enough: int) -> int:
    """How many of ``texts`` ``pattern`` matches at the start, counting up to ``enough``."""
    if pattern is None:
        return 0
    hits = 0
    for t in texts:
        if pattern.match(t):
            hits += 1
            if hits >= enough:
                break
    return hits


def page_kind(art: Article, *, min_lines: int = 3) -> str:
    """``"recipe"``, ``"list"``, ``"live blog"`` or ``"news"`` (`KINDS`) for ``art``: the
    first kind with ``min_lines`` paragraphs or headings that open like it, or (a recipe)
    a heading that names it and one line that opens like it."""
    # what the reader dropped (an ingredient list above the "headline") counts too
    paras = [p.text.strip() for p in art.paragraphs] + [r.text.strip() for r in art.removed]
    heads = [h.text.strip() for h in art.headings] + [art.title or ""]
    for kind in KINDS[1:]:
        line, named = _pattern(kind, "line"), _pattern(kind, "heading")
        hits = _hits(line, paras, min_lines)
        if hits < min_lines:
            hits += sum(bool((line and line.match(h)) or (named and named.match(h)))
                        for h in heads)
        if hits >= min_lines:
            return kind
        titled = named is not None and any(named.match(h) for h in heads)
        if kind == "recipe" and titled and hits >= 2:
            return kind
    return "news"


def kind_lines(art: Article, kind: str) -> set[int]:
    """The ids of the paragraphs that open like ``kind`` (a recipe's ingredient lines, a
    list's numbered items)."""
    lines = [p for k, w, p in _rules() if k == kind and w == "line"]
    return {p.id for p in art.paragraphs if any(r.match(p.text.strip()) for r in lines)}

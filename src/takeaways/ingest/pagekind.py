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
from functools import lru_cache

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


def page_kind(art: Article, *, min_lines: int = 3) -> str:
    """``"recipe"``, ``"list"``, ``"live blog"`` or ``"news"`` (`KINDS`) for ``art``: the
    first kind with ``min_lines`` paragraphs or headings that open like it, or (a recipe)
    a heading that names it and one line that opens like it."""
    # what the reader dropped (an ingredient list above the "headline") counts too
    paras = [p.text.strip() for p in art.paragraphs] + [r.text.strip() for r in art.removed]
    heads = [h.text.strip() for h in art.headings] + [art.title or ""]
    for kind in KINDS[1:]:
        lines = [p for k, w, p in _rules() if k == kind and w == "line"]
        named = [p for k, w, p in _rules() if k == kind and w == "heading"]
        hits = sum(any(p.match(t) for p in lines) for t in paras)
        hits += sum(any(p.match(h) for p in lines + named) for h in heads)
        titled = any(p.match(h) for p in named for h in heads)
        if hits >= min_lines or (kind == "recipe" and titled and hits >= 2):
            return kind
    return "news"


def kind_lines(art: Article, kind: str) -> set[int]:
    """The ids of the paragraphs that open like ``kind`` (a recipe's ingredient lines, a
    list's numbered items)."""
    lines = [p for k, w, p in _rules() if k == kind and w == "line"]
    return {p.id for p in art.paragraphs if any(r.match(p.text.strip()) for r in lines)}

"""Put back article paragraphs that trafilatura's precision mode dropped, one by one.

Precision mode deletes short link-holding containers as a whole-page policy, so an
explainer whose paragraphs each sit in their own ``<div>`` with a link loses them
(a BBC explainer: 9 of 49). Instead of switching modes for the page, each paragraph of
the page (a ``<p>``, or a ``<div>`` of inline content) that lies inside the main
content is judged on its own. Inside means between two paragraphs the reader kept, in
document order, or in a container like theirs (same parent tag and class: a body split
by an advert or a pull quote). Such a paragraph is restored when:

- it is prose: at least `_MIN_WORDS` words and ends like a sentence;
- its link density is low (under `_MAX_LINK_SHARE` of its characters inside links);
- it is not repeated elsewhere on the page (teasers and promos repeat);
- it is not inside a caption, aside, navigation, form or footer, nor in a box whose
  class names a caption, promo or comments (``data/chrome_classes.txt``), and it is
  not site chrome.

Such a paragraph is restored at its place and the others stay out. The page is parsed
once more with lxml (a few milliseconds), not extracted again.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from lxml import etree
from lxml import html as lhtml

from takeaways.ingest.builder import Block, clean_line
from takeaways.ingest.text import chrome_reason
from takeaways.lexicon import quote_marks
from takeaways.resources import word_list

_MIN_WORDS = 8
_MAX_LINK_SHARE = 0.5
_MIN_KEY_CHARS = 25  # shorter paragraphs are too common to place a match
_Q = quote_marks()
_PROSE_END = re.compile(f"[.!?…][{_Q.char_class(_Q.closing)})\\]]*$")
_NON_ALNUM = re.compile(r"\W+")
_INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub "
    "sup time u var del ins label".split())
_OUTSIDE = frozenset({"figure", "figcaption", "aside", "nav", "footer", "header", "form",
                      "button", "blockquote", "li", "table"})
_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg"})


def _key(text: str) -> str:
    return _NON_ALNUM.sub("", text.lower())


def _text_and_links(p: Any) -> tuple[str, int]:
    """The paragraph's text as a browser joins it, and how many characters sit in links."""
    out: list[str] = []
    linked = 0
    for event, node in etree.iterwalk(p, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            out.append(node.tail or "")
            continue
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in _HIDDEN:
            if event == "end" and node is not p:
                out.append(node.tail or "")
            continue
        if tag not in _INLINE and node is not p:
            out.append(" ")
        if event == "start":
            if tag == "a":
                linked += len(clean_line(node.text_content()))
            out.append(node.text or "")
        elif node is not p:
            out.append(node.tail or "")
    text = clean_line("".join(out))
    if any(isinstance(a.tag, str) and a.tag.lower() == "a" for a in p.iterancestors()):
        linked = len(text)  # the whole paragraph is a link (a teaser card)
    return text, linked


def _leaf_block(el: Any) -> bool:
    """A ``<p>``, or a ``<div>`` holding only inline content (pages that set paragraphs
    as ``<div class="…paragraph">``)."""
    if el.tag == "p":
        return True
    return el.tag == "div" and all(
        not isinstance(c.tag, str) or c.tag.lower() in _INLINE or c.tag.lower() == "br"
        for c in el)


def _page_paragraphs(html: str) -> list[tuple[str, Any]]:
    """The page's leaf paragraphs as (`_key` of the text a browser shows, element).

    The key drops every non-alphanumeric character, so lxml's ``text_content`` gives it
    directly (no walk) unless the paragraph holds hidden content (a script, a style)."""
    try:
        root = lhtml.fromstring(html.encode("utf-8", "replace"),
                                parser=lhtml.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return []
    out = []
    for el in root.iter("p", "div"):
        if not _leaf_block(el):
            continue
        if next(el.iter(*_HIDDEN), None) is None:
            key = _key(el.text_content())
        else:
            key = _key(_text_and_links(el)[0])
        out.append((key, el))
    return out


def _signature(el: Any) -> tuple[str, str] | None:
    parent = el.getparent()
    return None if parent is None else (parent.tag, parent.get("class") or "")


def _outside_article(p: Any) -> bool:
    """Inside a caption, aside, list, table, navigation, form or a box whose class names
    a caption, promo or comments (``data/chrome_classes.txt``)."""
    cues = word_list("chrome_classes")
    for a in (p, *p.iterancestors()):
        if not isinstance(a.tag, str):
            continue
        if a is not p and a.tag.lower() in _OUTSIDE:
            return True
        cls = (a.get("class") or "").lower()
        if cls and any(c in cls for c in cues):
            return True
    return False


def _worth_restoring(text: str, linked: int, p: Any, repeats: int) -> bool:
    if len(text.split()) < _MIN_WORDS or not _PROSE_END.search(text) or repeats > 1:
        return False
    if linked > _MAX_LINK_SHARE * len(text) or chrome_reason(text):
        return False
    return not _outside_article(p)


def _placed(keys: list[str], joined: str, starts: list[int], key: str) -> int | None:
    """Index of the block holding ``key``, or None."""
    at = joined.find(key)
    if at < 0:
        return None
    lo, hi = 0, len(starts) - 1
    while lo < hi:  # the last block starting at or before ``at``
        mid = (lo + hi + 1) // 2
        if starts[mid] <= at:
            lo = mid
        else:
            hi = mid - 1
    return lo


def restore_dropped(blocks: list[Block], html: str) -> tuple[list[Block], int]:
    """``blocks`` with the page's article paragraphs that lie between kept ones put back
    in place; also how many were restored."""
    paras = [i for i, b in enumerate(blocks) if b.kind == "paragraph"]
    if len(paras) < 2:
        return blocks, 0
    keys = [_key(b.text) for b in blocks]
    starts, pos = [], 0
    for k in keys:
        starts.append(pos)
        pos += len(k) + 1
    joined = "\x00".join(keys)
    page = _page_paragraphs(html)
    counts = Counter(k for k, _ in page)
    placed = [_placed(keys, joined, starts, k) if len(k) >= _MIN_KEY_CHARS else None
              for k, _ in page]
    anchors = [i for i, b in enumerate(placed) if b is not None]
    if len(anchors) < 2:
        return blocks, 0
    after: dict[int, list[Block]] = {}
    containers = {_signature(page[i][1]) for i in anchors}
    last_block: int | None = None
    for i, (key, el) in enumerate(page):
        if placed[i] is not None:
            last_block = max(placed[i], last_block or 0)  # type: ignore[type-var]
            continue
        inside = anchors[0] < i < anchors[-1] or _signature(el) in containers
        if not inside:
            continue
        text, linked = _text_and_links(el)
        if not text or not _worth_restoring(text, linked, el, counts[key]):
            continue
        after.setdefault(-1 if last_block is None else last_block, []).append(
            Block("paragraph", text))
    if not after:
        return blocks, 0
    out: list[Block] = list(after.get(-1, []))
    for i, b in enumerate(blocks):
        out.append(b)
        out.extend(after.get(i, []))
    return out, sum(map(len, after.values()))

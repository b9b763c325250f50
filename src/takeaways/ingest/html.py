"""Read an HTML page through trafilatura, keeping headings and paragraphs.

trafilatura's XML output (precision mode, tables and links kept) gives the main
content as ``<head>``, ``<p>``, ``<list>``, ``<quote>`` and ``<table>`` elements plus
page metadata. When precision mode keeps (almost) nothing, the default mode is tried,
then the page's JSON-LD ``articleBody`` (script-rendered pages). On top of that we
- flatten tables: a layout table into its cells' blocks, a data table into one
  paragraph per row (a page that is only a data table is no article);
- drop short lines and lists made only of links (related-article teasers, navigation);
- drop a leading ``<head>`` that repeats the title, and take a short first heading
  as the kicker when it precedes the title;
- turn a list under a "Key takeaways"-style heading, or a list that opens the
  article, into ``existing_summary``;
- drop lines that are news-site chrome (see ``data/chrome_*.txt``).
"""

from __future__ import annotations

import copy
import json
import logging
import re
from html import unescape
from typing import Any

from lxml import etree

from takeaways.document import Metadata, Removed, SummaryItem
from takeaways.errors import NoArticleError
from takeaways.ingest.builder import Block, Parts, clean_line, replace_surrogates
from takeaways.ingest.gaps import restore_dropped
from takeaways.ingest.labels import take_bylines
from takeaways.ingest.text import (
    _summary_heading,
    chrome_reason,
    is_heading_like,
    is_sentence_like,
)
from takeaways.lexicon import quote_marks

log = logging.getLogger(__name__)
_REFERENCE = re.compile(r"^(\[\d+\]|\d+[.)]\s|doi\b)", re.I)
_SENTENCE_END = re.compile(f"[.!;,{quote_marks().char_class(quote_marks().closing)})\\]]$")
_HTML_LANG = re.compile(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)


_TRAFILATURA_OPTIONS: dict[str, Any] = dict(
    output_format="xml",
    with_metadata=True,
    include_comments=False,
    include_tables=True,
    include_formatting=False,
    include_links=True,
    deduplicate=False,
)
# When precision mode keeps less than this many characters, the default mode is also
# tried; its result wins when it is at least _FALLBACK_RATIO times longer (precision
# mode sometimes settles on a reprint notice or a stub instead of the story).
_FALLBACK_BELOW_CHARS = 1000
_FALLBACK_RATIO = 4.0
_FALLBACK_MIN_CHARS = 250  # less is a notice ("enable JavaScript"), not a story


def _main_chars(xml: str | None) -> int:
    if not xml:
        return 0
    m = re.search(r"<main>(.*)</main>", xml, re.S)
    return len(re.sub(r"<[^>]+>|\s+", "", m.group(1))) if m else 0


_LD_JSON = re.compile(
    r"<script[^>]*type\s*=\s*[\"']?application/ld\+json[^>]*>(.*?)</script>", re.I | re.S
)


def _ld_article(html: str) -> tuple[str, str | None] | None:
    """The longest ``articleBody`` (and its ``headline``) in the page's JSON-LD."""
    best: tuple[str, str | None] | None = None

    def visit(node: Any) -> None:
        nonlocal best
        if isinstance(node, list):
            for n in node:
                visit(n)
        elif isinstance(node, dict):
            body = node.get("articleBody")
            if isinstance(body, str) and (best is None or len(body) > len(best[0])):
                headline = node.get("headline")
                best = (body, headline if isinstance(headline, str) else None)
            for v in node.values():
                if isinstance(v, (list, dict)):
                    visit(v)

    for m in _LD_JSON.finditer(html):
        if "articleBody" not in m.group(1):
            continue
        try:
            visit(json.loads(m.group(1), strict=False))
        except (ValueError, RecursionError):
            continue
    return best


def _with_ld_body(xml: str | None, html: str, chars: int) -> Any | None:
    """When trafilatura kept little or nothing but the page's JSON-LD carries a much
    longer ``articleBody`` (script-rendered pages), use that body, one ``<p>`` per line."""
    ld = _ld_article(html)
    if ld is None:
        return None
    body = re.sub(r"<(br|/?p|/div|/h\d|/li)\b[^>]*>", "\n", ld[0], flags=re.I)
    body = re.sub(r"<[^>]+>", " ", body)  # some sites put HTML in articleBody
    paras = [clean_line(unescape(t)) for t in re.split(r"\n+", body)]
    paras = [t for t in paras if t]
    if sum(map(len, paras)) < max(_FALLBACK_MIN_CHARS, chars * _FALLBACK_RATIO):
        return None
    parser = etree.XMLParser(huge_tree=True)
    doc = etree.fromstring(xml.encode("utf-8"), parser) if xml else etree.Element("doc")
    if not doc.get("title") and ld[1]:
        doc.set("title", clean_line(unescape(ld[1])))
    for old in doc.findall("main"):
        doc.remove(old)
    main = etree.SubElement(doc, "main")
    for t in paras:
        etree.SubElement(main, "p").text = t
    return doc


def _extract(html: str, url: str | None, **options: Any) -> str | None:
    """trafilatura's XML; without page metadata when its date finder fails on the page
    (htmldate asserts on some non-HTML markup, e.g. an SVG document): no date, same text."""
    import trafilatura

    try:
        xml: str | None = trafilatura.extract(html, url=url, **_TRAFILATURA_OPTIONS, **options)
    except AssertionError:
        log.debug("metadata extraction failed; reading the page without it", exc_info=True)
        opts = {**_TRAFILATURA_OPTIONS, "with_metadata": False}
        xml = trafilatura.extract(html, url=url, **opts, **options)
    return xml


def _extract_xml(html: str, url: str | None) -> Any:
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        xml = _extract(html, url, favor_precision=True)
        chars = _main_chars(xml)
        if chars < _FALLBACK_BELOW_CHARS:
            # precision mode found nothing or very little: try the default balance
            alt = _extract(html, url)
            alt_chars = _main_chars(alt)
            if alt_chars >= max(_FALLBACK_MIN_CHARS, chars * _FALLBACK_RATIO):
                xml = alt
                chars = alt_chars
    except (ValueError, TypeError, RecursionError, AssertionError, etree.LxmlError) as exc:
        raise NoArticleError(f"trafilatura could not parse this HTML ({exc!r}).") from exc
    if chars < _FALLBACK_BELOW_CHARS:
        doc = _with_ld_body(xml, html, chars)
        if doc is not None:
            return doc
    if not xml:
        raise NoArticleError(
            "no article found in this HTML: trafilatura found no main text (the page may be "
            "script-rendered, an index page or a paywall stub). "
            "Try the page's text with --kind text."
        )
    return etree.fromstring(xml.encode("utf-8"), etree.XMLParser(huge_tree=True))


# Elements whose text runs on into their neighbours' (links, formatting): joined with no
# space, so "<ref>statement</ref>." stays "statement.". Every other element (an item, a
# cell, a line break, a nested block) is a break between words.
_INLINE_TAGS = frozenset({"ref", "hi", "del", "span", "code"})


def _joined(el: Any) -> str:
    out: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            out.append(node.tail or "")
            continue
        block = node is not el and node.tag not in _INLINE_TAGS
        if block:
            out.append(" ")
        if event == "start":
            out.append(node.text or "")
        elif node is not el:
            out.append(node.tail or "")
    return "".join(out)


def _text_of(el: Any) -> str:
    """The element's text as the page shows it: inline runs joined without inventing a
    space (trafilatura keeps the page's own whitespace in text and tails)."""
    return clean_line(_joined(el))


def _metadata(doc: Any, html: str, url: str | None, byline: str | None = None) -> Metadata:
    lang = doc.get("language")
    if not lang:
        m = _HTML_LANG.search(html[:5000])
        lang = m.group(1).lower() if m else None
    return Metadata(
        url=doc.get("url") or url,
        site=doc.get("sitename") or doc.get("hostname"),
        author=doc.get("author") or byline,
        date=doc.get("date"),
        language=lang,
        description=doc.get("description"),
    )


def _list_items(el: Any) -> list[str]:
    return [t for t in (_text_of(i) for i in el.iter("item")) if t]


_BLOCK_TAGS = frozenset({"p", "head", "list", "quote", "table", "code"})


def _row_paragraph(row: Any) -> Any:
    """A data-table row as one ``<p>``: its cells' texts joined with " | "."""
    cells = [_text_of(c) for c in row.iter("cell")]
    p = etree.Element("p", rend="row")
    p.text = " | ".join(c for c in cells if c)
    return p


def _children(container: Any) -> list[Any]:
    """The container's block children. Text and inline elements lying loose between
    them (trafilatura sometimes leaves a paragraph as the tail of a heading, or a list
    of links as bare ``<ref>``/``<lb>``) are gathered into ``<p>`` elements, one per
    run between blocks or line breaks, links kept so link-only lines can be spotted."""
    out: list[Any] = []
    cur: list[Any] = [None]

    def add_text(text: str | None) -> None:
        if not text:
            return
        if cur[0] is None:
            if not text.strip():
                return
            cur[0] = etree.Element("p", loose="1")
        p = cur[0]
        if len(p):
            p[-1].tail = (p[-1].tail or "") + text
        else:
            p.text = (p.text or "") + text

    def close() -> None:
        if cur[0] is not None and "".join(cur[0].itertext()).strip():
            out.append(cur[0])
        cur[0] = None

    add_text(container.text)
    for child in container:
        if child.tag in ("ref", "hi"):
            if cur[0] is None:
                cur[0] = etree.Element("p", loose="1")
            inline = copy.deepcopy(child)
            inline.tail = None
            cur[0].append(inline)
        elif child.tag == "lb":
            close()
        elif child.tag == "div":  # default mode wraps runs of blocks in <div>
            close()
            out.extend(_children(child))
        else:
            close()
            out.append(child)
        add_text(child.tail)
    close()
    return out


_CLOSING_START = re.compile(r"^\s*(?:[,;:!?)\]]|\.(?!\.))")
_TERMINAL_END = re.compile(f"[.!?…:][{quote_marks().char_class(quote_marks().closing)})\\]]*\\s*$")


def _rstrip(el: Any) -> None:
    """Drop the whitespace at the end of ``el`` (the XML's indentation, not the page's)."""
    if len(el):
        el[-1].tail = (el[-1].tail or "").rstrip() or None
    else:
        el.text = (el.text or "").rstrip()


def _append_p(dst: Any, src: Any) -> None:
    """Move ``src``'s text and inline children onto the end of ``dst``, as they were."""
    if len(dst):
        dst[-1].tail = (dst[-1].tail or "") + (src.text or "")
    else:
        dst.text = (dst.text or "") + (src.text or "")
    for child in list(src):
        dst.append(child)


def _rejoin(elements: list[Any]) -> list[Any]:
    """Mend paragraphs trafilatura cut around an inline element: ``<p>… publication
    </p><ref>DigiTimes</ref><p>. A preview …</p>`` is one paragraph on the page. A ``<p>``
    that opens with closing punctuation continues the paragraph before it, and a loose
    run of inline text between the two belongs to it as well."""
    out: list[Any] = []
    for el in elements:
        prev = out[-1] if out else None
        if el.tag != "p" or prev is None or prev.tag != "p" or el.get("rend"):
            out.append(el)
            continue
        if not _CLOSING_START.match("".join(el.itertext())):
            out.append(el)
            continue
        _rstrip(prev)  # closing punctuation follows the word: "statement</ref>."
        _append_p(prev, el)
        before = out[-2] if len(out) > 1 else None
        if (prev.get("loose") and before is not None and before.tag == "p"
                and not _TERMINAL_END.search("".join(before.itertext()))):
            _append_p(before, out.pop())
    return out


def _flatten(elements: list[Any]) -> list[Any]:
    """Replace each table by blocks: a layout table (cells holding paragraphs or
    headings) by its cells' blocks, a data table by one paragraph per row."""
    out: list[Any] = []
    last_row: str | None = None
    for el in elements:
        if el.tag == "table":
            rows = [r for r in el.iter("row") if _table_of(r) is el]
        elif el.tag == "row":  # trafilatura sometimes leaves rows without their table
            rows = [el]
        else:
            out.append(el)
            last_row = None
            continue
        for row in rows:
            cells = [c for c in row if c.tag == "cell"]
            if any(child.tag in _BLOCK_TAGS for c in cells for child in c):
                for c in cells:
                    out.extend(_flatten(_children(c)))
                last_row = None
                continue
            para = _row_paragraph(row)
            if para.text and para.text != last_row:  # a header row repeated (thead + tbody)
                out.append(para)
            last_row = para.text
    return out


def _table_of(row: Any) -> Any:
    parent = row.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _link_share(el: Any) -> float:
    """Share of the element's characters that sit inside links."""
    total = len(_text_of(el))
    linked = sum(len(clean_line("".join(r.itertext()))) for r in el.iter("ref"))
    return linked / total if total else 0.0


def _link_only(el: Any) -> bool:
    """A short line that is (nearly) all link text and reads like a headline (no
    final full stop, not a numbered reference): a teaser for another page."""
    text = _text_of(el)
    if len(text.split()) > 25 or _REFERENCE.match(text) or _SENTENCE_END.search(text):
        return False
    return _link_share(el) >= 0.9


def _walk(
    main: Any, title: str | None, removed: list[Removed]
) -> tuple[list[Block], list[SummaryItem], str | None]:
    blocks: list[Block] = []
    summary: list[SummaryItem] = []
    kicker: str | None = None
    children = _flatten(_rejoin(_children(main)))
    for pos, el in enumerate(children):
        text = _text_of(el)
        if not text:
            continue
        reason = chrome_reason(text)
        if reason:
            removed.append(Removed(text, reason))
            continue
        if el.tag == "head":
            if title and clean_line(text).lower() == clean_line(title).lower():
                removed.append(Removed(text, "headline"))
                continue
            nxt = children[pos + 1] if pos + 1 < len(children) else None
            if _summary_heading(text) and nxt is not None and nxt.tag == "list" and not summary:
                summary = [SummaryItem(n, t, "•") for n, t in enumerate(_list_items(nxt), 1)]
                removed.append(Removed(text, "summary heading"))
                continue
            if not blocks and kicker is None and title and len(text.split()) <= 6:
                kicker = text
                continue
            blocks.append(Block("heading", text, int((el.get("rend") or "h2")[-1:] or 2)))
        elif el.tag == "list":
            item_els = [i for i in el.iter("item") if _text_of(i)]
            if item_els and sum(map(_link_only, item_els)) >= 0.6 * len(item_els):
                removed.append(Removed(text, "list of links (related articles or navigation)"))
                continue
            items = _list_items(el)
            if summary and pos > 0 and _summary_heading(_text_of(children[pos - 1])):
                continue  # already taken as the summary box
            if not blocks and len(items) >= 2 and not summary:
                summary = [SummaryItem(n, t, "•") for n, t in enumerate(items, 1)]
                continue
            blocks.extend(Block("paragraph", t) for t in items)
        else:
            if el.get("rend") == "row":
                blocks.append(Block("paragraph", text, table_row=True))
                continue
            if _link_only(el):
                removed.append(Removed(text, "link-only line (related-article teaser)"))
                continue
            blocks.append(Block("paragraph", text))
    return blocks, summary, kicker


_SUBHEAD_MAX_WORDS = 10


def _subheads(blocks: list[Block]) -> None:
    """A short paragraph without final punctuation between two prose paragraphs is a
    subhead the page set in bold or as a styled ``<p>``: it becomes a heading."""
    for i in range(1, len(blocks) - 1):
        b, prev, nxt = blocks[i], blocks[i - 1], blocks[i + 1]
        if (b.kind == "paragraph" and not b.table_row and prev.kind == "paragraph"
                and nxt.kind == "paragraph" and not nxt.table_row
                and len(b.text.split()) <= _SUBHEAD_MAX_WORDS and is_heading_like(b.text)
                and is_sentence_like(nxt.text) and is_sentence_like(prev.text)):
            b.kind, b.level = "heading", 3


def parse_html(html: str, *, url: str | None = None) -> Parts:
    """Parse an HTML page into `Parts` (blocks, title, kicker, metadata, summary)."""
    html = replace_surrogates(html)
    doc = _extract_xml(html, url)
    main = doc.find("main")
    if main is None:
        raise NoArticleError("no article found in this HTML: trafilatura returned no main text.")
    title = doc.get("title")
    removed: list[Removed] = []
    blocks, summary, kicker = _walk(main, title, removed)
    blocks, restored = restore_dropped(blocks, html)
    if restored:
        log.debug("restored %d paragraph(s) that precision mode dropped", restored)
    blocks, byline = take_bylines(
        blocks, lambda b: b.text if b.kind == "paragraph" else None, removed)
    _subheads(blocks)
    while blocks and blocks[-1].kind == "heading":
        removed.append(Removed(blocks.pop().text, "heading without text after it"))
    if blocks and not any(b.kind == "paragraph" and not b.table_row for b in blocks):
        raise NoArticleError(
            "no article found in this HTML: the main content is only a data table, without "
            "any article text."
        )
    return Parts(
        blocks=blocks,
        title=clean_line(title) if title else None,
        kicker=kicker,
        metadata=_metadata(doc, html, url, byline),
        existing_summary=summary,
        removed=removed,
    )

"""Read an HTML page through trafilatura, keeping headings and paragraphs.

trafilatura's XML output gives the main content as ``<head>``, ``<p>``, ``<list>``
and ``<quote>`` elements plus page metadata. On top of that we
- drop a leading ``<head>`` that repeats the title, and take a short first heading
  as the kicker when it precedes the title;
- turn a list under a "Key takeaways"-style heading, or a list that opens the
  article, into ``existing_summary``;
- drop lines that are news-site chrome (see ``data/chrome_*.txt``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from lxml import etree

from takeaways.document import Metadata, Removed, SummaryItem
from takeaways.errors import NoArticleError
from takeaways.ingest.builder import Block, Parts, clean_line
from takeaways.ingest.text import _summary_heading, chrome_reason

log = logging.getLogger(__name__)
_HTML_LANG = re.compile(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)


def _extract_xml(html: str, url: str | None) -> Any:
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        xml = trafilatura.extract(
            html,
            url=url,
            output_format="xml",
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_formatting=False,
            favor_precision=True,
            deduplicate=False,
        )
    except (ValueError, TypeError, RecursionError, etree.LxmlError) as exc:
        raise NoArticleError(f"trafilatura could not parse this HTML ({exc}).") from exc
    if not xml:
        raise NoArticleError(
            "no article found in this HTML: trafilatura found no main text (the page may be "
            "script-rendered, an index page or a paywall stub). Try the page's text with --kind text."
        )
    return etree.fromstring(xml.encode("utf-8"), etree.XMLParser(huge_tree=True))


def _text_of(el: Any) -> str:
    return clean_line(" ".join(t for t in el.itertext()))


def _metadata(doc: Any, html: str, url: str | None) -> Metadata:
    lang = doc.get("language")
    if not lang:
        m = _HTML_LANG.search(html[:5000])
        lang = m.group(1).lower() if m else None
    return Metadata(
        url=doc.get("url") or url,
        site=doc.get("sitename") or doc.get("hostname"),
        author=doc.get("author"),
        date=doc.get("date"),
        language=lang,
        description=doc.get("description"),
    )


def _list_items(el: Any) -> list[str]:
    return [t for t in (_text_of(i) for i in el.iter("item")) if t]


def _walk(main: Any, title: str | None, removed: list[Removed]) -> tuple[list[Block], list[SummaryItem], str | None]:
    blocks: list[Block] = []
    summary: list[SummaryItem] = []
    kicker: str | None = None
    children = list(main)
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
            items = _list_items(el)
            if summary and pos > 0 and _summary_heading(_text_of(children[pos - 1])):
                continue  # already taken as the summary box
            if not blocks and len(items) >= 2 and not summary:
                summary = [SummaryItem(n, t, "•") for n, t in enumerate(items, 1)]
                continue
            blocks.extend(Block("paragraph", t) for t in items)
        else:
            blocks.append(Block("paragraph", text))
    return blocks, summary, kicker


def parse_html(html: str, *, url: str | None = None) -> Parts:
    """Parse an HTML page into `Parts` (blocks, title, kicker, metadata, summary)."""
    doc = _extract_xml(html, url)
    main = doc.find("main")
    if main is None:
        raise NoArticleError("no article found in this HTML: trafilatura returned no main text.")
    title = doc.get("title")
    removed: list[Removed] = []
    blocks, summary, kicker = _walk(main, title, removed)
    while blocks and blocks[-1].kind == "heading":
        removed.append(Removed(blocks.pop().text, "heading without text after it"))
    return Parts(
        blocks=blocks,
        title=clean_line(title) if title else None,
        kicker=kicker,
        metadata=_metadata(doc, html, url),
        existing_summary=summary,
        removed=removed,
    )

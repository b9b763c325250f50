"""Markdown and text views of an `Article`."""

from __future__ import annotations

from takeaways.document import Article


def article_markdown(article: Article) -> str:
    out: list[str] = []
    if article.kicker:
        out.append(f"*{article.kicker}*\n")
    if article.title:
        out.append(f"# {article.title}\n")
    meta = article.metadata
    bits = [b for b in (meta.author, meta.date, meta.site, meta.url) if b]
    if bits:
        out.append("_" + " · ".join(bits) + "_\n")
    for sec in article.sections:
        if sec.heading:
            out.append(f"## {sec.heading.text}\n")
        for pid in sec.paragraph_ids:
            out.append(article.paragraphs[pid].text + "\n")
    if article.existing_summary:
        out.append("## Summary found on the page\n")
        out.extend(f"{i.n}. {i.text}" for i in article.existing_summary)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def article_text(article: Article) -> str:
    head = [x for x in (article.kicker, article.title) if x]
    lines = head + ([""] if head else []) + [article.text]
    for w in article.warnings:
        lines.append(f"\nwarning: {w}")
    return "\n".join(lines).rstrip() + "\n"

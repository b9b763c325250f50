"""Assemble an `Article` from blocks (headings and paragraphs) with exact offsets."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from takeaways.config import section
from takeaways.document import (
    Article,
    Heading,
    Metadata,
    Paragraph,
    Removed,
    Section,
    Sentence,
    Span,
    SummaryItem,
)
from takeaways.errors import NoArticleError
from takeaways.ingest.labels import trim_labels
from takeaways.ingest.pagekind import page_kind
from takeaways.ingest.sentences import split_sentences
from takeaways.lexicon import quote_marks
from takeaways.resources import word_set

# Any Unicode whitespace (also line breaks inside an HTML paragraph) becomes one space.
_SPACES = re.compile(r"\s+")
_PROSE_END = re.compile(f"[.!?…][{quote_marks().char_class(quote_marks().closing)})\\]]*$")
# Control characters that are not whitespace, C1 controls, and invisible zero-width
# characters (zero-width space, word joiner, BOM) are dropped. ZWJ/ZWNJ stay: emoji
# sequences and some scripts need them.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u200b\u2060\ufeff]")
# Lone surrogates (a str made from broken UTF-16 or JSON "\ud800") cannot be encoded, so
# spaCy, hashing and every writer fail on them: each becomes U+FFFD, one code point for
# one, so offsets do not move.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(slots=True)
class Block:
    kind: str  # "paragraph" | "heading"
    text: str
    level: int = 2  # heading level; unused for paragraphs
    start: int = -1  # offsets into the final text when the text is kept verbatim
    end: int = -1
    table_row: bool = False  # a paragraph that is one data-table row, cells joined by " | "


@dataclass(slots=True)
class Parts:
    """What a reader found on a page, before offsets are assigned."""

    blocks: list[Block]
    title: str | None = None
    kicker: str | None = None
    metadata: Metadata = field(default_factory=Metadata)
    existing_summary: list[SummaryItem] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate code point replaced by U+FFFD (same length)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def clean_line(text: str) -> str:
    """Collapse inner whitespace, drop control characters, strip the ends."""
    return _SPACES.sub(" ", _CONTROL.sub("", text)).strip()


def article_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def _layout(blocks: list[Block]) -> str:
    """Join block texts with blank lines and record each block's offsets."""
    pieces: list[str] = []
    pos = 0
    for b in blocks:
        b.start, b.end = pos, pos + len(b.text)
        pieces.append(b.text)
        pos = b.end + 2
    return "\n\n".join(pieces)


def _english_warning(text: str) -> str | None:
    words = re.findall(r"[^\W\d_]+", text.lower())[:5000]
    if len(words) < 20:
        return None
    ratio = sum(w in word_set("stopwords_en") for w in words) / len(words)
    if ratio < float(section("read").get("min_english_stopword_ratio", 0.08)):
        return (
            f"the text does not look like English (English function words are {ratio:.0%} "
            "of its words); results may be poor."
        )
    return None


def _lede(paragraphs: list[Paragraph]) -> Span | None:
    """The first prose paragraph: a short label, dateline or byline above it is skipped."""
    prose = [p for p in paragraphs if len(p.text.split()) >= 8 or _PROSE_END.search(p.text)]
    if not paragraphs:
        return None
    first = (prose or paragraphs)[0]
    return Span(first.start, first.end, first.text)


def _without_labels(texts: list[str], offsets: list[list[tuple[int, int]]]
                    ) -> tuple[list[list[tuple[int, int]]], list[Removed]]:
    """Sentence offsets with datelines, caption labels and prompts moved out of the
    sentences (`takeaways.ingest.labels`); a paragraph that would keep no sentence keeps
    its own."""
    out: list[list[tuple[int, int]]] = []
    moved: list[Removed] = []
    for text, spans in zip(texts, offsets, strict=True):
        trimmed, rem = trim_labels(text, spans)
        if trimmed:
            out.append(trimmed)
            moved.extend(Removed(t, r) for t, r in rem)
        else:
            out.append(spans)
    return out, moved


def build_article(parts: Parts, *, text: str | None = None, source_kind: str) -> Article:
    """Build the article; pass ``text`` when block offsets already index into it."""
    blocks = [b for b in parts.blocks if b.text.strip()]
    body = text if text is not None else _layout(blocks)
    paras = [b for b in blocks if b.kind == "paragraph"]
    min_chars = int(section("read").get("min_body_chars", 40))
    if sum(len(b.text) for b in paras) < min_chars:
        raise NoArticleError(
            f"no article text found: only {sum(len(b.text) for b in paras)} characters of "
            f"paragraph text (need {min_chars}); the page may be a script-only page, an index "
            "page or a headline without a story."
        )
    texts = [b.text for b in paras]
    offsets, moved = _without_labels(texts, split_sentences(texts))
    headings: list[Heading] = []
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    current_heading: Heading | None = None
    current_paras: list[int] = []

    def close_section() -> None:
        if current_paras or current_heading is not None:
            sections.append(Section(len(sections), current_heading, tuple(current_paras)))

    para_iter = iter(offsets)
    for b in blocks:
        if b.kind == "heading":
            close_section()
            current_heading = Heading(b.start, b.end, body[b.start : b.end], b.level)
            headings.append(current_heading)
            current_paras = []
            continue
        pid = len(paragraphs)
        ids: list[int] = []
        for s, e in next(para_iter):
            sid = len(sentences)
            a, z = b.start + s, b.start + e
            sentences.append(Sentence(sid, a, z, body[a:z], pid))
            ids.append(sid)
        para_text = body[b.start : b.end]
        paragraphs.append(Paragraph(pid, b.start, b.end, para_text, len(sections), tuple(ids)))
        current_paras.append(pid)
    close_section()
    warnings = list(parts.warnings)
    warn = _english_warning(body)
    if warn:
        warnings.append(warn)
    lede = _lede(paragraphs)
    article = Article(
        id=article_id(body),
        text=body,
        title=parts.title,
        kicker=parts.kicker,
        lede=lede,
        headings=headings,
        sections=sections,
        paragraphs=paragraphs,
        sentences=sentences,
        metadata=parts.metadata,
        existing_summary=parts.existing_summary,
        removed=[*parts.removed, *moved],
        warnings=warnings,
        source_kind=source_kind,
    )
    article.kind = page_kind(
        article, min_lines=int(section("keypoints").get("page_kind_min_lines", 3)))
    return article

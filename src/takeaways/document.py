"""The article model: standard-library dataclasses whose offsets index ``Article.text``.

Nothing here depends on spaCy or any other third-party package. Every span that
points into the article carries ``start``/``end`` such that
``article.text[start:end] == span.text``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = "2.0"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of characters in a text, with its offsets."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Sentence:
    id: int
    start: int
    end: int
    text: str
    paragraph: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Paragraph:
    id: int
    start: int
    end: int
    text: str
    section: int
    sentence_ids: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["sentence_ids"] = list(self.sentence_ids)
        return d


@dataclass(frozen=True, slots=True)
class Heading:
    start: int
    end: int
    text: str
    level: int = 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Section:
    id: int
    heading: Heading | None
    paragraph_ids: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "heading": self.heading.to_dict() if self.heading else None,
            "paragraph_ids": list(self.paragraph_ids),
        }


@dataclass(frozen=True, slots=True)
class Metadata:
    url: str | None = None
    site: str | None = None
    author: str | None = None
    date: str | None = None
    language: str | None = None
    description: str | None = None
    #: how the body of pasted or scraped text was chosen (``[read] text_body``:
    #: "lines.v1" or "rules.v1"); None for HTML and plain text
    text_body: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SummaryItem:
    """One item of a summary box found on the page (numbered or bulleted takeaway)."""

    n: int
    text: str
    marker: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Removed:
    """Something the reader dropped as page chrome, and why."""

    text: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Article:
    id: str
    text: str
    title: str | None
    kicker: str | None
    lede: Span | None
    headings: list[Heading]
    sections: list[Section]
    paragraphs: list[Paragraph]
    sentences: list[Sentence]
    metadata: Metadata = field(default_factory=Metadata)
    existing_summary: list[SummaryItem] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_kind: str = "text"
    #: what the page is: "news", "recipe", "list" or "live blog"; set by the reader
    #: (`takeaways.ingest.pagekind`), None on an Article built by hand
    kind: str | None = None
    #: sentence starts for `sentence_at` (rebuilt when ``sentences`` is replaced or grows)
    _index: tuple[int, int, list[int] | None] | None = field(
        default=None, init=False, repr=False, compare=False)

    def ref(self, *, embed: bool = True) -> dict[str, Any]:
        """How a result points at its article: the whole article (a result on its own), or
        only its id (inside an analysis envelope, which holds the article once)."""
        return {"article": self.to_dict()} if embed else {"article_id": self.id}

    def span(self, start: int, end: int) -> Span:
        """A `Span` of this article's text; raises if the offsets are outside it."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(
                f"span ({start}, {end}) is outside the article text (0..{len(self.text)})"
            )
        return Span(start, end, self.text[start:end])

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence containing character ``offset``, if any (a binary search)."""
        starts = self._starts()
        if starts is None:  # sentences out of text order (a hand-made article): scan
            return next((s for s in self.sentences if s.start <= offset < s.end), None)
        k = bisect_right(starts, offset) - 1
        if k >= 0 and self.sentences[k].start <= offset < self.sentences[k].end:
            return self.sentences[k]
        return None

    def sentences_overlapping(self, start: int, end: int) -> list[Sentence]:
        """The sentences that share a character with ``[start, end)``, in order."""
        starts = self._starts()
        if starts is None:
            return [s for s in self.sentences if s.start < end and start < s.end]
        k = max(bisect_right(starts, start) - 1, 0)
        return [s for s in self.sentences[k : bisect_left(starts, end)]
                if s.start < end and start < s.end]

    def _starts(self) -> list[int] | None:
        """Sentence starts, ascending, for a binary search; None when the sentences are
        not in text order. Rebuilt when ``sentences`` is replaced or changes length."""
        key = (id(self.sentences), len(self.sentences))
        if self._index is None or self._index[:2] != key:
            starts = [s.start for s in self.sentences]
            ordered = all(a.end <= b.start for a, b in
                          zip(self.sentences, self.sentences[1:], strict=False))
            self._index = (*key, starts if ordered else None)
        return self._index[2]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "type": "article",
            "id": self.id,
            "title": self.title,
            "kicker": self.kicker,
            "lede": self.lede.to_dict() if self.lede else None,
            "text": self.text,
            "headings": [h.to_dict() for h in self.headings],
            "sections": [s.to_dict() for s in self.sections],
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "sentences": [s.to_dict() for s in self.sentences],
            "metadata": self.metadata.to_dict(),
            "existing_summary": [i.to_dict() for i in self.existing_summary],
            "removed": [r.to_dict() for r in self.removed],
            "warnings": list(self.warnings),
            "source_kind": self.source_kind,
            **({"kind": self.kind} if self.kind is not None else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        """Rebuild an article from `to_dict()` output (e.g. a stored analysis)."""
        headings = [Heading(**h) for h in d["headings"]]
        sections = [
            Section(
                id=s["id"],
                heading=Heading(**s["heading"]) if s["heading"] else None,
                paragraph_ids=tuple(s["paragraph_ids"]),
            )
            for s in d["sections"]
        ]
        paragraphs = [
            Paragraph(**{**p, "sentence_ids": tuple(p["sentence_ids"])}) for p in d["paragraphs"]
        ]
        return cls(
            id=d["id"],
            text=d["text"],
            title=d["title"],
            kicker=d["kicker"],
            lede=Span(**d["lede"]) if d["lede"] else None,
            headings=headings,
            sections=sections,
            paragraphs=paragraphs,
            sentences=[Sentence(**s) for s in d["sentences"]],
            metadata=Metadata(**d["metadata"]),
            existing_summary=[SummaryItem(**i) for i in d["existing_summary"]],
            removed=[Removed(**r) for r in d["removed"]],
            warnings=list(d.get("warnings", [])),
            source_kind=d.get("source_kind", "text"),
            kind=d.get("kind"),
        )

"""Key-point results: stdlib dataclasses with evidence offsets into ``article.text``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from takeaways.document import SCHEMA_VERSION, Article, Span
from takeaways.render import ResultSequence


@dataclass(frozen=True, slots=True)
class Evidence:
    sentence_id: int
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentence_id": self.sentence_id, "start": self.start, "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Edit:
    """One deletion or substitution made to an evidence sentence.

    ``start``/``end`` index ``article.text`` (the replaced or deleted characters);
    ``source`` is where a substituted text comes from in the article.
    """

    kind: str  # "delete" | "substitute" | "capitalize"
    start: int
    end: int
    original: str
    replacement: str
    reason: str
    source: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "replacement": self.replacement,
            "reason": self.reason,
            "source": self.source.to_dict() if self.source else None,
        }


@dataclass(frozen=True, slots=True)
class PointFinding:
    """One audit of a point on its way to the reader (the LLM writer, docs/writer.md):
    ``stage`` is ``draft`` (the model's first answer) or ``repair`` (its second)."""

    stage: str
    text: str
    verdict: str
    error_types: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "text": self.text, "verdict": self.verdict,
                "error_types": list(self.error_types), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class KeyPoint:
    n: int
    text: str
    evidence: tuple[Evidence, ...]
    edits: tuple[Edit, ...]
    score: float
    # set by the LLM writer only: "llm", "llm-repaired" or "extractive", and the audits
    origin: str | None = None
    findings: tuple[PointFinding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "n": self.n,
            "text": self.text,
            "evidence": [e.to_dict() for e in self.evidence],
            "edits": [e.to_dict() for e in self.edits],
            "score": round(self.score, 4),
        }
        if self.origin is not None:
            d["origin"] = self.origin
            d["findings"] = [f.to_dict() for f in self.findings]
        return d


@dataclass(slots=True, repr=False)
class KeyPoints(ResultSequence[KeyPoint]):
    _items: ClassVar[str] = "points"  # what len(), iteration and indexing go over
    _noun: ClassVar[str] = "point"

    article: Article
    points: list[KeyPoint]
    strategies: dict[str, str]
    notes: list[str] = field(default_factory=list)
    verification: Any = None  # an Audit of the points, when --verify is used

    # A sequence of its points, as ``to_dict()["key_points"]`` is a list of them.
    @property
    def key_points(self) -> list[KeyPoint]:
        """The points (the name ``to_dict()`` uses; ``points`` is the same list)."""
        return self.points

    def to_dict(self, *, article: bool = True) -> dict[str, Any]:
        """JSON-ready; ``article=False`` gives ``article_id`` instead of the article (the
        verification audit, of the same article, always refers to it by id)."""
        d: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "type": "key_points",
            **self.article.ref(embed=article),
            "key_points": [p.to_dict() for p in self.points],
            "strategies": dict(self.strategies),
            "notes": list(self.notes),
        }
        if self.verification is not None:
            d["verification"] = self.verification.to_dict(article=False)
        return d

    def to_markdown(self) -> str:
        title = self.article.title or "Key points"
        out = [f"## Key points: {title}", ""]
        for p in self.points:
            refs = "".join(f"[^{p.n}-{e.sentence_id}]" for e in p.evidence)
            out.append(f"{p.n}. {p.text}{refs}")
        out.append("")
        for p in self.points:
            for e in p.evidence:
                out.append(f"[^{p.n}-{e.sentence_id}]: sentence {e.sentence_id} "
                           f"(chars {e.start}–{e.end}): “{e.text}”")
        out.extend(f"\n> note: {n}" for n in self.notes)
        out.extend(self._verification_lines())
        return "\n".join(out).rstrip() + "\n"

    def to_text(self) -> str:
        out = [self.article.title or "Key points", ""]
        for p in self.points:
            out.append(f"{p.n}. {p.text}")
            for e in p.evidence:
                out.append(f"     ↳ [s{e.sentence_id} {e.start}:{e.end}] {e.text}")
        out.extend(f"note: {n}" for n in self.notes)
        out.extend(self._verification_lines())
        return "\n".join(out).rstrip() + "\n"

    def _verification_lines(self) -> list[str]:
        if self.verification is None:
            return []
        lines = ["", "Verification:"]
        for p, claim in zip(self.points, getattr(self.verification, "claims", []), strict=False):
            lines.append(f"  {p.n}. {getattr(claim, 'verdict', '?')}")
        return lines

"""The audit result: per-claim verdicts with evidence, and the summary-level verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from takeaways.auditing.signals.base import SignalResult
from takeaways.document import SCHEMA_VERSION, Article, Span
from takeaways.render import ResultSequence

SUMMARY_VERDICTS = ("supported", "partly-supported", "unsupported", "no-claims")
_MARK = {"supported": "OK", "unsupported": "UNSUPPORTED", "misattributed": "MISATTRIBUTED",
         "contradicted": "CONTRADICTED"}


@dataclass
class ClaimAudit:
    """One claim: its verdict, what is wrong, where the article's evidence is."""

    text: str
    verdict: str
    error_types: list[str]
    evidence: list[Span]  # offsets into article.text
    faulty_span: Span | None  # offsets into `text`
    reason: str
    confidence: float
    support: float
    signals: dict[str, SignalResult] = field(default_factory=dict)
    probability: float | None = None  # the claim model's P(supported), before the rules
    confirmed: bool = False  # a hard finding (misquote, misattribution...) decided it
    routes: tuple[str, ...] = ()  # how a supported claim passes (`verdict.ROUTES`)
    parts: tuple[ClaimAudit, ...] = ()  # a claim of several sentences: each one's audit

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "verdict": self.verdict,
            "error_types": list(self.error_types),
            "evidence": [e.to_dict() for e in self.evidence],
            "faulty_span": self.faulty_span.to_dict() if self.faulty_span else None,
            "reason": self.reason,
            "confidence": round(self.confidence, 4),
            "support": round(self.support, 4),
            "signals": {name: r.to_dict() for name, r in self.signals.items()},
        }


@dataclass(repr=False)
class Audit(ResultSequence[ClaimAudit]):
    """Every claim of a summary checked against one article."""

    _items: ClassVar[str] = "claims"  # what len(), iteration and indexing go over
    _noun: ClassVar[str] = "claim"

    article: Article
    claims: list[ClaimAudit]
    verdict: str
    score: float | None  # P(the summary is faithful): its one claim's support, or the
    #                      summary model's over several claims; None without claims
    summary_source: str  # "given", "page" (the page's own summary box) or "none"
    strategies: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.claims:
            out[c.verdict] = out.get(c.verdict, 0) + 1
        return out

    def to_dict(self, *, article: bool = True) -> dict[str, Any]:
        """JSON-ready; ``article=False`` gives ``article_id`` instead of the article."""
        return {
            "schema_version": SCHEMA_VERSION,
            "type": "audit",
            **self.article.ref(embed=article),
            "summary_source": self.summary_source,
            "claims": [c.to_dict() for c in self.claims],
            "verdict": self.verdict,
            "score": None if self.score is None else round(self.score, 4),
            "counts": self.counts,
            "strategies": list(self.strategies),
            "notes": list(self.notes),
        }

    def _headline(self) -> str:
        n = len(self.claims)
        if not n:
            return "No claims to check."
        ok = self.counts.get("supported", 0)
        return f"{ok} of {n} claims supported by the article (verdict: {self.verdict})."

    def to_markdown(self) -> str:
        title = self.article.title or self.article.id
        lines = [f"# Audit: {title}", "", self._headline(), ""]
        for i, c in enumerate(self.claims, 1):
            types = f" ({', '.join(c.error_types)})" if c.error_types else ""
            lines.append(f"{i}. **{c.verdict}**{types}: {c.text}")
            lines.append(f"   - {c.reason}")
            if c.faulty_span:
                lines.append(f"   - Problem: \u201c{c.faulty_span.text}\u201d")
            for e in c.evidence:
                lines.append(f"   - Evidence: \u201c{e.text}\u201d")
        lines += [f"_Note: {n}_" for n in self.notes]
        return "\n".join(lines) + "\n"

    def to_text(self) -> str:
        lines = [self._headline(), ""]
        for i, c in enumerate(self.claims, 1):
            lines.append(f"{i}. [{_MARK.get(c.verdict, c.verdict)}] {c.text}")
            lines.append(f"   {c.reason}")
            if c.faulty_span:
                lines.append(f"   problem: \u201c{c.faulty_span.text}\u201d")
            for e in c.evidence:
                lines.append(f"   evidence [{e.start}:{e.end}]: {e.text}")
            lines.append("")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines).rstrip() + "\n"

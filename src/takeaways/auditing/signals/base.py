"""What a signal returns: features for the verdict, findings for the reader, debug data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from takeaways.document import Span

ERROR_TYPES = (
    "entity", "predicate", "circumstance", "coreference", "discourse-link", "out-of-article",
    "grammatical",
)
VERDICTS = ("supported", "unsupported", "misattributed", "contradicted")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a signal found in a claim.

    ``verdict`` is what the problem implies; ``hard`` findings decide the verdict on their
    own, soft ones only count when the combined score already says the claim fails.
    ``span`` indexes into the claim text.
    """

    signal: str
    error_type: str
    verdict: str
    reason: str
    span: Span | None = None
    hard: bool = False


@dataclass(slots=True)
class SignalResult:
    name: str
    features: dict[str, float] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)
    debug: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"features": {k: round(v, 4) for k, v in self.features.items()}}
        if self.findings:
            out["findings"] = [
                {"error_type": f.error_type, "verdict": f.verdict, "hard": f.hard,
                 "reason": f.reason, "span": f.span.to_dict() if f.span else None}
                for f in self.findings
            ]
        if self.debug:
            out["debug"] = self.debug
        if self.skipped:
            out["skipped"] = self.skipped
        return out


def claim_span(text: str, start: int, end: int) -> Span:
    """A `Span` of the claim text."""
    return Span(start, end, text[start:end])

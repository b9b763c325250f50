"""The check between the LLM writer and the reader: the project's audit, claim by claim.

`check_texts` audits each text as one claim (`takeaways.auditing.audit_summary`, the same
verdicts ``takeaways audit`` gives); `evidence_of` turns a supported claim's evidence
(the audit's alignment) into key-point `Evidence`. ``bench/writer.py`` measures this
check on human-labelled model summaries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from takeaways.auditing import ClaimAudit, audit_summary
from takeaways.config import Settings
from takeaways.keypoints.result import Evidence, PointFinding

if TYPE_CHECKING:
    from takeaways.nlp.analyze import Analysis


def check_texts(analysis: Analysis, texts: list[str], settings: Settings) -> list[ClaimAudit]:
    """One `ClaimAudit` per text, in order (each text is one claim; a text of several
    sentences is supported only when each of its sentences is)."""
    if not texts:
        return []
    audits = audit_summary(analysis, list(texts), settings=settings).claims
    if len(audits) != len(texts):  # a text the splitter dropped (only a list marker)
        by_text = {a.text: a for a in audits}
        return [by_text.get(t) or _empty(t) for t in texts]
    return audits


def _empty(text: str) -> ClaimAudit:
    return ClaimAudit(text=text, verdict="unsupported", error_types=["OutE"], evidence=[],
                      faulty_span=None, reason="The point has no claim to check.",
                      confidence=1.0, support=0.0)


def passes(audit: ClaimAudit) -> bool:
    return audit.verdict == "supported"


def finding(stage: str, audit: ClaimAudit) -> PointFinding:
    return PointFinding(stage, audit.text, audit.verdict, tuple(audit.error_types),
                        audit.reason)


def evidence_of(analysis: Analysis, audit: ClaimAudit, cited: tuple[int, ...]
                ) -> tuple[Evidence, ...]:
    """The article sentences behind a supported point: those the audit aligned it with;
    the model's own citations only when the audit names none."""
    sents = analysis.article.sentences
    by_start = {s.start: s for s in sents}
    out = [by_start[e.start] for e in audit.evidence if e.start in by_start]
    if not out:
        out = [sents[i] for i in cited if 0 <= i < len(sents)]
    seen: dict[int, Evidence] = {}
    for s in out:
        seen.setdefault(s.id, Evidence(s.id, s.start, s.end, s.text))
    return tuple(seen.values())

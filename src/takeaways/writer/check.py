"""The check between the LLM writer and the reader: the project's audit, claim by claim.

`check_texts` audits each text as one claim (`takeaways.auditing.audit_summary`, the same
verdicts ``takeaways audit`` gives); `passes` is the writer's gate: the audit's verdict,
plus the confidence the ``[writer]`` settings ask for, because a rejected point only costs
an extractive point in its place: ``gate = "threshold"`` (``min_support``,
``trust_routes``) or a learned gate (``gate = "learned.v1"``, `takeaways.writer.gate`).
`evidence_of` turns a supported claim's evidence (the audit's alignment) into key-point `Evidence`.
``bench/writer.py`` measures the gate on human-labelled model summaries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from takeaways.auditing import ClaimAudit, audit_summary
from takeaways.config import Settings
from takeaways.keypoints.result import Evidence, PointFinding
from takeaways.writer.gate import gate_features, load_gate, raw_signals
from takeaways.writer.settings import WriterSettings

if TYPE_CHECKING:
    from takeaways.nlp.analyze import Analysis


def check_texts(analysis: Analysis, texts: list[str], settings: Settings) -> list[ClaimAudit]:
    """One `ClaimAudit` per text, in order (each text is one claim; a text of several
    sentences is supported only when each of its sentences is). A learned gate reads the
    entailment signal, so under one it runs on every claim (``[audit] entailment``: the
    verdicts stay the same, the claim model weighs it 0)."""
    if not texts:
        return []
    if WriterSettings.from_settings(settings).gate != "threshold" \
            and not settings.section("audit").get("entailment", False):
        settings = settings.replace(audit={"entailment": True})
    audits = audit_summary(analysis, list(texts), settings=settings).claims
    if len(audits) != len(texts):  # a text the splitter dropped (only a list marker)
        by_text = {a.text: a for a in audits}
        return [by_text.get(t) or _empty(t) for t in texts]
    return audits


def _empty(text: str) -> ClaimAudit:
    return ClaimAudit(text=text, verdict="unsupported", error_types=["OutE"], evidence=[],
                      faulty_span=None, reason="The point has no claim to check.",
                      confidence=1.0, support=0.0)


def passes(audit: ClaimAudit, ws: WriterSettings) -> bool:
    """The gate: supported by the audit, and each sentence of the point confident enough.
    ``gate = "threshold"``: the claim model's probability at ``min_support`` or more, or a
    pass by a route in ``trust_routes`` (``min_support = 0``: the audit's verdict alone);
    a learned gate: its P(faithful) at its cut or above (`gate_probability`)."""
    if audit.verdict != "supported":
        return False
    return all(_confident(part, ws) for part in (audit.parts or (audit,)))


def gate_probability(audit: ClaimAudit, ws: WriterSettings) -> float:
    """The gate's confidence in one sentence: the claim model's probability
    (``threshold``) or the learned gate's P(faithful)."""
    if ws.gate == "threshold":
        return audit.probability if audit.probability is not None else audit.support
    return load_gate(ws.gate).probability(gate_features(raw_signals(audit)))


def _cut(ws: WriterSettings) -> float:
    return ws.min_support if ws.gate == "threshold" else load_gate(ws.gate).cut


def _confident(audit: ClaimAudit, ws: WriterSettings) -> bool:
    if ws.gate == "threshold":
        return gate_probability(audit, ws) >= ws.min_support or any(
            r in ws.trust_routes for r in audit.routes)
    return audit.verdict == "supported" and gate_probability(audit, ws) >= _cut(ws)


def finding(stage: str, audit: ClaimAudit, ws: WriterSettings) -> PointFinding:
    """What the check found: the audit's verdict and reason, or ``unconfirmed`` for a
    point the audit supports without the confidence the gate asks for."""
    if audit.verdict == "supported" and not passes(audit, ws):
        return PointFinding(stage, audit.text, "unconfirmed", (), gate_reason(audit, ws))
    return PointFinding(stage, audit.text, audit.verdict, tuple(audit.error_types),
                        audit.reason)


def gate_reason(audit: ClaimAudit, ws: WriterSettings) -> str:
    """Why a point failed the check, in a sentence the model can act on when asked
    again: the audit's reason, or for a supported but unconfirmed point the figures that
    fell short and a request to stay closer to the cited sentences."""
    if audit.verdict != "supported":
        return audit.reason
    weak = [p for p in (audit.parts or (audit,)) if not _confident(p, ws)]
    part = weak[0] if weak else audit
    prob = gate_probability(part, ws)
    return (f"The article may support this, but not clearly enough to publish (the audit's "
            f"confidence {prob:.2f}, needs {_cut(ws):.2f}); say only what the cited "
            f"sentences say, closer to their words.")


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

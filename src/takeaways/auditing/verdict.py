"""Turn a claim's signals into a verdict, error types, a reason and a confidence.

``audit.verdict.logistic.v1``: hard findings (a misquote, a misattributed quote, a flipped
negation or figure in a closely matching sentence) decide on their own. Otherwise a
logistic model over every signal's features, with weights fitted on dev data
(``data/audit.toml``), gives the probability that the article supports the claim; below
``support_threshold`` the claim is unsupported and the soft findings explain why, unless
it passes the paraphrase route (`is_paraphrase`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from takeaways.auditing.registry import register_verdict
from takeaways.auditing.settings import AuditSettings
from takeaways.auditing.signals.base import ERROR_TYPES, Finding, SignalResult

LOGISTIC = "audit.verdict.logistic.v1"
_SEVERITY = ("misattributed", "contradicted", "unsupported")
_PRIORITY = ("quote_speaker", "quote_context", "quote_verbatim", "numbers", "negation",
             "entities", "novel_content", "relations", "entail", "nli", "grammar")


@dataclass
class Judgement:
    verdict: str
    support: float  # probability that the article supports the claim (capped when it fails)
    confidence: float
    error_types: list[str]
    lead: Finding | None
    findings: list[Finding] = field(default_factory=list)


def short_name(signal: str) -> str:
    """``audit.signal.novel_content.v1`` → ``novel_content`` (the feature prefix)."""
    parts = signal.split(".")
    return parts[2] if len(parts) > 3 else signal


def feature_vector(results: Iterable[SignalResult]) -> dict[str, float]:
    """All features of a claim, named ``<signal>.<feature>``."""
    return {f"{short_name(r.name)}.{k}": float(v) for r in results for k, v in r.features.items()}


def support_probability(features: dict[str, float], weights: dict[str, float]) -> float:
    logit = weights.get("bias", 0.0) + sum(
        w * features.get(name, 0.0) for name, w in weights.items() if name != "bias")
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def is_paraphrase(features: dict[str, float], settings: AuditSettings) -> bool:
    """The paraphrase route: the claim means what one article sentence says (embedding
    similarity >= ``paraphrase_similarity``) and brings in no new thing: no unsupported
    noun, no unknown entity, no unknown figure. Abstractive but faithful wording passes."""
    return (features.get("align.emb_max", 0.0) >= settings.paraphrase_similarity
            and not features.get("novel_content.nouns", 0.0)
            and not features.get("entities.missing", 0.0)
            and not features.get("numbers.missing", 0.0))


def _rank(f: Finding) -> tuple[int, int]:
    sig = short_name(f.signal)
    return (_SEVERITY.index(f.verdict), _PRIORITY.index(sig) if sig in _PRIORITY else 99)


def _types(findings: list[Finding]) -> list[str]:
    present = {f.error_type for f in findings}
    return [t for t in ERROR_TYPES if t in present]


def decide(
    features: dict[str, float], findings: list[Finding], settings: AuditSettings,
) -> Judgement:
    """The verdict for one claim from its features and findings."""
    p = support_probability(features, settings.weights)
    tau = settings.support_threshold
    hard = sorted((f for f in findings if f.hard), key=_rank)
    if hard:
        lead = hard[0]
        used = [f for f in hard if f.verdict == lead.verdict]
        return Judgement(lead.verdict, min(p, tau * 0.5), max(1.0 - p, 0.7), _types(used), lead,
                         findings)
    if p >= tau or is_paraphrase(features, settings):
        return Judgement("supported", max(p, tau), max(p, tau), [], None, findings)
    soft = sorted(findings, key=_rank)
    first: Finding | None = soft[0] if soft else None
    verdict = first.verdict if first is not None else "unsupported"
    types = _types(soft) or ["out-of-article"]
    return Judgement(verdict, p, 1.0 - p, types, first, findings)


@register_verdict(LOGISTIC)
def logistic_verdict(results: list[SignalResult], settings: AuditSettings) -> Judgement:
    findings = [f for r in results for f in r.findings]
    return decide(feature_vector(results), findings, settings)

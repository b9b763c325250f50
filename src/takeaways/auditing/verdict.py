"""Turn a claim's signals into a verdict, error types, a reason and a confidence.

``audit.verdict.logistic.v1``: hard findings (a misquote, a misattributed quote, a flipped
negation or figure in a closely matching sentence) decide on their own. Otherwise a
logistic model over every signal's features, with weights fitted on dev data
(``data/audit.toml``), gives the probability that the article supports the claim; below
``support_threshold`` the claim is unsupported and the soft findings explain why, unless
it passes the paraphrase route (`is_paraphrase`) or, on a second look, the entailment
route (`is_entailed`: the shipped cross-encoder finds it entailed by its evidence).
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
    probability: float = 0.0  # the claim model's P(supported), before the rules
    confirmed: bool = False  # a hard finding decided the verdict


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
            and names_nothing_new(features))


def names_nothing_new(features: dict[str, float]) -> bool:
    """No entity and no figure of the claim is missing from the article: what the hard
    checks must match holds, so a learned signal may vouch for the rest."""
    return not features.get("entities.missing", 0.0) and not features.get("numbers.missing", 0.0)


def names_only_evidence(features: dict[str, float]) -> bool:
    """`names_nothing_new`, and every entity of the claim is named in its evidence passage:
    what the cross-encoder reads holds every name it must vouch for (an entity swapped for
    another of the article's own names is not in the passage the claim matches)."""
    return names_nothing_new(features) and not features.get("entities.off_evidence", 0.0)


def is_entailed(features: dict[str, float], settings: AuditSettings) -> bool:
    """The entailment route: the cross-encoder (`audit.signal.entail.v1`) finds the claim
    entailed by its evidence, P(entailment) >= ``entail_pass``, and the claim names no
    unknown entity or figure and no entity its evidence passage lacks. Faithful abstractive
    wording ("is due to return to court" for "is set to return") passes without a
    word-by-word match."""
    return (settings.entail_route_on
            and features.get("entail.entail", -1.0) >= settings.entail_pass
            and names_only_evidence(features))


def passing_cut(features: dict[str, float], settings: AuditSettings) -> float:
    """The highest support threshold at which a claim without hard findings passes: its
    probability, or the soft-word route's (`soft_word_probability`) when higher; any
    threshold on the paraphrase and entailment routes (`is_paraphrase`, `is_entailed`).
    `decide` passes a claim when this is at least ``support_threshold``; the benchmark
    searches thresholds with it."""
    if is_paraphrase(features, settings) or is_entailed(features, settings):
        return math.inf
    p = support_probability(features, settings.weights)
    soft = soft_word_probability(features, settings)
    return p if soft is None else max(p, soft)


#: how a supported claim can pass (`passing_routes`), for users of the audit that trust
#: only some of them (the LLM writer's gate, ``[writer] trust_routes``)
ROUTES = ("probability", "paraphrase", "soft-word", "entailment")


def passing_routes(features: dict[str, float], settings: AuditSettings) -> tuple[str, ...]:
    """Every way a claim without hard findings passes: its own probability at or above
    ``support_threshold``, the paraphrase, soft-word or entailment route (`ROUTES`)."""
    tau = settings.support_threshold
    soft = soft_word_probability(features, settings)
    out = [name for name, ok in (
        ("probability", support_probability(features, settings.weights) >= tau),
        ("paraphrase", is_paraphrase(features, settings)),
        ("soft-word", soft is not None and soft >= tau),
        ("entailment", is_entailed(features, settings))) if ok]
    return tuple(out)


def soft_word_probability(features: dict[str, float], settings: AuditSettings) -> float | None:
    """The soft-word route: a word of the claim's own that is close to some article word
    (a paraphrase below ``word_similarity``, such as "worse" for "deteriorating") never
    fails a claim on its own. The claim passes when, with those words cleared (only the
    novel nouns far from every article word kept), it would pass, and it names no unknown
    entity or figure."""
    if not settings.soft_word_route or features.get("entities.missing", 0.0) \
            or features.get("numbers.missing", 0.0):
        return None
    far = features.get("novel_content.far", 0.0)
    words = features.get("novel_content.unsupported", 0.0)
    if words <= far:
        return None
    frac = features.get("novel_content.unsupported_frac", 0.0)
    cleared = dict(features)
    cleared["novel_content.nouns"] = min(far, features.get("novel_content.nouns", 0.0))
    cleared["novel_content.verbs"] = 0.0
    cleared["novel_content.unsupported"] = far
    cleared["novel_content.unsupported_frac"] = frac * far / words
    # and count the cleared words as found in the claim's lexical recall (their share of
    # its content words is frac * (words - far) / words)
    bump = frac * (words - far) / words
    for name in ("align.lex_best", "align.lex_cover", "align.lex_article"):
        if name in features:
            cleared[name] = min(1.0, features[name] + bump)
    return support_probability(cleared, settings.weights)


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
                         findings, p, True)
    if passing_cut(features, settings) >= tau:
        return Judgement("supported", max(p, tau), max(p, tau), [], None, findings, p)
    soft = sorted(findings, key=_rank)
    first: Finding | None = soft[0] if soft else None
    verdict = first.verdict if first is not None else "unsupported"
    types = _types(soft) or ["out-of-article"]
    return Judgement(verdict, p, 1.0 - p, types, first, findings, p)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1.0 - 1e-4)
    return math.log(p / (1.0 - p))


def summary_features(probabilities: list[float], confirmed: list[bool],
                     supported: list[bool] | None = None) -> dict[str, float]:
    """What the summary model reads from the claims: the weakest claim's logit, the mean
    of the two weakest, the mean of all, whether any claim has a confirmed error and, given
    the claims' verdicts, the share of claims not supported (a claim passed by the
    paraphrase or entailment route counts as supported whatever its probability)."""
    logits = sorted(_logit(p) for p in probabilities)
    out = {"claims.min_logit": logits[0], "claims.min2_logit": sum(logits[:2]) / len(logits[:2]),
           "claims.mean_logit": sum(logits) / len(logits),
           "claims.confirmed": float(any(confirmed))}
    if supported is not None:
        out["claims.failed_frac"] = sum(not ok for ok in supported) / max(1, len(supported))
    return out


def summary_judgement(probabilities: list[float], confirmed: list[bool], supported: list[bool],
                      settings: AuditSettings) -> tuple[str, float | None]:
    """The summary's verdict and P(faithful) from its claims.

    One claim: the summary is that claim (its verdict, its support). Several: a confirmed
    error (a hard finding) in any claim fails the summary; otherwise the summary model
    (``[audit.summary_weights]``, fitted on dev summaries) weighs the claims together, so
    one weak claim of a long summary does not fail it on its own, while several do.
    ``[audit] summary_rule`` chooses: ``"model"`` (the default, as just said), ``"either"``
    (the model, or every claim supported) or ``"all-claims"`` (supported when every claim
    is; the score is the weakest claim's support). Not supported: ``partly-supported``
    when some claim is supported, else ``unsupported``.
    """
    if not probabilities:
        return "no-claims", None
    if len(probabilities) == 1:
        ok, score = supported[0], probabilities[0]
    elif settings.summary_rule == "all-claims":
        # the weakest claim's support as `decide` reports it: a passed claim's at least the
        # threshold, a failed one's below it, a confirmed error's at most half of it
        tau = settings.support_threshold
        score = min(max(p, tau) if ok_ else min(p, tau * 0.5) if conf else min(p, tau - 1e-4)
                    for p, ok_, conf in zip(probabilities, supported, confirmed, strict=True))
        ok = all(supported) and not any(confirmed)
    else:
        score = support_probability(summary_features(probabilities, confirmed, supported),
                                    settings.summary_weights)
        ok = not any(confirmed) and score >= settings.summary_threshold
        if settings.summary_rule == "either":
            ok = not any(confirmed) and (ok or all(supported))
    if ok:
        return "supported", score
    return ("partly-supported" if any(supported) else "unsupported"), score


@register_verdict(LOGISTIC)
def logistic_verdict(results: list[SignalResult], settings: AuditSettings) -> Judgement:
    findings = [f for r in results for f in r.findings]
    return decide(feature_vector(results), findings, settings)

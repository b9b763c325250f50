"""`audit_summary`: split a summary into claims, run the signals, decide, report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from takeaways.auditing import claims as _claims  # noqa: F401  (registers the splitter)
from takeaways.auditing import signals as _signals  # noqa: F401  (registers the signals)
from takeaways.auditing import verdict as _verdict
from takeaways.auditing.context import ClaimContext, article_index
from takeaways.auditing.registry import SIGNAL, SPLITTER, VERDICT, lookup
from takeaways.auditing.report import Audit, ClaimAudit
from takeaways.auditing.settings import AuditSettings, load_settings
from takeaways.auditing.signals.base import SignalResult
from takeaways.auditing.signals.content import NOVEL
from takeaways.auditing.signals.facts import NEGATION
from takeaways.auditing.text import truecase
from takeaways.config import Settings, use
from takeaways.document import Span
from takeaways.nlp.models import get_nlp

if TYPE_CHECKING:
    from takeaways.nlp.analyze import Analysis

NO_SUMMARY = (
    "No summary was given and the page has no summary box of its own, so there is nothing "
    "to check. Pass a summary: one claim per line, or plain prose."
)


@dataclass
class ClaimRun:
    """One claim with every signal's result (what the benchmark fits weights on)."""

    context: ClaimContext
    results: list[SignalResult]

    def debug_of(self, name: str) -> dict[str, Any]:
        """The debug data of signal ``name``'s result; empty when it did not run."""
        return next((r.debug for r in self.results if r.name == name), {})


def signal_names(settings: AuditSettings, nli_model: str | None) -> list[str]:
    names = list(settings.signals)
    if settings.entailment and settings.entail_signal not in names:
        names.append(settings.entail_signal)
    if nli_model and settings.nli_signal not in names:
        names.append(settings.nli_signal)
    return names


def run_signals(
    analysis: Analysis, claims: list[str], settings: AuditSettings, *, nli_model: str | None = None,
) -> list[ClaimRun]:
    """Parse, embed and check every claim; one `ClaimRun` per claim, in order."""
    index = article_index(analysis)
    cased = [truecase(c, index.cases) for c in claims]
    docs = list(get_nlp().pipe(cased))
    vectors = analysis.embed(cased) if claims else np.zeros((0, 1), dtype=np.float32)
    funcs = [lookup(SIGNAL, n) for n in signal_names(settings, nli_model)]
    runs = []
    for text, doc, vec in zip(claims, docs, vectors, strict=True):
        ctx = ClaimContext(index, text, doc, settings, vec, {"nli_model": nli_model})
        runs.append(ClaimRun(ctx, [f(ctx) for f in funcs]))
    return runs


def _evidence(run: ClaimRun, limit: int) -> list[Span]:
    """Sentences cited by signals that found a problem first, then the alignment's."""
    sids: list[int] = []
    for r in sorted(run.results, key=lambda r: not any(f.hard for f in r.findings)):
        sids += [s for s in r.evidence if s not in sids]
    sents = run.context.analysis.article.sentences
    return [Span(sents[s].start, sents[s].end, sents[s].text) for s in sids[: limit + 1]]


def _supported_reason(evidence: list[Span]) -> str:
    if not evidence:
        return "Nothing in the article contradicts this claim."
    first = evidence[0].text
    quote = first if len(first) <= 160 else first[:157].rstrip() + "\u2026"
    return f"The article says so: \u201c{quote}\u201d"


def _unconfirmed_reason(run: ClaimRun, j: _verdict.Judgement, settings: AuditSettings
                        ) -> str | None:
    """The reason of a claim that fails only on wording: every word the article lacks is
    a soft one (a verb, or a noun close to some article word: the soft-word route cleared
    them), it names no unknown entity or figure, and it still did not pass. Then "the
    article never mentions <word>" misses the point (the word alone did not fail it); the
    reason says the claim is not confirmed, and why, without guessing whether it is a
    faithful rewording or an error (an antonym the article lacks fails this way too).
    None for any other claim."""
    feats = _verdict.feature_vector(run.results)
    if (j.lead is None or j.confirmed or j.lead.signal != NOVEL or not settings.soft_word_route
            or feats.get("novel_content.far", 0.0) or feats.get("entities.missing", 0.0)
            or feats.get("numbers.missing", 0.0)):
        return None
    words = list(run.debug_of(NOVEL).get("unsupported_words", []))
    if not words:
        return None
    named = ", ".join(f"\u201c{w}\u201d" for w in words[:3])
    reason = (f"Not confirmed: its closest passage does not say this in these or close words "
              f"({named} {'is' if len(words) == 1 else 'are'} not the article's")
    polarity = _polarity_note(run)
    if polarity:
        reason += f"; {polarity}"
    entail = feats.get("entail.entail")
    if entail is not None and settings.entail_route_on:
        reason += (f"; the entailment model gives P(entailment) {entail:.3f}, below the "
                   f"{settings.entail_pass:.2f} it needs")
    return reason + ")."


def _polarity_note(run: ClaimRun) -> str | None:
    """Whether the claim and its best-aligned sentence differ in polarity (an odd number
    of negations on one side only), said plainly; None when they agree. The negation
    signal turns this into a finding only when the two match closely in words, so a
    negation added to a reworded claim shows up here."""
    debug = run.debug_of(NEGATION)
    if "claim_negations" not in debug or "evidence_negations" not in debug:
        return None
    claim, passage = int(debug["claim_negations"]) % 2, int(debug["evidence_negations"]) % 2
    if claim == passage:
        return None
    return ("the claim negates what its closest passage states" if claim
            else "its closest passage is negated and the claim is not")


def _claim_audit(run: ClaimRun, settings: AuditSettings) -> ClaimAudit:
    judge = lookup(VERDICT, settings.verdict)
    j: _verdict.Judgement = judge(run.results, settings)
    evidence = _evidence(run, settings.evidence_max)
    if j.verdict == "supported":
        reason = _supported_reason(evidence)
    elif j.lead is not None:
        reason = _unconfirmed_reason(run, j, settings) or j.lead.reason
    else:
        reason = "The article does not say this; the closest passages are cited as evidence."
    return ClaimAudit(
        text=run.context.text, verdict=j.verdict, error_types=j.error_types, evidence=evidence,
        faulty_span=j.lead.span if j.lead is not None and j.verdict != "supported" else None,
        reason=reason, confidence=j.confidence, support=j.support,
        signals={r.name: r for r in run.results}, probability=j.probability,
        confirmed=j.confirmed,
        routes=_verdict.passing_routes(_verdict.feature_vector(run.results), settings)
        if j.verdict == "supported" else (),
    )


def second_look(runs: list[ClaimRun], checked: list[ClaimAudit], settings: AuditSettings
                ) -> list[ClaimAudit]:
    """The entailment route (`verdict.is_entailed`): each claim that failed without a hard
    finding, and names no unknown entity or figure and no entity its evidence passage
    lacks (`verdict.names_only_evidence`), is checked by the entailment
    cross-encoder against its evidence (all such claims in one batch), then decided again.
    Claims that pass, or that the cross-encoder already scored, are left as they are, so
    the model loads only when some claim needs it."""
    if not settings.entail_route_on:
        return checked
    from takeaways.auditing.signals.entail import ENTAIL, entail_signals

    todo = [i for i, (run, audit) in enumerate(zip(runs, checked, strict=True))
            if audit.verdict != "supported" and not audit.confirmed
            and all(r.name != ENTAIL for r in run.results)
            and _verdict.names_only_evidence(_verdict.feature_vector(run.results))]
    if not todo:
        return checked
    out = list(checked)
    enough = settings.entail_pass if settings.entail_pass > 0.5 else None  # see entail_signals
    results = entail_signals([runs[i].context for i in todo], enough=enough)
    for i, result in zip(todo, results, strict=True):
        runs[i].results.append(result)
        out[i] = _claim_audit(runs[i], settings)
    return out


_WORST_FIRST = ("misattributed", "contradicted", "unsupported", "supported")


def _parts(claim: str) -> list[tuple[int, str]]:
    """The sentences of one claim with their offsets in it (one part for most claims),
    split as article sentences are (spaCy's senter, so "B.B. King" stays whole)."""
    from takeaways.ingest.sentences import split_sentences

    spans = split_sentences([claim])[0]
    parts = [(s, claim[s:e]) for s, e in spans if len(claim[s:e].split()) >= 3]
    return parts if len(parts) > 1 else [(0, claim)]


def _combine(text: str, parts: list[tuple[int, ClaimAudit]], limit: int) -> ClaimAudit:
    """One verdict for a claim checked sentence by sentence: its worst part's, with the
    evidence of every part and the faulty span moved to the claim's offsets."""
    if len(parts) == 1:
        return parts[0][1]
    off, worst = min(parts, key=lambda p: (_WORST_FIRST.index(p[1].verdict), p[1].support))
    evidence: list[Span] = []
    for _, part in parts:
        evidence += [e for e in part.evidence if e not in evidence]
    span = worst.faulty_span
    if span is not None:
        span = Span(span.start + off, span.end + off, span.text)
    return ClaimAudit(
        text=text, verdict=worst.verdict, error_types=worst.error_types,
        evidence=evidence[: limit + 1], faulty_span=span, reason=worst.reason,
        confidence=worst.confidence, support=min(p.support for _, p in parts),
        signals=worst.signals,
        probability=min(p.probability if p.probability is not None else p.support
                        for _, p in parts),
        confirmed=any(p.confirmed for _, p in parts),
        routes=tuple(r for r in _verdict.ROUTES if all(r in p.routes for _, p in parts)),
        parts=tuple(p for _, p in parts),
    )


def summary_verdict(claims: list[ClaimAudit], settings: AuditSettings) -> tuple[str, float | None]:
    """The summary's verdict and score (`verdict.summary_judgement`)."""
    if len(claims) == 1:
        c = claims[0]
        return ("supported" if c.verdict == "supported" else "unsupported"), c.support
    return _verdict.summary_judgement(
        [c.probability if c.probability is not None else c.support for c in claims],
        [c.confirmed for c in claims], [c.verdict == "supported" for c in claims], settings)


def weak_whole_note(claims: list[ClaimAudit], verdict: str, score: float | None,
                    settings: AuditSettings) -> str | None:
    """A note for a summary judged not supported although every claim is: the summary
    model weighed the claims' support as a whole (`verdict.summary_judgement`)."""
    if len(claims) < 2 or verdict == "supported" or score is None \
            or not all(c.verdict == "supported" for c in claims):
        return None
    return (f"Every claim is supported, but the summary model finds their support weak as a "
            f"whole (P(faithful) {score:.2f}, below {settings.summary_threshold:.2f}): "
            "abstractive wording lowers the claims' lexical support even where a paraphrase, "
            "soft-word or entailment route passes them. To judge a summary by its claims' "
            'verdicts, set summary_rule = "either" in the [audit] section of your config '
            "(on the command line: --summary-rule either).")


def audit_summary(
    analysis: Analysis, summary: str | list[str] | None = None, *, nli_model: str | None = None,
    settings: AuditSettings | Settings | None = None,
) -> Audit:
    """Check each claim of ``summary`` against the article of ``analysis``.

    ``summary`` is prose (split into sentences), a list-like string (one claim per line,
    bullet or number) or a list of claims. Without one, the page's own summary box
    (``article.existing_summary``) is audited; when there is none either, the result has no
    claims, verdict ``no-claims`` and a note saying so. ``nli_model`` names a local Hugging
    Face NLI model folder whose entailment probability becomes one more signal.
    ``settings``: the whole `Settings` tree (the audit runs under it) or only the typed
    audit settings; default the active ones.
    """
    if isinstance(settings, Settings):
        with use(settings):
            return audit_summary(analysis, summary, nli_model=nli_model)
    settings = settings or load_settings()
    source = "given"
    if summary is None:
        summary = [item.text for item in analysis.article.existing_summary]
        source = "page" if summary else "none"
    split = lookup(SPLITTER, settings.claim_splitter)
    claims: list[str] = split(summary) if source != "none" else []
    # a claim of several sentences (a fused key point, a two-sentence bullet) is checked
    # sentence by sentence: it is supported only when every sentence is
    parts = [(i, off, text) for i, c in enumerate(claims) for off, text in _parts(c)]
    runs = run_signals(analysis, [t for _, _, t in parts], settings, nli_model=nli_model)
    checked = second_look(runs, [_claim_audit(r, settings) for r in runs], settings)
    audits = [
        _combine(c, [(off, a) for (j, off, _), a in zip(parts, checked, strict=True) if j == i],
                 settings.evidence_max)
        for i, c in enumerate(claims)
    ]
    notes = [] if claims else [NO_SUMMARY if source == "none" else "The summary has no claims."]
    names = signal_names(settings, nli_model)
    if settings.entail_signal not in names and any(
            r.name == settings.entail_signal for run in runs for r in run.results):
        names.append(settings.entail_signal)  # the second look ran on some claim
    strategies = [settings.claim_splitter, *names, settings.verdict]
    verdict, score = summary_verdict(audits, settings)
    note = weak_whole_note(audits, verdict, score, settings)
    if note:
        notes.append(note)
    return Audit(
        article=analysis.article, claims=audits, verdict=verdict, score=score,
        summary_source=source,
        strategies=strategies, notes=notes,
    )

"""Signals about checkable facts: entities (alias-aware), numbers, negation."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from takeaways.auditing.context import ClaimContext
from takeaways.auditing.registry import register_signal
from takeaways.auditing.signals.base import Finding, SignalResult, claim_span
from takeaways.auditing.signals.graph import quote_graph
from takeaways.auditing.text import norm, number_value
from takeaways.lexicon import lexicon

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan

ENTITIES = "audit.signal.entities.v1"
NUMBERS = "audit.signal.numbers.v1"
NEGATION = "audit.signal.negation.v1"
NUMERIC_LABELS = frozenset({"CARDINAL", "ORDINAL", "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY"})
_GROUP_LABELS = frozenset({"NORP", "GPE", "LOC", "LANGUAGE"})
_PLACE_LABELS = frozenset({"NORP", "GPE", "LOC", "ORG"})


def entity_key(text: str) -> str:
    return norm(text.removesuffix("'s").removesuffix("\u2019s").removeprefix("the "))


@lru_cache(maxsize=1)
def place_names() -> dict[str, frozenset[str]]:
    """Normalised country form → every form that names it or a place inside it
    (``data/places.txt``: "u k" → {"british", "london", ...})."""
    out: dict[str, frozenset[str]] = {}
    for forms, inside in lexicon().places:
        names = frozenset(norm(w) for w in (*forms, *inside)) - {""}
        for form in forms:
            out[norm(form)] = out.get(norm(form), frozenset()) | names
    return out


def entity_found(ctx: ClaimContext, text: str, label: str) -> bool:
    """Whether the article names this entity: the same words, a known alias (quote graph),
    a surname, a demonym ("German" for "Germany"), or for a country another of its names,
    its demonym or a place inside it ("U.K." for "British" or "London"; data/places.txt)."""
    key = entity_key(text)
    if not key or f" {key} " in ctx.index.text_norm:
        return True
    if quote_graph(ctx.analysis).entity(text) is not None:
        return True
    if label in _PLACE_LABELS and any(f" {n} " in ctx.index.text_norm
                                      for n in place_names().get(key, ())):
        return True
    words = key.split()
    if label in ("PERSON", "ORG", "FAC", "WORK_OF_ART", "EVENT") and len(words[-1]) > 2:
        return f" {words[-1]} " in ctx.index.text_norm
    if label in _GROUP_LABELS and len(key) >= 5:
        return f" {key[:5]}" in ctx.index.text_norm
    return False


def claim_entities(ctx: ClaimContext) -> list[SpacySpan]:
    return [e for e in ctx.doc.ents if e.label_ not in NUMERIC_LABELS]


def _in_evidence(ctx: ClaimContext, text: str) -> bool:
    key = entity_key(text)
    last = key.split()[-1] if key else ""
    paras = {ctx.index.paragraph_of.get(s) for s in ctx.alignment.evidence}
    sids = [s for s, p in ctx.index.paragraph_of.items() if p in paras] or ctx.alignment.evidence
    return any(f" {last} " in f" {ctx.index.sent_norm[s]} " for s in sids)


@register_signal(ENTITIES)
def entities_signal(ctx: ClaimContext) -> SignalResult:
    """Named entities of the claim that the article never names (aliases count)."""
    ents = claim_entities(ctx)
    missing = [e for e in ents if not entity_found(ctx, e.text, e.label_)]
    off = [e for e in ents if e not in missing and not _in_evidence(ctx, e.text)]
    findings = [
        Finding(ENTITIES, "entity", "unsupported",
                f"The article never mentions {e.text}.",
                claim_span(ctx.text, e.start_char, e.end_char))
        for e in missing
    ]
    features = {"missing": float(len(missing)), "off_evidence": float(len(off))}
    debug: dict[str, object] = {"entities": [f"{e.text} ({e.label_})" for e in ents],
             "missing": [e.text for e in missing], "off_evidence": [e.text for e in off]}
    return SignalResult(ENTITIES, features, findings, debug=debug)


def _claim_numbers(ctx: ClaimContext) -> list[tuple[int, int, str]]:
    out = []
    for tok in ctx.doc:
        if not tok.like_num or (tok.pos_ != "NUM" and not tok.text[:1].isdigit()):
            continue
        value = number_value(tok.text)
        if value is not None:
            out.append((tok.idx, tok.idx + len(tok.text), value))
    return out


@register_signal(NUMBERS)
def numbers_signal(ctx: ClaimContext) -> SignalResult:
    """Numbers, dates and quantities of the claim that the article does not state."""
    numbers = _claim_numbers(ctx)
    missing = [n for n in numbers if n[2] not in ctx.index.all_numbers]
    al = ctx.alignment
    best = al.ranked[0] if al.ranked else None
    strong = best is not None and float(al.lex[best]) >= ctx.settings.strong_alignment
    findings = []
    for start, end, _value in missing:
        other = sorted(ctx.index.sent_numbers[best]) if best is not None and strong else []
        if other:
            reason = (f"The article gives {', '.join(other)} here, not "
                      f"{ctx.text[start:end]}.")
            verdict = "contradicted"
        else:
            reason = f"The article never gives the figure {ctx.text[start:end]}."
            verdict = "unsupported"
        findings.append(Finding(NUMBERS, "circumstance", verdict, reason,
                                claim_span(ctx.text, start, end), hard=verdict == "contradicted"))
    features = {"missing": float(len(missing))}
    debug = {"numbers": [n[2] for n in numbers], "missing": [n[2] for n in missing]}
    return SignalResult(NUMBERS, features, findings, debug=debug)


def _negations(ctx: ClaimContext) -> list[tuple[int, int]]:
    cues = lexicon().negation_cues
    return [(t.idx, t.idx + len(t.text)) for t in ctx.doc
            if t.lower_ in cues or t.lemma_.lower() in cues or t.dep_ == "neg"]


@register_signal(NEGATION)
def negation_signal(ctx: ClaimContext) -> SignalResult:
    """The claim's polarity against its best-aligned sentence (odd vs even negations).

    A soft finding: on FRANK dev a hard rule flagged as many faithful claims as unfaithful
    ones (83 vs 134), because the matching sentence often negates another clause."""
    al = ctx.alignment
    if not al.ranked:
        return SignalResult(NEGATION, {"mismatch": 0.0}, skipped="no article sentences")
    best = al.ranked[0]
    cues = _negations(ctx)
    mismatch = len(cues) % 2 != ctx.index.sent_negations[best] % 2
    strong = float(al.lex[best]) >= ctx.settings.strong_alignment
    findings = []
    if mismatch and strong:
        span = claim_span(ctx.text, *cues[0]) if cues else None
        said = "negates" if cues else "does not negate"
        findings.append(Finding(
            NEGATION, "predicate", "contradicted",
            f"The claim {said} what the article says in the matching sentence.", span))
    features = {"mismatch": float(mismatch and strong)}
    debug = {"claim_negations": len(cues), "evidence_negations": ctx.index.sent_negations[best],
             "sentence": best}
    return SignalResult(NEGATION, features, findings, debug=debug)

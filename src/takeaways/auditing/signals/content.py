"""Signals about what the claim says: alignment, unsupported words, relations, grammar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from takeaways.auditing.context import ClaimContext
from takeaways.auditing.registry import register_signal
from takeaways.auditing.signals.base import Finding, SignalResult, claim_span
from takeaways.auditing.text import is_content

if TYPE_CHECKING:
    from spacy.tokens import Token

ALIGN = "audit.signal.align.v1"
NOVEL = "audit.signal.novel_content.v1"
RELATIONS = "audit.signal.relations.v1"
GRAMMAR = "audit.signal.grammar.v1"
_FAR = 0.5  # a novel noun this far from every article word names something new
_ARC_DEPS = frozenset({
    "nsubj", "nsubjpass", "dobj", "pobj", "amod", "compound", "nummod", "poss", "appos",
    "attr", "acomp", "agent", "npadvmod", "dative", "oprd", "xcomp", "ccomp",
})


@register_signal(ALIGN)
def align_signal(ctx: ClaimContext) -> SignalResult:
    """Embedding and lexical alignment of the claim to the article's sentences."""
    al = ctx.alignment
    n_content = max(1, len(ctx.content))
    if not al.ranked:
        return SignalResult(ALIGN, {"emb_max": 0.0, "lex_best": 0.0, "lex_cover": 0.0,
                                    "lex_article": 0.0}, skipped="the article has no sentences")
    best = al.ranked[0]
    in_article = sum(1 for t in ctx.content if ctx.index.sids_of(ctx.supported_forms(t)))
    features = {
        "emb_max": float(al.emb.max()),
        "lex_best": float(al.lex[best]),
        "lex_cover": len(al.covered) / n_content,
        "lex_article": in_article / n_content if ctx.content else 1.0,
    }
    debug = {"top": [{"sentence": s, "emb": round(float(al.emb[s]), 3),
                      "lex": round(float(al.lex[s]), 3)} for s in al.ranked[:3]]}
    return SignalResult(ALIGN, features, evidence=list(al.evidence), debug=debug)


@register_signal(NOVEL)
def novel_content_signal(ctx: ClaimContext) -> SignalResult:
    """Content words with no counterpart (same word, lemma or close paraphrase) in the article."""
    missing = [t for t in ctx.content if not ctx.found[t.i]
               and ctx.paraphrase.get(t.i, ("", 0.0))[1] < ctx.settings.word_similarity]
    words = [t for t in missing if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ")]
    # Most telling first: things (nouns) before actions, the least paraphrasable first.
    words.sort(key=lambda t: (t.pos_ == "VERB", ctx.paraphrase.get(t.i, ("", 0.0))[1]))
    findings = [
        Finding(NOVEL, "out-of-article", "unsupported",
                f"The article never mentions \u201c{t.text}\u201d or anything close to it.",
                claim_span(ctx.text, t.idx, t.idx + len(t.text)))
        for t in words
    ]
    debug = {"unsupported_words": [t.text for t in words],
             "paraphrased": {ctx.doc[i].text: [w, round(s, 3)]
                             for i, (w, s) in ctx.paraphrase.items()
                             if s >= ctx.settings.word_similarity}}
    n = max(1, len(ctx.content))
    nouns = [t for t in words if t.pos_ in ("NOUN", "PROPN", "ADJ")]
    far = [t for t in nouns if ctx.paraphrase.get(t.i, ("", 0.0))[1] < _FAR]
    features = {"unsupported": float(len(words)), "unsupported_frac": len(words) / n,
                "nouns": float(len(nouns)), "verbs": float(len(words) - len(nouns)),
                "far": float(len(far))}
    return SignalResult(NOVEL, features, findings, debug=debug)


def _arcs(ctx: ClaimContext) -> list[tuple[Token, Token]]:
    """(head, dependent) pairs of content words, collapsing prepositions."""
    arcs = []
    for tok in ctx.doc:
        head = tok.head
        if tok.dep_ == "pobj" and head.dep_ in ("prep", "agent"):
            head = head.head
        if tok.dep_ in _ARC_DEPS and head is not tok and is_content(tok) and is_content(head):
            arcs.append((head, tok))
    return arcs


def _arc_type(head: Token, dep: Token) -> str:
    if head.pos_ == "VERB" or dep.pos_ == "VERB":
        return "predicate"
    if "PROPN" in (head.pos_, dep.pos_):
        return "entity"
    return "circumstance"


@register_signal(RELATIONS)
def relations_signal(ctx: ClaimContext) -> SignalResult:
    """Word pairs linked in the claim's parse that never share an article sentence."""
    arcs = _arcs(ctx)
    missing = []
    for head, dep in arcs:
        h_sids = ctx.index.sids_of(ctx.supported_forms(head))
        d_sids = ctx.index.sids_of(ctx.supported_forms(dep))
        if h_sids and d_sids and not h_sids & d_sids:
            missing.append((head, dep))
    findings = []
    for head, dep in missing:
        a, b = sorted((head, dep), key=lambda t: t.i)
        findings.append(Finding(
            RELATIONS, _arc_type(head, dep), "unsupported",
            f"The article mentions \u201c{head.text}\u201d and \u201c{dep.text}\u201d "
            "but never together in one sentence.",
            claim_span(ctx.text, a.idx, b.idx + len(b.text))))
    n = max(1, len(arcs))
    features = {"missing": float(len(missing)), "missing_frac": len(missing) / n}
    debug = {"arcs": len(arcs), "unlinked": [f"{h.text}->{d.text}" for h, d in missing]}
    return SignalResult(RELATIONS, features, findings, debug=debug)


@register_signal(GRAMMAR)
def grammar_signal(ctx: ClaimContext) -> SignalResult:
    """Garbled output: a repeated word pair, or a long claim without a verb."""
    toks = [t for t in ctx.doc if not t.is_punct]
    pairs = [(a.lower_, b.lower_) for a, b in zip(toks, toks[1:], strict=False)
             if not (a.is_stop and b.is_stop) and a.is_alpha and b.is_alpha]
    repeated = len(pairs) - len(set(pairs))
    words = toks
    no_verb = len(words) > 6 and not any(t.pos_ in ("VERB", "AUX") for t in ctx.doc)
    flag = float(repeated > 0 or no_verb)
    findings = []
    if flag:
        why = "repeats itself" if repeated else "has no verb"
        findings.append(Finding(GRAMMAR, "grammatical", "unsupported",
                                f"The claim is garbled: it {why}."))
    return SignalResult(GRAMMAR, {"flag": flag}, findings,
                        debug={"repeated_pairs": repeated, "no_verb": no_verb})

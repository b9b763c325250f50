"""Signal: entailment of the claim by its evidence, from the shipped cross-encoder.

The premise is the claim's evidence window (the alignment's evidence sentences in
article order). The model (`takeaways.auditing.entail`) is all-MiniLM-L6-v2
fine-tuned on premise/claim pairs (see its model card); it loads on first use.
"""

from __future__ import annotations

from typing import TypeVar

from takeaways.auditing.context import ClaimContext
from takeaways.auditing.registry import register_signal
from takeaways.auditing.signals.base import Finding, SignalResult

ENTAIL = "audit.signal.entail.v1"
T = TypeVar("T")


def premises(ctx: ClaimContext) -> list[str]:
    """The premises the claim is checked against, the most entailing one kept: the
    evidence window (the alignment's evidence sentences in article order, or the
    best-ranked sentence when there is no evidence), then each evidence sentence alone and
    each pair of them (at most 7 with 3 evidence sentences; none but the window for one).
    A window of three long sentences is cut at the model's 160 word pieces and a glued
    caption or a later sentence ("later died") can outweigh the one that says it; a single
    sentence or a pair does not. Against the window alone (`bench/audit.py --lodo`, one
    fresh cache each, the route's cut fixed at 0.60): held-out CNN/DM highlight sentences
    supported 66.0% -> 69.8% (cached table), FRANK XSum 0.640 -> 0.645, QAGS XSum 0.652 ->
    0.637, CNN/DM sets unchanged; the entailment probability alone ranks FRANK XSum better
    (AUC 0.696 -> 0.722); the audit runs about 4% slower."""
    return [p for stage in premise_stages(ctx) for p in stage]


def premise_stages(ctx: ClaimContext) -> list[list[str]]:
    """`premises` in the order the entailment route scores them, stage by stage: the
    evidence window, then each evidence sentence alone, then each pair (empty stages
    left out, no premise twice)."""
    import itertools

    sents = ctx.analysis.article.sentences
    sids = sorted(ctx.alignment.evidence) or list(ctx.alignment.ranked[:1])
    window = " ".join(sents[s].text for s in sids)
    stages = [[window]]
    if len(sids) > 1:
        stages.append([sents[s].text for s in sids])
    if len(sids) > 2:
        stages.append([sents[a].text + " " + sents[b].text
                       for a, b in itertools.combinations(sids, 2)])
    seen: set[str] = set()
    out = []
    for stage in stages:
        kept = [p for p in dict.fromkeys(stage) if p.strip() and p not in seen]
        seen.update(kept)
        if kept:
            out.append(kept)
    return out


@register_signal(ENTAIL)
def entail_signal(ctx: ClaimContext) -> SignalResult:
    """P(entailment) and P(contradiction) of the claim given its evidence."""
    return entail_signals([ctx])[0]


def entail_signals(contexts: list[ClaimContext], *, enough: float | None = None
                   ) -> list[SignalResult]:
    """`entail_signal` for several claims, their premise/claim pairs in one batch (at the
    ``entail_precision`` of the first claim's settings).

    ``enough``: score the premises stage by stage (`premise_stages`: the evidence window,
    the single sentences, the pairs), each stage in one batch, and a claim's next stage
    only while its best P(entailment) so far is below ``enough``. The entailment route
    passes a claim when its best premise reaches its cut, so with ``enough`` set to that
    cut the route decides every claim as it would with all premises scored (a premise that
    reaches a cut over 0.5 leaves P(contradiction) below the contradiction finding's 0.5);
    what is saved is the premises of a claim an earlier stage already entails. The
    features then hold the best of the premises scored."""
    from takeaways.auditing.entail import EntailmentModel, use_bf16

    bf16 = use_bf16(contexts[0].settings.entail_precision) if contexts else False

    def predict(pairs: list[tuple[str, str]]) -> list[tuple[float, float, float]]:
        return EntailmentModel.load(bf16=bf16).predict(pairs) if pairs else []

    stages = [premise_stages(ctx) for ctx in contexts]
    if enough is None:
        stages = [[[p for stage in st for p in stage]] if st else [] for st in stages]
    scored: list[list[tuple[float, float, float]]] = [[] for _ in contexts]
    for depth in range(max((len(st) for st in stages), default=0)):
        todo = [i for i, st in enumerate(stages) if depth < len(st)
                and (enough is None or not scored[i] or max(p[0] for p in scored[i]) < enough)]
        flat = predict([(p, contexts[i].text) for i in todo for p in stages[i][depth]])
        for i, probs in zip(todo, _chunks(flat, [len(stages[i][depth]) for i in todo]),
                            strict=True):
            scored[i] += probs
    return [_result(ctx, probs) for ctx, probs in zip(contexts, scored, strict=True)]


def _chunks(items: list[T], sizes: list[int]) -> list[list[T]]:
    """``items`` cut into consecutive runs of ``sizes``."""
    out, k = [], 0
    for n in sizes:
        out.append(items[k : k + n])
        k += n
    return out


def _result(ctx: ClaimContext, probs: list[tuple[float, float, float]]) -> SignalResult:
    if not probs:
        return SignalResult(ENTAIL, {"entail": 0.0, "contradict": 0.0},
                            skipped="the claim has no evidence sentence")
    best = max(range(len(probs)), key=lambda i: probs[i][0])
    entail, _neutral, contra = probs[best]
    findings = []
    if contra > 0.5 and contra > entail:
        findings.append(Finding(
            ENTAIL, "predicate", "contradicted",
            f"The article's closest passage contradicts this claim (entailment model: "
            f"P(contradiction) = {contra:.2f})."))
    return SignalResult(
        ENTAIL, {"entail": entail, "contradict": contra}, findings,
        evidence=sorted(ctx.alignment.evidence),
        debug={"probs": [[round(v, 4) for v in p] for p in probs]},
    )

"""Optional signal: entailment probability from a local Hugging Face NLI model.

Nothing is downloaded: the model folder must hold a sequence-classification model whose
labels include one named like "entailment".
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from takeaways.auditing.context import ClaimContext
from takeaways.auditing.registry import register_signal
from takeaways.auditing.signals.base import Finding, SignalResult
from takeaways.errors import ModelError

NLI = "audit.signal.nli.v1"
_lock = threading.Lock()


class NliModel:
    """A local NLI classifier: ``probs(premise, hypothesis)`` → label → probability."""

    def __init__(self, path: str) -> None:
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise ModelError(f"--nli-model needs transformers and torch ({exc}).") from exc
        try:
            self.tokenizer: Any = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self.model: Any = AutoModelForSequenceClassification.from_pretrained(
                path, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"cannot load an NLI model from {path!r} ({exc}); point --nli-model at a local "
                "folder holding a Hugging Face sequence-classification model and its tokenizer."
            ) from exc
        self.model.eval()
        self._torch = torch
        labels = {int(i): str(n).lower() for i, n in self.model.config.id2label.items()}
        self.labels = labels
        self.entail = next((i for i, n in labels.items() if n.startswith("entail")), None)
        self.contradict = next((i for i, n in labels.items() if n.startswith("contradict")), None)
        if self.entail is None:
            raise ModelError(
                f"the NLI model at {path!r} has no 'entailment' label (labels: "
                f"{sorted(labels.values())}); use an NLI model or set id2label in its config."
            )

    def probs(self, premise: str, hypothesis: str) -> dict[str, float]:
        enc = self.tokenizer(premise, hypothesis, truncation=True, max_length=512,
                             return_tensors="pt")
        with _lock, self._torch.no_grad():
            logits = self.model(**enc).logits[0]
        p = self._torch.softmax(logits, dim=-1).tolist()
        return {self.labels[i]: float(v) for i, v in enumerate(p)}


@lru_cache(maxsize=2)
def load_nli(path: str) -> NliModel:
    """The NLI model at ``path``, loaded once per process."""
    return NliModel(path)


@register_signal(NLI)
def nli_signal(ctx: ClaimContext) -> SignalResult:
    """Entailment of the claim by its evidence sentences, from a local NLI model."""
    path = ctx.extra.get("nli_model")
    if not path:
        return SignalResult(NLI, {"entail": 0.0}, skipped="no --nli-model given")
    model = load_nli(str(path))
    sents = ctx.analysis.article.sentences
    premise = " ".join(sents[s].text for s in sorted(ctx.alignment.evidence))
    probs = model.probs(premise, ctx.text)
    entail = probs[model.labels[model.entail]] if model.entail is not None else 0.0
    contra = probs[model.labels[model.contradict]] if model.contradict is not None else 0.0
    findings = []
    if contra > 0.5:
        findings.append(Finding(NLI, "predicate", "contradicted",
                                "The NLI model reads the evidence as contradicting the claim."))
    return SignalResult(NLI, {"entail": entail, "contradict": contra}, findings,
                        debug={"probs": {k: round(v, 4) for k, v in probs.items()}})

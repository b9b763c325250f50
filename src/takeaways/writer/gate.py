"""The writer's learned gate (``[writer] gate = "learned.v1"``): a small logistic model
over the audit's own per-claim signals that says whether a point the audit supports is
clear enough to publish.

`raw_signals` is what the audit computed for one sentence of a point (every signal's
features, the claim model's probability, the routes, the verdict, the word count);
`gate_features` turns that into the model's named inputs; `GateModel` (shipped as
``data/writer_gate.json``, trained by ``train/writer/train_gate.py``) scores them and
`GateModel.passes` applies its operating point. No phrase lists: only numbers the audit
already gives, and simple counts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takeaways.errors import ConfigError

if TYPE_CHECKING:
    from takeaways.auditing import ClaimAudit

#: the learned gates that ship (``[writer] gate``), each a JSON file in ``data/``
GATES = {"learned.v1": "writer_gate.json"}
_EPS = 1e-4


def raw_signals(audit: ClaimAudit) -> dict[str, Any]:
    """What the audit computed for one sentence of a point, as plain JSON values (what
    ``bench/writer.py`` caches and `gate_features` reads)."""
    from takeaways.auditing.verdict import feature_vector

    prob = audit.probability if audit.probability is not None else audit.support
    return {
        "verdict": audit.verdict,
        "probability": round(float(prob), 5),
        "confirmed": bool(audit.confirmed),
        "routes": list(audit.routes),
        "words": len(audit.text.split()),
        "features": {k: round(v, 5) for k, v in
                     sorted(feature_vector(audit.signals.values()).items())},
    }


def _logit(p: float) -> float:
    p = min(max(p, _EPS), 1.0 - _EPS)
    return math.log(p / (1.0 - p))


def gate_features(raw: Mapping[str, Any]) -> dict[str, float]:
    """The gate model's inputs for one sentence: every audit feature as it is
    (``align.emb_max``, ``entail.entail``, ...), the claim model's logit, one flag per
    route that passes it, and the sentence's length (words, log-scaled). A feature the
    audit did not compute (the entailment signal skipped) is 0, with a flag saying so."""
    feats: dict[str, float] = {k: float(v) for k, v in raw.get("features", {}).items()}
    out = dict(feats)
    out["claim.logit"] = _logit(float(raw.get("probability", 0.0)))
    for route in ("probability", "paraphrase", "soft-word", "entailment"):
        out[f"route.{route}"] = float(route in raw.get("routes", ()))
    out["claim.log_words"] = math.log1p(float(raw.get("words", 0)))
    out["entail.missing"] = float("entail.entail" not in feats)
    return out


@dataclass(frozen=True)
class GateModel:
    """A logistic model: P(faithful) = sigmoid(bias + sum(w * (x - mean) / scale)), and
    a point passes when every sentence's P is at least ``cut``."""

    name: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    cut: float
    card: Mapping[str, Any]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "the gate file") -> GateModel:
        try:
            feats = tuple(str(f) for f in data["features"])
            model = cls(name=str(data["name"]), features=feats,
                        mean=tuple(float(v) for v in data["mean"]),
                        scale=tuple(float(v) for v in data["scale"]),
                        weights=tuple(float(v) for v in data["weights"]),
                        bias=float(data["bias"]), cut=float(data["cut"]),
                        card=dict(data.get("card", {})))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{source} is not a writer gate model ({exc!r}); retrain it "
                              "with 'python train/writer/train_gate.py'.") from exc
        if not len(feats) == len(model.mean) == len(model.scale) == len(model.weights):
            raise ConfigError(f"{source}: features, mean, scale and weights differ in length; "
                              "retrain it with 'python train/writer/train_gate.py'.")
        return model

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "features": list(self.features), "mean": list(self.mean),
                "scale": list(self.scale), "weights": list(self.weights), "bias": self.bias,
                "cut": self.cut, "card": dict(self.card)}

    def probability(self, features: Mapping[str, float]) -> float:
        """P(faithful) of one sentence from its `gate_features`."""
        z = self.bias + sum(w * (features.get(f, 0.0) - m) / s for f, m, s, w in
                            zip(self.features, self.mean, self.scale, self.weights, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def passes_raw(self, parts: Sequence[Mapping[str, Any]]) -> bool:
        """The gate on cached `raw_signals` (one per sentence of the point): each sentence
        supported by the audit and at the model's cut or above."""
        return bool(parts) and all(
            p.get("verdict") == "supported" and self.probability(gate_features(p)) >= self.cut
            for p in parts)


def gate_file(name: str) -> Path:
    if name not in GATES:
        raise ConfigError(f"[writer] gate must be 'threshold' or one of {', '.join(GATES)}, "
                          f"got {name!r}; fix or remove the key.")
    return Path(str(resources.files("takeaways").joinpath("data", GATES[name])))


@lru_cache(maxsize=4)
def load_gate(name: str) -> GateModel:
    """The shipped gate model ``name`` (``learned.v1``: ``data/writer_gate.json``)."""
    path = gate_file(name)
    if not path.is_file():
        raise ConfigError(f"the writer gate model {path} is missing; reinstall takeaways or "
                          "rebuild it with 'python train/writer/train_gate.py', or set "
                          "[writer] gate = \"threshold\".")
    return GateModel.from_dict(json.loads(path.read_text("utf-8")), str(path))

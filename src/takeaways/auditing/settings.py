"""The audit's settings: ``data/audit.toml`` merged with the user's ``[audit]`` section."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from takeaways.config import Settings, active
from takeaways.errors import ConfigError


@dataclass(frozen=True)
class AuditSettings:
    """Frozen audit settings; see ``data/audit.toml`` for what each one means."""

    signals: tuple[str, ...]
    nli_signal: str
    entail_signal: str
    entailment: bool
    claim_splitter: str
    verdict: str
    evidence_max: int
    align_top_k: int
    align_embedding_weight: float
    evidence_min_ratio: float
    word_similarity: float
    strong_alignment: float
    support_threshold: float
    paraphrase_similarity: float
    weights: dict[str, float] = field(default_factory=dict)
    soft_word_route: bool = True
    summary_threshold: float = 0.5
    summary_weights: dict[str, float] = field(default_factory=dict)
    entail_route: bool = True
    entail_pass: float = 0.0
    entail_precision: str = "auto"
    summary_rule: str = "model"
    word_candidates: int = 5

    def with_weights(self, weights: dict[str, float], threshold: float,
                     summary: tuple[dict[str, float], float] | None = None,
                     entail_pass: float | None = None) -> AuditSettings:
        """A copy with other claim weights and threshold, and optionally other summary
        weights and threshold and another entailment-route cut (the benchmark's fitting
        uses this)."""
        from dataclasses import replace

        out = replace(self, weights=dict(weights), support_threshold=threshold)
        if summary is not None:
            out = replace(out, summary_weights=dict(summary[0]), summary_threshold=summary[1])
        if entail_pass is not None:
            out = replace(out, entail_pass=float(entail_pass))
        return out

    @property
    def entail_route_on(self) -> bool:
        """Whether a failing claim gets the entailment route's second look."""
        return self.entail_route and 0.0 < self.entail_pass <= 1.0


#: how a summary of several claims is judged (`verdict.summary_judgement`)
SUMMARY_RULES = ("model", "either", "all-claims")


def _build(raw: dict[str, Any]) -> AuditSettings:
    try:
        built = AuditSettings(
            signals=tuple(str(s) for s in raw["signals"]),
            nli_signal=str(raw["nli_signal"]),
            entail_signal=str(raw["entail_signal"]),
            entailment=bool(raw["entailment"]),
            claim_splitter=str(raw["claim_splitter"]),
            verdict=str(raw["verdict"]),
            evidence_max=int(raw["evidence_max"]),
            align_top_k=int(raw["align_top_k"]),
            align_embedding_weight=float(raw["align_embedding_weight"]),
            evidence_min_ratio=float(raw["evidence_min_ratio"]),
            word_similarity=float(raw["word_similarity"]),
            strong_alignment=float(raw["strong_alignment"]),
            support_threshold=float(raw["support_threshold"]),
            paraphrase_similarity=float(raw["paraphrase_similarity"]),
            weights={str(k): float(v) for k, v in raw.get("weights", {}).items()},
            soft_word_route=bool(raw["soft_word_route"]),
            summary_threshold=float(raw["summary_threshold"]),
            summary_weights={str(k): float(v)
                             for k, v in raw.get("summary_weights", {}).items()},
            entail_route=bool(raw.get("entail_route", True)),
            entail_pass=float(raw.get("entail_pass", 0.0)),
            entail_precision=str(raw.get("entail_precision", "auto")),
            summary_rule=str(raw.get("summary_rule", "model")),
            word_candidates=int(raw.get("word_candidates", 5)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"the [audit] settings are invalid ({exc!r}); compare your override with "
            "takeaways/data/audit.toml and fix or remove the key."
        ) from exc
    if not 0.0 <= built.entail_pass <= 1.0:
        raise ConfigError(f"[audit] entail_pass must be between 0 (the route off) and 1, got "
                          f"{built.entail_pass!r}; fix or remove the key.")
    from takeaways.auditing.entail import PRECISIONS

    if built.entail_precision not in PRECISIONS:
        raise ConfigError(f"[audit] entail_precision must be auto, fp32 or bf16, got "
                          f"{built.entail_precision!r}; fix or remove the key.")
    if built.word_candidates < 0:
        raise ConfigError(f"[audit] word_candidates must be 0 (compare every article word) or "
                          f"more, got {built.word_candidates!r}; fix or remove the key.")
    if built.summary_rule not in SUMMARY_RULES:
        raise ConfigError(f"[audit] summary_rule must be one of {', '.join(SUMMARY_RULES)}, got "
                          f"{built.summary_rule!r}; fix or remove the key.")
    return built


def raw_settings(settings: Settings | None = None) -> dict[str, Any]:
    """The ``[audit]`` section as plain TOML values (of the active settings by default)."""
    return (settings or active()).section("audit")


def load_settings(settings: Settings | None = None) -> AuditSettings:
    """The typed ``[audit]`` settings of ``settings`` (default: the active ones), built
    once per distinct settings tree."""
    return _typed(settings or active())


@lru_cache(maxsize=8)
def _typed(settings: Settings) -> AuditSettings:
    return _build(raw_settings(settings))

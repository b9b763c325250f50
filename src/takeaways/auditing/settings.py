"""The audit's settings: ``data/audit.toml`` merged with the user's ``[audit]`` section."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from takeaways.config import load_config, merge
from takeaways.errors import ConfigError


@dataclass(frozen=True)
class AuditSettings:
    """Frozen audit settings; see ``data/audit.toml`` for what each one means."""

    signals: tuple[str, ...]
    nli_signal: str
    claim_splitter: str
    verdict: str
    evidence_max: int
    align_top_k: int
    word_similarity: float
    strong_alignment: float
    support_threshold: float
    paraphrase_similarity: float
    weights: dict[str, float] = field(default_factory=dict)

    def with_weights(self, weights: dict[str, float], threshold: float) -> AuditSettings:
        """A copy with other weights and threshold (the benchmark's fitting uses this)."""
        from dataclasses import replace

        return replace(self, weights=dict(weights), support_threshold=threshold)


def _shipped() -> dict[str, Any]:
    text = resources.files("takeaways").joinpath("data/audit.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text).get("audit", {})
    return data


def _build(raw: dict[str, Any]) -> AuditSettings:
    try:
        return AuditSettings(
            signals=tuple(str(s) for s in raw["signals"]),
            nli_signal=str(raw["nli_signal"]),
            claim_splitter=str(raw["claim_splitter"]),
            verdict=str(raw["verdict"]),
            evidence_max=int(raw["evidence_max"]),
            align_top_k=int(raw["align_top_k"]),
            word_similarity=float(raw["word_similarity"]),
            strong_alignment=float(raw["strong_alignment"]),
            support_threshold=float(raw["support_threshold"]),
            paraphrase_similarity=float(raw["paraphrase_similarity"]),
            weights={str(k): float(v) for k, v in raw.get("weights", {}).items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"the [audit] settings are invalid ({exc!r}); compare your override with "
            "takeaways/data/audit.toml and fix or remove the key."
        ) from exc


def raw_settings() -> dict[str, Any]:
    """The ``[audit]`` settings as plain TOML values: shipped, with the user's overrides."""
    return merge(_shipped(), dict(load_config().get("audit", {})))


@lru_cache(maxsize=1)
def load_settings() -> AuditSettings:
    """Shipped audit settings with the user's ``[audit]`` overrides applied (cached)."""
    return _build(raw_settings())

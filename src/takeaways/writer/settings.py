"""The ``[writer]`` settings, typed, and the one check that a run with the LLM writer
has what it needs (a server and a model) before anything is read or parsed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from takeaways.config import Settings, active
from takeaways.errors import ConfigError
from takeaways.writer.gate import GATES

WRITERS = ("extractive", "llm")
#: the audit's routes (`takeaways.auditing.verdict.ROUTES`) the gate may trust
TRUSTABLE = ("paraphrase", "soft-word", "entailment")


@dataclass(frozen=True, slots=True)
class WriterSettings:
    name: str
    base_url: str
    model: str
    api_key_env: str
    timeout_s: float
    max_retries: int
    temperature: float
    json_mode: bool
    max_prompt_chars: int
    min_support: float = 0.0
    trust_routes: tuple[str, ...] = ()
    gate: str = "threshold"  # "threshold" (min_support, trust_routes) or a learned gate

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> WriterSettings:
        cfg = (settings or active()).section("writer")
        return cls(
            name=str(cfg.get("name", "extractive")), base_url=str(cfg.get("base_url", "")),
            model=str(cfg.get("model", "")),
            api_key_env=str(cfg.get("api_key_env", "OPENAI_API_KEY")),
            timeout_s=float(cfg.get("timeout_s", 60)), max_retries=int(cfg.get("max_retries", 1)),
            temperature=float(cfg.get("temperature", 0.0)),
            json_mode=bool(cfg.get("json_mode", True)),
            max_prompt_chars=int(cfg.get("max_prompt_chars", 24_000)),
            min_support=float(cfg.get("min_support", 0.0)),
            trust_routes=tuple(str(r) for r in cfg.get("trust_routes", ())),
            gate=str(cfg.get("gate", "threshold")),
        )

    @property
    def url(self) -> str:
        """Where requests go: ``{base_url}/chat/completions``."""
        return self.base_url.rstrip("/") + "/chat/completions"

    def api_key(self) -> str | None:
        """The key from the environment variable ``api_key_env`` names (None: no key)."""
        if not self.api_key_env:
            return None
        return os.environ.get(self.api_key_env) or None

    def check(self) -> None:
        """A `ConfigError` saying what to set when this writer cannot run."""
        if not 0.0 <= self.min_support <= 1.0:
            raise ConfigError(f"[writer] min_support must be between 0 and 1, got "
                              f"{self.min_support!r}; fix or remove the key.")
        unknown = [r for r in self.trust_routes if r not in TRUSTABLE]
        if unknown:
            raise ConfigError(f"[writer] trust_routes names unknown routes {unknown}; choose "
                              f"from {', '.join(TRUSTABLE)}.")
        if self.gate != "threshold" and self.gate not in GATES:
            raise ConfigError(f"[writer] gate must be 'threshold' or one of "
                              f"{', '.join(GATES)}, got {self.gate!r}; fix or remove the key.")
        if self.name not in WRITERS:
            raise ConfigError(f"[writer] name must be one of {', '.join(WRITERS)}, got "
                              f"{self.name!r}; use --writer extractive or --writer llm.")
        if self.name != "llm":
            return
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                "the llm writer needs the base URL of an OpenAI-compatible server, e.g. "
                f"--llm-url http://127.0.0.1:11434/v1 (Ollama); got {self.base_url!r}. Set "
                "--llm-url or [writer] base_url.")
        if not self.model:
            raise ConfigError("the llm writer needs a model name, e.g. --llm-model "
                              "llama3.1:8b; set --llm-model or [writer] model.")
        if self.timeout_s <= 0:
            raise ConfigError(f"[writer] timeout_s must be more than 0 seconds, got "
                              f"{self.timeout_s}.")


def add_writer_arguments(p: Any) -> None:
    """``--writer``, ``--llm-url`` and ``--llm-model`` on an argparse parser (summarize
    and batch share them)."""
    p.add_argument("--writer", choices=WRITERS, default=None,
                   help="who writes the points: extractive (default) or an LLM whose points "
                   "the audit checks and repairs ([writer] name; docs/writer.md)")
    p.add_argument("--llm-url", default=None, metavar="URL",
                   help="base URL of an OpenAI-compatible server, e.g. "
                   "http://127.0.0.1:11434/v1 ([writer] base_url)")
    p.add_argument("--llm-model", default=None, metavar="NAME",
                   help="model name on that server ([writer] model)")


def writer_overrides(args: Any) -> dict[str, str]:
    """The ``[writer]`` keys those flags set (none given: empty)."""
    return {k: v for k, v in (("name", args.writer), ("base_url", args.llm_url),
                              ("model", args.llm_model)) if v is not None}


def writer_name(settings: Settings | None = None) -> str:
    """The writer the settings select (``extractive`` or ``llm``)."""
    return str((settings or active()).section("writer").get("name", "extractive"))

"""takeaways: grounded, numbered key points, who-said-what and summary audits for news.

Public API::

    import takeaways
    article = takeaways.read("page.html")
    points = takeaways.key_points(article, n=4)
    graph = takeaways.quotes(article)              # the same parse as key_points
    report = takeaways.audit(article, "1. A claim.\\n2. Another claim.")

    pipeline = takeaways.Pipeline(takeaways.Settings.load().replace(keypoints={"min_words": 8}))
    points = pipeline.key_points(article, n=3)     # other settings: a Pipeline of their own
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from takeaways.api import analyze, audit, key_points, pipe, quotes, read
from takeaways.config import Settings
from takeaways.document import SCHEMA_VERSION, Article, Sentence, Span
from takeaways.errors import (
    BinaryInputError,
    ConfigError,
    DeadlineError,
    EmptyInputError,
    FetchError,
    FetchTimeoutError,
    InputError,
    LimitError,
    ModelError,
    NoArticleError,
    StepError,
    StoreError,
    TakeawaysError,
    UnknownSpeakerError,
    UsageError,
)
from takeaways.pipeline import Pipeline

if TYPE_CHECKING:
    from takeaways.nlp.analyze import Analysis

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "Article",
    "BinaryInputError",
    "ConfigError",
    "EmptyInputError",
    "FetchError",
    "FetchTimeoutError",
    "InputError",
    "DeadlineError",
    "LimitError",
    "ModelError",
    "NoArticleError",
    "Pipeline",
    "Sentence",
    "Settings",
    "Span",
    "StepError",
    "StoreError",
    "TakeawaysError",
    "UnknownSpeakerError",
    "UsageError",
    "__version__",
    "analyze",
    "audit",
    "key_points",
    "pipe",
    "quotes",
    "read",
]


def __getattr__(name: str) -> Any:
    """``takeaways.Analysis`` is imported on first use (it pulls in numpy)."""
    if name == "Analysis":
        from takeaways.nlp.analyze import Analysis

        return Analysis
    raise AttributeError(f"module 'takeaways' has no attribute {name!r}")

"""takeaways: grounded, numbered key points, who-said-what and summary audits for news.

Public API::

    import takeaways
    article = takeaways.read("page.html")
    points = takeaways.key_points(article, n=4)
    graph = takeaways.quotes(article)
    report = takeaways.audit(article, "1. A claim.\\n2. Another claim.")
"""

from __future__ import annotations

from takeaways.api import audit, key_points, pipe, quotes, read
from takeaways.document import SCHEMA_VERSION, Article, Sentence, Span
from takeaways.errors import (
    ConfigError,
    InputError,
    LimitError,
    ModelError,
    NoArticleError,
    TakeawaysError,
    UsageError,
)

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ConfigError",
    "InputError",
    "LimitError",
    "ModelError",
    "NoArticleError",
    "Sentence",
    "Span",
    "TakeawaysError",
    "UsageError",
    "__version__",
    "audit",
    "key_points",
    "pipe",
    "quotes",
    "read",
]

"""Convenience functions over a default `Pipeline` (as ``httpx.get`` is over a ``Client``).

Each accepts an `Article`, an `Analysis` or anything `read` accepts. An `Article`
passed to several of them is parsed once: the default pipeline keeps the analyses of
the articles it saw last. For other settings, build a `Pipeline(settings)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takeaways.document import Article
from takeaways.pipeline.core import default_pipeline

if TYPE_CHECKING:
    from takeaways.attribution.result import Quotes
    from takeaways.auditing.report import Audit
    from takeaways.keypoints.result import KeyPoints
    from takeaways.nlp.analyze import Analysis

Source = str | bytes | Path


def read(
    source: Source, *, kind: str | None = None, url: str | None = None,
    max_bytes: int | None = None,
) -> Article:
    """Read a news page into an `Article`.

    ``source`` is a path (a `Path` or any ``os.PathLike``), ``"-"`` (stdin), an http(s)
    URL, bytes (``bytearray`` and ``memoryview`` are read as bytes), or the page itself
    as a string; anything else is a `UsageError`. ``kind`` forces ``"html"``, ``"text"``
    (scraped page text: chrome is removed) or ``"plain"`` (already-clean text, kept
    byte-for-byte); by default it is detected. ``max_bytes`` (at least 1) replaces
    ``[limits] max_input_bytes``.
    """
    return default_pipeline().read(source, kind=kind, url=url, max_bytes=max_bytes)


def analyze(article_or_source: Article | Source | Analysis) -> Analysis:
    """The shared analysis (one parse, embeddings, quote graph) of an article."""
    return default_pipeline().analyze(article_or_source)


def key_points(article_or_source: Article | Source | Analysis, *, n: int = 4) -> KeyPoints:
    """N numbered, standalone key points, each citing its evidence sentences (``n``: a
    whole number of at least 1, else `UsageError`)."""
    return default_pipeline().key_points(article_or_source, n=n)


def quotes(article_or_source: Article | Source | Analysis) -> Quotes:
    """Who said what: direct and indirect quotes with resolved speakers and entities."""
    return default_pipeline().quotes(article_or_source)


def audit(
    article_or_source: Article | Source | Analysis, summary: str | list[str] | None = None, *,
    nli_model: str | None = None,
) -> Audit:
    """Check each claim of ``summary`` (default: the page's own summary box) against the article.

    Without a summary and without a summary box on the page, the result has no claims,
    verdict ``no-claims`` and a note saying so. ``nli_model`` is a local Hugging Face NLI
    model folder whose entailment probability becomes one more signal. ``summary`` is a
    string or a list of strings (else `UsageError`); one over ``[limits]
    max_summary_chars`` or ``max_summary_claims`` is a `LimitError`.
    """
    return default_pipeline().audit(article_or_source, summary, nli_model=nli_model)


def pipe(
    records: Iterable[Any], *, what: tuple[str, ...] = ("read",), n: int = 4, batch_size: int = 16,
) -> Iterator[dict[str, Any]]:
    """Stream results for many sources, in input order; one bad record never stops the stream."""
    yield from default_pipeline().pipe(records, what=what, n=n, batch_size=batch_size)

"""The article's quote graph, as the audit's quote and fact signals use it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from takeaways.attribution import extract_quotes

if TYPE_CHECKING:
    from takeaways.attribution.result import Quotes
    from takeaways.nlp.analyze import Analysis


def quote_graph(analysis: Analysis) -> Quotes:
    """The article's `Quotes`, built once per analysis (shared with key points)."""
    return extract_quotes(analysis)

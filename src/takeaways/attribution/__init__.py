"""Who said what: quotes with resolved speakers and merged entity aliases.

``build_quotes(analysis)`` makes the quote graph of an analysed article;
``extract_quotes`` (what ``takeaways.quotes()`` calls) memoises it with
``Analysis.product(build_quotes)``. The spaCy
component ``takeaways_quotes`` is registered only by `register_component()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from takeaways import registry
from takeaways.attribution.build import STRATEGIES, build_quotes, quotes_from_doc
from takeaways.attribution.component import register_component
from takeaways.attribution.result import Entity, Mention, Quote, Quotes, Speaker
from takeaways.config import Settings, section, use

if TYPE_CHECKING:
    from takeaways.nlp.analyze import Analysis

__all__ = [
    "STRATEGIES",
    "Entity",
    "Mention",
    "Quote",
    "Quotes",
    "Speaker",
    "build_quotes",
    "extract_quotes",
    "quotes_from_doc",
    "register_component",
]


def extract_quotes(analysis: Analysis, *, settings: Settings | None = None) -> Quotes:
    """The quote graph of ``analysis`` by the strategy ``[quotes] strategy`` names
    (``quotes.rules.v1``: `build_quotes`), computed once per analysis and settings
    (``settings``, default: the active ones)."""
    if settings is not None:
        with use(settings):
            return extract_quotes(analysis)
    build = registry.get(str(section("quotes").get("strategy", "quotes.rules.v1")), "quotes.")
    graph: Quotes = analysis.product(build)
    return graph


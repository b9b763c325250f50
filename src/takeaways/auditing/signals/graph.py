"""Access to the quote graph (issue 4) that tolerates its absence."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from takeaways.nlp.analyze import Analysis

log = logging.getLogger(__name__)
_KEY = "audit.quote_graph"
NOTE_KEY = "audit.quote_graph_note"


def quote_graph(analysis: Analysis) -> Any | None:
    """The article's `Quotes`, or None (with a note in ``analysis.cache``) when the quotes
    package is not installed in this build."""
    if _KEY in analysis.cache:
        return analysis.cache[_KEY]
    graph: Any | None
    try:
        from takeaways.attribution import extract_quotes  # memoised on the analysis

        graph = extract_quotes(analysis)
    except ImportError as exc:
        note = f"the quote graph is not available ({exc}); speaker checks were skipped"
        log.info(note)
        analysis.cache[NOTE_KEY] = note
        graph = None
    analysis.cache[_KEY] = graph
    return graph


def graph_note(analysis: Analysis) -> str | None:
    note = analysis.cache.get(NOTE_KEY)
    return str(note) if note else None

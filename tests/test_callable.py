"""`takeaways.audit` and `takeaways.quotes` stay callable after their packages load."""

from __future__ import annotations

from typing import Any


def test_callable_public_functions_survive_subpackage_import(seed_article: Any) -> None:
    import takeaways.audit.core  # noqa: F401  (binds the package to takeaways.audit)
    import takeaways.quotes.result  # noqa: F401

    graph = takeaways.quotes(seed_article)
    assert graph.quotes
    report = takeaways.audit(seed_article, "Putin said the multipolar world is a reality.")
    assert len(report.claims) == 1

"""The public functions `takeaways.audit` and `takeaways.quotes` are never shadowed.

Their implementations live in differently named subpackages (`takeaways.auditing`,
`takeaways.attribution`), so importing those binds no package attribute over the
function, and no module class is swapped to keep anything callable.
"""

from __future__ import annotations

import types
from typing import Any


def test_public_functions_survive_subpackage_import(seed_article: Any) -> None:
    import takeaways
    import takeaways.attribution.result  # noqa: F401
    import takeaways.auditing.core  # noqa: F401

    assert isinstance(takeaways.quotes, types.FunctionType)
    assert isinstance(takeaways.audit, types.FunctionType)
    assert type(takeaways.attribution) is types.ModuleType
    assert type(takeaways.auditing) is types.ModuleType
    graph = takeaways.quotes(seed_article)
    assert graph.quotes
    report = takeaways.audit(seed_article, "Putin said the multipolar world is a reality.")
    assert len(report.claims) == 1

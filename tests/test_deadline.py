"""`takeaways.deadline` sits below every layer (stdlib and errors only) so that the loops
of attribution, entities and key points can call `check`; `takeaways.pipeline.deadline`
is the same API."""

from __future__ import annotations

import ast
from pathlib import Path

import takeaways.deadline as low
import takeaways.pipeline.deadline as high


def test_deadline_is_one_api_in_two_places() -> None:
    assert (high.check, high.deadline, high.remaining) == (low.check, low.deadline,
                                                          low.remaining)
    assert high.__all__ == low.__all__ == ["check", "deadline", "remaining"]


def test_deadline_module_needs_only_the_standard_library_and_errors() -> None:
    tree = ast.parse(Path(low.__file__).read_text("utf-8"))
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert mods <= {"__future__", "time", "collections.abc", "contextlib", "contextvars",
                    "takeaways.errors"}

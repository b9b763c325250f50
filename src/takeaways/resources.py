"""Language data shipped in ``takeaways/data``: phrase lists, one entry per line."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def word_list(name: str) -> tuple[str, ...]:
    """Lines of ``data/<name>.txt``, stripped, without blanks and ``#`` comments."""
    text = resources.files("takeaways").joinpath(f"data/{name}.txt").read_text("utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def word_set(name: str) -> frozenset[str]:
    """The lower-cased entries of ``data/<name>.txt`` as a set."""
    return frozenset(w.lower() for w in word_list(name))

"""The names of the pipeline's steps, and how a list of them is read."""

from __future__ import annotations

from collections.abc import Iterable

from takeaways.errors import UsageError

#: the steps `Pipeline.run` knows, in the order they run
STEPS = ("read", "key_points", "quotes", "audit")

__all__ = ["STEPS", "normalize_steps"]


def normalize_steps(what: str | Iterable[str]) -> tuple[str, ...]:
    """``"read,key-points"`` or ``["read", "key_points"]`` → ``("read", "key_points")``."""
    items = what.split(",") if isinstance(what, str) else list(what)
    out: list[str] = []
    for item in items:
        name = str(item).strip().lower().replace("-", "_")
        if name not in STEPS:
            allowed = ", ".join(s.replace("_", "-") for s in STEPS)
            raise UsageError(f"unknown step {item!r}; use a comma list of {allowed}.")
        if name not in out:
            out.append(name)
    if not out:
        raise UsageError("no step given; name at least one of read, key-points, quotes, audit.")
    return tuple(out)

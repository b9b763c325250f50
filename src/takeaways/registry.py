"""Strategies registered under versioned names (``"keypoints.select.mmr.v1"``).

Output metadata records which names ran, so a change in quality can be traced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_REGISTRY: dict[str, Callable[..., Any]] = {}


def register(name: str) -> Callable[[F], F]:
    """Decorator: register a strategy under a versioned name."""

    def deco(fn: F) -> F:
        _REGISTRY[name] = fn
        return fn

    return deco


def get(name: str) -> Callable[..., Any]:
    """The strategy registered as ``name``; the error lists what exists."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"no strategy named {name!r}; registered: {known}") from None


def names(prefix: str = "") -> list[str]:
    return sorted(n for n in _REGISTRY if n.startswith(prefix))

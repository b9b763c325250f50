"""The one registry of strategies, each under a versioned name (``"keypoints.select.mmr.v2"``).

Settings name the strategies that run (``[keypoints] strategy``, ``[audit] signals``,
``claim_splitter``, ``verdict``); `get` turns a name into the function, and each result's
``strategies`` records the names that ran, so a change in quality can be traced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from takeaways.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])
_REGISTRY: dict[str, Callable[..., Any]] = {}


def register(name: str) -> Callable[[F], F]:
    """Decorator: register a strategy under a versioned name."""

    def deco(fn: F) -> F:
        _REGISTRY[name] = fn
        return fn

    return deco


def get(name: str, prefix: str = "") -> Callable[..., Any]:
    """The strategy registered as ``name`` (which must start with ``prefix``); else a
    `ConfigError` listing the names of that kind."""
    fn = _REGISTRY.get(name) if name.startswith(prefix) else None
    if fn is None:
        known = ", ".join(names(prefix)) or "none"
        kind = f"{prefix.rstrip('.')} " if prefix else ""
        raise ConfigError(f"no {kind}strategy named {name!r}; registered: {known}. "
                          "Fix the setting that names it (takeaways config show).")
    return fn


def names(prefix: str = "") -> list[str]:
    """The registered names that start with ``prefix``, sorted."""
    return sorted(n for n in _REGISTRY if n.startswith(prefix))

"""Registries of the audit's swappable strategies, each under a versioned name.

``audit.claims.*`` split a summary into claims, ``audit.signal.*`` compute one signal for
one claim, ``audit.verdict.*`` turn signals into a verdict. The output's ``strategies``
field lists the names that ran, so a change in quality can be traced to a change here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from takeaways.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])

SPLITTERS: dict[str, Callable[..., Any]] = {}
SIGNALS: dict[str, Callable[..., Any]] = {}
VERDICTS: dict[str, Callable[..., Any]] = {}


def _register(table: dict[str, Callable[..., Any]], name: str) -> Callable[[F], F]:
    def deco(func: F) -> F:
        table[name] = func
        return func

    return deco


def register_splitter(name: str) -> Callable[[F], F]:
    return _register(SPLITTERS, name)


def register_signal(name: str) -> Callable[[F], F]:
    return _register(SIGNALS, name)


def register_verdict(name: str) -> Callable[[F], F]:
    return _register(VERDICTS, name)


def lookup(table: dict[str, Callable[..., Any]], name: str, kind: str) -> Callable[..., Any]:
    """The strategy registered as ``name``, or a `ConfigError` listing the known names."""
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table)) or "none"
        raise ConfigError(
            f"unknown audit {kind} {name!r}; registered: {known}. Fix the [audit] settings."
        ) from None
